// Opening a run of TLSCiphertext records: every complete protected record at the start of a
// stream, decrypted as one batch, up to the first record that is not application_data.
//
// The batch is decrypted before any record's content type is known (it is inside the encryption),
// so a batch may run past a key change: client Finished, or a KeyUpdate, followed in the same
// buffer by records under the next key. Records are therefore accepted in order, and the run ends
// after the first one whose type is not application_data: the records after it are put back as
// they were (in place, by encrypting them again with the same nonces; into a separate buffer, by
// wiping what was written), their sequence numbers are not spent, and the reader returns so that
// the caller can act on the record (install the next keys) before reading on.
#include <cstring>

#include "engine/aead/aead_key_access.h"
#include "engine/common/secure_memory.h"
#include "engine/record/content_type.h"
#include "engine/record/record_internal.h"
#include "volley/record.h"

namespace volley {
namespace {

using aead_internal::Job;
using aead_internal::kTagBytes;

// Records opened per kernel call; matches the sealing side.
constexpr size_t kChunk = 32;
// Ciphertext bytes opened per kernel call, beyond the first record. Unless the kernel finds each
// record's content type while it decrypts (AeadKernel::finds_content_type), the type is found by a
// scan after the kernel call (it reads the whole inner plaintext, for constant time), so a call's
// plaintext should still be in L1 when it is scanned: 32 records of 16 KiB (512 KiB) made the scan
// read L2 and cost a quarter of the open (volley speed, Zen 5). Small records still go 32 to a
// call.
constexpr size_t kChunkBytes = 16 * 1024;

ReadResult failed(ReadResult r, AlertDescription alert) {
  r.status = RecordStatus::kAlert;
  r.alert = alert;
  return r;
}

}  // namespace

ReadResult RecordProtection::open_protected(const uint8_t* stream, size_t stream_len,
                                            uint8_t* out, size_t out_len,
                                            std::span<OpenedRecord> records) noexcept {
  ReadResult result;
  if (suite_ == nullptr) {
    result.status = RecordStatus::kNotInitialized;
    return result;
  }
  const bool in_place = stream == out;
  // The inner content type of each record, found by the kernel as it decrypts when it can, else by
  // a scan after it; either way in a time that depends on the length only.
  const kernels::ContentTypeKernel& scanner = record_internal::content_type_kernel();
  const aead_internal::AeadKernel* kernel = aead_internal::kernel_of(key_);
  const bool kernel_finds_type = kernel->finds_content_type;

  while (result.records < records.size()) {
    // Gather the complete, well-formed protected records that follow, up to a chunk.
    Job jobs[kChunk];
    uint8_t computed[kChunk][kTagBytes];
    aead_internal::InnerType found[kChunk];
    size_t starts[kChunk];
    size_t n = 0;
    size_t pos = result.consumed;
    ReadResult stop;  // why gathering stopped before the chunk was full, if it did
    const size_t room = records.size() - result.records;
    size_t chunk_bytes = 0;
    while (n < kChunk && n < room && chunk_bytes < kChunkBytes) {
      if (stream_len - pos < kRecordHeaderLen) {
        if (stream_len != pos) stop.status = RecordStatus::kNeedMoreData;
        break;
      }
      const record_internal::RecordHeader h = record_internal::read_header(stream + pos);
      // Another outer type ends the run; the reader frames it. legacy_record_version is ignored
      // (RFC 8446 §5.1: "MUST be ignored for all purposes").
      if (h.type != static_cast<uint8_t>(ContentType::kApplicationData)) break;
      if (h.length > kMaxCiphertextLen ||
          (h.length > kTagBytes && h.length - kTagBytes > inner_limit_)) {
        stop = failed(stop, AlertDescription::kRecordOverflow);
        break;
      }
      if (h.length < kTagBytes) {  // too short to hold a tag: cannot authenticate
        stop = failed(stop, AlertDescription::kBadRecordMac);
        break;
      }
      if (stream_len - pos - kRecordHeaderLen < h.length) {
        stop.status = RecordStatus::kNeedMoreData;
        break;
      }
      if (out_len < pos + kRecordHeaderLen + h.length) {
        // No room in |out|: the next call takes it. Reported when not even one record fits, or
        // the caller could not tell this from an empty stream.
        if (n == 0 && result.records == 0) stop.status = RecordStatus::kOutputTooSmall;
        break;
      }
      if (seq_ + n == UINT64_MAX) {
        stop.status = RecordStatus::kSequenceExhausted;
        break;
      }
      const uint8_t* const hp = stream + pos;
      const size_t body_len = h.length - kTagBytes;
      jobs[n] = {.key = aead_internal::key_state_of(key_),
                 .iv = iv_,
                 .seq = seq_ + n,
                 .aad = hp,
                 .aad_len = kRecordHeaderLen,
                 .in = hp + kRecordHeaderLen,
                 .out = out + pos + kRecordHeaderLen,
                 .len = body_len,
                 .tag = computed[n],
                 .content_len = 0,
                 .type = 0,
                 .inner = kernel_finds_type ? &found[n] : nullptr};
      starts[n] = pos;
      ++n;
      pos += kRecordHeaderLen + h.length;
      chunk_bytes += h.length;
    }
    if (n > 0) kernel->open_batch(jobs, n);

    // Accept records in order up to the first that fails or is not application_data.
    size_t accepted = 0;
    bool boundary = false;  // the last accepted record ends the run
    AlertDescription alert = AlertDescription::kCloseNotify;
    bool bad = false;
    for (; accepted < n; ++accepted) {
      const Job& j = jobs[accepted];
      bool tag_ok = ct_equal16(computed[accepted], j.in + j.len);
      // Public: a record that fails ends the connection with bad_record_mac.
      declassify(&tag_ok, sizeof(tag_ok));
      if (!tag_ok) {
        alert = AlertDescription::kBadRecordMac;
        bad = true;
        break;
      }
      size_t content_len = 0;
      uint8_t type;
      if (kernel_finds_type) {
        type = found[accepted].type;
        content_len = found[accepted].content_len;
      } else {
        type = scanner.scan(j.out, j.len, &content_len);
      }
      // The type and the content length of an authenticated record are handed to the caller, so
      // they are public from here: padding hides the length from the network, not from the
      // receiver. The scan that found them is checked with the padding undefined (tests/ct/).
      declassify(&type, sizeof(type));
      declassify(&content_len, sizeof(content_len));
      // A protected record's type is alert, handshake or application_data; never
      // change_cipher_spec (RFC 8446 §5: "MUST abort the handshake with an unexpected_message
      // alert") nor a type of all zeros.
      const record_internal::ContentCheck check = record_internal::check_content(type, content_len);
      if (!check.ok) {
        alert = check.alert;
        bad = true;
        break;
      }
      records[result.records] = {static_cast<ContentType>(type), MutableBytes(j.out, content_len)};
      ++result.records;
      ++seq_;
      result.consumed = starts[accepted] + kRecordHeaderLen + j.len + kTagBytes;
      if (type != static_cast<uint8_t>(ContentType::kApplicationData)) {
        boundary = true;
        ++accepted;
        break;
      }
    }
    if (bad) {
      // No unauthenticated or refused plaintext leaves.
      secure_wipe(jobs[accepted].out, jobs[accepted].len);
      ++accepted;
    }
    if (accepted < n) {
      // Records after the stop were decrypted under a key that may not be theirs. In place, encrypt
      // them again with the same nonces (CTR and ChaCha20 are their own inverse) to restore their
      // ciphertext; their received tags are untouched, computed ones go to scratch.
      if (in_place) {
        for (size_t k = accepted; k < n; ++k) jobs[k].tag = computed[k];
        kernel->seal_batch(jobs + accepted, n - accepted);
      } else {
        for (size_t k = accepted; k < n; ++k) secure_wipe(jobs[k].out, jobs[k].len);
      }
    }
    secure_wipe(computed, sizeof(computed));
    if (bad) return failed(result, alert);
    if (boundary) return result;
    if (stop.status != RecordStatus::kOk) {
      result.status = stop.status;
      result.alert = stop.alert;
      return result;
    }
    if (n == 0) break;  // stream used up, another outer type, or no room in |out|
  }
  return result;
}

}  // namespace volley
