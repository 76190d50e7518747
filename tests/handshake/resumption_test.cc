// Session resumption between a volley client and a volley server in memory (RFC 8446 §2.2,
// §4.2.11, §4.6.1): psk_dhe_ke and psk_ke on every suite, after a HelloRetryRequest, ticket key
// rotation, expiry, a wrong binder, a suite whose hash differs, an unknown ticket, another server
// name, several tickets, tickets disabled.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "volley/pki.h"
#include "volley/session.h"
#include "volley/tls.h"

namespace volley::tls {
namespace {

const char kPki[] = "tests/pki/";

VerifyTime test_time() {
  using namespace std::chrono;
  return sys_seconds(sys_days(year{2027} / January / 1));
}

// FakeClock is a Clock tests move by hand.
struct FakeClock {
  uint64_t ms = 1'800'000'000'000;
  static uint64_t now(void* self) { return static_cast<FakeClock*>(self)->ms; }
};

std::shared_ptr<const CertificateVerifier> root_verifier() {
  TlsError e;
  auto v = make_openssl_verifier_from_ca_file(std::string(kPki) + "root.pem", &e);
  EXPECT_NE(v, nullptr);
  return v;
}

std::shared_ptr<const SigningCredential> credential() {
  TlsError e;
  auto c = make_openssl_credential_from_pem_files(std::string(kPki) + "server-ecdsa-p256.chain.pem",
                                                  std::string(kPki) + "server-ecdsa-p256.key.pem",
                                                  &e);
  EXPECT_NE(c, nullptr);
  return c;
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

// run moves bytes both ways until neither side sends (bounded).
void run(Connection& client, Connection& server) {
  for (int round = 0; round < 32; ++round) {
    size_t moved = 0;
    for (auto [from, to] : {std::pair{&client, &server}, std::pair{&server, &client}}) {
      const Bytes out = from->pending_output();
      const std::vector<uint8_t> bytes(out.begin(), out.end());
      from->consume_output(bytes.size());
      to->receive(bytes);
      moved += bytes.size();
    }
    if (moved == 0) return;
  }
  ADD_FAILURE() << "the connections kept talking";
}

// Fixture: a client and a server config sharing a fake clock; the client's cache is inspectable.
class Resumption : public ::testing::Test {
 protected:
  ConfigBuilder client_builder() {
    ConfigBuilder b;
    b.verifier(root_verifier()).verify_time(test_time()).session_cache(cache).clock(
        &FakeClock::now, &clock);
    return b;
  }
  ConfigBuilder server_builder() {
    ConfigBuilder b;
    b.credential(credential()).clock(&FakeClock::now, &clock);
    return b;
  }
  // connect runs one handshake to "localhost" (or |name|); both sides must connect.
  Negotiated connect(const std::shared_ptr<const Config>& c, const std::shared_ptr<const Config>& s,
                     const std::string& name = "localhost") {
    Connection client = Connection::client(c, name);
    Connection server = Connection::server(s);
    run(client, server);
    EXPECT_TRUE(client.is_connected()) << why(client);
    EXPECT_TRUE(server.is_connected()) << why(server);
    EXPECT_EQ(client.negotiated().resumed, server.negotiated().resumed);
    return client.negotiated();
  }

  FakeClock clock;
  std::shared_ptr<LruSessionCache> cache = std::make_shared<LruSessionCache>();
};

TEST_F(Resumption, EverySuiteBothModes) {
  for (const CipherSuite* suite : all_cipher_suites()) {
    for (PskMode mode : {PskMode::kPskDheKe, PskMode::kPskKe}) {
      SCOPED_TRACE(std::string(suite->name) + (mode == PskMode::kPskKe ? " psk_ke" : " psk_dhe_ke"));
      cache = std::make_shared<LruSessionCache>();
      const auto c = build(client_builder().cipher_suites({suite}).psk_modes({mode}));
      const auto s = build(server_builder().psk_modes({PskMode::kPskDheKe, PskMode::kPskKe}));
      const Negotiated first = connect(c, s);
      EXPECT_FALSE(first.resumed);
      EXPECT_FALSE(first.peer_certificates.empty());
      EXPECT_EQ(cache->size(), 2u);  // two tickets by default
      const Negotiated second = connect(c, s);
      EXPECT_TRUE(second.resumed);
      EXPECT_EQ(second.suite, suite);
      EXPECT_TRUE(second.peer_certificates.empty());
      if (mode == PskMode::kPskKe) {
        EXPECT_EQ(second.group, NamedGroup{});
      }
      EXPECT_EQ(cache->size(), 3u);  // one taken, two more received
    }
  }
}

TEST_F(Resumption, PskKeRefusedByServerFallsBackToFullHandshake) {
  const auto c = build(client_builder().psk_modes({PskMode::kPskKe}));
  const auto s = build(server_builder());  // psk_dhe_ke only
  EXPECT_FALSE(connect(c, s).resumed);
  EXPECT_EQ(cache->size(), 0u);  // no mode in common: no tickets either
}

TEST_F(Resumption, AfterHelloRetryRequest) {
  const auto c = build(client_builder());
  const auto s = build(server_builder().groups({NamedGroup::kSecp256r1, NamedGroup::kX25519})
                           .strict_group_preference(true));
  EXPECT_FALSE(connect(c, s).resumed);
  const Negotiated n = connect(c, s);
  EXPECT_TRUE(n.hello_retry);
  EXPECT_TRUE(n.resumed);
}

TEST_F(Resumption, RotatedKeys) {
  auto keys = std::make_shared<TicketKeys>(3600 * 1000, &FakeClock::now, &clock);
  const auto c = build(client_builder());
  const auto s = build(server_builder().tickets(1).ticket_store(
      std::make_shared<StatelessTicketStore>(keys)));
  connect(c, s);
  ASSERT_TRUE(keys->rotate());
  EXPECT_TRUE(connect(c, s).resumed);  // the previous key still opens
  ASSERT_TRUE(keys->rotate());
  ASSERT_TRUE(keys->rotate());
  EXPECT_FALSE(connect(c, s).resumed);  // sealed two keys ago: full handshake
  // Rotation by time: after two intervals the ticket's key is gone.
  clock.ms += 2 * 3600 * 1000;
  EXPECT_FALSE(connect(c, s).resumed);
  EXPECT_TRUE(connect(c, s).resumed);
}

TEST_F(Resumption, ExpiredTicket) {
  const auto c = build(client_builder());
  const auto s = build(server_builder().ticket_lifetime(60));
  connect(c, s);
  clock.ms += 61 * 1000;
  EXPECT_FALSE(connect(c, s).resumed);  // the client drops both expired tickets
  // Expired for the server only: the client's clock is behind.
  FakeClock client_clock = clock;
  const auto c2 = build(client_builder().clock(&FakeClock::now, &client_clock));
  connect(c2, s);
  clock.ms += 61 * 1000;
  EXPECT_FALSE(connect(c2, s).resumed);
}

TEST_F(Resumption, WrongBinderIsDecryptError) {
  const auto c = build(client_builder());
  const auto s = build(server_builder().tickets(1));
  connect(c, s);
  std::optional<ClientSession> t = cache->take("localhost");
  ASSERT_TRUE(t);
  std::vector<uint8_t> psk(t->psk.bytes().begin(), t->psk.bytes().end());
  psk[0] ^= 1;
  ASSERT_EQ(t->psk.assign(psk), Status::kOk);
  cache->put("localhost", std::move(*t));
  Connection client = Connection::client(c, "localhost");
  Connection server = Connection::server(s);
  run(client, server);
  ASSERT_TRUE(server.failed());
  EXPECT_EQ(server.error().alert, AlertDescription::kDecryptError) << why(server);
}

TEST_F(Resumption, SuiteHashMismatch) {
  const auto c384 = build(client_builder().cipher_suites({&kTlsAes256GcmSha384}));
  const auto s = build(server_builder());
  connect(c384, s);
  // A SHA-256-only client does not offer the SHA-384 ticket.
  const auto c256 = build(client_builder().cipher_suites({&kTlsAes128GcmSha256}));
  EXPECT_FALSE(connect(c256, s).resumed);
  // A client offering both, to a server preferring a SHA-256 suite: full handshake.
  const auto both = build(client_builder());
  const auto s256 = build(server_builder().cipher_suites({&kTlsAes128GcmSha256,
                                                          &kTlsAes256GcmSha384}));
  EXPECT_FALSE(connect(both, s256).resumed);
}

TEST_F(Resumption, UnknownTicketFromAnotherServer) {
  const auto c = build(client_builder());
  const auto s1 = build(server_builder());
  const auto s2 = build(server_builder());  // its own random ticket key
  connect(c, s1);
  EXPECT_FALSE(connect(c, s2).resumed);
}

TEST_F(Resumption, AnotherServerNameNotUsed) {
  const auto c = build(client_builder());
  const auto s = build(server_builder());
  connect(c, s, "localhost");
  ASSERT_EQ(cache->size(), 2u);
  {
    // The client does not offer localhost's tickets to another name (the certificate does not
    // match that name, so the handshake fails; the tickets stay).
    Connection client = Connection::client(c, "other.example");
    Connection server = Connection::server(s);
    run(client, server);
    EXPECT_FALSE(server.negotiated().resumed);
    EXPECT_EQ(cache->size(), 2u);
  }
  // A localhost ticket offered under another name: the server refuses it (SNI differs) and
  // runs a full handshake.
  std::optional<ClientSession> t = cache->take("localhost");
  ASSERT_TRUE(t);
  cache->put("other.example", std::move(*t));
  Connection client = Connection::client(c, "other.example");
  Connection server = Connection::server(s);
  run(client, server);
  EXPECT_FALSE(server.negotiated().resumed);
  EXPECT_TRUE(client.failed());  // the full handshake's certificate is not for other.example
  EXPECT_EQ(cache->size(), 1u);  // the moved ticket was offered (used once)
}

TEST_F(Resumption, MultipleTicketsEachUsedOnce) {
  const auto c = build(client_builder());
  const auto s = build(server_builder().tickets(4));
  connect(c, s);
  EXPECT_EQ(cache->size(), 4u);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(connect(c, s).resumed);
}

TEST_F(Resumption, TicketsDisabled) {
  const auto c = build(client_builder());
  const auto s = build(server_builder().tickets(0));
  connect(c, s);
  EXPECT_EQ(cache->size(), 0u);
  EXPECT_FALSE(connect(c, s).resumed);
}

TEST_F(Resumption, LifetimeLimits) {
  TlsError e;
  EXPECT_EQ(ConfigBuilder().ticket_lifetime(604801).build(&e), nullptr);
  EXPECT_EQ(ConfigBuilder().ticket_lifetime(0).build(&e), nullptr);
  EXPECT_NE(ConfigBuilder().ticket_lifetime(604800).build(&e), nullptr);
}

TEST(SessionCodec, ClientSessionRoundTripAndTruncation) {
  ClientSession s;
  s.suite = 0x1301;
  ASSERT_EQ(s.psk.assign(std::vector<uint8_t>(32, 7)), Status::kOk);
  s.ticket = {1, 2, 3};
  s.lifetime_s = 7200;
  s.server_name = "localhost";
  std::vector<uint8_t> enc;
  ASSERT_TRUE(encode_client_session(&enc, s));
  ClientSession d;
  ASSERT_TRUE(decode_client_session(&d, enc));
  EXPECT_EQ(d.ticket, s.ticket);
  EXPECT_EQ(d.server_name, s.server_name);
  for (size_t n = 0; n < enc.size(); ++n) {
    EXPECT_FALSE(decode_client_session(&d, Bytes(enc).first(n))) << n;
  }
}

TEST(SessionCodec, ServerStateRejectsOtherVersions) {
  ServerSessionState s;
  s.suite = 0x1301;
  ASSERT_EQ(s.psk.assign(std::vector<uint8_t>(32, 7)), Status::kOk);
  std::vector<uint8_t> enc;
  ASSERT_TRUE(encode_server_session_state(&enc, s));
  ServerSessionState d;
  EXPECT_TRUE(decode_server_session_state(&d, enc));
  enc[0] = 2;
  EXPECT_FALSE(decode_server_session_state(&d, enc));
}

}  // namespace
}  // namespace volley::tls
