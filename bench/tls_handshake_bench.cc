// Full TLS 1.3 handshakes per second on one core: a client and a server in the same process,
// talking through memory, volley against OpenSSL with the same setup — X25519, an ECDSA P-256
// leaf with one intermediate, the client verifying the chain and the host name, no session
// tickets (volley's server issues none yet; OpenSSL is told to issue none).
//
//   bazel build //bench:tls_handshake_bench && bazel-bin/bench/tls_handshake_bench [ROUNDS]
//   bazel-bin/bench/tls_handshake_bench --only SUBJECT [N]   # for perf record: one row, N times
//
// --only runs one row's operation N times (default 2000) and nothing else, so that a profile of
// the process is a profile of that subject: SUBJECT is volley, openssl, x25519, sign, verify or
// chain.
//
// The subjects alternate in short rounds (volley, OpenSSL, volley, ...) so that the machine's
// drift hits both alike; each row is the median over the rounds with the min-max spread. The
// split of volley's handshake time runs each public-key step on its own in the same way:
// X25519 (a key pair and a shared secret, per side), the server's signature, the client's
// signature check, the chain verification; "the rest" is what remains of the whole handshake
// (hashing, key schedule, records, messages, allocation).
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "handshake/groups/key_share.h"
#include "handshake/pki/signature_scheme.h"
#include "volley/pki.h"
#include "volley/tls.h"

namespace {

using Clock = std::chrono::steady_clock;
using namespace volley;
using namespace volley::tls;

const std::string kPki = "tests/pki/";
const std::string kLeaf = "server-ecdsa-p256";

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "tls_handshake_bench: %s\n", what.c_str());
  std::exit(1);
}

// ---- volley ---------------------------------------------------------------------------------

struct VolleySetup {
  std::shared_ptr<const Config> client, server;
};

VolleySetup volley_setup() {
  TlsError e;
  auto verifier = make_openssl_verifier_from_ca_file(kPki + "root.pem", &e);
  if (!verifier) die(std::string("verifier: ") + e.reason);
  auto cred = make_openssl_credential_from_pem_files(kPki + kLeaf + ".chain.pem",
                                                     kPki + kLeaf + ".key.pem", &e);
  if (!cred) die(std::string("credential: ") + e.reason);
  VolleySetup s;
  s.client = ConfigBuilder().verifier(verifier).build(&e);
  s.server = ConfigBuilder().credential(cred).build(&e);
  if (!s.client || !s.server) die("config");
  return s;
}

void move_bytes(Connection& from, Connection& to) {
  const Bytes out = from.pending_output();
  if (out.empty()) return;
  const size_t n = out.size();
  to.receive(out);
  from.consume_output(n);
}

void volley_handshake(const VolleySetup& s) {
  Connection c = Connection::client(s.client, "localhost");
  Connection v = Connection::server(s.server);
  for (int i = 0; i < 8 && !(c.is_connected() && v.is_connected()); ++i) {
    move_bytes(c, v);
    move_bytes(v, c);
  }
  if (!c.is_connected() || !v.is_connected()) {
    die(std::string("volley handshake failed: ") +
        (c.failed() ? c.error().reason : v.error().reason));
  }
}

// ---- OpenSSL --------------------------------------------------------------------------------

struct OpensslSetup {
  SSL_CTX* client = nullptr;
  SSL_CTX* server = nullptr;
};

OpensslSetup openssl_setup() {
  OpensslSetup s;
  s.server = SSL_CTX_new(TLS_server_method());
  s.client = SSL_CTX_new(TLS_client_method());
  for (SSL_CTX* ctx : {s.server, s.client}) {
    SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
    SSL_CTX_set1_groups_list(ctx, "X25519");
  }
  if (SSL_CTX_use_certificate_chain_file(s.server, (kPki + kLeaf + ".chain.pem").c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(s.server, (kPki + kLeaf + ".key.pem").c_str(),
                                  SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_load_verify_locations(s.client, (kPki + "root.pem").c_str(), nullptr) != 1) {
    die("OpenSSL setup");
  }
  SSL_CTX_set_num_tickets(s.server, 0);
  SSL_CTX_set_session_cache_mode(s.server, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_verify(s.client, SSL_VERIFY_PEER, nullptr);
  return s;
}

void openssl_handshake(const OpensslSetup& s) {
  SSL* c = SSL_new(s.client);
  SSL* v = SSL_new(s.server);
  SSL_set1_host(c, "localhost");
  SSL_set_tlsext_host_name(c, "localhost");
  BIO *cb = nullptr, *vb = nullptr;
  BIO_new_bio_pair(&cb, 0, &vb, 0);
  SSL_set_bio(c, cb, cb);
  SSL_set_bio(v, vb, vb);
  SSL_set_connect_state(c);
  SSL_set_accept_state(v);
  bool c_done = false, v_done = false;
  for (int i = 0; i < 16 && !(c_done && v_done); ++i) {
    if (!c_done) c_done = SSL_do_handshake(c) == 1;
    if (!v_done) v_done = SSL_do_handshake(v) == 1;
  }
  if (!c_done || !v_done) die("OpenSSL handshake failed");
  SSL_free(c);
  SSL_free(v);
}

// ---- measurement ----------------------------------------------------------------------------

// per_second runs |op| |n| times and returns operations per second.
double per_second(const std::function<void()>& op, int n) {
  const auto t0 = Clock::now();
  for (int i = 0; i < n; ++i) op();
  return n / std::chrono::duration<double>(Clock::now() - t0).count();
}

struct Row {
  std::string name;
  std::function<void()> op;
  int per_round;
  std::vector<double> rates;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const bool only = argc > 2 && std::string(argv[1]) == "--only";
  const int rounds = !only && argc > 1 ? std::max(3, std::atoi(argv[1])) : 9;
  const VolleySetup vs = volley_setup();
  const OpensslSetup os = openssl_setup();

  // The pieces of volley's handshake, each on its own.
  TlsError e;
  auto verifier = make_openssl_verifier_from_ca_file(kPki + "root.pem", &e);
  auto cred = make_openssl_credential_from_pem_files(kPki + kLeaf + ".chain.pem",
                                                     kPki + kLeaf + ".key.pem", &e);
  const std::span<const Bytes> chain = cred->chain();
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  uint8_t hash[32] = {1, 2, 3};
  CertificateVerifyContent content;
  if (!certificate_verify_content(&content, CertificateRole::kServer, Bytes(hash, 32)).ok()) {
    die("CertificateVerify content");
  }
  std::vector<uint8_t> signature;
  if (!cred->sign(&signature, SignatureScheme::kEcdsaSecp256r1Sha256, content.bytes()).ok()) {
    die("sign");
  }
  std::unique_ptr<KeyShare> peer;
  if (!generate_key_share(&peer, NamedGroup::kX25519).ok()) die("X25519");

  std::vector<Row> rows = {
      {"volley handshake", [&] { volley_handshake(vs); }, 200, {}},
      {"OpenSSL handshake", [&] { openssl_handshake(os); }, 200, {}},
      {"  X25519 key pair + shared secret",
       [&] {
         std::unique_ptr<KeyShare> k;
         Secret s;
         if (!generate_key_share(&k, NamedGroup::kX25519).ok() ||
             !k->shared_secret(&s, peer->key_exchange()).ok()) {
           die("X25519");
         }
       },
       2000, {}},
      {"  ECDSA P-256 sign (server)",
       [&] {
         std::vector<uint8_t> sig;
         if (!cred->sign(&sig, SignatureScheme::kEcdsaSecp256r1Sha256, content.bytes()).ok()) {
           die("sign");
         }
       },
       1000, {}},
      {"  ECDSA P-256 verify (client)",
       [&] {
         if (!verifier
                  ->verify_signature(chain[0], SignatureScheme::kEcdsaSecp256r1Sha256,
                                     content.bytes(), signature)
                  .ok()) {
           die("verify");
         }
       },
       1000, {}},
      {"  chain verification (client)",
       [&] {
         if (!verifier->verify_chain(chain, "localhost", CertificateRole::kServer, now).ok()) {
           die("chain");
         }
       },
       500, {}},
  };
  if (only) {
    const std::string subject = argv[2];
    const char* names[] = {"volley", "openssl", "x25519", "sign", "verify", "chain"};
    const int n = argc > 3 ? std::max(1, std::atoi(argv[3])) : 2000;
    for (size_t i = 0; i < rows.size(); ++i) {
      if (subject != names[i]) continue;
      std::printf("%s: %.0f per second over %d\n", rows[i].name.c_str(), per_second(rows[i].op, n),
                  n);
      return 0;
    }
    die("--only: unknown subject " + subject);
  }
  for (Row& r : rows) per_second(r.op, r.per_round / 10);  // warm-up
  for (int round = 0; round < rounds; ++round) {
    for (Row& r : rows) r.rates.push_back(per_second(r.op, r.per_round));
  }

  std::printf("TLS 1.3 full handshakes, client + server in one process through memory, one core\n");
  std::printf("X25519, ECDSA P-256 leaf + intermediate, chain and host name verified, no tickets\n");
  std::printf("median of %d alternating rounds\n\n", rounds);
  std::printf("%-36s %12s %20s %10s\n", "subject", "per second", "min-max", "us each");
  for (const Row& r : rows) {
    const double m = median(r.rates);
    std::printf("%-36s %12.0f %9.0f-%-10.0f %10.1f\n", r.name.c_str(), m,
                *std::min_element(r.rates.begin(), r.rates.end()),
                *std::max_element(r.rates.begin(), r.rates.end()), 1e6 / m);
  }
  std::vector<double> ratios;
  for (int i = 0; i < rounds; ++i) ratios.push_back(rows[0].rates[i] / rows[1].rates[i]);
  std::printf("\nvolley / OpenSSL handshakes per second: %.2fx (rounds %.2f-%.2f)\n", median(ratios),
              *std::min_element(ratios.begin(), ratios.end()),
              *std::max_element(ratios.begin(), ratios.end()));
  // Split of volley's handshake: two X25519 key pairs and shared secrets, one signature, one
  // signature check, one chain verification.
  const double total = 1e6 / median(rows[0].rates);
  const double x25519 = 2e6 / median(rows[2].rates);
  const double sign = 1e6 / median(rows[3].rates);
  const double verify = 1e6 / median(rows[4].rates);
  const double chain_us = 1e6 / median(rows[5].rates);
  std::printf("\nvolley handshake, %.1f us: X25519 %.1f, signature %.1f, signature check %.1f, "
              "chain %.1f, the rest %.1f\n",
              total, x25519, sign, verify, chain_us, total - x25519 - sign - verify - chain_us);
  SSL_CTX_free(os.client);
  SSL_CTX_free(os.server);
  return 0;
}
