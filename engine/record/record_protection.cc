// RecordProtection: keys, sequence numbers and limits of one direction of a TLS 1.3 connection.
#include <cstring>

#include "engine/common/secure_memory.h"
#include "volley/hkdf.h"
#include "volley/record.h"

namespace volley {
namespace {

// Recommend a KeyUpdate this many records before the hard usage limit, so a sender has time to
// send one without ever stalling on the limit.
constexpr uint64_t kKeyUpdateMargin = uint64_t{1} << 20;

}  // namespace

std::string_view record_status_name(RecordStatus s) {
  switch (s) {
    case RecordStatus::kOk: return "ok";
    case RecordStatus::kNeedMoreData: return "need more data";
    case RecordStatus::kAlert: return "alert";
    case RecordStatus::kKeyUpdateRequired: return "key usage limit reached: update keys";
    case RecordStatus::kSequenceExhausted: return "sequence number exhausted";
    case RecordStatus::kRecordTooLarge: return "record larger than the record size limit";
    case RecordStatus::kOutputTooSmall: return "output buffer too small";
    case RecordStatus::kBadAliasing: return "input and output overlap without being in place";
    case RecordStatus::kInvalidContentType: return "content type 0 cannot be sealed";
    case RecordStatus::kNotInitialized: return "record protection not initialized";
  }
  return "unknown record status";
}

RecordProtection::~RecordProtection() { wipe(); }

void RecordProtection::wipe() noexcept {
  // The AEAD key too: a re-init that fails before key_.init() must not leave the old key behind.
  key_.clear();
  secure_wipe(iv_, sizeof(iv_));
  secure_wipe(secret_, sizeof(secret_));
  has_secret_ = false;
  suite_ = nullptr;
  seq_ = 0;
}

Status RecordProtection::set_traffic_key(Bytes key, Bytes iv, std::string_view backend) noexcept {
  if (iv.size() != sizeof(iv_)) return Status::kBadNonceLength;
  if (Status s = key_.init(*suite_->aead, key, backend); s != Status::kOk) return s;
  std::memcpy(iv_, iv.data(), sizeof(iv_));
  seq_ = 0;
  return Status::kOk;
}

Status RecordProtection::init(const CipherSuite& suite, Bytes key, Bytes iv,
                              std::string_view backend) noexcept {
  wipe();
  suite_ = &suite;
  if (Status s = set_traffic_key(key, iv, backend); s != Status::kOk) {
    wipe();
    return s;
  }
  return Status::kOk;
}

// derive_from_secret turns secret_ into the traffic key and iv (RFC 8446 §7.3).
Status RecordProtection::derive_from_secret(std::string_view backend) noexcept {
  const Bytes secret(secret_, suite_->hash_len);
  uint8_t key[32];
  uint8_t iv[12];
  Status s = hkdf_expand_label(suite_->hash, std::span<uint8_t>(key, suite_->key_len), secret,
                               "key", {});
  if (s == Status::kOk) s = hkdf_expand_label(suite_->hash, iv, secret, "iv", {});
  if (s == Status::kOk) s = set_traffic_key(Bytes(key, suite_->key_len), iv, backend);
  secure_wipe(key, sizeof(key));
  secure_wipe(iv, sizeof(iv));
  return s;
}

Status RecordProtection::init_from_secret(const CipherSuite& suite, Bytes traffic_secret,
                                          std::string_view backend) noexcept {
  wipe();
  if (traffic_secret.size() != suite.hash_len) return Status::kBadKeyLength;
  suite_ = &suite;
  std::memcpy(secret_, traffic_secret.data(), traffic_secret.size());
  has_secret_ = true;
  if (Status s = derive_from_secret(backend); s != Status::kOk) {
    wipe();
    return s;
  }
  return Status::kOk;
}

Status RecordProtection::update_keys() noexcept {
  if (suite_ == nullptr || !has_secret_) return Status::kNotInitialized;
  // application_traffic_secret_N+1 = HKDF-Expand-Label(secret_N, "traffic upd", "", Hash.length)
  std::span<uint8_t> secret(secret_, suite_->hash_len);
  if (Status s = hkdf_expand_label(suite_->hash, secret, secret, "traffic upd", {});
      s != Status::kOk) {
    return s;
  }
  // Keep the backend the key was set up on: a forced backend stays forced across updates.
  return derive_from_secret(key_.backend_name());
}

bool RecordProtection::key_update_recommended() const noexcept {
  if (suite_ == nullptr) return false;
  const uint64_t limit = suite_->aead->max_records_per_key;
  return seq_ >= (limit > kKeyUpdateMargin ? limit - kKeyUpdateMargin : 0);
}

Status RecordProtection::set_record_size_limit(size_t limit) noexcept {
  if (limit < 64 || limit > kMaxInnerPlaintextLen) return Status::kInvalidArgument;
  inner_limit_ = limit;
  return Status::kOk;
}

size_t RecordProtection::padding_for(size_t content_len) const noexcept {
  const size_t inner = content_len + 1;
  if (padding_.block <= 1 || inner >= inner_limit_) return 0;
  // Rounding up as inner + (block - inner % block) % block cannot wrap, whatever |block| is
  // (inner + block - 1 would, for a block near SIZE_MAX).
  size_t padded = inner + (padding_.block - inner % padding_.block) % padding_.block;
  if (padded > inner_limit_) padded = inner_limit_;
  return padded - inner;
}

RecordStatus RecordProtection::seal(SealEntry& entry) noexcept {
  RecordStatus status;
  (void)seal_batch(std::span<SealEntry>(&entry, 1), &status);
  return status;
}

}  // namespace volley
