// A volley client talking to a volley server in the same process, through memory: every suite,
// group and signature scheme, records split and coalesced at random points, HelloRetryRequest,
// ALPN, certificate failures with their alerts, tampering, closure, record_size_limit, and every
// AEAD backend this CPU runs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "volley/dispatch.h"
#include "volley/pki.h"
#include "volley/tls.h"

namespace volley::tls {
namespace {

const char kPki[] = "tests/pki/";

// The test PKI is valid for twenty years from its creation; checking at a fixed date keeps the
// tests independent of the clock (and of the expired leaf's dates).
VerifyTime test_time() {
  using namespace std::chrono;
  return sys_seconds(sys_days(year{2027} / January / 1));
}

std::shared_ptr<const CertificateVerifier> root_verifier() {
  TlsError e;
  auto v = make_openssl_verifier_from_ca_file(std::string(kPki) + "root.pem", &e);
  EXPECT_NE(v, nullptr) << (e.reason ? e.reason : "");
  return v;
}

std::shared_ptr<const SigningCredential> credential(const std::string& leaf) {
  TlsError e;
  auto c = make_openssl_credential_from_pem_files(std::string(kPki) + leaf + ".chain.pem",
                                                  std::string(kPki) + leaf + ".key.pem", &e);
  EXPECT_NE(c, nullptr) << leaf << ": " << (e.reason ? e.reason : "");
  return c;
}

ConfigBuilder client_builder() {
  ConfigBuilder b;
  // No session cache: every connection here is a full handshake (resumption_test.cc resumes).
  b.verifier(root_verifier()).verify_time(test_time()).session_cache(nullptr);
  return b;
}

ConfigBuilder server_builder(const std::string& leaf = "server-ecdsa-p256") {
  ConfigBuilder b;
  b.credential(credential(leaf));
  return b;
}

std::shared_ptr<const Config> build(const ConfigBuilder& b) {
  TlsError e;
  auto c = b.build(&e);
  EXPECT_NE(c, nullptr) << (e.reason ? e.reason : "");
  return c;
}

std::string why(const Connection& c) {
  return std::string(alert_name(c.error().alert)) + ": " +
         (c.error().reason != nullptr ? c.error().reason : "");
}

// Wire moves bytes between two connections. With a seed, each transfer is cut into pieces of
// random size (1 byte to a few records), so that records and handshake messages arrive split and
// coalesced at every kind of point.
class Wire {
 public:
  explicit Wire(uint32_t seed = 0) : rng_(seed), split_(seed != 0) {}

  // transfer moves everything |from| has to send into |to| and returns how many bytes that was.
  // |tamper| (if set) flips one bit at that offset of this transfer.
  size_t transfer(Connection& from, Connection& to, long tamper = -1) {
    const Bytes out = from.pending_output();
    std::vector<uint8_t> bytes(out.begin(), out.end());
    from.consume_output(bytes.size());
    if (tamper >= 0 && static_cast<size_t>(tamper) < bytes.size()) bytes[tamper] ^= 0x01;
    size_t at = 0;
    while (at < bytes.size()) {
      size_t n = bytes.size() - at;
      if (split_) n = std::min(n, std::uniform_int_distribution<size_t>(1, 40000)(rng_));
      const size_t taken = to.receive(Bytes(bytes.data() + at, n));
      at += taken;
      if (taken < n) break;  // failed, closed or full: the rest is dropped
    }
    return bytes.size();
  }

  // run moves bytes both ways until neither side has anything to send (bounded).
  void run(Connection& client, Connection& server) {
    for (int round = 0; round < 64; ++round) {
      const size_t moved = transfer(client, server) + transfer(server, client);
      if (moved == 0) return;
    }
    ADD_FAILURE() << "the connections kept talking for 64 rounds";
  }

 private:
  std::mt19937 rng_;
  bool split_;
};

std::vector<uint8_t> pattern(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(i * 131 + seed);
  return v;
}

void drain(Connection& c, std::vector<uint8_t>* got) {
  uint8_t buf[1 << 16];
  for (size_t k; (k = c.read(MutableBytes(buf, sizeof(buf)))) > 0;) {
    got->insert(got->end(), buf, buf + k);
  }
}

// exchange sends |n| bytes each way and checks that they arrive intact.
void exchange(Connection& client, Connection& server, Wire& wire, size_t n) {
  const std::vector<uint8_t> up = pattern(n, 1), down = pattern(n, 2);
  ASSERT_EQ(client.write(up), n);
  ASSERT_EQ(server.write(down), n);
  std::vector<uint8_t> got_up, got_down;
  for (int round = 0; round < 1000 && (got_up.size() < n || got_down.size() < n); ++round) {
    wire.transfer(client, server);
    wire.transfer(server, client);
    drain(server, &got_up);
    drain(client, &got_down);
    ASSERT_FALSE(client.failed()) << why(client);
    ASSERT_FALSE(server.failed()) << why(server);
  }
  EXPECT_EQ(got_up, up);
  EXPECT_EQ(got_down, down);
}

struct Handshake {
  Connection client;
  Connection server;
};

Handshake connect(std::shared_ptr<const Config> client_config,
                  std::shared_ptr<const Config> server_config, Wire& wire,
                  const std::string& name = "localhost") {
  Handshake h{Connection::client(client_config, name), Connection::server(server_config)};
  wire.run(h.client, h.server);
  return h;
}

void expect_connected(const Handshake& h) {
  ASSERT_TRUE(h.client.is_connected()) << "client: " << why(h.client);
  ASSERT_TRUE(h.server.is_connected()) << "server: " << why(h.server);
}

// ---------------------------------------------------------------------------------------------

struct Combination {
  const CipherSuite* suite;
  NamedGroup group;
  const char* leaf;
  SignatureScheme scheme;
};

class EveryCombination : public ::testing::TestWithParam<Combination> {};

TEST_P(EveryCombination, HandshakeAndDataWithRecordsSplitAtRandom) {
  const Combination& c = GetParam();
  auto client = build(
      client_builder().cipher_suites({c.suite}).groups({c.group}).key_share_groups({c.group}));
  auto server = build(server_builder(c.leaf));
  for (uint32_t seed : {0u, 1u, 2u, 3u}) {
    SCOPED_TRACE(seed);
    Wire wire(seed);
    Handshake h = connect(client, server, wire);
    expect_connected(h);
    for (const Connection* side : {&h.client, &h.server}) {
      EXPECT_EQ(side->negotiated().suite, c.suite);
      EXPECT_EQ(side->negotiated().group, c.group);
      EXPECT_FALSE(side->negotiated().hello_retry);
    }
    EXPECT_EQ(h.client.negotiated().peer_signature_scheme, c.scheme);
    EXPECT_EQ(h.client.negotiated().peer_certificates.size(), 2u);  // leaf and intermediate
    EXPECT_EQ(h.server.negotiated().server_name, "localhost");
    exchange(h.client, h.server, wire, seed == 0 ? 100000 : 3000);
  }
}

std::vector<Combination> combinations() {
  std::vector<Combination> out;
  const struct {
    const char* leaf;
    SignatureScheme scheme;
  } leaves[] = {{"server-ecdsa-p256", SignatureScheme::kEcdsaSecp256r1Sha256},
                {"server-rsa-2048", SignatureScheme::kRsaPssRsaeSha256},
                {"server-ed25519", SignatureScheme::kEd25519}};
  for (const CipherSuite* s : all_cipher_suites()) {
    for (NamedGroup g : {NamedGroup::kX25519, NamedGroup::kSecp256r1}) {
      for (const auto& l : leaves) out.push_back({s, g, l.leaf, l.scheme});
    }
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Tls13, EveryCombination, ::testing::ValuesIn(combinations()),
                         [](const auto& info) {
                           std::string n = std::string(info.param.suite->name) + "_" +
                                           std::string(named_group_name(info.param.group)) +
                                           "_" + info.param.leaf;
                           std::replace_if(
                               n.begin(), n.end(),
                               [](char ch) { return !std::isalnum(static_cast<unsigned char>(ch)); },
                               '_');
                           return n;
                         });

// Every AEAD backend this CPU runs, on both sides, for each suite.
TEST(TlsConnection, EveryAeadBackend) {
  for (const CipherSuite* s : all_cipher_suites()) {
    const dispatch::Family family = s == &kTlsChaCha20Poly1305Sha256
                                        ? dispatch::Family::kChaCha20Poly1305
                                        : dispatch::Family::kAesGcm;
    int ran = 0;
    for (const dispatch::Backend& b : dispatch::backends(family)) {
      if (!dispatch::available(b)) continue;
      SCOPED_TRACE(std::string(s->name) + " " + std::string(b.name));
      auto client = build(client_builder().cipher_suites({s}).aead_backend(std::string(b.name)));
      auto server = build(server_builder().cipher_suites({s}).aead_backend(std::string(b.name)));
      Wire wire(7);
      Handshake h = connect(client, server, wire);
      expect_connected(h);
      exchange(h.client, h.server, wire, 70000);
      ++ran;
    }
    EXPECT_GE(ran, 1);
  }
}

// x25519_share_client supports x25519 and secp256r1 and sends a key share for x25519 only.
std::shared_ptr<const Config> x25519_share_client() {
  return build(client_builder()
                   .groups({NamedGroup::kX25519, NamedGroup::kSecp256r1})
                   .key_share_groups({NamedGroup::kX25519}));
}

TEST(TlsConnection, HelloRetryRequestWhenTheClientSharedTheWrongGroup) {
  auto client = x25519_share_client();
  for (bool compat : {true, false}) {
    SCOPED_TRACE(compat);
    auto server = build(
        server_builder().groups({NamedGroup::kSecp256r1}).middlebox_compatibility(compat));
    Wire wire(11);
    Handshake h = connect(client, server, wire);
    expect_connected(h);
    EXPECT_TRUE(h.client.negotiated().hello_retry);
    EXPECT_TRUE(h.server.negotiated().hello_retry);
    EXPECT_EQ(h.client.negotiated().group, NamedGroup::kSecp256r1);
    exchange(h.client, h.server, wire, 5000);
  }
}

// The ClientHello after a HelloRetryRequest may change only what §4.1.2 allows: a byte of its
// random (offset 11 of the plaintext record: header 5, handshake header 4, version 2) changed is
// illegal_parameter.
TEST(TlsConnection, SecondClientHelloMustMatchTheFirst) {
  auto client = x25519_share_client();
  auto server = build(server_builder().groups({NamedGroup::kSecp256r1}));
  for (bool tamper : {false, true}) {
    Connection c = Connection::client(client, "localhost");
    Connection s = Connection::server(server);
    Wire wire;
    wire.transfer(c, s);  // ClientHello 1
    wire.transfer(s, c);  // HelloRetryRequest (and change_cipher_spec)
    const Bytes out = c.pending_output();
    std::vector<uint8_t> hello2(out.begin(), out.end());
    c.consume_output(hello2.size());
    size_t at = 0;  // skip the change_cipher_spec record before it
    while (at + 5 < hello2.size() && hello2[at] != 22) at += 5 + (hello2[at + 3] << 8 | hello2[at + 4]);
    ASSERT_LT(at + 11, hello2.size());
    if (tamper) hello2[at + 11] ^= 1;
    s.receive(hello2);
    if (tamper) {
      ASSERT_TRUE(s.failed());
      EXPECT_EQ(s.error().alert, AlertDescription::kIllegalParameter) << why(s);
    } else {
      wire.run(c, s);
      EXPECT_TRUE(c.is_connected() && s.is_connected()) << why(c) << " / " << why(s);
    }
  }
}

TEST(TlsConnection, ServerPrefersItsOwnOrder) {
  auto client = build(client_builder()
                          .cipher_suites({&kTlsAes128GcmSha256, &kTlsChaCha20Poly1305Sha256})
                          .key_share_groups({NamedGroup::kX25519, NamedGroup::kSecp256r1}));
  auto server = build(server_builder()
                          .cipher_suites({&kTlsChaCha20Poly1305Sha256, &kTlsAes128GcmSha256})
                          .groups({NamedGroup::kSecp256r1, NamedGroup::kX25519}));
  Wire wire;
  Handshake h = connect(client, server, wire);
  expect_connected(h);
  EXPECT_EQ(h.client.negotiated().suite, &kTlsChaCha20Poly1305Sha256);
  EXPECT_EQ(h.client.negotiated().group, NamedGroup::kSecp256r1);
  EXPECT_FALSE(h.client.negotiated().hello_retry);
}

// strict_group_preference: the server's first group costs a HelloRetryRequest when the client
// shared another; without it the client's share is taken.
TEST(TlsConnection, StrictGroupPreferenceAsksForTheServersFirstGroup) {
  auto client = x25519_share_client();
  for (bool strict : {false, true}) {
    SCOPED_TRACE(strict);
    auto server = build(server_builder()
                            .groups({NamedGroup::kSecp256r1, NamedGroup::kX25519})
                            .strict_group_preference(strict));
    Wire wire;
    Handshake h = connect(client, server, wire);
    expect_connected(h);
    EXPECT_EQ(h.client.negotiated().hello_retry, strict);
    EXPECT_EQ(h.server.negotiated().group, strict ? NamedGroup::kSecp256r1 : NamedGroup::kX25519);
  }
}

TEST(TlsConnection, Alpn) {
  auto client = build(client_builder().alpn({"h2", "http/1.1"}));
  Wire wire;
  Handshake h = connect(client, build(server_builder().alpn({"http/1.1", "h2"})), wire);
  expect_connected(h);
  EXPECT_EQ(h.client.negotiated().alpn, "http/1.1");
  EXPECT_EQ(h.server.negotiated().alpn, "http/1.1");

  Handshake refused = connect(client, build(server_builder().alpn({"spdy/3"})), wire);
  ASSERT_TRUE(refused.server.failed());
  EXPECT_EQ(refused.server.error().alert, AlertDescription::kNoApplicationProtocol);
  ASSERT_TRUE(refused.client.failed());
  EXPECT_TRUE(refused.client.error_from_peer());
  EXPECT_EQ(refused.client.error().alert, AlertDescription::kNoApplicationProtocol);

  // A server without ALPN ignores the client's list.
  Handshake plain = connect(client, build(server_builder()), wire);
  expect_connected(plain);
  EXPECT_EQ(plain.client.negotiated().alpn, "");
}

// Certificate failures: the client sends the alert the verifier names, and the server sees it.
TEST(TlsConnection, CertificateFailuresEndWithTheirAlert) {
  const struct {
    const char* leaf;
    const char* host;
    AlertDescription alert;
  } cases[] = {
      {"server-ecdsa-p256", "wrong.example", AlertDescription::kBadCertificate},
      {"expired-ecdsa-p256", "localhost", AlertDescription::kCertificateExpired},
      {"unknown-ca-ecdsa-p256", "localhost", AlertDescription::kUnknownCa},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.leaf);
    Wire wire;
    Handshake h = connect(build(client_builder()), build(server_builder(c.leaf)), wire, c.host);
    ASSERT_TRUE(h.client.failed());
    EXPECT_EQ(h.client.error().alert, c.alert) << why(h.client);
    EXPECT_FALSE(h.client.error_from_peer());
    ASSERT_TRUE(h.server.failed());
    EXPECT_TRUE(h.server.error_from_peer());
    EXPECT_EQ(h.server.error().alert, c.alert);
    // Dead: nothing is written or read afterwards.
    const uint8_t byte[1] = {1};
    EXPECT_EQ(h.client.write(byte), 0u);
  }
}

// A bit flipped anywhere in the server's first flight ends the handshake with an alert, never a
// connection.
TEST(TlsConnection, TamperedServerFlightFails) {
  auto client = build(client_builder());
  auto server = build(server_builder());
  size_t flight = 0;
  {
    Connection c = Connection::client(client, "localhost");
    Connection s = Connection::server(server);
    Wire wire;
    wire.transfer(c, s);
    flight = s.pending_output().size();
  }
  ASSERT_GT(flight, 200u);
  for (size_t at = 0; at < flight; at += 7) {
    Connection c = Connection::client(client, "localhost");
    Connection s = Connection::server(server);
    Wire wire;
    wire.transfer(c, s);
    wire.transfer(s, c, static_cast<long>(at));
    wire.run(c, s);
    EXPECT_TRUE(c.failed()) << "tampered at " << at;
    EXPECT_FALSE(s.is_connected()) << "tampered at " << at;
  }
}

TEST(TlsConnection, CloseNotifyBothWays) {
  Wire wire(5);
  Handshake h = connect(build(client_builder()), build(server_builder()), wire);
  expect_connected(h);
  const std::vector<uint8_t> last = pattern(1000, 9);
  ASSERT_EQ(h.client.write(last), last.size());
  h.client.close();
  EXPECT_EQ(h.client.write(last), 0u);  // no writes after close_notify
  wire.transfer(h.client, h.server);
  std::vector<uint8_t> got;
  EXPECT_FALSE(h.server.peer_closed());  // data before the close_notify is still unread
  drain(h.server, &got);
  EXPECT_EQ(got, last);
  EXPECT_TRUE(h.server.peer_closed());
  // Half-closed: the server may still send (RFC 8446 §6.1).
  ASSERT_EQ(h.server.write(last), last.size());
  h.server.close();
  wire.transfer(h.server, h.client);
  got.clear();
  drain(h.client, &got);
  EXPECT_EQ(got, last);
  EXPECT_EQ(h.client.state(), HandshakeState::kClosed);
  EXPECT_EQ(h.server.state(), HandshakeState::kClosed);
}

TEST(TlsConnection, LargeWriteMakesFullRecords) {
  Wire wire;
  Handshake h = connect(build(client_builder()), build(server_builder()), wire);
  expect_connected(h);
  const std::vector<uint8_t> big = pattern(1 << 20, 3);
  ASSERT_EQ(h.server.write(big), big.size());
  // 64 records of 16 KiB: a 5-byte header, the content, the type byte and the tag each.
  EXPECT_EQ(h.server.pending_output().size(), 64u * (5 + 16384 + 1 + 16));
  std::vector<uint8_t> got;
  wire.transfer(h.server, h.client);
  drain(h.client, &got);
  EXPECT_EQ(got, big);
}

// RFC 8449: each side keeps the other's record_size_limit.
TEST(TlsConnection, RecordSizeLimit) {
  auto client = build(client_builder().record_size_limit(1024));
  auto server = build(server_builder().record_size_limit(2048));
  Wire wire;
  Handshake h = connect(client, server, wire);
  expect_connected(h);
  const std::vector<uint8_t> data = pattern(10000, 4);
  ASSERT_EQ(h.server.write(data), data.size());
  // The server's records carry at most 1023 bytes of content plus the type byte.
  const Bytes out = h.server.pending_output();
  size_t records = 0;
  for (size_t at = 0; at + 5 <= out.size(); ++records) {
    const size_t len = size_t{out[at + 3]} << 8 | out[at + 4];
    EXPECT_LE(len, 1024u + 16u);
    at += 5 + len;
  }
  EXPECT_EQ(records, (10000u + 1022) / 1023);
  std::vector<uint8_t> got;
  wire.transfer(h.server, h.client);
  drain(h.client, &got);
  EXPECT_EQ(got, data);
  exchange(h.client, h.server, wire, 10000);
}

TEST(TlsConnection, MiddleboxCompatibilityOffSendsNoChangeCipherSpec) {
  auto client = build(client_builder().middlebox_compatibility(false));
  Connection c = Connection::client(client, "localhost");
  Connection s = Connection::server(build(server_builder()));
  Wire wire;
  wire.transfer(c, s);
  const Bytes flight = s.pending_output();
  for (size_t at = 0; at + 5 <= flight.size();) {
    EXPECT_NE(flight[at], 20) << "change_cipher_spec at " << at;
    at += 5 + (size_t{flight[at + 3]} << 8 | flight[at + 4]);
  }
  wire.run(c, s);
  EXPECT_TRUE(c.is_connected() && s.is_connected());
}

TEST(TlsConnection, ConfigRefusesWhatCannotWork) {
  TlsError e;
  EXPECT_EQ(ConfigBuilder().cipher_suites({}).build(&e), nullptr);
  EXPECT_EQ(ConfigBuilder().groups({}).build(&e), nullptr);
  EXPECT_EQ(ConfigBuilder()
                .groups({NamedGroup::kX25519})
                .key_share_groups({NamedGroup::kSecp256r1})
                .build(&e),
            nullptr);
  EXPECT_EQ(ConfigBuilder().alpn({""}).build(&e), nullptr);
  EXPECT_EQ(ConfigBuilder().record_size_limit(63).build(&e), nullptr);
  // A server without a credential and a client without a verifier fail at once.
  Connection s = Connection::server(build(ConfigBuilder()));
  EXPECT_TRUE(s.failed());
  Connection c = Connection::client(build(ConfigBuilder()), "localhost");
  EXPECT_TRUE(c.failed());
}

TEST(TlsConnection, GarbageFromTheClientIsAnAlertNotACrash) {
  auto server = build(server_builder());
  std::mt19937 rng(1);
  for (int i = 0; i < 200; ++i) {
    Connection s = Connection::server(server);
    std::vector<uint8_t> junk(std::uniform_int_distribution<size_t>(3, 3000)(rng));
    for (auto& b : junk) b = static_cast<uint8_t>(rng());
    if (i % 2 == 0) {  // a plausible handshake record header in front
      junk[0] = 22;
      junk[1] = 3;
      junk[2] = 1;
    }
    s.receive(junk);
    EXPECT_FALSE(s.is_connected());
  }
}

}  // namespace
}  // namespace volley::tls
