// RecordBatchSealer gathers records, possibly of different connections, into AEAD kernel batches.
// Internal to the record layer.
#pragma once

#include <cstddef>
#include <cstdint>

#include "engine/aead/aead_kernel.h"
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

  // add checks |entry| against the limits of the cursor's connection, writes the record header
  // (and, for a payload already in place, the rest of the inner plaintext) into entry.out, takes
  // the next sequence number and queues the encryption. On error nothing is written and the
  // sequence number does not move.
  RecordStatus add(Cursor& cursor, SealEntry& entry) noexcept;

  // flush encrypts everything queued. Records are complete only after flush().
  void flush() noexcept;

 private:
  bool try_fast(Cursor& c, SealEntry& e) noexcept;
  [[gnu::noinline]] RecordStatus add_general(RecordProtection& conn, SealEntry& e) noexcept;
  void queue(const aead_internal::AeadKernel* kernel, const aead_internal::KeyState* key,
             const uint8_t* iv, uint64_t seq, SealEntry& e, const uint8_t* payload,
             size_t content_len, size_t padding) noexcept;
  static RecordStatus refusal(const RecordProtection& conn, const SealEntry& e) noexcept;

  // Enough records to keep every interleaving kernel's lanes full (16 ChaCha20 lanes, 4 AES-GCM
  // records per zmm register, several registers deep).
  static constexpr size_t kMaxJobs = 32;

  // Records for the kernel's seal_batch, all of one kernel: a record whose inner plaintext is in
  // place in the record, or a framed job reading the payload from the caller's buffer. A job
  // points at its connection's IV and carries the sequence number: the kernel derives the nonce,
  // so neither a nonce nor a copy of the IV is kept here.
  aead_internal::Job jobs_[kMaxJobs];
  const aead_internal::AeadKernel* kernel_ = nullptr;
  size_t count_ = 0;
};

}  // namespace volley
