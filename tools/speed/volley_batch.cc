#include "tools/speed/volley_batch.h"

#include <cstring>

#include "engine/record/record_internal.h"
#include "volley/cipher_suite.h"
#include "volley/key_schedule.h"

namespace volley::speed {
namespace {

const CipherSuite& suite_for(const Aead& aead) {
  if (&aead == &kAes128Gcm) return kTlsAes128GcmSha256;
  if (&aead == &kAes256Gcm) return kTlsAes256GcmSha384;
  return kTlsChaCha20Poly1305Sha256;
}

// rewind puts a record layer's sequence number back to 0, so that a measurement re-seals and
// re-opens the same records (reusing nonces, which only a benchmark may do) and never meets the
// key's usage limit.
void rewind(RecordProtection& rp) {
  record_internal::RecordProtectionAccess::set_sequence(rp, 0);
}
void rewind(RecordReader& reader) {
  rewind(record_internal::RecordReaderAccess::protection(reader));
}

}  // namespace

const std::string_view kVolleyBatchVia = "record";
const uint8_t kVolleyBatchIv[12] = {0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5,
                                    0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab};

VolleyBatch::VolleyBatch(const AeadKey& key, std::span<const Message> pool, size_t batch)
    : pool_(pool), batch_(batch), payloads_(batch), entries_(batch), opened_(batch) {
  const CipherSuite& suite = suite_for(key.aead());
  TrafficKeys keys;
  ok_ = keys.assign(bench_key(key.aead().key_len), kVolleyBatchIv) == Status::kOk &&
        tx_.init(suite, keys, key.backend_name()) == Status::kOk &&
        rx_.install_keys(suite, keys, key.backend_name()) == Status::kOk;
  if (!ok_ || pool.empty()) return;
  const size_t len = pool[0].len;
  const size_t record = RecordProtection::sealed_size(len, 0);
  streams_.resize(pool.size() * record);
  scratch_.resize(batch * record);
  for (size_t first = 0; first < pool.size(); first += batch) {
    stream_at_.push_back(first * record);
    rewind(tx_);
    for (size_t i = 0; i < batch && first + i < pool.size(); ++i) {
      SealEntry e;
      payloads_[0] = Bytes(pool[first + i].plain, len);
      e.payload = Pieces(payloads_.data(), 1);
      e.padding = 0;
      e.out = MutableBytes(streams_.data() + (first + i) * record, record);
      ok_ &= tx_.seal(e) == RecordStatus::kOk && e.written == record;
    }
  }
  stream_at_.push_back(streams_.size());
}

bool VolleyBatch::seal(std::span<const Message> msgs) noexcept {
  const size_t n = msgs.size() < batch_ ? msgs.size() : batch_;
  for (size_t i = 0; i < n; ++i) {
    const Message& m = msgs[i];
    payloads_[i] = Bytes(m.plain, m.len);
    entries_[i].type = ContentType::kApplicationData;
    entries_[i].payload = Pieces(&payloads_[i], 1);
    entries_[i].padding = 0;
    entries_[i].out = MutableBytes(m.out, m.len + kOutSlack);
  }
  rewind(tx_);
  const SealResult r = tx_.seal_batch(std::span<SealEntry>(entries_.data(), n));
  return ok_ && r.sealed == n && r.status == RecordStatus::kOk;
}

bool VolleyBatch::open(std::span<const Message> msgs) noexcept {
  opened_count_ = 0;
  if (!ok_ || msgs.empty()) return false;
  const size_t group = static_cast<size_t>(msgs.data() - pool_.data()) / batch_;
  const Bytes stream(streams_.data() + stream_at_[group],
                     stream_at_[group + 1] - stream_at_[group]);
  rewind(rx_);
  const ReadResult r = rx_.read(opened_, scratch_, stream);
  opened_count_ = r.records;
  return r.status == RecordStatus::kOk && r.records == msgs.size() && r.consumed == stream.size();
}

}  // namespace volley::speed
