#include "tools/speed/volley_batch.h"

#include <cstring>

#include "volley/cipher_suite.h"

namespace volley::speed {
namespace {

const CipherSuite& suite_for(const Aead& aead) {
  if (&aead == &kAes128Gcm) return kTlsAes128GcmSha256;
  if (&aead == &kAes256Gcm) return kTlsAes256GcmSha384;
  return kTlsChaCha20Poly1305Sha256;
}

// A fixed traffic iv: the nonce of record n is this XOR n (RFC 8446 §5.3).
constexpr uint8_t kIv[12] = {0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5,
                             0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab};

}  // namespace

const std::string_view kVolleyBatchVia = "record";

VolleyBatch::VolleyBatch(const AeadKey& key, std::span<const Message> pool, size_t batch)
    : pool_(pool), batch_(batch), payloads_(batch), entries_(batch), opened_(batch) {
  const CipherSuite& suite = suite_for(key.aead());
  const Bytes k = bench_key(key.aead().key_len);
  ok_ = tx_.init(suite, k, kIv, key.backend_name()) == Status::kOk &&
        rx_.init(suite, k, kIv, key.backend_name()) == Status::kOk;
  if (!ok_ || pool.empty()) return;
  const size_t len = pool[0].len;
  const size_t record = RecordProtection::sealed_size(len, 0);
  streams_.resize(pool.size() * record);
  scratch_.resize(batch * record);
  for (size_t first = 0; first < pool.size(); first += batch) {
    stream_at_.push_back(first * record);
    tx_.set_sequence(0);
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
  tx_.set_sequence(0);
  RecordStatus status;
  return ok_ && tx_.seal_batch(std::span<SealEntry>(entries_.data(), n), &status) == n &&
         status == RecordStatus::kOk;
}

bool VolleyBatch::open(std::span<const Message> msgs) noexcept {
  if (!ok_ || msgs.empty()) return false;
  const size_t group = static_cast<size_t>(msgs.data() - pool_.data()) / batch_;
  const Bytes stream(streams_.data() + stream_at_[group],
                     stream_at_[group + 1] - stream_at_[group]);
  rx_.set_sequence(0);
  const OpenResult r = rx_.open(stream, scratch_, opened_);
  return r.status == RecordStatus::kOk && r.records == msgs.size() && r.consumed == stream.size();
}

}  // namespace volley::speed
