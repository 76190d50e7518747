// Soak test of the record layer (issue 18, item 3): at least 10^6 records of random sizes sealed
// and opened on two threads, first one connection per thread (each suite in turn, seal_batch),
// then twelve connections per thread of mixed suites sealed together by seal_records.
//
// Every record is 0 .. 2^14 bytes (most short, a sixteenth at the maximum, a sixteenth empty),
// mostly application_data with handshake and user_canceled alert records among them, with varied
// padding (explicit, none, the connection's policy) and payload pieces (one to three, or in place),
// under the connection's record size limit (RFC 8449; some connections lower it). Sealed bytes go
// into the connection's "wire"; the receiver sees it grow by random amounts (1 byte to 64 KiB), so
// records arrive split and coalesced at random points, and reads with a random records array, in
// place or into a separate buffer. KeyUpdates (RFC 8446 §4.6.3) come at random points, and
// automatically whenever the sender's key_update_recommended() says so: AES-GCM keys get a usage
// limit of 1024 .. 4096 records (record_internal.h, tests only) instead of 2^24.5, so updates are
// forced every few thousand records; a seal never meets the hard limit. The receiver installs the
// next keys when it opens a KeyUpdate, as both sides step their own copy of the secret.
//
// Checks: each side keeps a running SHA-256 (volley's) of every record's type and content, compared
// at close_notify; the receiver checks each record against the sender's manifest (type, length,
// key epoch, sequence number), so order, loss and duplication show at the record where they
// happen. Memory: under ASan/LSan a leak fails the run; in other builds the resident set after the
// run may exceed that after a warm-up run (which touches every buffer first) by at most 1 MiB:
// a leak of even the smallest malloc chunk (32 bytes) per record is 32 MiB per 10^6 records, while
// 1 MiB covers what the allocator and the threads' stacks may touch the second time round.
//
// Environment (set in tests/BUILD.bazel for the slow configurations):
//   VOLLEY_SOAK_RECORDS  records in the measured run, e.g. 1e8 for the long run (default 10^6)
//   VOLLEY_SOAK_SEED     seed of the run (default 1); a failure names it, and the run replays it
// Long run (the figures are printed on stdout):
//   bazel build //tests:record_soak_test && VOLLEY_SOAK_RECORDS=1e8 bazel-bin/tests/record_soak_test
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include "engine/record/record_internal.h"
#include "tests/harness/splitmix64.h"
#include "gtest/gtest.h"
#include "volley/cipher_suite.h"
#include "volley/key_schedule.h"
#include "volley/record.h"
#include "volley/record_reader.h"
#include "volley/record_writer.h"
#include "volley/sha2.h"

#if defined(__SANITIZE_ADDRESS__)
#define VOLLEY_SOAK_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define VOLLEY_SOAK_ASAN 1
#endif
#endif

namespace volley {
namespace {

// A KeyUpdate message (RFC 8446 §4, §4.6.3): type 24, uint24 length 1, update_not_requested. One
// direction of each connection is modelled, so an update is never requested of the receiver.
constexpr uint8_t kKeyUpdate[5] = {24, 0, 0, 1, 0};
// Other handshake records carry this type byte (new_session_ticket) and random bytes: the receiver
// only hashes them, and they cannot be taken for a KeyUpdate.
constexpr uint8_t kOtherHandshake[1] = {4};
// Alerts: user_canceled is the warning-level one that does not end a TLS 1.3 connection (§6.1).
constexpr uint8_t kUserCanceled[2] = {1, static_cast<uint8_t>(AlertDescription::kUserCanceled)};
constexpr uint8_t kCloseNotify[2] = {1, static_cast<uint8_t>(AlertDescription::kCloseNotify)};

constexpr size_t kThreads = 2;
constexpr size_t kConnections = 12;          // per thread, in the multi-connection phase
constexpr size_t kMaxBatch = 64;             // records per seal_batch / seal_records call
constexpr size_t kWireCapacity = 1 << 20;    // per connection
constexpr size_t kDrainAbove = 256 << 10;    // the receiver catches up above this much in flight
constexpr size_t kManifestCapacity = 1 << 15;  // > kWireCapacity / smallest record (22 bytes)
constexpr size_t kPoolSize = (1 << 20) + kMaxPlaintextLen;
constexpr size_t kRssBound = 1 << 20;

using Rng = test::SplitMix64;

// env_count reads a count from |name| (an integer, or 1e8 notation), or returns |fallback|.
uint64_t env_count(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  char* end = nullptr;
  const double d = std::strtod(v, &end);
  if (*end != '\0' || !(d >= 1 && d <= 1e13) || d != std::floor(d)) {
    ADD_FAILURE() << name << "=" << v << " is not a count";
    return fallback;
  }
  return static_cast<uint64_t>(d);
}

// rss_bytes is the resident set (the second field of /proc/self/statm, in pages).
size_t rss_bytes() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long size = 0, resident = 0;
  const int n = std::fscanf(f, "%lu %lu", &size, &resident);
  std::fclose(f);
  return n == 2 ? resident * static_cast<size_t>(sysconf(_SC_PAGESIZE)) : 0;
}

// Sent is the sender's note of one record, for the receiver to check it against.
struct Sent {
  uint64_t epoch;
  uint64_t seq;
  size_t len;
  ContentType type;
};

// Manifest is a fixed ring of Sent notes: records in flight, in order.
class Manifest {
 public:
  Manifest() : ring_(kManifestCapacity) {}
  void clear() { head_ = size_ = 0; }
  bool push(const Sent& s) {
    if (size_ == ring_.size()) return false;
    ring_[(head_ + size_++) % ring_.size()] = s;
    return true;
  }
  bool pop(Sent* s) {
    if (size_ == 0) return false;
    *s = ring_[head_];
    head_ = (head_ + 1) % ring_.size();
    --size_;
    return true;
  }
  size_t size() const { return size_; }

 private:
  std::vector<Sent> ring_;
  size_t head_ = 0, size_ = 0;
};

// Wire is one connection's sealed bytes in flight. The sender seals straight into its free space;
// the receiver sees only the first visible() bytes, a window that grows by random amounts.
class Wire {
 public:
  // The buffer is written through once so that the warm-up, not the measured run, faults it in.
  Wire() : buf_(kWireCapacity, 0xa5) {}
  void clear() { head_ = tail_ = visible_ = 0; }
  // make_room moves the unread bytes to the front once the tail is past half the buffer; only
  // between batches, when no entry points into the free space.
  void make_room() {
    if (tail_ <= buf_.size() / 2) return;
    std::memmove(buf_.data(), buf_.data() + head_, tail_ - head_);
    tail_ -= head_;
    head_ = 0;
  }
  uint8_t* space() { return buf_.data() + tail_; }
  size_t room() const { return buf_.size() - tail_; }
  void commit(size_t n) { tail_ += n; }
  size_t pending() const { return tail_ - head_; }
  void arrive(size_t n) { visible_ = std::min(visible_ + n, pending()); }
  bool all_visible() const { return visible_ == pending(); }
  MutableBytes visible() { return MutableBytes(buf_.data() + head_, visible_); }
  void consume(size_t n) {
    head_ += n;
    visible_ -= n;
  }

 private:
  std::vector<uint8_t> buf_;
  size_t head_ = 0, tail_ = 0, visible_ = 0;
};

// Conn is one connection, one direction: the sender's writer and the receiver's reader, each with
// its own copy of the application traffic secret, stepped at every KeyUpdate.
struct Conn {
  const CipherSuite* suite = nullptr;
  RecordWriter tx;
  RecordReader rx;
  Secret tx_secret, rx_secret;
  uint64_t tx_epoch = 0, rx_epoch = 0;
  Sha256 sent, received;
  Wire wire;
  Manifest manifest;
  bool closed = false;
};

// Totals are one worker's figures.
struct Totals {
  uint64_t records = 0, bytes = 0, updates = 0, automatic_updates = 0;
};

// Worker runs one thread's share: a connection of each suite in turn, then a dozen at once.
class Worker {
 public:
  Worker(uint64_t seed, size_t thread)
      : rng_{seed * kThreads + thread}, seed_(seed), thread_(thread), pool_(kPoolSize),
        scratch_(1 << 16) {
    for (uint8_t& b : pool_) b = static_cast<uint8_t>(rng_.next());
    for (size_t i = 0; i < kConnections; ++i) conns_.push_back(std::make_unique<Conn>());
  }

  // run sends at least |records| records, half one connection at a time, half many at once.
  void run(uint64_t records) {
    const CipherSuite* const suites[3] = {&kTlsAes128GcmSha256, &kTlsAes256GcmSha384,
                                          &kTlsChaCha20Poly1305Sha256};
    for (const CipherSuite* s : suites) {
      if (failed()) return;
      Conn& c = *conns_[0];
      if (!open(c, *s)) return;
      single(c, (records + 5) / 6);
      close(c);
    }
    for (size_t i = 0; i < kConnections && !failed(); ++i) open(*conns_[i], *suites[i % 3]);
    multi((records + 1) / 2);
    for (size_t i = 0; i < kConnections && !failed(); ++i) close(*conns_[i]);
  }

  bool failed() const { return !failure_.empty(); }
  const std::string& failure() const { return failure_; }
  const Totals& totals() const { return totals_; }

 private:
  bool fail(const Conn& c, const std::string& what) {
    if (failure_.empty()) {
      failure_ = "VOLLEY_SOAK_SEED=" + std::to_string(seed_) + ", thread " +
                 std::to_string(thread_) + ", " + std::string(c.suite->name) + ", after " +
                 std::to_string(totals_.records) + " records sent: " + what;
    }
    return false;
  }

  // open sets up |c| for |suite| with a fresh random secret, a usage limit, padding policy and
  // record size limit of its own.
  bool open(Conn& c, const CipherSuite& suite) {
    c.suite = &suite;
    uint8_t secret[Secret::kMaxSize];
    for (uint8_t& b : secret) b = static_cast<uint8_t>(rng_.next());
    TrafficKeys keys;
    if (c.tx_secret.assign(Bytes(secret, suite.hash_len)) != Status::kOk ||
        c.rx_secret.assign(Bytes(secret, suite.hash_len)) != Status::kOk ||
        traffic_keys(suite, &keys, c.tx_secret) != Status::kOk ||
        c.tx.install_keys(suite, keys) != Status::kOk ||
        c.rx.install_keys(suite, keys) != Status::kOk) {
      return fail(c, "keys could not be installed");
    }
    record_internal::RecordProtectionAccess::lower_usage_limit(c.tx.protection(),
                                                               1024 + rng_.below(3073));
    const size_t blocks[4] = {0, 32, 256, 4096};
    c.tx.protection().set_padding_policy(PaddingPolicy{blocks[rng_.below(4)]});
    const size_t limit = rng_.one_in(4) ? 64 + rng_.below(kMaxInnerPlaintextLen - 63)
                                        : kMaxInnerPlaintextLen;
    if (c.tx.protection().set_record_size_limit(limit) != Status::kOk ||
        c.rx.set_record_size_limit(limit) != Status::kOk) {
      return fail(c, "record size limit refused");
    }
    c.tx_epoch = c.rx_epoch = 0;
    c.sent.reset();
    c.received.reset();
    c.wire.clear();
    c.manifest.clear();
    c.closed = false;
    return true;
  }

  // content_len draws a record length: a sixteenth each empty and full, the rest spread evenly
  // over the powers of two below the maximum, so short records dominate the count and long ones
  // the bytes.
  size_t content_len(size_t max) {
    const uint64_t r = rng_.below(16);
    if (r == 0) return 0;
    if (r == 1) return max;
    const size_t len = rng_.below((size_t{1} << rng_.below(15)) + 1);
    return len < max ? len : max;
  }

  // note records what |e| will be for the receiver and hashes its content into the sender's hash,
  // before sealing (an in-place payload is overwritten by its ciphertext).
  bool note(Conn& c, const SealEntry& e, uint64_t seq, size_t len) {
    const uint8_t type = static_cast<uint8_t>(e.type);
    c.sent.update(&type, 1);
    for (Bytes p : e.payload) c.sent.update(p);
    if (!c.manifest.push({c.tx_epoch, seq, len, e.type})) return fail(c, "manifest full");
    ++totals_.records;
    totals_.bytes += len;
    return true;
  }

  // plan fills |e| (with |pieces|, room for three) with the next record of |c|, to be sealed at
  // |at| bytes into the free space of its wire as sequence number |seq|: a KeyUpdate if
  // |key_update|, else a random record. False, with nothing planned, if it would not fit.
  bool plan(Conn& c, SealEntry& e, Bytes* pieces, size_t at, uint64_t seq, bool key_update) {
    RecordProtection& rp = c.tx.protection();
    size_t len = 0;
    e.type = ContentType::kApplicationData;
    e.payload = Pieces(pieces, 1);
    if (key_update) {
      e.type = ContentType::kHandshake;
      pieces[0] = Bytes(kKeyUpdate);
      len = sizeof(kKeyUpdate);
    } else if (rng_.one_in(512)) {
      e.type = ContentType::kAlert;
      pieces[0] = Bytes(kUserCanceled);
      len = sizeof(kUserCanceled);
    } else {
      len = content_len(rp.max_content_len());
      if (rng_.one_in(64)) {
        e.type = ContentType::kHandshake;
        if (len == 0) len = 1;  // never an empty handshake record (RFC 8446 §5.1)
      }
    }
    const size_t most = rp.max_content_len() - len;  // padding allowed after the content
    const uint64_t p = rng_.below(8);
    e.padding = p < 4 ? 0 : p < 6 ? std::min<size_t>(rng_.below(256), most)
                      : p == 6    ? kPolicyPadding
                                  : rng_.below(most + 1);
    const size_t padding = e.padding == kPolicyPadding ? rp.padding_for(len) : e.padding;
    const size_t size = RecordProtection::sealed_size(len, padding);
    if (at + size > c.wire.room()) return false;
    e.out = MutableBytes(c.wire.space() + at, size);
    e.written = 0;
    if (e.type == ContentType::kHandshake && !key_update) {
      const uint8_t* body = pool_.data() + rng_.below(kPoolSize - len);
      pieces[0] = Bytes(kOtherHandshake);
      pieces[1] = Bytes(body, len - 1);
      e.payload = Pieces(pieces, 2);
    } else if (e.type == ContentType::kApplicationData) {
      const uint8_t* body = pool_.data() + rng_.below(kPoolSize - len);
      if (rng_.one_in(8)) {  // in place: the payload already sits where its record goes
        std::memcpy(e.out.data() + kRecordHeaderLen, body, len);
        pieces[0] = Bytes(e.out.data() + kRecordHeaderLen, len);
      } else {  // one to three pieces, split at random points
        const size_t a = rng_.below(len + 1), b = a + rng_.below(len - a + 1);
        const size_t n = 1 + rng_.below(3);
        pieces[0] = Bytes(body, n == 1 ? len : a);
        pieces[1] = Bytes(body + a, n == 2 ? len - a : b - a);
        pieces[2] = Bytes(body + b, len - b);
        e.payload = Pieces(pieces, n);
      }
    }
    return note(c, e, seq, len);
  }

  // step_tx moves the sender to the next application traffic secret (RFC 8446 §7.2) after its
  // KeyUpdate has been sealed.
  bool step_tx(Conn& c) {
    TrafficKeys keys;
    if (next_application_traffic_secret(*c.suite, &c.tx_secret, c.tx_secret) != Status::kOk ||
        traffic_keys(*c.suite, &keys, c.tx_secret) != Status::kOk ||
        c.tx.install_keys(*c.suite, keys) != Status::kOk) {
      return fail(c, "sender key update failed");
    }
    ++c.tx_epoch;
    ++totals_.updates;
    return true;
  }

  // single sends |records| records on one connection: seal_batch of 1 .. 64 records at a time,
  // and KeyUpdates through the RecordWriter between batches.
  void single(Conn& c, uint64_t records) {
    SealEntry entries[kMaxBatch];
    Bytes pieces[kMaxBatch][3];
    for (uint64_t sent = 0; sent < records && !failed();) {
      catch_up(c);
      const bool automatic = c.tx.protection().key_update_recommended();
      if (automatic || rng_.one_in(256)) {
        totals_.automatic_updates += automatic;
        RecordProtection& rp = c.tx.protection();
        const size_t size = c.tx.handshake_size(sizeof(kKeyUpdate));
        if (size > c.wire.room()) return void(fail(c, "no room for a KeyUpdate"));
        SealEntry e{ContentType::kHandshake, {}, 0, MutableBytes(c.wire.space(), size), 0};
        const Bytes piece(kKeyUpdate);
        e.payload = Pieces(&piece, 1);
        if (!note(c, e, rp.sequence(), sizeof(kKeyUpdate))) return;
        const WriteResult w = c.tx.write_handshake(e.out, kKeyUpdate);
        if (w.status != RecordStatus::kOk || w.written != size) {
          return void(fail(c, "KeyUpdate: " + std::string(record_status_name(w.status))));
        }
        c.wire.commit(size);
        if (!step_tx(c)) return;
        ++sent;
      }
      const size_t n = 1 + rng_.below(kMaxBatch);
      const uint64_t seq = c.tx.protection().sequence();
      size_t planned = 0, bytes = 0;
      while (planned < n && plan(c, entries[planned], pieces[planned], bytes, seq + planned,
                                 false)) {
        bytes += entries[planned++].out.size();
      }
      if (failed()) return;
      const SealResult r = c.tx.protection().seal_batch(std::span<SealEntry>(entries, planned));
      if (!sealed_all(c, r, planned)) return;
      for (size_t i = 0; i < planned; ++i) {
        if (entries[i].written != entries[i].out.size()) return void(fail(c, "record size"));
      }
      c.wire.commit(bytes);
      sent += planned;
    }
  }

  // multi sends |records| records over every connection at once: seal_records of 1 .. 64 records
  // of random connections. A KeyUpdate goes in the batch as its connection's last record there; the
  // sender steps after the batch.
  void multi(uint64_t records) {
    MultiSealEntry entries[kMaxBatch];
    Bytes pieces[kMaxBatch][3];
    size_t at[kConnections];
    uint64_t seq[kConnections];
    bool touched[kConnections], updating[kConnections];
    for (uint64_t sent = 0; sent < records && !failed();) {
      for (size_t i = 0; i < kConnections; ++i) {
        catch_up(*conns_[i]);
        at[i] = 0;
        seq[i] = conns_[i]->tx.protection().sequence();
        touched[i] = updating[i] = false;
      }
      const size_t n = 1 + rng_.below(kMaxBatch);
      size_t planned = 0;
      for (size_t k = 0; k < n && !failed(); ++k) {
        const size_t i = rng_.below(kConnections);
        Conn& c = *conns_[i];
        if (updating[i]) continue;  // the rest of its records wait for the next key
        // A connection's first record in the batch may be a KeyUpdate. A sixteenth of the limit
        // is left when one is recommended, at least 64 records: more than a batch.
        const bool automatic = !touched[i] && c.tx.protection().key_update_recommended();
        const bool key_update = automatic || (!touched[i] && rng_.one_in(512));
        touched[i] = true;
        MultiSealEntry& m = entries[planned];
        m.connection = &c.tx.protection();
        if (!plan(c, m.record, pieces[planned], at[i], seq[i], key_update)) break;
        totals_.automatic_updates += automatic;
        at[i] += m.record.out.size();
        ++seq[i];
        updating[i] = key_update;
        ++planned;
      }
      if (failed()) return;
      const SealResult r = seal_records(std::span<MultiSealEntry>(entries, planned));
      if (!sealed_all(*conns_[0], r, planned)) return;
      for (size_t k = 0; k < planned; ++k) {
        if (entries[k].record.written != entries[k].record.out.size()) {
          return void(fail(*conns_[0], "record size"));
        }
      }
      for (size_t i = 0; i < kConnections; ++i) {
        conns_[i]->wire.commit(at[i]);
        if (updating[i] && !step_tx(*conns_[i])) return;
      }
      sent += planned;
    }
  }

  bool sealed_all(Conn& c, SealResult r, size_t planned) {
    if (r.status == RecordStatus::kOk && r.sealed == planned) return true;
    return fail(c, "sealed " + std::to_string(r.sealed) + " of " + std::to_string(planned) +
                       ": " + std::string(record_status_name(r.status)));
  }

  // catch_up lets the receiver read once enough is in flight, down to a random remainder, and
  // makes room at the tail of the wire for the next batch.
  void catch_up(Conn& c) {
    if (c.wire.pending() > kDrainAbove) receive(c, rng_.below(kDrainAbove / 4));
    c.wire.make_room();
  }

  // close sends close_notify, lets the receiver read everything and compares the two hashes.
  void close(Conn& c) {
    if (failed()) return;
    catch_up(c);
    SealEntry e{ContentType::kAlert, {}, 0, {}, 0};
    const Bytes piece(kCloseNotify);
    e.payload = Pieces(&piece, 1);
    if (!note(c, e, c.tx.protection().sequence(), sizeof(kCloseNotify))) return;
    const WriteResult w = c.tx.write_alert(MutableBytes(c.wire.space(), c.wire.room()),
                                           AlertDescription::kCloseNotify);
    if (w.status != RecordStatus::kOk) return void(fail(c, "close_notify not written"));
    c.wire.commit(w.written);
    receive(c, 0);
    if (failed()) return;
    if (!c.closed || c.manifest.size() != 0 || c.wire.pending() != 0) {
      return void(fail(c, "records left over after close_notify"));
    }
    uint8_t sent[Sha256::kDigestSize], received[Sha256::kDigestSize];
    c.sent.final(sent);
    c.received.final(received);
    if (std::memcmp(sent, received, sizeof(sent)) != 0) fail(c, "SHA-256 of the streams differ");
  }

  // receive reads until at most |keep| bytes are in flight, the stream arriving in random chunks.
  void receive(Conn& c, size_t keep) {
    OpenedRecord records[32];
    while (c.wire.pending() > keep && !failed()) {
      const uint64_t kind = rng_.below(4);
      c.wire.arrive(1 + rng_.below(kind == 0 ? 16 : kind == 1 ? 2048 : 65536));
      for (;;) {
        const std::span<OpenedRecord> span(records, 1 + rng_.below(32));
        const bool in_place = !rng_.one_in(8);
        const ReadResult r = in_place ? c.rx.read(span, c.wire.visible())
                                      : c.rx.read(span, scratch_, c.wire.visible());
        if (r.status != RecordStatus::kOk && r.status != RecordStatus::kNeedMoreData) {
          return void(fail(c, "read: " + std::string(record_status_name(r.status)) + " " +
                                  std::string(alert_name(r.alert))));
        }
        const uint64_t first = c.rx.protection().sequence() - r.records;
        for (size_t k = 0; k < r.records; ++k) {
          if (!check(c, records[k], first + k, k + 1 == r.records)) return;
        }
        c.wire.consume(r.consumed);
        if (r.records == 0) {
          if (c.wire.all_visible() && c.wire.pending() != 0) {
            return void(fail(c, "whole records in view but none read"));
          }
          break;
        }
      }
    }
  }

  // check compares one opened record with the sender's note, hashes it, and installs the next
  // receive keys after a KeyUpdate (the reader returns after it: |last| must be true).
  bool check(Conn& c, const OpenedRecord& rec, uint64_t seq, bool last) {
    Sent s;
    if (!c.manifest.pop(&s)) return fail(c, "a record nobody sent");
    if (rec.type != s.type || rec.content.size() != s.len || c.rx_epoch != s.epoch ||
        seq != s.seq) {
      return fail(c, "record out of order: got type " + std::to_string(int(rec.type)) + " len " +
                         std::to_string(rec.content.size()) + " epoch " +
                         std::to_string(c.rx_epoch) + " seq " + std::to_string(seq) +
                         ", sent type " + std::to_string(int(s.type)) + " len " +
                         std::to_string(s.len) + " epoch " + std::to_string(s.epoch) +
                         " seq " + std::to_string(s.seq));
    }
    if (c.closed) return fail(c, "a record after close_notify");
    const uint8_t type = static_cast<uint8_t>(rec.type);
    c.received.update(&type, 1);
    c.received.update(rec.content.data(), rec.content.size());
    if (rec.type == ContentType::kApplicationData) return true;
    if (!last) return fail(c, "the reader went on past a non-application record");
    if (rec.type == ContentType::kAlert) {
      c.closed = std::memcmp(rec.content.data(), kCloseNotify, sizeof(kCloseNotify)) == 0;
      return true;
    }
    if (rec.content.size() != sizeof(kKeyUpdate) ||
        std::memcmp(rec.content.data(), kKeyUpdate, sizeof(kKeyUpdate)) != 0) {
      return rec.content[0] == kOtherHandshake[0] ? true : fail(c, "unknown handshake record");
    }
    TrafficKeys keys;
    if (next_application_traffic_secret(*c.suite, &c.rx_secret, c.rx_secret) != Status::kOk ||
        traffic_keys(*c.suite, &keys, c.rx_secret) != Status::kOk ||
        c.rx.install_keys(*c.suite, keys) != Status::kOk) {
      return fail(c, "receiver key update failed");
    }
    ++c.rx_epoch;
    return true;
  }

  Rng rng_;
  uint64_t seed_;
  size_t thread_;
  std::vector<uint8_t> pool_;     // random bytes every payload is cut from
  std::vector<uint8_t> scratch_;  // the out-of-place reads' output
  std::vector<std::unique_ptr<Conn>> conns_;
  Totals totals_;
  std::string failure_;
};

// run_all runs every worker's share of |records| on its own thread.
void run_all(std::vector<std::unique_ptr<Worker>>& workers, uint64_t records) {
  std::vector<std::thread> threads;
  for (auto& w : workers) {
    threads.emplace_back([&w, records] { w->run(records / kThreads); });
  }
  for (std::thread& t : threads) t.join();
}

TEST(RecordSoak, SealAndOpenMillionsOfRecords) {
  const uint64_t records = env_count("VOLLEY_SOAK_RECORDS", 1000000);
  const uint64_t seed = env_count("VOLLEY_SOAK_SEED", 1);
  std::vector<std::unique_ptr<Worker>> workers;
  for (size_t t = 0; t < kThreads; ++t) workers.push_back(std::make_unique<Worker>(seed, t));

  // The warm-up runs every path and fills every buffer before the resident set is taken.
  run_all(workers, std::max<uint64_t>(records / 50, 24000));
  const size_t rss_warm = rss_bytes();
  Totals warm;
  for (auto& w : workers) {
    warm.records += w->totals().records;
    warm.bytes += w->totals().bytes;
  }
  const auto start = std::chrono::steady_clock::now();
  run_all(workers, records);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const size_t rss_after = rss_bytes();

  Totals t;
  for (auto& w : workers) {
    EXPECT_EQ(w->failure(), "");
    t.records += w->totals().records;
    t.bytes += w->totals().bytes;
    t.updates += w->totals().updates;
    t.automatic_updates += w->totals().automatic_updates;
  }
  std::printf(
      "soak: seed %llu, %llu records (%llu in the warm-up), %.3f GB of content, %llu key updates "
      "(%llu automatic), measured run %.1f s (%.0f records/s), RSS %zu KiB after warm-up, %zu KiB "
      "after the run\n",
      static_cast<unsigned long long>(seed), static_cast<unsigned long long>(t.records),
      static_cast<unsigned long long>(warm.records), t.bytes / 1e9,
      static_cast<unsigned long long>(t.updates),
      static_cast<unsigned long long>(t.automatic_updates), seconds,
      (t.records - warm.records) / seconds, rss_warm >> 10, rss_after >> 10);
  EXPECT_GE(t.records - warm.records, records);
  EXPECT_GT(t.automatic_updates, 0u);
  EXPECT_GT(t.updates, t.automatic_updates);
#if !defined(VOLLEY_SOAK_ASAN)
  // ASan's quarantine and shadow memory make the resident set meaningless there; LSan checks.
  EXPECT_LE(rss_after, rss_warm + kRssBound) << "the resident set grew during the run";
#endif
}

}  // namespace
}  // namespace volley
