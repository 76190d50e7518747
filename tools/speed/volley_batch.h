// VolleyBatch: how `volley speed` and the benchmarks hand a batch of records to volley: through the
// batched TLS 1.3 record layer (volley/record.h), labelled via = "record". This is the one place
// that knows how batches reach volley; every caller goes through it.
//
// Seal: RecordProtection::seal_batch over |batch| SealEntry values, each a whole TLSCiphertext
// (header, payload, content type, tag) written to the message's |out|. Open: the pool's plaintexts
// are sealed into records once, up front, one contiguous stream per batch; each call opens one
// stream with RecordReader::read into a scratch buffer. Records carry their own nonces (iv XOR
// sequence number), so outputs are not the pool's reference; the sequence number is reset before
// each call so that the key's usage limit never interrupts a measurement.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "tools/speed/workload.h"
#include "volley/aead.h"
#include "volley/record.h"
#include "volley/record_reader.h"

namespace volley::speed {

// kVolleyBatchVia names the path below.
extern const std::string_view kVolleyBatchVia;

// kVolleyBatchIv is the traffic iv of both directions (the key is bench_key): the nonce of record n
// of a call is this XOR n (RFC 8446 §5.3), n counted from 0 in every call.
extern const uint8_t kVolleyBatchIv[12];

class VolleyBatch {
 public:
  // |key| names the AEAD and backend; the record layer gets its own key from the same bytes
  // (bench_key). |pool| must outlive this object. |batch| is the most messages per call.
  VolleyBatch(const AeadKey& key, std::span<const Message> pool, size_t batch);

  // seal writes one record per message to its |out|; open opens the records of the same pool
  // messages and returns false if any failed. noexcept, no allocation.
  bool seal(std::span<const Message> msgs) noexcept;
  bool open(std::span<const Message> msgs) noexcept;

  // reproduces_reference: see Worker::reproduces_reference (subject.h).
  bool reproduces_reference() const noexcept { return false; }

  // opened lists the records the last open() returned, their content in a scratch buffer that the
  // next open() overwrites: what tests compare with the pool's plaintexts.
  std::span<const OpenedRecord> opened() const noexcept {
    return {opened_.data(), opened_count_};
  }

 private:
  std::span<const Message> pool_;
  size_t batch_;
  RecordProtection tx_;
  RecordReader rx_;
  std::vector<Bytes> payloads_;  // one piece per entry
  std::vector<SealEntry> entries_;
  std::vector<OpenedRecord> opened_;
  size_t opened_count_ = 0;  // records of the last open()
  std::vector<uint8_t> streams_;   // open: the pool as records, |batch| records per stream
  std::vector<size_t> stream_at_;  // offset of each stream in streams_, one per batch + end
  std::vector<uint8_t> scratch_;   // open's output
  bool ok_ = false;
};

}  // namespace volley::speed
