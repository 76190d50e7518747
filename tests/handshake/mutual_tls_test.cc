// Mutual TLS (RFC 8446 §4.3.2, §4.4.2-§4.4.4) between a volley client and a volley server in
// memory: every client_auth mode against a good, missing, expired and untrusted client
// certificate with the alert each side ends with; a server certificate refused as a client one;
// a bad client signature; the client's scheme following the server's list; what the
// CertificateRequest carries; the client's names read on the server (certificate_names).
#include <gtest/gtest.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include <chrono>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "handshake/messages/certificate_authorities.h"
#include "handshake/messages/extensions.h"
#include "handshake/testing/message_hooks.h"
#include "volley/pki.h"
#include "volley/tls.h"

namespace volley::tls {
namespace {

const char kPki[] = "tests/pki/";

VerifyTime test_time() {
  using namespace std::chrono;
  return sys_seconds(sys_days(year{2030} / January / 1));
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

// client_config: a client trusting the test root, presenting |leaf| (none if empty).
std::shared_ptr<const Config> client_config(const std::string& leaf) {
  ConfigBuilder b;
  b.verifier(root_verifier()).verify_time(test_time());
  if (!leaf.empty()) b.credential(credential(leaf));
  TlsError e;
  auto c = b.build(&e);
  EXPECT_NE(c, nullptr) << (e.reason ? e.reason : "");
  return c;
}

ConfigBuilder server_builder(ClientAuth mode) {
  ConfigBuilder b;
  b.credential(credential("server-ecdsa-p256"))
      .verifier(root_verifier())
      .verify_time(test_time())
      .client_auth(mode);
  return b;
}

std::shared_ptr<const Config> server_config(ClientAuth mode) {
  TlsError e;
  auto c = server_builder(mode).build(&e);
  EXPECT_NE(c, nullptr) << (e.reason ? e.reason : "");
  return c;
}

std::string why(const Connection& c) {
  return std::string(alert_name(c.error().alert)) + ": " +
         (c.error().reason != nullptr ? c.error().reason : "");
}

struct Pair {
  Connection client;
  Connection server;
};

// run moves bytes both ways until neither side has anything to send (bounded).
Pair run(std::shared_ptr<const Config> client, std::shared_ptr<const Config> server) {
  Pair p{Connection::client(client, "localhost"), Connection::server(server)};
  for (int round = 0; round < 32; ++round) {
    size_t moved = 0;
    for (auto [from, to] : {std::pair{&p.client, &p.server}, std::pair{&p.server, &p.client}}) {
      const Bytes out = from->pending_output();
      const std::vector<uint8_t> bytes(out.begin(), out.end());
      from->consume_output(bytes.size());
      to->receive(bytes);
      moved += bytes.size();
    }
    if (moved == 0) return p;
  }
  ADD_FAILURE() << "the connections kept talking for 32 rounds";
  return p;
}

// expect_data_flows checks that application data goes both ways.
void expect_data_flows(Pair& p) {
  const uint8_t up[] = {'u', 'p'}, down[] = {'d', 'o', 'w', 'n'};
  ASSERT_EQ(p.client.write(up), sizeof(up));
  ASSERT_EQ(p.server.write(down), sizeof(down));
  for (auto [from, to] : {std::pair{&p.client, &p.server}, std::pair{&p.server, &p.client}}) {
    const Bytes out = from->pending_output();
    const std::vector<uint8_t> bytes(out.begin(), out.end());
    from->consume_output(bytes.size());
    to->receive(bytes);
  }
  uint8_t buf[16];
  EXPECT_EQ(p.server.read(buf), sizeof(up));
  EXPECT_EQ(p.client.read(buf), sizeof(down));
}

// The matrix: each client_auth mode against each kind of client certificate.
struct Case {
  ClientAuth mode;
  const char* leaf;  // "" : the client has no credential
  // nullopt: both connected; otherwise the alert the server sends and the client receives.
  std::optional<AlertDescription> alert;
  bool authenticated;  // the server ends with the client's chain
};

std::string mode_name(ClientAuth m) {
  return m == ClientAuth::kNone ? "none" : m == ClientAuth::kOptional ? "optional" : "required";
}

TEST(MutualTls, EveryModeAgainstEveryClientCertificate) {
  using A = AlertDescription;
  const Case cases[] = {
      {ClientAuth::kNone, "client-ecdsa-p256", std::nullopt, false},
      {ClientAuth::kNone, "", std::nullopt, false},
      {ClientAuth::kNone, "client-expired-ecdsa-p256", std::nullopt, false},
      {ClientAuth::kNone, "client-unknown-ca-ecdsa-p256", std::nullopt, false},
      {ClientAuth::kOptional, "client-ecdsa-p256", std::nullopt, true},
      {ClientAuth::kOptional, "", std::nullopt, false},
      {ClientAuth::kOptional, "client-expired-ecdsa-p256", A::kCertificateExpired, false},
      {ClientAuth::kOptional, "client-unknown-ca-ecdsa-p256", A::kUnknownCa, false},
      {ClientAuth::kRequired, "client-ecdsa-p256", std::nullopt, true},
      {ClientAuth::kRequired, "", A::kCertificateRequired, false},
      {ClientAuth::kRequired, "client-expired-ecdsa-p256", A::kCertificateExpired, false},
      {ClientAuth::kRequired, "client-unknown-ca-ecdsa-p256", A::kUnknownCa, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(mode_name(c.mode) + " / " + (*c.leaf ? c.leaf : "no certificate"));
    Pair p = run(client_config(c.leaf), server_config(c.mode));
    if (!c.alert) {
      ASSERT_TRUE(p.client.is_connected()) << why(p.client);
      ASSERT_TRUE(p.server.is_connected()) << why(p.server);
      EXPECT_EQ(p.server.negotiated().peer_certificates.size(), c.authenticated ? 2u : 0u);
      if (c.authenticated) {
        EXPECT_EQ(p.server.negotiated().peer_signature_scheme,
                  SignatureScheme::kEcdsaSecp256r1Sha256);
      }
      expect_data_flows(p);
      continue;
    }
    ASSERT_TRUE(p.server.failed());
    EXPECT_EQ(p.server.error().alert, *c.alert) << why(p.server);
    EXPECT_FALSE(p.server.error_from_peer());
    EXPECT_TRUE(p.server.negotiated().peer_certificates.empty());
    // The client sent its Finished and took itself for connected; the server's alert ends it.
    ASSERT_TRUE(p.client.failed());
    EXPECT_EQ(p.client.error().alert, *c.alert) << why(p.client);
    EXPECT_TRUE(p.client.error_from_peer());
  }
}

// A leaf whose extendedKeyUsage is serverAuth only is not a client certificate
// (X509_V_ERR_INVALID_PURPOSE: unsupported_certificate).
TEST(MutualTls, ServerCertificateRefusedAsClientCertificate) {
  for (ClientAuth mode : {ClientAuth::kOptional, ClientAuth::kRequired}) {
    SCOPED_TRACE(mode_name(mode));
    Pair p = run(client_config("server-ecdsa-p256"), server_config(mode));
    ASSERT_TRUE(p.server.failed());
    EXPECT_EQ(p.server.error().alert, AlertDescription::kUnsupportedCertificate) << why(p.server);
    ASSERT_TRUE(p.client.failed());
    EXPECT_EQ(p.client.error().alert, AlertDescription::kUnsupportedCertificate);
    EXPECT_TRUE(p.client.error_from_peer());
  }
}

// Every client key type signs with the first scheme of the server's list it can use.
TEST(MutualTls, ClientSchemeFollowsTheServersList) {
  using S = SignatureScheme;
  const struct {
    const char* leaf;
    std::vector<S> server_list;
    S expected;
  } cases[] = {
      {"client-ecdsa-p256", {S::kEd25519, S::kEcdsaSecp256r1Sha256}, S::kEcdsaSecp256r1Sha256},
      {"client-ed25519", {S::kEcdsaSecp256r1Sha256, S::kEd25519}, S::kEd25519},
      {"client-rsa-2048",
       {S::kRsaPssRsaeSha512, S::kRsaPssRsaeSha256, S::kRsaPssRsaeSha384},
       S::kRsaPssRsaeSha512},
      {"client-rsa-2048", {S::kRsaPssRsaeSha384, S::kRsaPssRsaeSha256}, S::kRsaPssRsaeSha384},
      {"client-rsa-pss-2048",
       {S::kRsaPssRsaeSha256, S::kRsaPssPssSha384, S::kRsaPssPssSha256},
       S::kRsaPssPssSha384},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.leaf);
    TlsError e;
    auto server = server_builder(ClientAuth::kRequired).signature_schemes(c.server_list).build(&e);
    ASSERT_NE(server, nullptr) << e.reason;
    Pair p = run(client_config(c.leaf), server);
    ASSERT_TRUE(p.server.is_connected()) << why(p.server);
    ASSERT_TRUE(p.client.is_connected()) << why(p.client);
    EXPECT_EQ(p.server.negotiated().peer_signature_scheme, c.expected)
        << signature_scheme_name(p.server.negotiated().peer_signature_scheme);
    EXPECT_EQ(p.server.negotiated().peer_certificates.size(), 2u);
  }
}

// A client whose key can sign with none of the server's schemes sends an empty Certificate: fine
// when optional, certificate_required when required.
TEST(MutualTls, NoCommonSchemeSendsAnEmptyCertificate) {
  for (ClientAuth mode : {ClientAuth::kOptional, ClientAuth::kRequired}) {
    SCOPED_TRACE(mode_name(mode));
    TlsError e;
    auto server = server_builder(mode)
                      .signature_schemes({SignatureScheme::kEcdsaSecp256r1Sha256})
                      .build(&e);
    ASSERT_NE(server, nullptr) << e.reason;
    Pair p = run(client_config("client-ed25519"), server);
    if (mode == ClientAuth::kOptional) {
      ASSERT_TRUE(p.server.is_connected()) << why(p.server);
      EXPECT_TRUE(p.server.negotiated().peer_certificates.empty());
    } else {
      ASSERT_TRUE(p.server.failed());
      EXPECT_EQ(p.server.error().alert, AlertDescription::kCertificateRequired);
    }
  }
}

// The server reads who the client is from the verified chain.
TEST(MutualTls, ServerReadsTheClientsNames) {
  Pair p = run(client_config("client-rsa-pss-2048"), server_config(ClientAuth::kRequired));
  ASSERT_TRUE(p.server.is_connected()) << why(p.server);
  const auto& chain = p.server.negotiated().peer_certificates;
  ASSERT_FALSE(chain.empty());
  CertificateNames names;
  ASSERT_TRUE(certificate_names(&names, chain.front()).ok());
  EXPECT_EQ(names.subject, "CN=volley test client rsa-pss-2048");
  EXPECT_EQ(names.dns, std::vector<std::string>{"client.volley.test"});
  EXPECT_EQ(names.ip, std::vector<std::string>{"192.0.2.7"});
  EXPECT_EQ(names.email, std::vector<std::string>{"client@volley.test"});
  // The intermediate: a subject and no subjectAltName.
  ASSERT_TRUE(certificate_names(&names, chain.back()).ok());
  EXPECT_EQ(names.subject, "CN=volley test intermediate CA");
  EXPECT_TRUE(names.dns.empty() && names.ip.empty() && names.email.empty());
}

TEST(CertificateNames, ServerLeafAndGarbage) {
  std::ifstream f(std::string(kPki) + "server-ecdsa-p256.pem");
  std::stringstream pem;
  pem << f.rdbuf();
  // The PEM's DER through libcrypto, independently of volley's credential.
  const std::string text = pem.str();
  BIO* bio = BIO_new_mem_buf(text.data(), static_cast<int>(text.size()));
  X509* x = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  ASSERT_NE(x, nullptr);
  unsigned char* der = nullptr;
  const int len = i2d_X509(x, &der);
  X509_free(x);
  ASSERT_GT(len, 0);
  const std::vector<uint8_t> cert(der, der + len);
  OPENSSL_free(der);

  CertificateNames names;
  ASSERT_TRUE(certificate_names(&names, cert).ok());
  EXPECT_EQ(names.subject, "CN=localhost");
  EXPECT_EQ(names.dns, std::vector<std::string>{"localhost"});
  EXPECT_EQ(names.ip, std::vector<std::string>{"127.0.0.1"});
  EXPECT_TRUE(names.email.empty());

  names.subject = "unchanged";
  std::vector<uint8_t> trailing = cert;
  trailing.push_back(0);
  for (const std::vector<uint8_t>& bad :
       {std::vector<uint8_t>{}, std::vector<uint8_t>{0x30, 0x03, 0x02, 0x01, 0x01}, trailing}) {
    EXPECT_EQ(certificate_names(&names, bad).alert, AlertDescription::kBadCertificate);
  }
  EXPECT_EQ(names.subject, "unchanged");
}

// RecordingHooks notes the extension types of each outgoing message, leaving them alone.
class RecordingHooks final : public testing::MessageHooks {
 public:
  void rewrite_extensions(ExtensionContext context, std::vector<Extension>* ext) override {
    if (context == ExtensionContext::kClientHello) client_hello = *ext;
    if (context == ExtensionContext::kCertificateRequest) {
      certificate_request = *ext;
      for (const Extension& x : *ext) bodies.emplace_back(x.body.begin(), x.body.end());
      for (size_t i = 0; i < ext->size(); ++i) certificate_request[i].body = bodies[i];
    }
  }
  std::vector<Extension> client_hello, certificate_request;
  std::vector<std::vector<uint8_t>> bodies;
};

// The CertificateRequest offers the verifier's schemes and names the trusted root; the client
// offers no post_handshake_auth (post-handshake authentication is not supported).
TEST(MutualTls, WhatTheRequestCarries) {
  RecordingHooks hooks;
  const testing::ScopedMessageHooks scope(&hooks);
  Pair p = run(client_config("client-ecdsa-p256"), server_config(ClientAuth::kOptional));
  ASSERT_TRUE(p.server.is_connected()) << why(p.server);
  EXPECT_EQ(find_extension(hooks.client_hello, ExtensionType::kPostHandshakeAuth), nullptr);
  ASSERT_NE(find_extension(hooks.certificate_request, ExtensionType::kSignatureAlgorithms),
            nullptr);
  const Extension* cas =
      find_extension(hooks.certificate_request, ExtensionType::kCertificateAuthorities);
  ASSERT_NE(cas, nullptr);
  std::vector<Bytes> names;
  ASSERT_TRUE(decode_certificate_authorities(&names, cas->body).ok());
  ASSERT_EQ(names.size(), 1u);
  const unsigned char* p_der = names[0].data();
  X509_NAME* name = d2i_X509_NAME(nullptr, &p_der, static_cast<long>(names[0].size()));
  ASSERT_NE(name, nullptr);
  char text[256];
  X509_NAME_oneline(name, text, sizeof(text));
  X509_NAME_free(name);
  EXPECT_STREQ(text, "/CN=volley test root CA");
}

TEST(MutualTls, CertificateAuthoritiesCodec) {
  const uint8_t a[] = {0x30, 0x00}, b[] = {0x31};
  const Bytes names[] = {a, b};
  std::vector<uint8_t> body;
  WireWriter w(&body);
  encode_certificate_authorities(w, names);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(body, (std::vector<uint8_t>{0x00, 0x07, 0x00, 0x02, 0x30, 0x00, 0x00, 0x01, 0x31}));
  std::vector<Bytes> got;
  ASSERT_TRUE(decode_certificate_authorities(&got, body).ok());
  ASSERT_EQ(got.size(), 2u);
  for (const std::vector<uint8_t>& bad : std::vector<std::vector<uint8_t>>{
           {}, {0x00}, {0x00, 0x00}, {0x00, 0x02, 0x00, 0x00}, {0x00, 0x03, 0x00, 0x00, 0x00},
           {0x00, 0x03, 0x00, 0x02, 0x30}, {0x00, 0x03, 0x00, 0x01, 0x30, 0x00}}) {
    EXPECT_EQ(decode_certificate_authorities(&got, bad).alert, AlertDescription::kDecodeError);
  }
  std::vector<uint8_t> empty_out;
  WireWriter e(&empty_out);
  encode_certificate_authorities(e, {});
  EXPECT_FALSE(e.ok());
}

// BadSigner is a client credential whose CertificateVerify signature has one bit flipped.
class BadSigner final : public SigningCredential {
 public:
  explicit BadSigner(std::shared_ptr<const SigningCredential> inner) : inner_(std::move(inner)) {}
  std::span<const Bytes> chain() const override { return inner_->chain(); }
  std::span<const SignatureScheme> schemes() const override { return inner_->schemes(); }
  TlsError sign(std::vector<uint8_t>* signature, SignatureScheme scheme,
                Bytes content) const override {
    const TlsError e = inner_->sign(signature, scheme, content);
    if (e.ok() && !signature->empty()) signature->back() ^= 1;
    return e;
  }

 private:
  std::shared_ptr<const SigningCredential> inner_;
};

// A client CertificateVerify that does not verify is decrypt_error (RFC 8446 §4.4.3), for every
// key type.
TEST(MutualTls, BadClientSignatureIsDecryptError) {
  for (const char* leaf : {"client-ecdsa-p256", "client-ed25519", "client-rsa-2048"}) {
    SCOPED_TRACE(leaf);
    TlsError e;
    auto client = ConfigBuilder()
                      .verifier(root_verifier())
                      .verify_time(test_time())
                      .credential(std::make_shared<BadSigner>(credential(leaf)))
                      .build(&e);
    ASSERT_NE(client, nullptr) << e.reason;
    Pair p = run(client, server_config(ClientAuth::kOptional));
    ASSERT_TRUE(p.server.failed());
    EXPECT_EQ(p.server.error().alert, AlertDescription::kDecryptError) << why(p.server);
    ASSERT_TRUE(p.client.failed());
    EXPECT_EQ(p.client.error().alert, AlertDescription::kDecryptError);
  }
}

// A hashed directory's roots are looked up on demand: that verifier names no CA, and the
// CertificateRequest then carries no certificate_authorities.
TEST(MutualTls, NoCertificateAuthoritiesFromADirectory) {
  TlsError e;
  auto dir = make_openssl_verifier_from_ca_dir(kPki, &e);
  ASSERT_NE(dir, nullptr) << e.reason;
  EXPECT_TRUE(dir->certificate_authorities().empty());
  EXPECT_EQ(root_verifier()->certificate_authorities().size(), 1u);
  RecordingHooks hooks;
  const testing::ScopedMessageHooks scope(&hooks);
  auto server = server_builder(ClientAuth::kOptional).verifier(dir).build(&e);
  ASSERT_NE(server, nullptr) << e.reason;
  Pair p = run(client_config(""), server);
  ASSERT_TRUE(p.server.is_connected()) << why(p.server);
  EXPECT_NE(find_extension(hooks.certificate_request, ExtensionType::kSignatureAlgorithms),
            nullptr);
  EXPECT_EQ(find_extension(hooks.certificate_request, ExtensionType::kCertificateAuthorities),
            nullptr);
}

TEST(MutualTls, ConfigNeedsAVerifier) {
  TlsError e;
  EXPECT_EQ(ConfigBuilder()
                .credential(credential("server-ecdsa-p256"))
                .client_auth(ClientAuth::kRequired)
                .build(&e),
            nullptr);
  EXPECT_EQ(e.alert, AlertDescription::kInternalError);
}

}  // namespace
}  // namespace volley::tls
