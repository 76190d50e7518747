// RecordProtection: the key, sequence number and limits of one direction of a TLS 1.3 connection.
#include <cstring>

#include "engine/common/secure_memory.h"
#include "volley/record.h"

namespace volley {
namespace {

// Recommend a KeyUpdate this many records before the hard usage limit, so a sender has time to
// send one without ever stalling on the limit. A limit lowered by a test gets a sixteenth of
// itself instead; the suites' own limits (2^24.5 and above) are large enough that the fixed
// margin is the smaller.
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
    case RecordStatus::kInvalidContentType:
      return "only non-empty alert and handshake records and application data can be sealed";
    case RecordStatus::kNotInitialized: return "record protection not initialized";
  }
  return "unknown record status";
}

RecordProtection::~RecordProtection() { wipe(); }

void RecordProtection::wipe() noexcept {
  // The AEAD key too: a re-init that fails before key_.init() must not leave the old key behind.
  key_.clear();
  secure_wipe(iv_, sizeof(iv_));
  suite_ = nullptr;
  seq_ = 0;
}

Status RecordProtection::init(const CipherSuite& suite, const TrafficKeys& keys,
                              std::string_view backend) noexcept {
  wipe();
  if (keys.key().size() != suite.key_len) return Status::kBadKeyLength;
  if (Status s = key_.init(*suite.aead, keys.key(), backend); s != Status::kOk) {
    wipe();
    return s;
  }
  std::memcpy(iv_, keys.iv().data(), sizeof(iv_));
  suite_ = &suite;
  return Status::kOk;
}

Status RecordProtection::rekey(const TrafficKeys& keys) noexcept {
  if (suite_ == nullptr) return Status::kNotInitialized;
  const CipherSuite& suite = *suite_;
  // A Backend's name is a string_view of static storage: it outlives the key being wiped.
  const std::string_view backend = key_.backend_name();
  return init(suite, keys, backend);
}

Status RecordProtection::advance_sequence(uint64_t seq) noexcept {
  if (suite_ == nullptr) return Status::kNotInitialized;
  if (seq < seq_) return Status::kInvalidArgument;
  seq_ = seq;
  return Status::kOk;
}

uint64_t RecordProtection::records_per_key() const noexcept {
  const uint64_t limit = suite_->aead->max_records_per_key;
  // Only a real usage limit is lowered: ChaCha20-Poly1305 has none below the sequence space
  // (RFC 8446 §5.5), and RecordWriter tells the two apart by the suite's value.
  return limit != UINT64_MAX && test_limit_ < limit ? test_limit_ : limit;
}

uint64_t RecordProtection::records_left() const noexcept {
  if (suite_ == nullptr) return 0;
  // The limit is at most UINT64_MAX, the last sequence number, which is never used.
  const uint64_t limit = records_per_key();
  return seq_ < limit ? limit - seq_ : 0;
}

bool RecordProtection::key_update_recommended() const noexcept {
  if (suite_ == nullptr) return false;
  const uint64_t limit = records_per_key();
  const uint64_t margin = limit / 16 < kKeyUpdateMargin ? limit / 16 : kKeyUpdateMargin;
  return seq_ >= limit - margin;
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
  return seal_batch(std::span<SealEntry>(&entry, 1)).status;
}

}  // namespace volley
