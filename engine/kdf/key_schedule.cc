// The TLS 1.3 key schedule (RFC 8446 §7.1) and the functions of one traffic secret (§4.4.4, §7.2,
// §7.3, §4.6.1).
#include "volley/key_schedule.h"

#include <cstring>

#include "engine/common/secure_memory.h"
#include "engine/kdf/hkdf_internal.h"

namespace volley {
namespace {

using kdf_internal::expand_label;

template <class H>
struct HashTag {
  using type = H;
};

// with_hash calls |f| with HashTag<Sha256> or HashTag<Sha384> for the suite's hash.
template <class F>
Status with_hash(const CipherSuite& suite, F&& f) {
  switch (suite.hash) {
    case HashAlg::kSha256:
      return f(HashTag<Sha256>{});
    case HashAlg::kSha384:
      return f(HashTag<Sha384>{});
    case HashAlg::kSha512:
      break;
  }
  return Status::kInvalidArgument;
}

// extract_secret computes HKDF-Extract(salt, ikm) into a keyed HMAC, with the RFC 8446 §7.1
// convention that an absent |ikm| is HashLen zero bytes.
template <class H>
Status extract_secret(Hmac<H>& out, Bytes salt, Bytes ikm, std::string_view backend) {
  const uint8_t zeros[H::kDigestSize] = {};
  if (ikm.empty()) ikm = Bytes(zeros, sizeof(zeros));
  Hmac<H> m;
  Status s = m.init(salt, backend);
  if (s != Status::kOk) return s;
  m.update(ikm);
  uint8_t secret[H::kDigestSize];
  s = m.final(secret);
  if (s == Status::kOk) s = out.init(Bytes(secret, sizeof(secret)), backend);
  secure_wipe(secret, sizeof(secret));
  return s;
}

// next_stage replaces the secret keyed into |prk| by HKDF-Extract(Derive-Secret(secret, "derived",
// ""), ikm).
// Transcript-Hash of no messages, the context of every Derive-Secret(., "derived", "") and of the
// binder keys: SHA-256("") and SHA-384(""), FIPS 180-4. The key schedule tests check the values
// these lead to against RFC 8448 and against hash() of the empty string.
constexpr uint8_t kEmptySha256[32] = {
    0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
    0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55};
constexpr uint8_t kEmptySha384[48] = {
    0x38, 0xb0, 0x60, 0xa7, 0x51, 0xac, 0x96, 0x38, 0x4c, 0xd9, 0x32, 0x7e, 0xb1, 0xb1, 0xe3, 0x6a,
    0x21, 0xfd, 0xb7, 0x11, 0x14, 0xbe, 0x07, 0x43, 0x4c, 0x0c, 0xc7, 0xbf, 0x63, 0xf6, 0xe1, 0xda,
    0x27, 0x4e, 0xde, 0xbf, 0xe7, 0x6f, 0x65, 0xfb, 0xd5, 0x1a, 0xd2, 0xf1, 0x48, 0x98, 0xb9, 0x5b};

template <class H>
Bytes empty_hash() {
  if constexpr (H::kAlg == HashAlg::kSha256) {
    return Bytes(kEmptySha256, sizeof(kEmptySha256));
  } else {
    return Bytes(kEmptySha384, sizeof(kEmptySha384));
  }
}

template <class H>
Status next_stage(Hmac<H>& prk, Bytes ikm) {
  uint8_t derived[H::kDigestSize];
  Status s = expand_label(prk, derived, sizeof(derived), "derived", empty_hash<H>());
  // Stay on the backend the schedule was started with (tests force one).
  const std::string_view backend = prk.backend_name();
  if (s == Status::kOk) s = extract_secret(prk, Bytes(derived, sizeof(derived)), ikm, backend);
  secure_wipe(derived, sizeof(derived));
  return s;
}

template <class H>
Status keyed(Hmac<H>& m, const CipherSuite& suite, const Secret& secret) {
  if (secret.size() != suite.hash_len) return Status::kInvalidArgument;
  return m.init(secret.bytes());
}

// expand_label_into writes HKDF-Expand-Label(prk, label, context, HashLen) to |out|.
template <class H>
Status expand_label_into(const Hmac<H>& prk, Secret* out, std::string_view label, Bytes context) {
  uint8_t tmp[H::kDigestSize];  // |out| may be the secret |prk| was keyed from: write it last
  Status s = expand_label(prk, tmp, sizeof(tmp), label, context);
  if (s == Status::kOk) std::memcpy(out->resize_for_write(sizeof(tmp)), tmp, sizeof(tmp));
  secure_wipe(tmp, sizeof(tmp));
  return s;
}

}  // namespace

// --- Secret, TrafficKeys

Status Secret::assign(Bytes bytes) noexcept {
  if (bytes.size() > kMaxSize) return Status::kInvalidArgument;
  std::memmove(bytes_, bytes.data(), bytes.size());
  size_ = static_cast<uint8_t>(bytes.size());
  return Status::kOk;
}

void Secret::wipe() noexcept {
  secure_wipe(bytes_, sizeof(bytes_));
  size_ = 0;
}

uint8_t* Secret::resize_for_write(size_t n) noexcept {
  size_ = static_cast<uint8_t>(n <= kMaxSize ? n : kMaxSize);
  return bytes_;
}

Status TrafficKeys::assign(Bytes key, Bytes iv) noexcept {
  if (key.size() != 16 && key.size() != 32) return Status::kBadKeyLength;
  if (iv.size() != kIvSize) return Status::kBadNonceLength;
  std::memmove(key_storage, key.data(), key.size());
  std::memmove(iv_storage, iv.data(), kIvSize);
  key_size = static_cast<uint8_t>(key.size());
  return Status::kOk;
}

void TrafficKeys::wipe() noexcept {
  secure_wipe(key_storage, sizeof(key_storage));
  secure_wipe(iv_storage, sizeof(iv_storage));
  key_size = 0;
}

// --- KeySchedule

Status KeySchedule::init(const CipherSuite& suite, Bytes psk,
                         std::string_view hash_backend) noexcept {
  wipe();
  const Status s = with_hash(suite, [&](auto tag) {
    using H = typename decltype(tag)::type;
    // HKDF-Extract(0, PSK): an empty salt is the same HMAC key as HashLen zero bytes.
    if constexpr (H::kAlg == HashAlg::kSha256) {
      return extract_secret(prk256_, {}, psk, hash_backend);
    } else {
      return extract_secret(prk384_, {}, psk, hash_backend);
    }
  });
  if (s != Status::kOk) {
    wipe();
    return s;
  }
  suite_ = &suite;
  stage_ = Stage::kEarly;
  return Status::kOk;
}

void KeySchedule::wipe() noexcept {
  prk256_.wipe();
  prk384_.wipe();
  suite_ = nullptr;
  stage_ = Stage::kNone;
}

Status KeySchedule::derive(Secret* out, Stage stage, std::string_view label,
                           Bytes transcript_hash) const noexcept {
  if (stage_ != stage || suite_ == nullptr) return Status::kNotInitialized;
  if (transcript_hash.size() != suite_->hash_len) return Status::kInvalidArgument;
  if (suite_->hash == HashAlg::kSha256) {
    return expand_label_into(prk256_, out, label, transcript_hash);
  }
  return expand_label_into(prk384_, out, label, transcript_hash);
}

Status KeySchedule::advance(Stage from, Bytes ikm) noexcept {
  if (stage_ != from || suite_ == nullptr) return Status::kNotInitialized;
  const Status s =
      suite_->hash == HashAlg::kSha256 ? next_stage(prk256_, ikm) : next_stage(prk384_, ikm);
  if (s != Status::kOk) {
    wipe();
    return s;
  }
  stage_ = static_cast<Stage>(static_cast<int>(from) + 1);
  return Status::kOk;
}

Status KeySchedule::binder_key(Secret* out, PskKind kind) const noexcept {
  if (stage_ != Stage::kEarly || suite_ == nullptr) return Status::kNotInitialized;
  // Derive-Secret over the empty transcript.
  const Bytes h = suite_->hash == HashAlg::kSha256 ? empty_hash<Sha256>() : empty_hash<Sha384>();
  return derive(out, Stage::kEarly, kind == PskKind::kExternal ? "ext binder" : "res binder", h);
}

Status KeySchedule::client_early_traffic_secret(Secret* out,
                                                Bytes client_hello_hash) const noexcept {
  return derive(out, Stage::kEarly, "c e traffic", client_hello_hash);
}

Status KeySchedule::early_exporter_master_secret(Secret* out,
                                                 Bytes client_hello_hash) const noexcept {
  return derive(out, Stage::kEarly, "e exp master", client_hello_hash);
}

Status KeySchedule::enter_handshake(Bytes ecdhe) noexcept { return advance(Stage::kEarly, ecdhe); }

Status KeySchedule::client_handshake_traffic_secret(Secret* out, Bytes hello_hash) const noexcept {
  return derive(out, Stage::kHandshake, "c hs traffic", hello_hash);
}

Status KeySchedule::server_handshake_traffic_secret(Secret* out, Bytes hello_hash) const noexcept {
  return derive(out, Stage::kHandshake, "s hs traffic", hello_hash);
}

Status KeySchedule::enter_master() noexcept { return advance(Stage::kHandshake, {}); }

Status KeySchedule::client_application_traffic_secret(Secret* out,
                                                      Bytes server_finished_hash) const noexcept {
  return derive(out, Stage::kMaster, "c ap traffic", server_finished_hash);
}

Status KeySchedule::server_application_traffic_secret(Secret* out,
                                                      Bytes server_finished_hash) const noexcept {
  return derive(out, Stage::kMaster, "s ap traffic", server_finished_hash);
}

Status KeySchedule::exporter_master_secret(Secret* out, Bytes server_finished_hash) const noexcept {
  return derive(out, Stage::kMaster, "exp master", server_finished_hash);
}

Status KeySchedule::resumption_master_secret(Secret* out,
                                             Bytes client_finished_hash) const noexcept {
  return derive(out, Stage::kMaster, "res master", client_finished_hash);
}

// --- Functions of one secret

Status traffic_keys(const CipherSuite& suite, TrafficKeys* out,
                    const Secret& traffic_secret) noexcept {
  return with_hash(suite, [&](auto tag) {
    using H = typename decltype(tag)::type;
    Hmac<H> prk;
    Status s = keyed(prk, suite, traffic_secret);
    if (s != Status::kOk) return s;
    uint8_t key[TrafficKeys::kMaxKeySize];
    uint8_t iv[TrafficKeys::kIvSize];
    s = expand_label(prk, key, suite.key_len, "key", {});
    if (s == Status::kOk) s = expand_label(prk, iv, sizeof(iv), "iv", {});
    if (s == Status::kOk) {
      std::memcpy(out->key_storage, key, suite.key_len);
      std::memcpy(out->iv_storage, iv, sizeof(iv));
      out->key_size = static_cast<uint8_t>(suite.key_len);
    }
    secure_wipe(key, sizeof(key));
    secure_wipe(iv, sizeof(iv));
    return s;
  });
}

Status next_application_traffic_secret(const CipherSuite& suite, Secret* out,
                                       const Secret& current) noexcept {
  return with_hash(suite, [&](auto tag) {
    using H = typename decltype(tag)::type;
    Hmac<H> prk;
    const Status s = keyed(prk, suite, current);
    if (s != Status::kOk) return s;
    return expand_label_into(prk, out, "traffic upd", {});
  });
}

Status finished_key(const CipherSuite& suite, Secret* out, const Secret& base_key) noexcept {
  return with_hash(suite, [&](auto tag) {
    using H = typename decltype(tag)::type;
    Hmac<H> prk;
    const Status s = keyed(prk, suite, base_key);
    if (s != Status::kOk) return s;
    return expand_label_into(prk, out, "finished", {});
  });
}

Status finished_verify_data(const CipherSuite& suite, std::span<uint8_t> out,
                            const Secret& base_key, Bytes transcript_hash) noexcept {
  if (out.size() != suite.hash_len) return Status::kBadOutputLength;
  if (transcript_hash.size() != suite.hash_len) return Status::kInvalidArgument;
  return with_hash(suite, [&](auto tag) {
    using H = typename decltype(tag)::type;
    Hmac<H> prk;
    Status s = keyed(prk, suite, base_key);
    if (s != Status::kOk) return s;
    uint8_t key[H::kDigestSize];
    s = expand_label(prk, key, sizeof(key), "finished", {});
    Hmac<H> mac;
    if (s == Status::kOk) s = mac.init(Bytes(key, sizeof(key)));
    secure_wipe(key, sizeof(key));
    if (s != Status::kOk) return s;
    mac.update(transcript_hash);
    return mac.final(out.template first<H::kDigestSize>());
  });
}

Status verify_finished(const CipherSuite& suite, const Secret& base_key, Bytes transcript_hash,
                       Bytes received) noexcept {
  uint8_t expected[Secret::kMaxSize];
  const std::span<uint8_t> e(expected, suite.hash_len);
  Status s = finished_verify_data(suite, e, base_key, transcript_hash);
  if (s == Status::kOk) {
    // The length of verify_data is public (Hash.length); only the contents are compared in
    // constant time.
    const bool match = received.size() == e.size() && ct_equal(expected, received.data(), e.size());
    s = match ? Status::kOk : Status::kAuthFailed;
  }
  secure_wipe(expected, sizeof(expected));
  return s;
}

Status resumption_psk(const CipherSuite& suite, Secret* out, const Secret& resumption_master_secret,
                      Bytes ticket_nonce) noexcept {
  return with_hash(suite, [&](auto tag) {
    using H = typename decltype(tag)::type;
    Hmac<H> prk;
    const Status s = keyed(prk, suite, resumption_master_secret);
    if (s != Status::kOk) return s;
    return expand_label_into(prk, out, "resumption", ticket_nonce);
  });
}

}  // namespace volley
