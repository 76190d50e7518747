// The two anti-replay records of volley/anti_replay.h on one structure: a bounded, sharded set of
// identities, each remembered until its own expiry.
#include "volley/anti_replay.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>
#include <queue>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/common/secure_memory.h"
#include "handshake/os_random.h"
#include "volley/sha2.h"

namespace volley::tls {
namespace anti_replay_internal {

// ExpiringSet holds up to |capacity| keys, each with an expiry. A key is the first 16 bytes of
// SHA-256(salt || identity): 2^-128 per pair is far below any chance worth guarding, and half the
// memory of a whole digest. An entry costs about 100 bytes (map node, heap slot).
class ExpiringSet {
 public:
  explicit ExpiringSet(size_t capacity) : capacity_(std::max<size_t>(capacity, 1)) {
    // Only the spread over shards depends on the salt, never what is accepted: without the
    // kernel's bytes (it refused) the salt stays zero, and a client could aim at one shard's lock.
    if (!os_random(MutableBytes(salt_, sizeof(salt_)))) std::memset(salt_, 0, sizeof(salt_));
  }
  ~ExpiringSet() { secure_wipe(salt_, sizeof(salt_)); }

  enum class Insert : uint8_t { kInserted, kPresent, kFull };

  // insert records |identity| until |expires_at| unless it is present and unexpired (kPresent)
  // or the set is full of unexpired keys (kFull). Entries with expiry <= now are forgotten first.
  Insert insert(Bytes identity, uint64_t expires_at, uint64_t now) {
    const Key key = key_of(identity);
    Shard& shard = shards_[key.bytes[0] % kShards];
    for (int attempt = 0; attempt < 2; ++attempt) {
      {
        std::lock_guard<std::mutex> lock(shard.mutex);
        forget_expired(shard, now);
        if (shard.expiry.count(key) != 0) return Insert::kPresent;
        if (reserve()) {
          shard.expiry.emplace(key, expires_at);
          shard.by_expiry.push(Entry{expires_at, key});
          return Insert::kInserted;
        }
      }
      // Full: other shards may hold expired keys nobody has forgotten yet. Sweep them (one lock
      // at a time, this shard's released) and try once more.
      for (Shard& s : shards_) {
        std::lock_guard<std::mutex> lock(s.mutex);
        forget_expired(s, now);
      }
    }
    return Insert::kFull;
  }

  size_t size() const { return count_.load(std::memory_order_relaxed); }

 private:
  static constexpr size_t kShards = 16;

  struct Key {
    uint8_t bytes[16];
    bool operator==(const Key& o) const { return std::memcmp(bytes, o.bytes, sizeof(bytes)) == 0; }
  };
  struct KeyHash {
    size_t operator()(const Key& k) const {
      uint64_t h;
      std::memcpy(&h, k.bytes + 8, sizeof(h));
      return static_cast<size_t>(h);
    }
  };
  struct Entry {
    uint64_t expires_at;
    Key key;
    // std::priority_queue keeps the largest on top: the earliest expiry is the "largest".
    bool operator<(const Entry& o) const { return expires_at > o.expires_at; }
  };
  struct Shard {
    std::mutex mutex;
    std::unordered_map<Key, uint64_t, KeyHash> expiry;
    std::priority_queue<Entry> by_expiry;
  };

  Key key_of(Bytes identity) const {
    Sha256 h;
    h.update(salt_, sizeof(salt_));
    h.update(identity);
    uint8_t digest[Sha256::kDigestSize];
    h.final(digest);
    Key k;
    std::memcpy(k.bytes, digest, sizeof(k.bytes));
    return k;
  }

  // reserve takes one place of the capacity if one is free.
  bool reserve() {
    size_t n = count_.load(std::memory_order_relaxed);
    while (n < capacity_) {
      if (count_.compare_exchange_weak(n, n + 1, std::memory_order_relaxed)) return true;
    }
    return false;
  }

  // forget_expired drops the entries of |s| (locked) that expire at or before |now|.
  void forget_expired(Shard& s, uint64_t now) {
    while (!s.by_expiry.empty() && s.by_expiry.top().expires_at <= now) {
      s.expiry.erase(s.by_expiry.top().key);
      s.by_expiry.pop();
      count_.fetch_sub(1, std::memory_order_relaxed);
    }
  }

  const size_t capacity_;
  std::atomic<size_t> count_{0};
  uint8_t salt_[32] = {};
  Shard shards_[kShards];
};

}  // namespace anti_replay_internal

using anti_replay_internal::ExpiringSet;

SingleUseTickets::SingleUseTickets(size_t capacity)
    : set_(std::make_unique<ExpiringSet>(capacity)) {}
SingleUseTickets::~SingleUseTickets() = default;

bool SingleUseTickets::claim(Bytes identity, uint64_t expires_at, uint64_t now) {
  if (expires_at <= now) return false;
  return set_->insert(identity, expires_at, now) == ExpiringSet::Insert::kInserted;
}

size_t SingleUseTickets::size() const { return set_->size(); }

ClientHelloRecorder::ClientHelloRecorder(uint32_t window_seconds, size_t capacity)
    : window_(std::max<uint32_t>(window_seconds, 1)),
      set_(std::make_unique<ExpiringSet>(capacity)) {}
ClientHelloRecorder::~ClientHelloRecorder() = default;

ClientHelloRecorder::Verdict ClientHelloRecorder::admit(Bytes binder, uint64_t issued_at_ms,
                                                        uint32_t client_age_ms, uint64_t now_ms) {
  const uint64_t window_ms = uint64_t{window_} * 1000;
  const uint64_t expected = issued_at_ms + client_age_ms;
  const uint64_t skew = expected > now_ms ? expected - now_ms : now_ms - expected;
  if (skew > window_ms) return Verdict::kStale;
  // A copy arriving later is fresh while it arrives no later than expected + window (§8.3), so
  // the binder is remembered until just past that (entries are forgotten once their expiry is
  // reached); that is after now, as the skew is within the window.
  switch (set_->insert(binder, expected + window_ms + 1, now_ms)) {
    case ExpiringSet::Insert::kInserted:
      return Verdict::kFresh;
    case ExpiringSet::Insert::kPresent:
      return Verdict::kReplayed;
    case ExpiringSet::Insert::kFull:
      break;
  }
  return Verdict::kFull;
}

size_t ClientHelloRecorder::size() const { return set_->size(); }

}  // namespace volley::tls
