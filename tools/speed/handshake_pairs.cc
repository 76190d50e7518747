#include "tools/speed/handshake_pairs.h"

#include <openssl/err.h>
#include <openssl/x509.h>

#include <cstdint>
#include <fstream>
#include <string_view>

#include "volley/cipher_suite.h"
#include "volley/named_group.h"

namespace volley::speed {
namespace {

using tls::Connection;

constexpr const char* kHost = "localhost";
constexpr const char* kLeaf = "server-ecdsa-p256";
constexpr const char* kSuiteName = "TLS_AES_128_GCM_SHA256";
// Flights of a full handshake without HelloRetryRequest: ClientHello, the server's flight, the
// client's Finished; the rest is slack for the pumps' alternation.
constexpr int kMaxPumps = 8;

bool readable(const std::string& path) { return std::ifstream(path).good(); }

void tally(WireTally* t, Bytes out) {
  if (t == nullptr) return;
  size_t at = 0;
  while (at + 5 <= out.size()) {
    const uint8_t type = out[at];
    const size_t length = size_t{out[at + 3]} << 8 | out[at + 4];
    if (at + 5 + length > out.size()) break;
    if (type == 22) t->plaintext_handshake += length;
    // The 16-byte tag is the same in every TLS 1.3 suite (RFC 8446 §5.2 with the §B.4 AEADs).
    if (type == 23 && length >= 17) {
      t->protected_inner += length - 16;
      ++t->protected_records;
    }
    at += 5 + length;
  }
  if (at != out.size()) t->malformed = true;
}

// move_bytes hands everything |from| has to send to |to|, counting it in |sent|.
void move_bytes(Connection& from, Connection& to, WireTally* sent) {
  const Bytes out = from.pending_output();
  if (out.empty()) return;
  tally(sent, out);
  const size_t n = out.size();
  to.receive(out);
  from.consume_output(n);
}

// why is a failure's reason, never null.
const char* why(const tls::TlsError& e) { return e.ok() ? "unknown reason" : e.reason; }

bool set_error(std::string* error, const std::string& what) {
  if (error != nullptr) *error = what;
  return false;
}

struct SslFree {
  void operator()(SSL* ssl) const noexcept { SSL_free(ssl); }
};
using SslPtr = std::unique_ptr<SSL, SslFree>;

// openssl_connect runs one handshake on a fresh client and server; false if either did not finish.
bool openssl_connect(SSL_CTX* client_ctx, SSL_CTX* server_ctx, SslPtr* client, SslPtr* server) {
  client->reset(SSL_new(client_ctx));
  server->reset(SSL_new(server_ctx));
  SSL* c = client->get();
  SSL* v = server->get();
  if (c == nullptr || v == nullptr) return false;
  BIO *cb = nullptr, *vb = nullptr;
  if (BIO_new_bio_pair(&cb, 0, &vb, 0) != 1) return false;
  // Each SSL takes its end of the pair as both read and write BIO (one reference).
  SSL_set_bio(c, cb, cb);
  SSL_set_bio(v, vb, vb);
  if (SSL_set1_host(c, kHost) != 1 || SSL_set_tlsext_host_name(c, kHost) != 1) return false;
  SSL_set_connect_state(c);
  SSL_set_accept_state(v);
  bool c_done = false, v_done = false;
  for (int i = 0; i < 2 * kMaxPumps && !(c_done && v_done); ++i) {
    if (!c_done) c_done = SSL_do_handshake(c) == 1;
    if (!v_done) v_done = SSL_do_handshake(v) == 1;
  }
  return c_done && v_done;
}

// pump_until_connected moves bytes between a new client and server until both are connected or
// stuck.
bool pump_until_connected(Connection& c, Connection& v, WireTally* client_sent,
                          WireTally* server_sent) {
  for (int i = 0; i < kMaxPumps && !(c.is_connected() && v.is_connected()); ++i) {
    move_bytes(c, v, client_sent);
    move_bytes(v, c, server_sent);
  }
  return c.is_connected() && v.is_connected();
}

std::string failure(const Connection& c, const Connection& v) {
  const tls::TlsError e = c.failed() ? c.error() : v.error();
  return std::string("volley handshake did not complete: ") + (e.ok() ? "no progress" : e.reason);
}

// openssl_byte sends one byte from |from| to |to| and reads it back out there.
bool openssl_byte(SSL* from, SSL* to, uint8_t value) {
  uint8_t got = static_cast<uint8_t>(~value);
  return SSL_write(from, &value, 1) == 1 && SSL_read(to, &got, 1) == 1 && got == value;
}

// volley_byte is the same between two volley connections.
bool volley_byte(Connection& from, Connection& to, uint8_t value) {
  uint8_t got = static_cast<uint8_t>(~value);
  if (from.write(Bytes(&value, 1)) != 1) return false;
  move_bytes(from, to, nullptr);
  return to.read(MutableBytes(&got, 1)) == 1 && got == value;
}

}  // namespace

bool load_handshake_pki(const std::string& dir, HandshakePki* out, std::string* error) {
  HandshakePki p;
  p.dir = dir;
  const std::string base = dir.empty() || dir.back() == '/' ? dir : dir + "/";
  p.root_pem = base + "root.pem";
  p.chain_pem = base + kLeaf + ".chain.pem";
  p.key_pem = base + kLeaf + ".key.pem";
  for (const std::string* path : {&p.root_pem, &p.chain_pem, &p.key_pem}) {
    if (!readable(*path)) {
      *error = "cannot read " + *path +
               ": the handshake needs the test PKI of tests/pki (run from the repository root, or "
               "give --pki DIR)";
      return false;
    }
  }
  tls::TlsError e;
  p.verifier = tls::make_openssl_verifier_from_ca_file(p.root_pem, &e);
  if (!p.verifier) return set_error(error, p.root_pem + ": " + why(e));
  p.credential = tls::make_openssl_credential_from_pem_files(p.chain_pem, p.key_pem, &e);
  if (!p.credential) return set_error(error, p.chain_pem + ": " + why(e));
  *out = std::move(p);
  return true;
}

bool VolleyPair::init(const HandshakePki& pki, std::string* error) {
  tls::ConfigBuilder common;
  common.cipher_suites({&kTlsAes128GcmSha256}).groups({tls::NamedGroup::kX25519});
  tls::TlsError e;
  client_ = tls::ConfigBuilder(common).verifier(pki.verifier).build(&e);
  if (!client_) return set_error(error, std::string("volley client config: ") + why(e));
  server_ = tls::ConfigBuilder(common).credential(pki.credential).build(&e);
  if (!server_) return set_error(error, std::string("volley server config: ") + why(e));
  return true;
}

bool VolleyPair::handshake(std::string* error, WireTally* client_sent,
                           WireTally* server_sent) const {
  Connection c = Connection::client(client_, kHost);
  Connection v = Connection::server(server_);
  if (pump_until_connected(c, v, client_sent, server_sent)) return true;
  if (error != nullptr) *error = failure(c, v);
  return false;
}

bool VolleyPair::check(std::string* error, WireTally* client_sent, WireTally* server_sent) const {
  // handshake() with the connections kept open afterwards, to send a byte each way.
  Connection c = Connection::client(client_, kHost);
  Connection v = Connection::server(server_);
  if (!pump_until_connected(c, v, client_sent, server_sent)) return set_error(error, failure(c, v));
  const tls::Negotiated& n = c.negotiated();
  if (n.suite != &kTlsAes128GcmSha256 || n.group != tls::NamedGroup::kX25519 ||
      n.peer_signature_scheme != tls::SignatureScheme::kEcdsaSecp256r1Sha256 || n.hello_retry ||
      n.peer_certificates.size() != 2) {
    return set_error(error, "volley handshake negotiated something other than the set-up");
  }
  if (!volley_byte(c, v, 0x5a) || !volley_byte(v, c, 0xa5)) {
    return set_error(error, "volley: a byte did not cross after the handshake");
  }
  return true;
}

bool OpensslPair::init(const HandshakePki& pki, std::string* error) {
  server_.reset(SSL_CTX_new(TLS_server_method()));
  client_.reset(SSL_CTX_new(TLS_client_method()));
  if (!server_ || !client_) return set_error(error, "OpenSSL: SSL_CTX_new failed");
  bool ok = true;
  for (SSL_CTX* ctx : {server_.get(), client_.get()}) {
    ok = ok && SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) == 1 &&
         SSL_CTX_set_ciphersuites(ctx, kSuiteName) == 1 &&
         SSL_CTX_set1_groups_list(ctx, "X25519") == 1;
  }
  ok = ok && SSL_CTX_use_certificate_chain_file(server_.get(), pki.chain_pem.c_str()) == 1 &&
       SSL_CTX_use_PrivateKey_file(server_.get(), pki.key_pem.c_str(), SSL_FILETYPE_PEM) == 1 &&
       SSL_CTX_load_verify_locations(client_.get(), pki.root_pem.c_str(), nullptr) == 1 &&
       SSL_CTX_set_num_tickets(server_.get(), 0) == 1;
  ERR_clear_error();
  if (!ok) return set_error(error, "OpenSSL: setting up the contexts from " + pki.dir + " failed");
  SSL_CTX_set_session_cache_mode(server_.get(), SSL_SESS_CACHE_OFF);
  SSL_CTX_set_verify(client_.get(), SSL_VERIFY_PEER, nullptr);
  return true;
}

bool OpensslPair::handshake() const {
  SslPtr c, v;
  const bool ok = openssl_connect(client_.get(), server_.get(), &c, &v);
  // A failed handshake leaves its reasons on this thread's queue; the next one must start clean.
  if (!ok) ERR_clear_error();
  return ok;
}

bool OpensslPair::check(std::string* error) const {
  SslPtr c, v;
  if (!openssl_connect(client_.get(), server_.get(), &c, &v)) {
    ERR_clear_error();
    return set_error(error, "OpenSSL handshake did not complete");
  }
  const SSL_CIPHER* cipher = SSL_get_current_cipher(c.get());
  const STACK_OF(X509)* chain = SSL_get_peer_cert_chain(c.get());
  if (SSL_version(c.get()) != TLS1_3_VERSION || cipher == nullptr ||
      std::string_view(SSL_CIPHER_get_name(cipher)) != kSuiteName ||
      SSL_get_negotiated_group(c.get()) != NID_X25519 ||
      SSL_get_verify_result(c.get()) != X509_V_OK || chain == nullptr || sk_X509_num(chain) != 2) {
    return set_error(error, "OpenSSL handshake negotiated something other than the set-up");
  }
  if (!openssl_byte(c.get(), v.get(), 0x5a) || !openssl_byte(v.get(), c.get(), 0xa5)) {
    ERR_clear_error();
    return set_error(error, "OpenSSL: a byte did not cross after the handshake");
  }
  return true;
}

}  // namespace volley::speed
