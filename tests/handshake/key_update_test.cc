// KeyUpdate on live connections (RFC 8446 §4.6.3, §5.1, §5.5, §7.2): a volley client and a volley
// server in one process, through memory, on every suite and every AEAD backend this CPU runs.
//
//   - storms: hundreds of KeyUpdates both ways, requested or not at random, interleaved with
//     application data that must arrive byte for byte in order, records split at random;
//   - the answer rule: any number of update_requested handled by one receive() call get exactly
//     one KeyUpdate back, before any later application data (counted on the wire: a KeyUpdate is
//     a protected record of 5 + 1 + 16 bytes, which no application data record here is);
//   - the flood limit: 32 KeyUpdates in a row are fine, the 33rd is unexpected_message;
//   - the usage limit (lowered through record_internal.h): write() updates the send key itself;
//   - KeyUpdates where none may be: before the handshake completed (either side), and followed by
//     more handshake bytes in their record; a KeyUpdate split across two records that ends at a
//     record boundary is accepted, as §5.1 allows.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <random>
#include <string>
#include <vector>

#include "engine/record/record_internal.h"
#include "handshake/testing/connection_access.h"
#include "volley/dispatch.h"
#include "volley/pki.h"
#include "volley/record.h"
#include "volley/tls.h"

namespace volley::tls {
namespace {

using testing::ConnectionAccess;

const char kPki[] = "tests/pki/";

// A KeyUpdate message (4-byte header, one byte) sealed alone: the record's length field, and its
// size on the wire.
constexpr size_t kKeyUpdateCiphertextLen = 4 + 1 + 1 + kRecordTagLen;
constexpr size_t kKeyUpdateRecordLen = kRecordHeaderLen + kKeyUpdateCiphertextLen;
constexpr uint8_t kKeyUpdateNotRequested[] = {24, 0, 0, 1, 0};
constexpr uint8_t kKeyUpdateRequested[] = {24, 0, 0, 1, 1};

VerifyTime test_time() {
  using namespace std::chrono;
  return sys_seconds(sys_days(year{2027} / January / 1));
}

std::shared_ptr<const Config> build(const ConfigBuilder& b) {
  TlsError e;
  auto c = b.build(&e);
  EXPECT_NE(c, nullptr) << (e.reason ? e.reason : "");
  return c;
}

std::shared_ptr<const Config> client_config(const CipherSuite* suite, std::string backend = {}) {
  TlsError e;
  auto verifier = make_openssl_verifier_from_ca_file(std::string(kPki) + "root.pem", &e);
  EXPECT_NE(verifier, nullptr) << (e.reason ? e.reason : "");
  ConfigBuilder b;
  b.verifier(verifier).verify_time(test_time()).cipher_suites({suite});
  if (!backend.empty()) b.aead_backend(backend);
  return build(b);
}

std::shared_ptr<const Config> server_config(const CipherSuite* suite, std::string backend = {}) {
  TlsError e;
  auto credential = make_openssl_credential_from_pem_files(
      std::string(kPki) + "server-ecdsa-p256.chain.pem",
      std::string(kPki) + "server-ecdsa-p256.key.pem", &e);
  EXPECT_NE(credential, nullptr) << (e.reason ? e.reason : "");
  ConfigBuilder b;
  b.credential(credential).cipher_suites({suite});
  if (!backend.empty()) b.aead_backend(backend);
  return build(b);
}

std::string why(const Connection& c) {
  return std::string(alert_name(c.error().alert)) + ": " +
         (c.error().reason != nullptr ? c.error().reason : "");
}

// take moves |from|'s pending output out.
std::vector<uint8_t> take(Connection& from) {
  const Bytes out = from.pending_output();
  std::vector<uint8_t> bytes(out.begin(), out.end());
  from.consume_output(bytes.size());
  return bytes;
}

// Wire moves bytes between two connections: everything at once (one receive() call), or with a
// seed cut into pieces of random size, so that records arrive split and coalesced.
class Wire {
 public:
  explicit Wire(uint32_t seed = 0) : rng_(seed), split_(seed != 0) {}

  size_t transfer(Connection& from, Connection& to) {
    const std::vector<uint8_t> bytes = take(from);
    size_t at = 0;
    while (at < bytes.size()) {
      size_t n = bytes.size() - at;
      if (split_) n = std::min(n, std::uniform_int_distribution<size_t>(1, 3000)(rng_));
      const size_t taken = to.receive(Bytes(bytes.data() + at, n));
      at += taken;
      if (taken < n) break;
    }
    return bytes.size();
  }

  void run(Connection& a, Connection& b) {
    for (int round = 0; round < 64; ++round) {
      if (transfer(a, b) + transfer(b, a) == 0) return;
    }
    ADD_FAILURE() << "the connections kept talking for 64 rounds";
  }

 private:
  std::mt19937 rng_;
  bool split_;
};

void drain(Connection& c, std::vector<uint8_t>* got) {
  uint8_t buf[1 << 16];
  for (size_t k; (k = c.read(MutableBytes(buf, sizeof(buf)))) > 0;) {
    got->insert(got->end(), buf, buf + k);
  }
}

struct Pair {
  Connection client;
  Connection server;
};

Pair connect(const std::shared_ptr<const Config>& client, const std::shared_ptr<const Config>& server,
             Wire& wire) {
  Pair p{Connection::client(client, "localhost"), Connection::server(server)};
  wire.run(p.client, p.server);
  EXPECT_TRUE(p.client.is_connected()) << "client: " << why(p.client);
  EXPECT_TRUE(p.server.is_connected()) << "server: " << why(p.server);
  return p;
}

// record_lengths returns the length field of each whole record in |wire|.
std::vector<size_t> record_lengths(Bytes wire) {
  std::vector<size_t> out;
  for (size_t at = 0; at + kRecordHeaderLen <= wire.size();) {
    const size_t len = size_t{wire[at + 3]} << 8 | wire[at + 4];
    out.push_back(len);
    at += kRecordHeaderLen + len;
  }
  return out;
}

size_t key_update_records(Bytes wire) {
  const std::vector<size_t> lengths = record_lengths(wire);
  return static_cast<size_t>(std::count(lengths.begin(), lengths.end(), kKeyUpdateCiphertextLen));
}

// send_data writes |n| bytes of a running pattern and keeps them in |sent|.
void send_data(Connection& c, size_t n, std::vector<uint8_t>* sent) {
  std::vector<uint8_t> data(n);
  for (size_t i = 0; i < n; ++i) data[i] = static_cast<uint8_t>((sent->size() + i) * 167 + 11);
  ASSERT_EQ(c.write(data), n) << why(c);
  sent->insert(sent->end(), data.begin(), data.end());
}

// expect_data_flows sends a little both ways and checks it arrives.
void expect_data_flows(Pair& p, Wire& wire) {
  std::vector<uint8_t> up, down, got_up, got_down;
  send_data(p.client, 3000, &up);
  send_data(p.server, 3000, &down);
  wire.run(p.client, p.server);
  drain(p.server, &got_up);
  drain(p.client, &got_down);
  ASSERT_FALSE(p.client.failed()) << why(p.client);
  ASSERT_FALSE(p.server.failed()) << why(p.server);
  EXPECT_EQ(got_up, up);
  EXPECT_EQ(got_down, down);
}

// ---------------------------------------------------------------------------------------------
// Every suite on every backend this CPU runs.

struct SuiteBackend {
  const CipherSuite* suite;
  std::string backend;
};

std::vector<SuiteBackend> suites_and_backends() {
  std::vector<SuiteBackend> out;
  for (const CipherSuite* s : all_cipher_suites()) {
    const dispatch::Family family = s == &kTlsChaCha20Poly1305Sha256
                                        ? dispatch::Family::kChaCha20Poly1305
                                        : dispatch::Family::kAesGcm;
    for (const dispatch::Backend& b : dispatch::backends(family)) {
      if (dispatch::available(b)) out.push_back({s, std::string(b.name)});
    }
  }
  return out;
}

std::string param_name(const std::string& text) {
  std::string n = text;
  std::replace_if(
      n.begin(), n.end(), [](char ch) { return !std::isalnum(static_cast<unsigned char>(ch)); },
      '_');
  return n;
}

class KeyUpdateStorm : public ::testing::TestWithParam<SuiteBackend> {};

// Both sides update at random, asking the other to or not, while both write; every few steps
// both write for sure, which keeps any run of KeyUpdates without data well under the flood limit
// (per step and side: its own update and at most one answer per receive() call).
TEST_P(KeyUpdateStorm, InterleavedWithDataBothWays) {
  const SuiteBackend& sb = GetParam();
  for (uint32_t seed : {1u, 2u}) {
    SCOPED_TRACE(seed);
    Wire wire(seed);
    Pair p = connect(client_config(sb.suite, sb.backend), server_config(sb.suite, sb.backend), wire);
    ASSERT_TRUE(p.client.is_connected() && p.server.is_connected());
    EXPECT_EQ(p.client.negotiated().suite, sb.suite);
    std::mt19937 rng(seed * 7919);
    std::vector<uint8_t> up, down, got_up, got_down;
    size_t updates = 0, requested = 0;
    for (int step = 0; step < 300; ++step) {
      for (int side = 0; side < 2; ++side) {
        Connection& c = side == 0 ? p.client : p.server;
        std::vector<uint8_t>* sent = side == 0 ? &up : &down;
        const unsigned action = rng() % 4;
        if (action < 2) {
          ASSERT_TRUE(c.update_keys(action == 1)) << why(c);
          ++updates;
          requested += action;
        }
        if (action == 2 || step % 6 == 5) {
          send_data(c, std::uniform_int_distribution<size_t>(1, 20000)(rng), sent);
        }
      }
      // Sometimes a direction waits, so that flights carry several KeyUpdates.
      if (rng() % 3 != 0) wire.transfer(p.client, p.server);
      if (rng() % 3 != 0) wire.transfer(p.server, p.client);
      drain(p.server, &got_up);
      drain(p.client, &got_down);
      ASSERT_FALSE(p.client.failed()) << "step " << step << " client: " << why(p.client);
      ASSERT_FALSE(p.server.failed()) << "step " << step << " server: " << why(p.server);
    }
    wire.run(p.client, p.server);
    drain(p.server, &got_up);
    drain(p.client, &got_down);
    ASSERT_FALSE(p.client.failed()) << why(p.client);
    ASSERT_FALSE(p.server.failed()) << why(p.server);
    EXPECT_GE(updates, 250u);
    EXPECT_GE(requested, 100u);
    EXPECT_EQ(got_up.size(), up.size());
    EXPECT_TRUE(got_up == up) << "client to server data differs";
    EXPECT_EQ(got_down.size(), down.size());
    EXPECT_TRUE(got_down == down) << "server to client data differs";
  }
}

INSTANTIATE_TEST_SUITE_P(EveryBackend, KeyUpdateStorm, ::testing::ValuesIn(suites_and_backends()),
                         [](const auto& info) {
                           return param_name(std::string(info.param.suite->name) + "_" +
                                             info.param.backend);
                         });

// ---------------------------------------------------------------------------------------------
// The answer to update_requested, per suite.

class KeyUpdateSuite : public ::testing::TestWithParam<const CipherSuite*> {
 protected:
  Pair connected(Wire& wire) {
    return connect(client_config(GetParam()), server_config(GetParam()), wire);
  }
};

INSTANTIATE_TEST_SUITE_P(EverySuite, KeyUpdateSuite, ::testing::ValuesIn(all_cipher_suites()),
                         [](const auto& info) { return param_name(std::string(info.param->name)); });

// N update_requested in one flight, handled by one receive() call: one KeyUpdate back, whatever
// N, and the peer's data after it opens under keys one generation on (two answers would move them
// two generations, and the client would read garbage: bad_record_mac).
TEST_P(KeyUpdateSuite, ManyRequestsInOneFlightGetOneAnswer) {
  for (size_t n : {1u, 2u, 5u, 20u}) {
    SCOPED_TRACE(n);
    Wire wire;
    Pair p = connected(wire);
    for (size_t i = 0; i < n; ++i) ASSERT_TRUE(p.client.update_keys(true));
    const std::vector<uint8_t> flight = take(p.client);
    ASSERT_EQ(flight.size(), n * kKeyUpdateRecordLen);
    ASSERT_EQ(p.server.receive(flight), flight.size());
    ASSERT_FALSE(p.server.failed()) << why(p.server);
    EXPECT_EQ(p.server.pending_output().size(), kKeyUpdateRecordLen);
    EXPECT_EQ(key_update_records(p.server.pending_output()), 1u);
    // The answer goes before the application data written after the receive() call.
    std::vector<uint8_t> down, got;
    send_data(p.server, 100, &down);
    const std::vector<size_t> lengths = record_lengths(p.server.pending_output());
    ASSERT_EQ(lengths.size(), 2u);
    EXPECT_EQ(lengths[0], kKeyUpdateCiphertextLen);
    wire.transfer(p.server, p.client);
    drain(p.client, &got);
    ASSERT_FALSE(p.client.failed()) << why(p.client);
    EXPECT_EQ(got, down);
    EXPECT_TRUE(p.client.pending_output().empty());  // an answer is not answered
    expect_data_flows(p, wire);
  }
}

// Requests with application data between them, still in one receive() call: one answer.
TEST_P(KeyUpdateSuite, RequestsAmongDataInOneFlightGetOneAnswer) {
  Wire wire;
  Pair p = connected(wire);
  std::vector<uint8_t> up, got;
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(p.client.update_keys(true));
    send_data(p.client, 500, &up);
  }
  ASSERT_EQ(wire.transfer(p.client, p.server), 10 * (kKeyUpdateRecordLen + 5 + 500 + 1 + 16));
  drain(p.server, &got);
  EXPECT_EQ(got, up);
  EXPECT_EQ(p.server.pending_output().size(), kKeyUpdateRecordLen);
  expect_data_flows(p, wire);
}

// The rule is per receive() call: requests that arrive one call at a time are answered one at a
// time, each before anything else is sent (the measurement above counts what it claims to).
TEST_P(KeyUpdateSuite, RequestsInSeparateCallsGetAnAnswerEach) {
  Wire wire;
  Pair p = connected(wire);
  constexpr size_t kN = 6;
  for (size_t i = 0; i < kN; ++i) ASSERT_TRUE(p.client.update_keys(true));
  const std::vector<uint8_t> flight = take(p.client);
  for (size_t i = 0; i < kN; ++i) {
    ASSERT_EQ(p.server.receive(Bytes(flight).subspan(i * kKeyUpdateRecordLen, kKeyUpdateRecordLen)),
              kKeyUpdateRecordLen);
  }
  EXPECT_EQ(p.server.pending_output().size(), kN * kKeyUpdateRecordLen);
  EXPECT_EQ(key_update_records(p.server.pending_output()), kN);
  expect_data_flows(p, wire);
}

// A request split across receive() calls (the record in pieces) is answered by the call that
// completes it, once.
TEST_P(KeyUpdateSuite, RequestSplitAcrossCallsGetsOneAnswer) {
  Wire wire;
  Pair p = connected(wire);
  ASSERT_TRUE(p.client.update_keys(true));
  const std::vector<uint8_t> flight = take(p.client);
  for (size_t i = 0; i < flight.size(); ++i) {
    ASSERT_EQ(p.server.receive(Bytes(flight).subspan(i, 1)), 1u);
    EXPECT_EQ(p.server.pending_output().size(), i + 1 == flight.size() ? kKeyUpdateRecordLen : 0u);
  }
  expect_data_flows(p, wire);
}

// Both sides ask at once and the requests cross: each answers the other, so each side's keys move
// two generations (§4.6.3), and data still flows.
TEST_P(KeyUpdateSuite, CrossingRequestsAreEachAnswered) {
  Wire wire;
  Pair p = connected(wire);
  ASSERT_TRUE(p.client.update_keys(true));
  ASSERT_TRUE(p.server.update_keys(true));
  const std::vector<uint8_t> up = take(p.client), down = take(p.server);
  ASSERT_EQ(p.server.receive(up), up.size());
  ASSERT_EQ(p.client.receive(down), down.size());
  EXPECT_EQ(p.server.pending_output().size(), kKeyUpdateRecordLen);
  EXPECT_EQ(p.client.pending_output().size(), kKeyUpdateRecordLen);
  expect_data_flows(p, wire);
}

// update_not_requested is not answered; the sender's data after it opens under the new keys.
TEST_P(KeyUpdateSuite, NotRequestedIsNotAnswered) {
  Wire wire;
  Pair p = connected(wire);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(p.server.update_keys(false));
  std::vector<uint8_t> down, got;
  send_data(p.server, 2000, &down);
  wire.transfer(p.server, p.client);
  drain(p.client, &got);
  ASSERT_FALSE(p.client.failed()) << why(p.client);
  EXPECT_EQ(got, down);
  EXPECT_TRUE(p.client.pending_output().empty());
  expect_data_flows(p, wire);
}

// ---------------------------------------------------------------------------------------------
// The flood limit.

// kMaxKeyUpdatesInARow KeyUpdates without application data between them are accepted; one more
// is unexpected_message. Application data starts the count again.
TEST_P(KeyUpdateSuite, FloodOfKeyUpdatesIsRefused) {
  constexpr size_t kMax = ConnectionAccess::kMaxKeyUpdatesInARow;
  static_assert(kMax == 32);
  for (bool requested : {false, true}) {
    SCOPED_TRACE(requested);
    Wire wire;
    Pair p = connected(wire);
    // Twice the limit in runs of kMax, data between the runs: fine.
    for (int run = 0; run < 2; ++run) {
      for (size_t i = 0; i < kMax; ++i) ASSERT_TRUE(p.client.update_keys(requested));
      wire.transfer(p.client, p.server);
      ASSERT_FALSE(p.server.failed()) << why(p.server);
      wire.transfer(p.server, p.client);
      std::vector<uint8_t> up, got;
      send_data(p.client, 10, &up);
      wire.transfer(p.client, p.server);
      drain(p.server, &got);
      EXPECT_EQ(got, up);
    }
    // One more than the limit in a row, across several flights: refused.
    for (size_t i = 0; i < kMax; ++i) {
      ASSERT_TRUE(p.client.update_keys(requested));
      wire.transfer(p.client, p.server);
      wire.transfer(p.server, p.client);
      ASSERT_FALSE(p.server.failed()) << i << ": " << why(p.server);
    }
    ASSERT_TRUE(p.client.update_keys(requested));
    const std::vector<uint8_t> last = take(p.client);
    p.server.receive(last);
    ASSERT_TRUE(p.server.failed());
    EXPECT_FALSE(p.server.error_from_peer());
    EXPECT_EQ(p.server.error().alert, AlertDescription::kUnexpectedMessage) << why(p.server);
    // The peer is told.
    wire.transfer(p.server, p.client);
    ASSERT_TRUE(p.client.failed());
    EXPECT_TRUE(p.client.error_from_peer());
    EXPECT_EQ(p.client.error().alert, AlertDescription::kUnexpectedMessage);
  }
}

// The answers to this side's own update_requested are not a flood: a side that asks for updates
// while it only sends (the peer answering, never writing) goes on for ever. Unasked-for
// KeyUpdates from the same peer still count: one answer is free per request.
TEST_P(KeyUpdateSuite, AnswersToOwnRequestsAreNotAFlood) {
  constexpr size_t kMax = ConnectionAccess::kMaxKeyUpdatesInARow;
  Wire wire;
  Pair p = connected(wire);
  std::vector<uint8_t> up, got;
  for (size_t i = 0; i < 3 * kMax; ++i) {
    ASSERT_TRUE(p.client.update_keys(true));
    send_data(p.client, 10, &up);  // the server sees data between requests: no flood there
    wire.transfer(p.client, p.server);
    ASSERT_FALSE(p.server.failed()) << why(p.server);
    ASSERT_EQ(p.server.pending_output().size(), kKeyUpdateRecordLen);
    wire.transfer(p.server, p.client);  // the answer, and never any data
    ASSERT_FALSE(p.client.failed()) << i << ": " << why(p.client);
  }
  drain(p.server, &got);
  EXPECT_EQ(got, up);
  // One request, its answer, then kMax unasked-for KeyUpdates: still fine; one more is a flood.
  for (size_t i = 0; i < kMax; ++i) ASSERT_TRUE(p.server.update_keys(false));
  wire.transfer(p.server, p.client);
  ASSERT_FALSE(p.client.failed()) << why(p.client);
  ASSERT_TRUE(p.server.update_keys(false));
  wire.transfer(p.server, p.client);
  ASSERT_TRUE(p.client.failed());
  EXPECT_EQ(p.client.error().alert, AlertDescription::kUnexpectedMessage) << why(p.client);
}

// ---------------------------------------------------------------------------------------------
// The usage limit (§5.5): write() updates the send key before the record layer would refuse.

// Both sides' send keys lowered to |limit| records (AES-GCM; ChaCha20-Poly1305 has no usage limit
// and ignores it): thousands of records, in small writes and in writes of many records, go
// through, with a KeyUpdate every key's worth of records and never a refusal.
TEST_P(KeyUpdateSuite, UsageLimitUpdatesKeysInsideWrite) {
  const bool aes = GetParam()->aead->max_records_per_key != UINT64_MAX;
  for (uint64_t limit : {2u, 3u, 40u, 1600u}) {
    SCOPED_TRACE(limit);
    Wire wire(static_cast<uint32_t>(limit));
    Pair p = connected(wire);
    for (Connection* c : {&p.client, &p.server}) {
      record_internal::RecordProtectionAccess::lower_usage_limit(ConnectionAccess::write_protection(*c),
                                                                 limit);
    }
    std::vector<uint8_t> up, down, got_up, got_down;
    size_t records = 0, updates = 0;
    const int rounds = limit == 1600 ? 8 : 3;
    const int small_writes = limit == 1600 ? 200 : 50;
    for (int round = 0; round < rounds; ++round) {
      // Many one-record writes, then one write of 45 records (more than a key of 40 holds).
      for (int i = 0; i < small_writes; ++i) send_data(p.client, 100, &up);
      send_data(p.client, 45 * 16384, &up);
      send_data(p.server, 5 * 16384 + 7, &down);
      ASSERT_FALSE(p.client.failed()) << why(p.client);
      ASSERT_FALSE(p.server.failed()) << why(p.server);
      for (Connection* c : {&p.client, &p.server}) {
        EXPECT_GE(ConnectionAccess::write_protection(*c).records_left(), 1u);
      }
      records += record_lengths(p.client.pending_output()).size();
      updates += key_update_records(p.client.pending_output());
      wire.run(p.client, p.server);
      drain(p.server, &got_up);
      drain(p.client, &got_down);
      ASSERT_FALSE(p.client.failed()) << why(p.client);
      ASSERT_FALSE(p.server.failed()) << why(p.server);
    }
    EXPECT_TRUE(got_up == up);
    EXPECT_TRUE(got_down == down);
    if (aes) {
      // A key carries at most limit - 1 records besides its KeyUpdate (the last key fewer).
      EXPECT_GE(updates + 1, (records - updates) / (limit - 1));
      EXPECT_GT(updates, 0u);
    } else {
      EXPECT_EQ(updates, 0u);
    }
  }
}

// A usage limit of one record leaves no room for anything but KeyUpdates: write() ends the
// connection with internal_error rather than loop or exceed it.
TEST(KeyUpdate, UsageLimitOfOneRecordFailsCleanly) {
  Wire wire;
  Pair p = connect(client_config(&kTlsAes128GcmSha256), server_config(&kTlsAes128GcmSha256), wire);
  record_internal::RecordProtectionAccess::lower_usage_limit(
      ConnectionAccess::write_protection(p.client), 1);
  const uint8_t byte[1] = {1};
  EXPECT_EQ(p.client.write(byte), 0u);
  ASSERT_TRUE(p.client.failed());
  EXPECT_EQ(p.client.error().alert, AlertDescription::kInternalError);
}

// ---------------------------------------------------------------------------------------------
// KeyUpdates where none may be.

// A KeyUpdate followed by more handshake bytes in its record: the keys change after it, so those
// bytes would be under the wrong key (§5.1): unexpected_message. Another whole message, or the
// start of one.
TEST_P(KeyUpdateSuite, KeyUpdateNotEndingItsRecordIsRefused) {
  const std::vector<std::vector<uint8_t>> records = {
      {24, 0, 0, 1, 0, 24, 0, 0, 1, 0},
      {24, 0, 0, 1, 1, 24, 0, 0, 1, 0},
      {24, 0, 0, 1, 0, 24, 0},
      {24, 0, 0, 1, 0, 4},
  };
  for (const auto& record : records) {
    Wire wire;
    Pair p = connected(wire);
    ASSERT_TRUE(ConnectionAccess::send_handshake(p.client, record).ok());
    ASSERT_EQ(record_lengths(p.client.pending_output()).size(), 1u);
    wire.transfer(p.client, p.server);
    ASSERT_TRUE(p.server.failed());
    EXPECT_EQ(p.server.error().alert, AlertDescription::kUnexpectedMessage) << why(p.server);
    EXPECT_FALSE(p.server.update_keys(false));
  }
}

// A KeyUpdate split across two records that ends at the second one's end is aligned with a record
// boundary, as §5.1 asks of a message before a key change: accepted (as OpenSSL, BoringSSL and
// rustls do). Both pieces are under the old key; the sender's keys move after the second.
TEST_P(KeyUpdateSuite, KeyUpdateSplitAcrossRecordsEndingOneIsAccepted) {
  for (size_t cut = 1; cut < sizeof(kKeyUpdateRequested); ++cut) {
    SCOPED_TRACE(cut);
    Wire wire;
    Pair p = connected(wire);
    const Bytes ku(kKeyUpdateRequested);
    ASSERT_TRUE(ConnectionAccess::send_handshake(p.client, ku.first(cut)).ok());
    ASSERT_TRUE(ConnectionAccess::send_handshake(p.client, ku.subspan(cut)).ok());
    ASSERT_TRUE(ConnectionAccess::next_write_keys(p.client).ok());
    ASSERT_EQ(record_lengths(p.client.pending_output()).size(), 2u);
    wire.transfer(p.client, p.server);
    ASSERT_FALSE(p.server.failed()) << why(p.server);
    EXPECT_EQ(p.server.pending_output().size(), kKeyUpdateRecordLen);  // requested: answered
    expect_data_flows(p, wire);
  }
}

// ...but when the second record also carries the start of the next message, the KeyUpdate does
// not end a record: unexpected_message.
TEST_P(KeyUpdateSuite, KeyUpdateSplitAcrossRecordsNotEndingOneIsRefused) {
  Wire wire;
  Pair p = connected(wire);
  const uint8_t first[] = {24, 0, 0};
  const uint8_t second[] = {1, 0, 24};
  ASSERT_TRUE(ConnectionAccess::send_handshake(p.client, first).ok());
  ASSERT_TRUE(ConnectionAccess::send_handshake(p.client, second).ok());
  wire.transfer(p.client, p.server);
  ASSERT_TRUE(p.server.failed());
  EXPECT_EQ(p.server.error().alert, AlertDescription::kUnexpectedMessage) << why(p.server);
}

// A KeyUpdate in a plaintext record where a hello is expected: unexpected_message on both sides.
TEST(KeyUpdate, KeyUpdateInsteadOfAHelloIsRefused) {
  const uint8_t record[] = {22, 3, 3, 0, 5, 24, 0, 0, 1, 1};
  {
    Connection s = Connection::server(server_config(&kTlsAes128GcmSha256));
    EXPECT_FALSE(s.update_keys(true));
    s.receive(record);
    ASSERT_TRUE(s.failed());
    EXPECT_EQ(s.error().alert, AlertDescription::kUnexpectedMessage) << why(s);
  }
  {
    Connection c = Connection::client(client_config(&kTlsAes128GcmSha256), "localhost");
    EXPECT_FALSE(c.update_keys(true));
    EXPECT_EQ(key_update_records(c.pending_output()), 0u);
    take(c);  // the ClientHello
    c.receive(record);
    ASSERT_TRUE(c.failed());
    EXPECT_EQ(c.error().alert, AlertDescription::kUnexpectedMessage) << why(c);
  }
}

// A client that has the handshake keys (it read the ServerHello) sends a KeyUpdate, protected,
// before its Finished: the server, waiting for that Finished, refuses it with unexpected_message.
// Neither side may update keys through the API before the handshake completed.
TEST_P(KeyUpdateSuite, KeyUpdateBeforeFinishedIsRefused) {
  for (const auto* ku : {kKeyUpdateNotRequested, kKeyUpdateRequested}) {
    Connection c = Connection::client(client_config(GetParam()), "localhost");
    Connection s = Connection::server(server_config(GetParam()));
    Wire wire;
    wire.transfer(c, s);  // ClientHello
    const std::vector<uint8_t> flight = take(s);
    // The plaintext records (ServerHello, change_cipher_spec), not the protected ones after them.
    size_t plain = 0;
    while (plain + kRecordHeaderLen <= flight.size() && flight[plain] != 23) {
      plain += kRecordHeaderLen + (size_t{flight[plain + 3]} << 8 | flight[plain + 4]);
    }
    ASSERT_GT(plain, 0u);
    ASSERT_LT(plain, flight.size());
    ASSERT_EQ(c.receive(Bytes(flight).first(plain)), plain);
    ASSERT_FALSE(c.failed()) << why(c);
    EXPECT_FALSE(c.is_connected());
    EXPECT_FALSE(c.update_keys(true));
    EXPECT_FALSE(s.update_keys(true));  // it sent its Finished, but has not seen the client's
    EXPECT_TRUE(s.pending_output().empty());
    take(c);  // the client's change_cipher_spec, if any
    ASSERT_TRUE(ConnectionAccess::send_handshake(c, Bytes(ku, 5)).ok());
    wire.transfer(c, s);
    ASSERT_TRUE(s.failed());
    EXPECT_EQ(s.error().alert, AlertDescription::kUnexpectedMessage) << why(s);
  }
}

// After close() and after a failure, update_keys refuses and sends nothing; after the peer's
// close_notify (half-closed), it still works.
TEST(KeyUpdate, UpdateKeysAfterCloseAndFailure) {
  Wire wire;
  Pair p = connect(client_config(&kTlsChaCha20Poly1305Sha256),
                   server_config(&kTlsChaCha20Poly1305Sha256), wire);
  p.client.close();
  EXPECT_FALSE(p.client.update_keys(true));
  wire.transfer(p.client, p.server);
  EXPECT_TRUE(p.server.peer_closed());
  ASSERT_TRUE(p.server.update_keys(false));
  std::vector<uint8_t> down, got;
  send_data(p.server, 1000, &down);
  p.server.close();
  wire.transfer(p.server, p.client);
  drain(p.client, &got);
  EXPECT_EQ(got, down);
  EXPECT_EQ(p.client.state(), HandshakeState::kClosed);

  // A request that arrives after our close_notify is not answered: nothing may follow it.
  Pair q = connect(client_config(&kTlsAes256GcmSha384), server_config(&kTlsAes256GcmSha384), wire);
  ASSERT_TRUE(q.client.update_keys(true));
  q.server.close();
  const std::vector<uint8_t> close_notify = take(q.server);
  wire.transfer(q.client, q.server);
  EXPECT_FALSE(q.server.failed()) << why(q.server);
  EXPECT_TRUE(q.server.pending_output().empty());
  q.client.receive(close_notify);
  EXPECT_TRUE(q.client.peer_closed());

  Pair f = connect(client_config(&kTlsAes128GcmSha256), server_config(&kTlsAes128GcmSha256), wire);
  const uint8_t junk[] = {23, 3, 3, 0, 20, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
                          11, 12, 13, 14, 15, 16, 17, 18, 19, 20};
  f.server.receive(junk);
  ASSERT_TRUE(f.server.failed());
  take(f.server);  // the alert
  EXPECT_FALSE(f.server.update_keys(true));
  EXPECT_TRUE(f.server.pending_output().empty());
}

}  // namespace
}  // namespace volley::tls
