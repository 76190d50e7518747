// Opening a received byte stream: every complete record in it, decrypted as one batch.
#include <cstring>

#include "engine/common/secure_memory.h"
#include "engine/record/content_type.h"
#include "volley/record.h"

namespace volley {
namespace {

using aead_internal::Job;
using aead_internal::kTagBytes;

// Records opened per kernel call; matches the sealing side.
constexpr size_t kChunk = 32;

struct Failure {
  RecordStatus status = RecordStatus::kOk;
  AlertDescription alert = AlertDescription::kNone;
};

Failure alert(AlertDescription a) { return {RecordStatus::kAlert, a}; }

}  // namespace

OpenResult RecordProtection::open(MutableBytes stream, std::span<OpenedRecord> records) noexcept {
  return open_impl(stream.data(), stream.size(), stream.data(), stream.size(), records);
}

OpenResult RecordProtection::open(Bytes stream, MutableBytes out,
                                  std::span<OpenedRecord> records) noexcept {
  if (overlaps(stream.data(), stream.size(), out.data(), out.size())) {
    return {RecordStatus::kBadAliasing, AlertDescription::kNone, 0, 0};
  }
  return open_impl(stream.data(), stream.size(), out.data(), out.size(), records);
}

OpenResult RecordProtection::open_impl(const uint8_t* stream, size_t stream_len, uint8_t* out,
                                       size_t out_len, std::span<OpenedRecord> records) noexcept {
  OpenResult result;
  if (suite_ == nullptr) {
    result.status = RecordStatus::kNotInitialized;
    return result;
  }
  const bool in_place = stream == out;
  const aead_internal::AeadKernel* kernel = key_.kernel();

  while (result.records < records.size()) {
    // Gather the complete, well-formed records that follow, up to a chunk.
    Job jobs[kChunk];
    uint8_t computed[kChunk][kTagBytes];
    size_t starts[kChunk];
    size_t n = 0;
    size_t pos = result.consumed;
    Failure stop;  // why gathering stopped before the chunk was full, if it did
    const size_t room = records.size() - result.records;
    while (n < kChunk && n < room) {
      if (stream_len - pos < kRecordHeaderLen) {
        if (stream_len != pos) stop.status = RecordStatus::kNeedMoreData;
        break;
      }
      const uint8_t* h = stream + pos;
      const size_t len = size_t{h[3]} << 8 | h[4];
      // RFC 8446 §5.2: every protected record is opaque_type application_data, version 0x0303.
      if (h[0] != static_cast<uint8_t>(ContentType::kApplicationData) || h[1] != 0x03 ||
          h[2] != 0x03) {
        stop = alert(AlertDescription::kDecodeError);
        break;
      }
      if (len > kMaxCiphertextLen || (len > kTagBytes && len - kTagBytes > inner_limit_)) {
        stop = alert(AlertDescription::kRecordOverflow);
        break;
      }
      if (len < kTagBytes) {  // too short to hold a tag: cannot authenticate
        stop = alert(AlertDescription::kBadRecordMac);
        break;
      }
      if (stream_len - pos - kRecordHeaderLen < len) {
        stop.status = RecordStatus::kNeedMoreData;
        break;
      }
      if (out_len < pos + kRecordHeaderLen + len) break;  // no room in |out|: next call
      if (seq_ + n == UINT64_MAX) {
        stop.status = RecordStatus::kSequenceExhausted;
        break;
      }
      const size_t body_len = len - kTagBytes;
      jobs[n] = {.key = key_.key_state(), .iv = iv_, .seq = seq_ + n, .aad = h,
                 .aad_len = kRecordHeaderLen, .in = h + kRecordHeaderLen,
                 .out = out + pos + kRecordHeaderLen, .len = body_len, .tag = computed[n]};
      starts[n] = pos;
      ++n;
      pos += kRecordHeaderLen + len;
    }
    if (n > 0) kernel->open_batch(jobs, n);

    // Accept records in order up to the first that fails.
    for (size_t i = 0; i < n; ++i) {
      const Job& j = jobs[i];
      const bool tag_ok = ct_equal16(computed[i], j.in + j.len);
      size_t content_len = 0;
      const uint8_t type = tag_ok ? record_internal::inner_content_type(j.out, j.len, &content_len) : 0;
      if (tag_ok && type != 0) {
        records[result.records] = {static_cast<ContentType>(type), MutableBytes(j.out, content_len)};
        ++result.records;
        ++seq_;
        result.consumed = starts[i] + kRecordHeaderLen + j.len + kTagBytes;
        continue;
      }
      // Record i failed: no unauthenticated plaintext leaves, and later records are put back as
      // they were. In place, re-encrypting with the same nonces restores their ciphertext (CTR
      // and ChaCha20 are their own inverse); tags go to scratch, the received ones stay.
      secure_wipe(j.out, j.len);
      if (i + 1 < n) {
        if (in_place) {
          for (size_t k = i + 1; k < n; ++k) jobs[k].tag = computed[k];
          kernel->seal_batch(jobs + i + 1, n - i - 1);
        } else {
          for (size_t k = i + 1; k < n; ++k) secure_wipe(jobs[k].out, jobs[k].len);
        }
      }
      secure_wipe(computed, sizeof(computed));
      result.status = RecordStatus::kAlert;
      result.alert = tag_ok ? AlertDescription::kUnexpectedMessage : AlertDescription::kBadRecordMac;
      return result;
    }
    secure_wipe(computed, sizeof(computed));
    if (stop.status != RecordStatus::kOk) {
      result.status = stop.status;
      result.alert = stop.alert;
      return result;
    }
    if (n == 0) break;  // stream used up, or no room in |out|
  }
  return result;
}

}  // namespace volley
