// RFC 8448's traces replayed byte for byte (§3 1-RTT, §5 HelloRetryRequest, and the
// middlebox-compatibility and client-authentication traces of transcripts.vec), once with volley as the client against the
// server's records and once as the server against the client's, on every AES-GCM backend this
// CPU runs (the traces negotiate TLS_AES_128_GCM_SHA256 only).
//
// What makes the bytes line up, and what each side is given:
// - Randomness: the section's RNG pool is the config's random source. volley draws, in order,
//   client: random (32), legacy_session_id (32, middlebox mode only), one key share per group
//   (32 each, again for the HelloRetryRequest's group); server: random (32), key share (32).
//   The pools hold exactly that, except §3's server pool, whose last 4 bytes are the ticket's
//   age_add: volley issues no tickets yet (issue 17).
// - Extensions volley does not write (NSS's renegotiation_info, session_ticket, padding, its
//   secp521r1/FFDHE groups and DSA schemes; the server's cookie and supported_groups in
//   EncryptedExtensions) come from the trace through handshake/testing/message_hooks.h, in the
//   trace's order; every extension volley does write keeps volley's own bytes, so the record
//   comparison checks them. What the peer sends is processed as from any peer.
// - The server's RSA-PSS signature is randomised: a test credential checks that it is asked to
//   sign exactly Server_MessageToSign and returns the RFC's signature. The client's verifier is
//   libcrypto's, loosened to RSA-1024 and the trace's time, and skips the host name: the RFC's
//   certificate names "rsa" while its client asks for "server".
#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "handshake/messages/certificate_request.h"
#include "handshake/messages/client_hello.h"
#include "handshake/messages/encrypted_extensions.h"
#include "handshake/messages/extensions.h"
#include "handshake/messages/server_hello.h"
#include "handshake/pki/openssl_credential.h"
#include "handshake/pki/openssl_verifier.h"
#include "handshake/testing/message_hooks.h"
#include "tests/handshake/rfc8448_messages.h"
#include "tests/harness/vectors.h"
#include "volley/dispatch.h"
#include "volley/tls.h"

namespace volley::tls {
namespace {

using test::load_rfc8448_trace;
using test::Rfc8448Trace;
using Vec = std::vector<uint8_t>;
constexpr size_t kRecordHeader = 5, kMessageHeader = 4;

// Section is one trace and the volley configuration that plays its client and server.
struct Section {
  const char* name;
  bool middlebox;  // the client sends a legacy_session_id and change_cipher_spec
  std::vector<NamedGroup> client_groups;
  std::vector<NamedGroup> server_groups;  // the server's preference; §5's asks for secp256r1
  // NSS's supported_groups lists secp521r1 and FFDHE groups volley lacks in §3 and the
  // middlebox trace; in §5 it is x25519, secp256r1, secp384r1, which volley writes itself.
  bool client_groups_from_trace;
  // §5's server wants secp256r1 although the client sent an x25519 share.
  bool strict_server_groups;
};

const Section kSimple{"[Simple_1RTT_Handshake]", false, {NamedGroup::kX25519},
                      {NamedGroup::kX25519, NamedGroup::kSecp256r1}, true, false};
const Section kHelloRetry{
    "[HelloRetryRequest_Handshake]", false,
    {NamedGroup::kX25519, NamedGroup::kSecp256r1, NamedGroup::kSecp384r1},
    {NamedGroup::kSecp256r1, NamedGroup::kSecp384r1, NamedGroup::kX25519}, false, true};
const Section kMiddlebox{"[Middlebox_Compatibility_Mode]", true, {NamedGroup::kX25519},
                         {NamedGroup::kX25519, NamedGroup::kSecp256r1}, true, false};

std::string hex_of(Bytes b) { return test::to_hex(b.data(), b.size()); }

std::string read_text(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// Pool serves a trace's RNG pool in order and fails when it runs dry, so a draw volley makes that
// the trace's implementation did not make shows up as a failed handshake.
struct Pool {
  Vec bytes;
  size_t used = 0;

  static bool fill(void* self, MutableBytes out) {
    auto* p = static_cast<Pool*>(self);
    if (out.size() > p->bytes.size() - p->used) return false;
    std::copy_n(p->bytes.begin() + static_cast<ptrdiff_t>(p->used), out.size(), out.begin());
    p->used += out.size();
    return true;
  }
};

// expect_output checks that |conn|'s pending output is exactly |records| in order, then consumes
// it. A difference names the record and its first differing offset.
void expect_output(Connection& conn, std::initializer_list<std::pair<const char*, const Vec*>> records) {
  const Bytes out = conn.pending_output();
  size_t at = 0;
  for (const auto& [name, expected] : records) {
    const Bytes got = out.subspan(at, std::min(expected->size(), out.size() - at));
    const auto diff = std::mismatch(got.begin(), got.end(), expected->begin(), expected->end());
    const size_t offset = static_cast<size_t>(diff.first - got.begin());
    if (offset != expected->size()) {
      ADD_FAILURE() << name << ": first difference at offset " << offset << " of "
                    << expected->size() << " bytes"
                    << (offset < got.size() ? "" : " (volley's output ends there)")
                    << "\n  expected " << hex_of(Bytes(*expected).subspan(offset))
                    << "\n  volley   " << hex_of(got.subspan(offset));
      conn.consume_output(out.size());
      return;
    }
    at += expected->size();
  }
  EXPECT_EQ(at, out.size()) << "volley wrote more: " << hex_of(out.subspan(at));
  conn.consume_output(out.size());
}

// extensions_of decodes the extension list of a hello or EncryptedExtensions message (4-byte
// header included) of the trace; the views point into |message|.
std::vector<Extension> extensions_of(ExtensionContext context, const Vec& message) {
  const Bytes body = Bytes(message).subspan(kMessageHeader);
  TlsError e;
  std::vector<Extension> out;
  if (context == ExtensionContext::kClientHello) {
    ClientHello ch;
    e = decode_client_hello(&ch, body);
    out = ch.extensions;
  } else if (context == ExtensionContext::kEncryptedExtensions) {
    EncryptedExtensions ee;
    e = decode_encrypted_extensions(&ee, body);
    out = ee.extensions;
  } else if (context == ExtensionContext::kCertificateRequest) {
    CertificateRequest cr;
    e = decode_certificate_request(&cr, body);
    out = cr.extensions;
  } else {
    ServerHello sh;
    e = decode_server_hello(&sh, body);
    out = sh.extensions;
  }
  EXPECT_TRUE(e.ok()) << e.reason;
  return out;
}

// TraceHooks makes volley's outgoing extension lists the trace's: the trace's order, the trace's
// body for the types in a message's |foreign| list (what the RFC's implementation sent and volley
// does not), volley's own body for every other type, which volley must have written. An
// extension volley wrote that the trace lacks is a failure.
class TraceHooks final : public testing::MessageHooks {
 public:
  struct Target {
    ExtensionContext context;
    Vec message;  // the trace's message, 4-byte header included
    std::vector<ExtensionType> foreign;
  };

  explicit TraceHooks(std::vector<Target> targets, Vec post_handshake = {})
      : targets_(std::move(targets)), post_handshake_(std::move(post_handshake)) {}

  void rewrite_extensions(ExtensionContext context, std::vector<Extension>* ours) override {
    auto t = std::find_if(targets_.begin(), targets_.end(),
                          [context](const Target& x) { return x.context == context; });
    if (t == targets_.end()) return;  // this message is volley's as it is
    const Target target = *t;
    targets_.erase(t);  // a second ClientHello takes the next target of its kind
    std::vector<Extension> out;
    for (const Extension& theirs : extensions_of(context, target.message)) {
      if (std::find(target.foreign.begin(), target.foreign.end(), theirs.type) !=
          target.foreign.end()) {
        out.push_back(Extension{theirs.type, body_from_trace(theirs.body)});
        continue;
      }
      const Extension* mine = find_extension(*ours, theirs.type);
      if (mine == nullptr) {
        ADD_FAILURE() << "volley did not write extension " << static_cast<int>(theirs.type);
        continue;
      }
      out.push_back(*mine);
    }
    for (const Extension& mine : *ours) {
      if (find_extension(out, mine.type) == nullptr &&
          std::find(target.foreign.begin(), target.foreign.end(), mine.type) ==
              target.foreign.end()) {
        ADD_FAILURE() << "volley wrote extension " << static_cast<int>(mine.type)
                      << " the trace does not have";
      }
    }
    *ours = std::move(out);
  }

  Bytes server_post_handshake() override { return post_handshake_; }

 private:
  // body_from_trace keeps a copy of a trace body for as long as the hooks live.
  Bytes body_from_trace(Bytes body) {
    bodies_.emplace_back(body.begin(), body.end());
    return bodies_.back();
  }

  std::vector<Target> targets_;
  Vec post_handshake_;
  std::deque<Vec> bodies_;  // a deque: adding one moves no other
};

// TraceVerifier is the RFC client's view of the server: libcrypto's verifier trusting the RFC's
// self-signed RSA-1024 certificate (allowed below volley's 2048-bit policy), checked at the
// trace's time; the host is not checked (the certificate is for "rsa", the client asks for
// "server"). The CertificateVerify content must be Server_MessageToSign, and its signature is
// verified for real. The client authentication trace uses it the other way too (|peer|): the
// server's view of the RFC client's self-signed RSA-1024 certificate, with no host.
class TraceVerifier final : public CertificateVerifier {
 public:
  struct Peer {
    const char* certificate;  // the self-signed certificate trusted, under rfc8448/
    const char* host;         // what volley must ask to check
    CertificateRole role;
  };
  static constexpr Peer kServer{"rfc8448/server_certificate.pem", "server",
                                CertificateRole::kServer};

  TraceVerifier(const Rfc8448Trace& trace, VerifyTime time, Peer peer = kServer)
      : to_sign_(peer.role == CertificateRole::kServer ? trace.server_message_to_sign
                                                        : trace.client_message_to_sign),
        time_(time),
        peer_(peer) {
    TlsError e;
    inner_ = ossl::make_openssl_verifier(ossl::CaSource::kFile,
                                         test::vector_path(peer.certificate),
                                         {.min_rsa_bits = 1024}, &e);
    EXPECT_NE(inner_, nullptr) << e.reason;
  }
  TlsError verify_chain(std::span<const Bytes> chain, std::string_view host, CertificateRole role,
                        VerifyTime now) const override {
    EXPECT_EQ(host, peer_.host);
    EXPECT_EQ(role, peer_.role);
    ++chains_;
    EXPECT_EQ(now, time_);
    return inner_->verify_chain(chain, "", role, now);
  }
  TlsError verify_signature(Bytes leaf, SignatureScheme scheme, Bytes content,
                            Bytes signature) const override {
    EXPECT_EQ(hex_of(content), hex_of(to_sign_)) << "the peer's CertificateVerify content";
    ++signatures_;
    return inner_->verify_signature(leaf, scheme, content, signature);
  }
  std::span<const SignatureScheme> supported_schemes() const override {
    return inner_->supported_schemes();
  }
  int chains() const { return chains_; }
  int signatures() const { return signatures_; }

 private:
  std::shared_ptr<const CertificateVerifier> inner_;
  Vec to_sign_;
  VerifyTime time_;
  Peer peer_;
  mutable int chains_ = 0, signatures_ = 0;
};

// TraceCredential is the RFC's server key: its certificate chain, and a signer that checks it is
// asked to sign Server_MessageToSign with rsa_pss_rsae_sha256 and answers the RFC's signature
// (RSA-PSS is randomised, so signing again could not give the trace's bytes).
class TraceCredential final : public SigningCredential {
 public:
  explicit TraceCredential(const Rfc8448Trace& trace)
      : to_sign_(trace.server_message_to_sign), signature_(trace.server_message_signature) {
    TlsError e;
    inner_ = ossl::make_openssl_credential(
        read_text(test::vector_path("rfc8448/server_certificate.pem")),
        read_text(test::vector_path("rfc8448/server_key.pem")), {.min_rsa_bits = 1024}, &e);
    EXPECT_NE(inner_, nullptr) << e.reason;
  }
  std::span<const Bytes> chain() const override { return inner_->chain(); }
  std::span<const SignatureScheme> schemes() const override { return kSchemes; }
  TlsError sign(std::vector<uint8_t>* signature, SignatureScheme scheme,
                Bytes content) const override {
    ++signed_;
    EXPECT_EQ(scheme, SignatureScheme::kRsaPssRsaeSha256);
    EXPECT_EQ(hex_of(content), hex_of(to_sign_)) << "the server's CertificateVerify content";
    *signature = signature_;
    return kTlsOk;
  }
  int signed_count() const { return signed_; }

 private:
  static constexpr SignatureScheme kSchemes[] = {SignatureScheme::kRsaPssRsaeSha256};
  std::shared_ptr<const SigningCredential> inner_;
  Vec to_sign_, signature_;
  mutable int signed_ = 0;
};

// RecordedCredential is a trace's key of which only the signature is known: the client
// authentication section's client (its private key is not in the vectors) and its server (an
// ECDSA P-256 key, not in the vectors either). Its chain is the PEM certificate; sign checks that
// it is asked to sign |to_sign| (unless empty) with |scheme| and answers the recorded signature
// (ECDSA and RSA-PSS are randomised: a real key could not give the trace's bytes anyway).
class RecordedCredential final : public SigningCredential {
 public:
  RecordedCredential(const char* certificate, SignatureScheme scheme, Vec to_sign, Vec signature)
      : scheme_(scheme), to_sign_(std::move(to_sign)), signature_(std::move(signature)) {
    const std::string pem = read_text(test::vector_path(certificate));
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    X509* x = bio != nullptr ? PEM_read_bio_X509(bio, nullptr, nullptr, nullptr) : nullptr;
    unsigned char* der = nullptr;
    const int len = x != nullptr ? i2d_X509(x, &der) : -1;
    EXPECT_GT(len, 0) << certificate;
    if (len > 0) der_.assign(der, der + len);
    OPENSSL_free(der);
    X509_free(x);
    BIO_free(bio);
    chain_[0] = Bytes(der_);
  }
  std::span<const Bytes> chain() const override { return chain_; }
  std::span<const SignatureScheme> schemes() const override { return {&scheme_, 1}; }
  TlsError sign(std::vector<uint8_t>* signature, SignatureScheme scheme,
                Bytes content) const override {
    ++signed_;
    EXPECT_EQ(scheme, scheme_);
    if (!to_sign_.empty()) {
      EXPECT_EQ(hex_of(content), hex_of(to_sign_)) << "the CertificateVerify content";
    }
    *signature = signature_;
    return kTlsOk;
  }
  int signed_count() const { return signed_; }

 private:
  SignatureScheme scheme_;
  Vec to_sign_, signature_, der_;
  Bytes chain_[1];
  mutable int signed_ = 0;
};

VerifyTime trace_time(const Rfc8448Trace& t) {
  return std::chrono::floor<std::chrono::seconds>(
      std::chrono::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(t.timestamp_ms)));
}

std::vector<std::string> aes_gcm_backends() {
  std::vector<std::string> names;
  for (const dispatch::Backend& b : dispatch::backends(dispatch::Family::kAesGcm)) {
    if (dispatch::available(b)) names.emplace_back(b.name);
  }
  EXPECT_FALSE(names.empty());
  return names;
}

// Vec of the message inside a plaintext handshake record.
Vec message_of(const Vec& record) { return Vec(record.begin() + kRecordHeader, record.end()); }

enum class Role : uint8_t { kClient, kServer };

// replay_application_phase runs what follows the handshake for |role|: the peer's application
// data is read and must be the trace's plaintext, ours must seal to the trace's record, then the
// close_notify alerts. Sections without application data go straight to closing.
void replay_application_phase(Connection& c, Role role, const Rfc8448Trace& t) {
  const bool client = role == Role::kClient;
  const Vec& peer_record = client ? t.server_app_data_record : t.client_app_data_record;
  const Vec& peer_plain = client ? t.server_app_data : t.client_app_data;
  const Vec& own_record = client ? t.client_app_data_record : t.server_app_data_record;
  const Vec& own_plain = client ? t.client_app_data : t.server_app_data;
  const Vec& own_close = client ? t.client_close_notify : t.server_close_notify;
  if (!peer_record.empty()) {
    c.receive(peer_record);
    Vec got(peer_plain.size() + 1);
    got.resize(c.read(got));
    EXPECT_EQ(hex_of(got), hex_of(peer_plain));
  }
  if (!own_record.empty()) {
    EXPECT_EQ(c.write(own_plain), own_plain.size());
    expect_output(c, {{client ? "Record_Client_AppData" : "Record_Server_AppData", &own_record}});
  }
  c.close();
  expect_output(
      c, {{client ? "Record_Client_CloseNotify" : "Record_Server_CloseNotify", &own_close}});
  c.receive(client ? t.server_close_notify : t.client_close_notify);
  EXPECT_EQ(c.state(), HandshakeState::kClosed) << c.error().reason;
}

void replay_as_client(const Section& s, const std::string& backend) {
  const Rfc8448Trace t = load_rfc8448_trace(s.name);
  Pool pool{t.client_rng_pool};
  // NSS's ClientHello extensions volley does not write: renegotiation_info and session_ticket
  // (TLS 1.2), signature_algorithms (it adds DSA schemes), psk_key_exchange_modes (sessions,
  // issue 17), padding (RFC 7685; volley does not pad), and in two traces supported_groups.
  std::vector<ExtensionType> foreign = {
      ExtensionType::kRenegotiationInfo, static_cast<ExtensionType>(35),  // session_ticket
      ExtensionType::kSignatureAlgorithms, ExtensionType::kPskKeyExchangeModes,
      ExtensionType::kPadding};
  if (s.client_groups_from_trace) foreign.push_back(ExtensionType::kSupportedGroups);
  std::vector<TraceHooks::Target> targets = {
      {ExtensionContext::kClientHello, message_of(t.client_hello_1), foreign}};
  if (!t.client_hello_2.empty()) {
    targets.push_back({ExtensionContext::kClientHello, message_of(t.client_hello_2), foreign});
  }
  TraceHooks hooks(targets);
  const testing::ScopedMessageHooks scope(&hooks);

  TlsError error;
  const auto config =
      ConfigBuilder()
          .cipher_suites({&kTlsAes128GcmSha256, &kTlsChaCha20Poly1305Sha256, &kTlsAes256GcmSha384})
          .groups(s.client_groups)
          .key_share_groups({NamedGroup::kX25519})
          .verifier(std::make_shared<TraceVerifier>(t, trace_time(t)))
          .verify_time(trace_time(t))
          .record_size_limit(16385)
          .middlebox_compatibility(s.middlebox)
          .aead_backend(backend)
          .random_source(&Pool::fill, &pool)
          .build(&error);
  ASSERT_NE(config, nullptr) << error.reason;
  Connection c = Connection::client(config, "server");
  expect_output(c, {{"Record_ClientHello_1", &t.client_hello_1}});
  if (!t.hello_retry_request.empty()) {
    c.receive(t.hello_retry_request);
    expect_output(c, {{"Record_ClientHello_2", &t.client_hello_2}});
  }
  c.receive(t.server_hello);
  c.receive(t.server_handshake);
  ASSERT_TRUE(c.is_connected()) << c.error().reason;
  expect_output(c, {{"Record_ClientFinished", &t.client_finished}});
  EXPECT_EQ(c.negotiated().hello_retry, !t.hello_retry_request.empty());

  if (!t.new_session_ticket.empty()) {
    c.receive(t.new_session_ticket);  // decoded and accepted; kept once sessions exist
    ASSERT_FALSE(c.failed()) << c.error().reason;
  }
  replay_application_phase(c, Role::kClient, t);
  EXPECT_EQ(pool.used, pool.bytes.size()) << "volley drew less than the trace's client";
}

void replay_as_server(const Section& s, const std::string& backend) {
  const Rfc8448Trace t = load_rfc8448_trace(s.name);
  Pool pool{t.server_rng_pool};
  std::vector<TraceHooks::Target> targets = {
      // The server's supported_groups (RFC 8446 §4.2.7: its preferences, which it may tell the
      // client) lists groups volley lacks; volley does not send it.
      {ExtensionContext::kEncryptedExtensions, t.encrypted_extensions,
       {ExtensionType::kSupportedGroups}}};
  if (!t.hello_retry_request.empty()) {
    // volley's server keeps its HelloRetryRequest state itself and sends no cookie; the trace's
    // server did. volley then requires the second ClientHello to echo it.
    targets.push_back({ExtensionContext::kHelloRetryRequest, message_of(t.hello_retry_request),
                       {ExtensionType::kCookie}});
  }
  // §3's NewSessionTicket: volley cannot issue tickets until issue 17. The RFC's message is sent
  // in its place through the hooks so that the application data and close_notify after it keep
  // their sequence numbers; its record is not compared, since its content is the trace's.
  TraceHooks hooks(targets, t.new_session_ticket_message);
  const testing::ScopedMessageHooks scope(&hooks);

  const auto credential = std::make_shared<TraceCredential>(t);
  TlsError error;
  const auto config = ConfigBuilder()
                          .credential(credential)
                          .groups(s.server_groups)
                          .strict_group_preference(s.strict_server_groups)
                          .aead_backend(backend)
                          .random_source(&Pool::fill, &pool)
                          .tickets(0)  // the trace's ticket, if any, comes from the hooks
                          .build(&error);
  ASSERT_NE(config, nullptr) << error.reason;
  Connection c = Connection::server(config);
  c.receive(t.client_hello_1);
  if (!t.hello_retry_request.empty()) {
    expect_output(c, {{"Record_HelloRetryRequest", &t.hello_retry_request}});
    c.receive(t.client_hello_2);
  }
  ASSERT_FALSE(c.failed()) << c.error().reason;
  expect_output(c, {{"Record_ServerHello", &t.server_hello},
                    {"Record_ServerHandshakeMessages", &t.server_handshake}});
  EXPECT_EQ(credential->signed_count(), 1);
  c.receive(t.client_finished);
  ASSERT_TRUE(c.is_connected()) << c.error().reason;
  EXPECT_EQ(c.pending_output().size(), t.new_session_ticket.size());
  c.consume_output(c.pending_output().size());

  replay_application_phase(c, Role::kServer, t);
  // §3's pool ends with the ticket's age_add (4 bytes), which volley does not draw yet.
  const size_t unused = t.new_session_ticket.empty() ? 0 : 4;
  EXPECT_EQ(pool.used + unused, pool.bytes.size()) << "volley drew less than the trace's server";
}

void replay_on_every_backend(const Section& s, void (*replay)(const Section&, const std::string&)) {
  for (const std::string& backend : aes_gcm_backends()) {
    SCOPED_TRACE(backend);
    replay(s, backend);
  }
}

// [Client_Authentication_Handshake] (Botan's trace of RFC 8448 §4's exchange): the server asks
// for a client certificate; the client answers with Certificate, CertificateVerify (a 1024-bit RSA
// key, rsa_pss_rsae_sha256: the first RSA scheme of the server's list) and Finished in one
// record. The server's certificate is ECDSA P-256 (server_certificate_client_auth.pem), the
// client's a self-signed RSA-1024 one (client_certificate.pem). Neither private key is in the
// vectors: both CertificateVerify signatures are the recorded ones (RecordedCredential), and
// each side's verifier checks the other's for real.
const char kClientAuthSection[] = "[Client_Authentication_Handshake]";
constexpr TraceVerifier::Peer kAuthServer{"rfc8448/server_certificate_client_auth.pem", "server",
                                          CertificateRole::kServer};
constexpr TraceVerifier::Peer kAuthClient{"rfc8448/client_certificate.pem", "",
                                          CertificateRole::kClient};

void replay_client_auth_as_client(const std::string& backend) {
  const Rfc8448Trace t = load_rfc8448_trace(kClientAuthSection);
  ASSERT_FALSE(t.client_message_signature.empty());
  Pool pool{t.client_rng_pool};
  // Botan's ClientHello: renegotiation_info, its supported_groups (FFDHE groups volley lacks),
  // signature_algorithms (PKCS#1 and SHA-1 schemes for certificates) and psk_key_exchange_modes
  // are the trace's.
  TraceHooks hooks({{ExtensionContext::kClientHello, message_of(t.client_hello_1),
                     {ExtensionType::kRenegotiationInfo, ExtensionType::kSupportedGroups,
                      ExtensionType::kSignatureAlgorithms, ExtensionType::kPskKeyExchangeModes}}});
  const testing::ScopedMessageHooks scope(&hooks);
  const auto credential = std::make_shared<RecordedCredential>(
      "rfc8448/client_certificate.pem", SignatureScheme::kRsaPssRsaeSha256,
      t.client_message_to_sign, t.client_message_signature);
  const auto verifier = std::make_shared<TraceVerifier>(t, trace_time(t), kAuthServer);
  TlsError error;
  const auto config = ConfigBuilder()
                          .cipher_suites({&kTlsAes128GcmSha256, &kTlsChaCha20Poly1305Sha256,
                                          &kTlsAes256GcmSha384})
                          .groups({NamedGroup::kX25519})
                          .verifier(verifier)
                          .credential(credential)
                          .verify_time(trace_time(t))
                          .record_size_limit(16385)
                          .middlebox_compatibility(false)
                          .aead_backend(backend)
                          .random_source(&Pool::fill, &pool)
                          .build(&error);
  ASSERT_NE(config, nullptr) << error.reason;
  Connection c = Connection::client(config, "server");
  expect_output(c, {{"Record_ClientHello_1", &t.client_hello_1}});
  c.receive(t.server_hello);
  c.receive(t.server_handshake);
  ASSERT_TRUE(c.is_connected()) << c.error().reason;
  EXPECT_EQ(verifier->chains(), 1);
  EXPECT_EQ(verifier->signatures(), 1);
  EXPECT_EQ(credential->signed_count(), 1);
  // Certificate, CertificateVerify and Finished, sealed in one record.
  expect_output(c, {{"Record_ClientFinished", &t.client_finished}});
  replay_application_phase(c, Role::kClient, t);
  EXPECT_EQ(pool.used, pool.bytes.size()) << "volley drew less than the trace's client";
}

void replay_client_auth_as_server(const std::string& backend) {
  const Rfc8448Trace t = load_rfc8448_trace(kClientAuthSection);
  ASSERT_FALSE(t.certificate_request.empty());
  Pool pool{t.server_rng_pool};
  // The trace's CertificateRequest offers Botan's signature_algorithms (the ClientHello's list)
  // and no certificate_authorities; volley's own would offer its verifier's schemes and the
  // trusted certificate's name. The client's CertificateVerify is still checked against
  // volley's list, which holds the scheme it uses.
  TraceHooks hooks({{ExtensionContext::kEncryptedExtensions, t.encrypted_extensions,
                     {ExtensionType::kSupportedGroups}},
                    {ExtensionContext::kCertificateRequest, t.certificate_request,
                     {ExtensionType::kSignatureAlgorithms, ExtensionType::kCertificateAuthorities}}});
  const testing::ScopedMessageHooks scope(&hooks);
  const auto credential = std::make_shared<RecordedCredential>(
      "rfc8448/server_certificate_client_auth.pem", SignatureScheme::kEcdsaSecp256r1Sha256,
      t.server_message_to_sign, t.server_message_signature);
  const auto verifier = std::make_shared<TraceVerifier>(t, trace_time(t), kAuthClient);
  TlsError error;
  const auto config = ConfigBuilder()
                          .credential(credential)
                          .verifier(verifier)
                          .verify_time(trace_time(t))
                          .client_auth(ClientAuth::kRequired)
                          .aead_backend(backend)
                          .random_source(&Pool::fill, &pool)
                          .tickets(0)  // the trace's server sends none
                          .build(&error);
  ASSERT_NE(config, nullptr) << error.reason;
  Connection c = Connection::server(config);
  c.receive(t.client_hello_1);
  ASSERT_FALSE(c.failed()) << c.error().reason;
  expect_output(c, {{"Record_ServerHello", &t.server_hello},
                    {"Record_ServerHandshakeMessages", &t.server_handshake}});
  EXPECT_EQ(credential->signed_count(), 1);
  c.receive(t.client_finished);
  ASSERT_TRUE(c.is_connected()) << c.error().reason;
  EXPECT_EQ(verifier->chains(), 1);
  EXPECT_EQ(verifier->signatures(), 1);
  ASSERT_EQ(c.negotiated().peer_certificates.size(), 1u);
  EXPECT_EQ(c.negotiated().peer_signature_scheme, SignatureScheme::kRsaPssRsaeSha256);
  CertificateNames names;
  ASSERT_TRUE(certificate_names(&names, c.negotiated().peer_certificates[0]).ok());
  EXPECT_EQ(names.subject, "CN=client");
  replay_application_phase(c, Role::kServer, t);
  EXPECT_EQ(pool.used, pool.bytes.size()) << "volley drew less than the trace's server";
}

// A server that did not ask for a certificate refuses the recorded client Certificate as
// unexpected_message. The handshake keys cover only the hellos, which are the trace's, so the
// client's record opens; what it holds comes where this server waits for Finished.
TEST(Rfc8448Trace, ClientAuthenticationFlightUnexpectedWithoutARequest) {
  const Rfc8448Trace t = load_rfc8448_trace(kClientAuthSection);
  Pool pool{t.server_rng_pool};
  TraceHooks hooks({{ExtensionContext::kEncryptedExtensions, t.encrypted_extensions,
                     {ExtensionType::kSupportedGroups}}});
  const testing::ScopedMessageHooks scope(&hooks);
  const auto config = ConfigBuilder()
                          .credential(std::make_shared<RecordedCredential>(
                              "rfc8448/server_certificate_client_auth.pem",
                              SignatureScheme::kEcdsaSecp256r1Sha256, Vec(), Vec()))
                          .random_source(&Pool::fill, &pool)
                          .build();
  ASSERT_NE(config, nullptr);
  Connection c = Connection::server(config);
  c.receive(t.client_hello_1);
  ASSERT_FALSE(c.failed()) << c.error().reason;
  c.consume_output(c.pending_output().size());
  c.receive(t.client_finished);
  ASSERT_TRUE(c.failed());
  EXPECT_EQ(c.error().alert, AlertDescription::kUnexpectedMessage) << c.error().reason;
}

TEST(Rfc8448Trace, ClientAuthenticationAsClient) {
  for (const std::string& backend : aes_gcm_backends()) {
    SCOPED_TRACE(backend);
    replay_client_auth_as_client(backend);
  }
}
TEST(Rfc8448Trace, ClientAuthenticationAsServer) {
  for (const std::string& backend : aes_gcm_backends()) {
    SCOPED_TRACE(backend);
    replay_client_auth_as_server(backend);
  }
}

// The cookie of §5's HelloRetryRequest (put there by the hooks) must come back unchanged: a
// second ClientHello with one of its bytes flipped is illegal_parameter (RFC 8446 §4.2.2).
TEST(Rfc8448Trace, ServerRefusesAChangedCookie) {
  const Rfc8448Trace t = load_rfc8448_trace(kHelloRetry.name);
  const Vec hrr = message_of(t.hello_retry_request);
  const Extension cookie = *find_extension(
      extensions_of(ExtensionContext::kHelloRetryRequest, hrr), ExtensionType::kCookie);
  TraceHooks hooks({{ExtensionContext::kHelloRetryRequest, hrr, {ExtensionType::kCookie}}});
  const testing::ScopedMessageHooks scope(&hooks);
  Vec hello2 = t.client_hello_2;
  const auto at = std::search(hello2.begin(), hello2.end(), cookie.body.begin(), cookie.body.end());
  ASSERT_NE(at, hello2.end());
  at[cookie.body.size() - 1] ^= 1;

  Pool pool{t.server_rng_pool};
  const auto config = ConfigBuilder()
                          .credential(std::make_shared<TraceCredential>(t))
                          .groups(kHelloRetry.server_groups)
                          .strict_group_preference(true)
                          .random_source(&Pool::fill, &pool)
                          .build();
  ASSERT_NE(config, nullptr);
  Connection c = Connection::server(config);
  c.receive(t.client_hello_1);
  ASSERT_FALSE(c.failed()) << c.error().reason;
  c.receive(hello2);
  ASSERT_TRUE(c.failed());
  EXPECT_EQ(c.error().alert, AlertDescription::kIllegalParameter) << c.error().reason;
  EXPECT_NE(std::string(c.error().reason).find("cookie"), std::string::npos) << c.error().reason;
}

TEST(Rfc8448Trace, Simple1RttAsClient) { replay_on_every_backend(kSimple, replay_as_client); }
TEST(Rfc8448Trace, Simple1RttAsServer) { replay_on_every_backend(kSimple, replay_as_server); }
TEST(Rfc8448Trace, HelloRetryRequestAsClient) {
  replay_on_every_backend(kHelloRetry, replay_as_client);
}
TEST(Rfc8448Trace, HelloRetryRequestAsServer) {
  replay_on_every_backend(kHelloRetry, replay_as_server);
}
TEST(Rfc8448Trace, MiddleboxCompatibilityAsClient) {
  replay_on_every_backend(kMiddlebox, replay_as_client);
}
TEST(Rfc8448Trace, MiddleboxCompatibilityAsServer) {
  replay_on_every_backend(kMiddlebox, replay_as_server);
}

}  // namespace
}  // namespace volley::tls
