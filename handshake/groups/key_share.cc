#include "handshake/groups/key_share.h"

#include "engine/common/secure_memory.h"
#include "handshake/groups/key_share_impl.h"
#include "handshake/os_random.h"

namespace volley::tls {

KeyShare::~KeyShare() = default;

bool group_supported(NamedGroup group) noexcept { return private_key_size(group) != 0; }

size_t private_key_size(NamedGroup group) noexcept {
  switch (group) {
    case NamedGroup::kX25519:
    case NamedGroup::kSecp256r1: return 32;
    case NamedGroup::kSecp384r1: return 48;
  }
  return 0;
}

TlsError key_share_from_private(std::unique_ptr<KeyShare>* out, NamedGroup group,
                                Bytes private_key) noexcept {
  switch (group) {
    case NamedGroup::kX25519: return groups_internal::make_x25519_share(out, private_key);
    case NamedGroup::kSecp256r1:
    case NamedGroup::kSecp384r1: return groups_internal::make_ec_share(out, group, private_key);
  }
  return tls_fail(AlertDescription::kInternalError, "key share: unsupported group");
}

TlsError draw_key_share(std::unique_ptr<KeyShare>* out, NamedGroup group, KeyShareRandom random,
                        void* context) noexcept {
  const size_t size = private_key_size(group);
  if (size == 0) return tls_fail(AlertDescription::kInternalError, "key share: unsupported group");
  uint8_t key[kMaxPrivateKeySize];
  const MutableBytes private_key(key, size);
  TlsError result = tls_fail(AlertDescription::kInternalError, "key share: no valid scalar drawn");
  // Eight rejections in a row mean a broken source, not bad luck.
  for (int attempt = 0; attempt < 8 && !result.ok(); ++attempt) {
    if (!random(context, private_key)) {
      result = tls_fail(AlertDescription::kInternalError, "key share: random source failed");
      break;
    }
    result = key_share_from_private(out, group, private_key);
  }
  secure_wipe(key, sizeof(key));
  return result;
}

TlsError generate_key_share(std::unique_ptr<KeyShare>* out, NamedGroup group) noexcept {
  return draw_key_share(out, group, [](void*, MutableBytes b) { return os_random(b); }, nullptr);
}

}  // namespace volley::tls
