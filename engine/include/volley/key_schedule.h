// volley/key_schedule.h: the TLS 1.3 key schedule (RFC 8446 §7.1), traffic keys (§7.3), Finished
// (§4.4.4), key update (§7.2) and resumption PSKs (§4.6.1).
//
// The key schedule is fed transcript hashes, never messages: the handshake keeps a running
// transcript (volley/sha2.h; copy it to snapshot) and passes Transcript-Hash(messages so far).
//
//   volley::KeySchedule ks;
//   ks.init(volley::kTlsAes128GcmSha256);              // Early Secret, no PSK
//   ks.enter_handshake(ecdhe_shared_secret);           // Handshake Secret
//   volley::Secret c_hs, s_hs;
//   ks.client_handshake_traffic_secret(&c_hs, hash_ch_sh);
//   ks.server_handshake_traffic_secret(&s_hs, hash_ch_sh);
//   ks.enter_master();                                 // Master Secret
//   ...
//   volley::TrafficKeys keys;
//   volley::traffic_keys(suite, &keys, s_hs);         // key and iv for the record layer
//
// Stages: a KeySchedule moves forward through kEarly -> kHandshake -> kMaster and never back. Each
// derivation is allowed only in its stage; asking for an early secret after enter_handshake(), for
// example, returns kNotInitialized (the early secret has been wiped by then).
//
// Threads: a KeySchedule must not be used by two threads at once. The free functions are
// reentrant.
//
// Allocation: none; every secret lives inline. Output pointers must not be null. Failure:
// functions return a Status and write nothing to their outputs on error.
//
// Secrets: Secret, TrafficKeys and KeySchedule wipe themselves on destruction; the key schedule
// wipes each stage's secret when it moves to the next stage.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "volley/cipher_suite.h"
#include "volley/hmac.h"
#include "volley/status.h"

namespace volley {

// Secret holds one TLS 1.3 secret (32 bytes for the SHA-256 suites, 48 for SHA-384), inline.
// Copyable (a copy is a second secret to be wiped); wiped on destruction.
class Secret {
 public:
  static constexpr size_t kMaxSize = 48;

  Secret() noexcept = default;
  ~Secret() { wipe(); }
  Secret(const Secret&) noexcept = default;
  Secret& operator=(const Secret&) noexcept = default;

  // assign copies |bytes| in. Returns kInvalidArgument if bytes.size() > kMaxSize.
  [[nodiscard]] Status assign(Bytes bytes) noexcept;

  Bytes bytes() const noexcept { return Bytes(bytes_, size_); }
  size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }

  void wipe() noexcept;

  // Internal: resize to |n| (<= kMaxSize) and return the storage for the caller to fill.
  uint8_t* resize_for_write(size_t n) noexcept;

 private:
  uint8_t bytes_[kMaxSize] = {};
  uint8_t size_ = 0;
};

// TrafficKeys is the record protection material derived from one traffic secret (RFC 8446 §7.3):
// the AEAD key (suite.key_len bytes) and the 12-byte iv that sequence numbers are XORed into.
// Wiped on destruction.
struct TrafficKeys {
  static constexpr size_t kMaxKeySize = 32;
  static constexpr size_t kIvSize = 12;

  uint8_t key_storage[kMaxKeySize] = {};
  uint8_t iv_storage[kIvSize] = {};
  uint8_t key_size = 0;

  TrafficKeys() noexcept = default;
  ~TrafficKeys() { wipe(); }
  TrafficKeys(const TrafficKeys&) noexcept = default;
  TrafficKeys& operator=(const TrafficKeys&) noexcept = default;

  // assign copies in a key and iv from elsewhere (a test vector, a capture's keys). Returns
  // kBadKeyLength unless key.size() is 16 or 32, kBadNonceLength unless iv.size() == 12; on error
  // nothing changes.
  [[nodiscard]] Status assign(Bytes key, Bytes iv) noexcept;

  Bytes key() const noexcept { return Bytes(key_storage, key_size); }
  Bytes iv() const noexcept { return Bytes(iv_storage, kIvSize); }
  void wipe() noexcept;
};

// PskKind selects the binder key label (RFC 8446 §7.1): "ext binder" for an external PSK,
// "res binder" for a resumption PSK.
enum class PskKind : uint8_t { kExternal, kResumption };

// KeySchedule walks the secrets of RFC 8446 §7.1 for one connection.
class KeySchedule {
 public:
  enum class Stage : uint8_t { kNone, kEarly, kHandshake, kMaster };

  KeySchedule() noexcept = default;
  ~KeySchedule() { wipe(); }
  KeySchedule(const KeySchedule&) = delete;
  KeySchedule& operator=(const KeySchedule&) = delete;

  // init starts a key schedule for |suite| and computes Early Secret = HKDF-Extract(0, PSK), with
  // PSK = |psk|, or HashLen zero bytes when |psk| is empty (no PSK). |hash_backend| forces a hash
  // backend by name (tests); empty means the best one. Errors: kUnknownBackend,
  // kBackendUnavailable; the schedule is then in kNone.
  [[nodiscard]] Status init(const CipherSuite& suite, Bytes psk = {},
                            std::string_view hash_backend = {}) noexcept;

  Stage stage() const noexcept { return stage_; }
  const CipherSuite* suite() const noexcept { return suite_; }

  // Early stage (kEarly). |client_hello_hash| is Transcript-Hash(ClientHello).
  // binder_key: Derive-Secret(Early Secret, "ext binder" | "res binder", "").
  [[nodiscard]] Status binder_key(Secret* out, PskKind kind) const noexcept;
  [[nodiscard]] Status client_early_traffic_secret(Secret* out,
                                                   Bytes client_hello_hash) const noexcept;
  [[nodiscard]] Status early_exporter_master_secret(Secret* out,
                                                    Bytes client_hello_hash) const noexcept;

  // enter_handshake moves kEarly -> kHandshake: Handshake Secret = HKDF-Extract(
  // Derive-Secret(Early Secret, "derived", ""), |ecdhe|). |ecdhe| is the (EC)DHE shared secret
  // (empty for psk_ke, which uses HashLen zero bytes). The early secret is wiped.
  [[nodiscard]] Status enter_handshake(Bytes ecdhe) noexcept;

  // Handshake stage (kHandshake). |hello_hash| is Transcript-Hash(ClientHello...ServerHello).
  [[nodiscard]] Status client_handshake_traffic_secret(Secret* out,
                                                       Bytes hello_hash) const noexcept;
  [[nodiscard]] Status server_handshake_traffic_secret(Secret* out,
                                                       Bytes hello_hash) const noexcept;

  // enter_master moves kHandshake -> kMaster: Master Secret = HKDF-Extract(
  // Derive-Secret(Handshake Secret, "derived", ""), 0). The handshake secret is wiped.
  [[nodiscard]] Status enter_master() noexcept;

  // Master stage (kMaster). |server_finished_hash| is Transcript-Hash(ClientHello...server
  // Finished); |client_finished_hash| is Transcript-Hash(ClientHello...client Finished).
  [[nodiscard]] Status client_application_traffic_secret(Secret* out,
                                                         Bytes server_finished_hash) const noexcept;
  [[nodiscard]] Status server_application_traffic_secret(Secret* out,
                                                         Bytes server_finished_hash) const noexcept;
  [[nodiscard]] Status exporter_master_secret(Secret* out,
                                              Bytes server_finished_hash) const noexcept;
  [[nodiscard]] Status resumption_master_secret(Secret* out,
                                                Bytes client_finished_hash) const noexcept;

  // wipe erases every secret; the schedule returns to kNone.
  void wipe() noexcept;

 private:
  // Errors common to every derivation: kNotInitialized in the wrong stage, kInvalidArgument when
  // |transcript_hash| is not HashLen bytes.
  Status derive(Secret* out, Stage stage, std::string_view label,
                Bytes transcript_hash) const noexcept;
  Status advance(Stage from, Bytes ikm) noexcept;

  // The current stage's secret, keyed into an HMAC of the suite's hash (only the one matching
  // suite_->hash is in use). Every child secret is an HMAC under it, so keeping it keyed saves
  // the two pad compressions of each derivation.
  HmacSha256 prk256_;
  HmacSha384 prk384_;
  const CipherSuite* suite_ = nullptr;
  Stage stage_ = Stage::kNone;
};

// The functions below take a traffic secret of |suite| (a Secret of suite.hash_len bytes) and
// return kInvalidArgument for any other size. |out| may be the same object as the input secret.

// traffic_keys derives the record key and iv: HKDF-Expand-Label(secret, "key", "", key_len) and
// HKDF-Expand-Label(secret, "iv", "", 12) (RFC 8446 §7.3).
[[nodiscard]] Status traffic_keys(const CipherSuite& suite, TrafficKeys* out,
                                  const Secret& traffic_secret) noexcept;

// next_application_traffic_secret is application_traffic_secret_N+1 = HKDF-Expand-Label(
// application_traffic_secret_N, "traffic upd", "", Hash.length) (RFC 8446 §7.2).
[[nodiscard]] Status next_application_traffic_secret(const CipherSuite& suite, Secret* out,
                                                     const Secret& current) noexcept;

// finished_key is HKDF-Expand-Label(base_key, "finished", "", Hash.length) (RFC 8446 §4.4.4),
// where |base_key| is the sender's handshake traffic secret, or a binder key for PSK binders.
[[nodiscard]] Status finished_key(const CipherSuite& suite, Secret* out,
                                  const Secret& base_key) noexcept;

// finished_verify_data writes verify_data = HMAC(finished_key(base_key), transcript_hash) to
// |out| (suite.hash_len bytes; kBadOutputLength otherwise). For a PSK binder, |base_key| is the
// binder key and |transcript_hash| the hash of the truncated ClientHello (RFC 8446 §4.2.11.2).
// kInvalidArgument unless transcript_hash.size() == suite.hash_len.
[[nodiscard]] Status finished_verify_data(const CipherSuite& suite, std::span<uint8_t> out,
                                          const Secret& base_key, Bytes transcript_hash) noexcept;

// verify_finished recomputes verify_data and compares it with |received| in constant time.
// Returns kOk on a match, kAuthFailed on a mismatch (including a wrong length), and the errors of
// finished_verify_data.
[[nodiscard]] Status verify_finished(const CipherSuite& suite, const Secret& base_key,
                                     Bytes transcript_hash, Bytes received) noexcept;

// resumption_psk is the PSK of one NewSessionTicket: HKDF-Expand-Label(resumption_master_secret,
// "resumption", ticket_nonce, Hash.length) (RFC 8446 §4.6.1). kInvalidArgument for a nonce longer
// than 255 bytes.
[[nodiscard]] Status resumption_psk(const CipherSuite& suite, Secret* out,
                                    const Secret& resumption_master_secret,
                                    Bytes ticket_nonce) noexcept;

}  // namespace volley
