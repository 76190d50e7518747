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
  void queue_framed(const aead_internal::AeadKernel* kernel, const aead_internal::KeyState* key,
                    const uint8_t* iv, uint64_t seq, SealEntry& e, size_t content_len,
                    size_t padding) noexcept;
  void flush_framed() noexcept;
  void flush_run() noexcept;
  static RecordStatus refusal(const RecordProtection& conn, const SealEntry& e) noexcept;

  // Enough records to keep every interleaving kernel's lanes full (16 ChaCha20 lanes, 4 AES-GCM
  // records per zmm register, several registers deep).
  static constexpr size_t kMaxJobs = 32;

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

  // Records for the kernel's seal_framed: payload read from the caller's buffer, the content type
  // and padding inserted by the kernel.
  aead_internal::Job framed_jobs_[kMaxJobs];
  aead_internal::InnerFrame frames_[kMaxJobs];
  alignas(16) Slot16 framed_nonces_[kMaxJobs];
  const aead_internal::AeadKernel* framed_kernel_ = nullptr;
  size_t framed_count_ = 0;
};

}  // namespace volley
