#include "engine/record/batch_sealer.h"

#include <cstring>

#include "engine/common/secure_memory.h"

namespace volley {
namespace {

// Payloads this large, given apart from the output, are encrypted straight from where they are
// (as pieces) rather than copied into the record first: the copy would cost more than batching
// gains on a record this long.
constexpr size_t kZeroCopyThreshold = 2048;

// Zeros for padding pieces of zero-copy records.
constexpr uint8_t kZeros[kMaxInnerPlaintextLen] = {};

}  // namespace

RecordStatus RecordBatchSealer::add(RecordProtection& conn, SealEntry& e) noexcept {
  if (RecordStatus s = conn.check_sequence(); s != RecordStatus::kOk) return s;
  // RFC 8446 §5.4: the receiver finds the type as the last non-zero byte, so it cannot be 0.
  if (e.type == ContentType::kInvalid) return RecordStatus::kInvalidContentType;
  if (conn.seq_ >= conn.suite_->aead->max_records_per_key) {
    return RecordStatus::kKeyUpdateRequired;
  }
  size_t content_len = 0;
  for (Bytes p : e.payload) {
    if (p.size() > kMaxInnerPlaintextLen) return RecordStatus::kRecordTooLarge;
    content_len += p.size();
  }
  if (content_len >= conn.inner_limit_) return RecordStatus::kRecordTooLarge;
  const size_t padding = e.padding == kPolicyPadding ? conn.padding_for(content_len) : e.padding;
  if (padding > conn.inner_limit_ - 1 - content_len) return RecordStatus::kRecordTooLarge;
  const size_t inner_len = content_len + 1 + padding;
  const size_t total = RecordProtection::sealed_size(content_len, padding);
  if (e.out.size() < total) return RecordStatus::kOutputTooSmall;

  uint8_t* const out = e.out.data();
  uint8_t* const body = out + kRecordHeaderLen;
  size_t offset = 0;
  for (Bytes p : e.payload) {
    if (p.data() != body + offset && overlaps(p.data(), p.size(), out, total)) {
      return RecordStatus::kBadAliasing;
    }
    offset += p.size();
  }

  // RFC 8446 §5.2: opaque_type application_data, legacy_record_version 0x0303, length.
  const size_t ciphertext_len = inner_len + kRecordTagLen;
  out[0] = static_cast<uint8_t>(ContentType::kApplicationData);
  out[1] = 0x03;
  out[2] = 0x03;
  out[3] = static_cast<uint8_t>(ciphertext_len >> 8);
  out[4] = static_cast<uint8_t>(ciphertext_len);
  body[content_len] = static_cast<uint8_t>(e.type);
  if (padding != 0) std::memset(body + content_len + 1, 0, padding);

  const uint64_t seq = conn.seq_++;
  e.written = total;
  const bool zero_copy = e.payload.size() == 1 && content_len >= kZeroCopyThreshold &&
                         e.payload[0].data() != body;
  if (zero_copy) {
    uint8_t nonce[12];
    conn.nonce_for(seq, nonce);
    const Bytes pieces[3] = {e.payload[0], Bytes(body + content_len, 1), Bytes(kZeros, padding)};
    // Arguments were checked above, so this cannot fail.
    (void)conn.key_.seal(nonce, Bytes(out, kRecordHeaderLen), pieces,
                         MutableBytes(body, inner_len), MutableBytes(body + inner_len, kRecordTagLen));
    return RecordStatus::kOk;
  }

  offset = 0;
  for (Bytes p : e.payload) {
    // An empty piece's data() may be null, which memcpy must never see, even for 0 bytes.
    if (p.size() != 0 && p.data() != body + offset) std::memcpy(body + offset, p.data(), p.size());
    offset += p.size();
  }
  const aead_internal::AeadKernel* kernel = conn.key_.kernel();
  if (count_ == kMaxJobs || (count_ > 0 && kernel != kernel_)) flush();
  kernel_ = kernel;
  conn.nonce_for(seq, nonces_[count_]);
  jobs_[count_] = {conn.key_.key_state(), nonces_[count_], out, kRecordHeaderLen, body, body,
                   inner_len, body + inner_len};
  ++count_;
  return RecordStatus::kOk;
}

void RecordBatchSealer::flush() noexcept {
  if (count_ == 0) return;
  kernel_->seal_batch(jobs_, count_);
  count_ = 0;
}

}  // namespace volley
