// HKDF (RFC 5869) and HKDF-Expand-Label / Derive-Secret (RFC 8446 §7.1).
#include "volley/hkdf.h"

#include <cstring>

#include "engine/common/secure_memory.h"
#include "engine/kdf/hkdf_internal.h"

namespace volley {
namespace kdf_internal {

size_t build_hkdf_label(uint8_t buf[kMaxHkdfLabel], std::string_view label, Bytes context,
                        uint16_t length) noexcept {
  constexpr std::string_view kPrefix = "tls13 ";
  const size_t full_label = kPrefix.size() + label.size();
  if (label.empty() || full_label > 255 || context.size() > 255) return 0;
  size_t n = 0;
  buf[n++] = static_cast<uint8_t>(length >> 8);
  buf[n++] = static_cast<uint8_t>(length);
  buf[n++] = static_cast<uint8_t>(full_label);
  std::memcpy(buf + n, kPrefix.data(), kPrefix.size());
  n += kPrefix.size();
  std::memcpy(buf + n, label.data(), label.size());
  n += label.size();
  buf[n++] = static_cast<uint8_t>(context.size());
  if (!context.empty()) std::memcpy(buf + n, context.data(), context.size());
  n += context.size();
  return n;
}

template <class H>
void expand(const Hmac<H>& prk, uint8_t* out, size_t len, Bytes info) noexcept {
  uint8_t t[H::kDigestSize];
  size_t t_len = 0;  // T(0) is empty
  for (unsigned counter = 1; len != 0; ++counter) {
    Hmac<H> m = prk;
    m.update(t, t_len);
    m.update(info);
    const uint8_t c = static_cast<uint8_t>(counter);
    m.update(&c, 1);
    (void)m.final(t);  // |prk| is keyed, so this cannot fail
    t_len = sizeof(t);
    const size_t n = len < sizeof(t) ? len : sizeof(t);
    std::memcpy(out, t, n);
    out += n;
    len -= n;
  }
  secure_wipe(t, sizeof(t));
}

template <class H>
Status expand_label(const Hmac<H>& prk, uint8_t* out, size_t len, std::string_view label,
                    Bytes context) noexcept {
  uint8_t info[kMaxHkdfLabel];
  const size_t info_len = build_hkdf_label(info, label, context, static_cast<uint16_t>(len));
  if (info_len == 0) return Status::kInvalidArgument;
  expand(prk, out, len, Bytes(info, info_len));
  return Status::kOk;
}

template void expand<Sha256>(const Hmac<Sha256>&, uint8_t*, size_t, Bytes) noexcept;
template void expand<Sha384>(const Hmac<Sha384>&, uint8_t*, size_t, Bytes) noexcept;
template void expand<Sha512>(const Hmac<Sha512>&, uint8_t*, size_t, Bytes) noexcept;
template Status expand_label<Sha256>(const Hmac<Sha256>&, uint8_t*, size_t, std::string_view,
                                     Bytes) noexcept;
template Status expand_label<Sha384>(const Hmac<Sha384>&, uint8_t*, size_t, std::string_view,
                                     Bytes) noexcept;
template Status expand_label<Sha512>(const Hmac<Sha512>&, uint8_t*, size_t, std::string_view,
                                     Bytes) noexcept;

}  // namespace kdf_internal

namespace {

using kdf_internal::expand;
using kdf_internal::expand_label;

template <class H>
Status extract_with(std::span<uint8_t> prk, Bytes salt, Bytes ikm) {
  if (prk.size() != H::kDigestSize) return Status::kBadOutputLength;
  Hmac<H> m;
  Status s = m.init(salt);
  if (s != Status::kOk) return s;
  m.update(ikm);
  return m.final(prk.first<H::kDigestSize>());
}

template <class H>
Status expand_with(std::span<uint8_t> out, Bytes prk, Bytes info) {
  if (out.size() > 255 * H::kDigestSize) return Status::kBadOutputLength;
  if (overlaps(out.data(), out.size(), info.data(), info.size())) return Status::kBadAliasing;
  Hmac<H> m;
  const Status s = m.init(prk);
  if (s != Status::kOk) return s;
  expand(m, out.data(), out.size(), info);
  return Status::kOk;
}

template <class H>
Status hkdf_with(std::span<uint8_t> out, Bytes salt, Bytes ikm, Bytes info) {
  if (out.size() > 255 * H::kDigestSize) return Status::kBadOutputLength;
  if (overlaps(out.data(), out.size(), info.data(), info.size())) return Status::kBadAliasing;
  uint8_t prk[H::kDigestSize];
  Status s = extract_with<H>(prk, salt, ikm);
  if (s == Status::kOk) s = expand_with<H>(out, prk, info);
  secure_wipe(prk, sizeof(prk));
  return s;
}

template <class H>
Status expand_label_with(std::span<uint8_t> out, Bytes secret, std::string_view label,
                         Bytes context) {
  if (out.size() > 255 * H::kDigestSize) return Status::kBadOutputLength;
  // The label is built (copying |context|) before anything is written, so |out| may alias.
  uint8_t info[kdf_internal::kMaxHkdfLabel];
  const size_t info_len =
      kdf_internal::build_hkdf_label(info, label, context, static_cast<uint16_t>(out.size()));
  if (info_len == 0) return Status::kInvalidArgument;
  Hmac<H> m;
  const Status s = m.init(secret);
  if (s != Status::kOk) return s;
  expand(m, out.data(), out.size(), Bytes(info, info_len));
  return Status::kOk;
}

}  // namespace

#define VOLLEY_HKDF_SWITCH(alg, call) \
  switch (alg) {                      \
    case HashAlg::kSha256: {          \
      using H = Sha256;               \
      return call;                    \
    }                                 \
    case HashAlg::kSha384: {          \
      using H = Sha384;               \
      return call;                    \
    }                                 \
    case HashAlg::kSha512: {          \
      using H = Sha512;               \
      return call;                    \
    }                                 \
  }                                   \
  return Status::kInvalidArgument

Status hkdf_extract(HashAlg alg, std::span<uint8_t> prk, Bytes salt, Bytes ikm) noexcept {
  VOLLEY_HKDF_SWITCH(alg, extract_with<H>(prk, salt, ikm));
}

Status hkdf_expand(HashAlg alg, std::span<uint8_t> out, Bytes prk, Bytes info) noexcept {
  VOLLEY_HKDF_SWITCH(alg, expand_with<H>(out, prk, info));
}

Status hkdf(HashAlg alg, std::span<uint8_t> out, Bytes salt, Bytes ikm, Bytes info) noexcept {
  VOLLEY_HKDF_SWITCH(alg, hkdf_with<H>(out, salt, ikm, info));
}

Status hkdf_expand_label(HashAlg alg, std::span<uint8_t> out, Bytes secret, std::string_view label,
                         Bytes context) noexcept {
  VOLLEY_HKDF_SWITCH(alg, expand_label_with<H>(out, secret, label, context));
}

Status derive_secret(HashAlg alg, std::span<uint8_t> out, Bytes secret, std::string_view label,
                     Bytes transcript_hash) noexcept {
  if (out.size() != hash_size(alg)) return Status::kBadOutputLength;
  if (transcript_hash.size() != hash_size(alg)) return Status::kInvalidArgument;
  return hkdf_expand_label(alg, out, secret, label, transcript_hash);
}

#undef VOLLEY_HKDF_SWITCH

}  // namespace volley
