// RecordBatchSealer gathers records, possibly of different connections, into AEAD kernel batches.
// Internal to the record layer.
#pragma once

#include <cstddef>
#include <cstdint>

#include "engine/aead/aead_kernel.h"
#include "engine/record/record_nonce.h"
#include "volley/record.h"

namespace volley {

class RecordBatchSealer {
 public:
  RecordBatchSealer() = default;
  ~RecordBatchSealer() { flush(); }
  RecordBatchSealer(const RecordBatchSealer&) = delete;
  RecordBatchSealer& operator=(const RecordBatchSealer&) = delete;

  // Cursor is a connection's sealing state held in locals for one batch (defined in the .cc).
  struct Cursor;

  // add checks |entry| against the limits of the cursor's connection, writes the record header and
  // inner plaintext into entry.out, takes the next sequence number and queues the encryption (or,
  // for a large payload that is not in place, seals it at once without copying it). On error
  // nothing is written and the sequence number does not move.
  RecordStatus add(Cursor& cursor, SealEntry& entry) noexcept;

  // flush encrypts everything queued. Records are complete only after flush().
  void flush() noexcept;

 private:
  bool try_fast(Cursor& c, SealEntry& e) noexcept;
  [[gnu::noinline]] RecordStatus add_general(RecordProtection& conn, SealEntry& e) noexcept;
  void queue(RecordProtection& conn, SealEntry& e, size_t content_len, size_t padding) noexcept;
  void queue_split(const aead_internal::AeadKernel* kernel, const aead_internal::KeyState* key,
                   const uint8_t* iv, uint64_t seq, SealEntry& e, size_t content_len,
                   size_t padding, size_t split) noexcept;
  void flush_split() noexcept;
  void flush_run() noexcept;
  static RecordStatus refusal(const RecordProtection& conn, const SealEntry& e) noexcept;

  // Enough records to keep every interleaving kernel's lanes full (16 ChaCha20 lanes, 4 AES-GCM
  // records per zmm register, several registers deep).
  static constexpr size_t kMaxJobs = 32;

  // The largest split_align the record layer gathers a tail for.
  static constexpr size_t kMaxSplitAlign = 256;

  // Records for the kernel's seal_batch: inner plaintext in place in the record.
  aead_internal::Job jobs_[kMaxJobs];
  alignas(16) Slot16 nonces_[kMaxJobs];
  const aead_internal::AeadKernel* kernel_ = nullptr;
  size_t count_ = 0;

  // Records for the kernel's seal_uniform: one connection's records of one inner plaintext length
  // with consecutive sequence numbers, in place (the steady state of seal_batch). Only the body of
  // each is queued; the kernel derives the nonces from the IV and the first sequence number.
  uint8_t* run_bodies_[kMaxJobs];
  const aead_internal::AeadKernel* run_kernel_ = nullptr;
  const aead_internal::KeyState* run_key_ = nullptr;
  uint8_t run_iv_[12] = {};
  uint64_t run_seq_ = 0;
  size_t run_len_ = 0;
  size_t run_count_ = 0;

  // Records for the kernel's seal_split: payload in the caller's buffer, its last partial chunk,
  // content type and padding gathered in a tail slot (wiped after the kernel call).
  aead_internal::Job split_jobs_[kMaxJobs];
  alignas(16) Slot16 split_nonces_[kMaxJobs];
  alignas(64) uint8_t split_tails_[kMaxJobs * kMaxSplitAlign];  // split_align bytes apart
  const aead_internal::AeadKernel* split_kernel_ = nullptr;
  size_t split_count_ = 0;
};

}  // namespace volley
