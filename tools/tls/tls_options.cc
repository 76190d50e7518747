#include "tools/tls/tls_options.h"

#include <openssl/x509.h>
#include <sys/socket.h>

#include <cerrno>
#include <sstream>

#include "tools/tls/net.h"
#include "volley/dispatch.h"

namespace volley::tool {
namespace {

// split_list splits a comma-separated list; false if any item is empty ("a,,b", ",", "a,"), as
// a list the user did not mean must not quietly become a shorter one.
bool split_list(const std::string& text, std::vector<std::string>* out) {
  out->clear();
  size_t start = 0;
  for (;;) {
    const size_t comma = text.find(',', start);
    const size_t end = comma == std::string::npos ? text.size() : comma;
    if (end == start) return false;
    out->push_back(text.substr(start, end - start));
    if (comma == std::string::npos) return true;
    start = comma + 1;
  }
}

const CipherSuite* suite_named(const std::string& name) {
  if (name == "aes-128-gcm") return &kTlsAes128GcmSha256;
  if (name == "aes-256-gcm") return &kTlsAes256GcmSha384;
  if (name == "chacha20-poly1305") return &kTlsChaCha20Poly1305Sha256;
  return cipher_suite_by_name(name);
}

bool group_named(const std::string& name, tls::NamedGroup* out) {
  if (name == "x25519" || name == "X25519") {
    *out = tls::NamedGroup::kX25519;
  } else if (name == "p256" || name == "P-256" || name == "secp256r1" || name == "prime256v1") {
    *out = tls::NamedGroup::kSecp256r1;
  } else {
    return false;
  }
  return true;
}

// subject returns the one-line subject of a DER certificate, or "?" if it does not parse.
std::string subject(const std::vector<uint8_t>& der) {
  const unsigned char* p = der.data();
  X509* x = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
  if (x == nullptr) return "?";
  char buf[256];
  X509_NAME_oneline(X509_get_subject_name(x), buf, sizeof(buf));
  X509_free(x);
  return buf;
}

}  // namespace

void add_tls_options(CLI::App& cmd, TlsOptions* o) {
  cmd.add_option("--suites", o->suites,
                 "TLS 1.3 suites, comma-separated: aes-128-gcm, chacha20-poly1305, aes-256-gcm "
                 "(or IANA names); default all three");
  cmd.add_option("--groups", o->groups,
                 "key exchange groups in preference order: x25519, p256; default x25519,p256");
  cmd.add_option("--alpn", o->alpn, "ALPN protocols in preference order, comma-separated");
  cmd.add_option("--backend", o->backend, "force this AEAD backend (see `volley speed --backend all`)");
  cmd.add_option("--timeout", o->timeout_s, "seconds of silence from the peer before giving up")
      ->check(CLI::Range(1, 3600));
}

bool apply_tls_options(const TlsOptions& o, tls::ConfigBuilder* b, std::string* error) {
  std::vector<std::string> names;
  if (!o.suites.empty()) {
    if (!split_list(o.suites, &names)) {
      *error = "--suites: expected a comma-separated list, got '" + o.suites + "'";
      return false;
    }
    std::vector<const CipherSuite*> suites;
    for (const std::string& name : names) {
      const CipherSuite* s = suite_named(name);
      if (s == nullptr) {
        *error = "unknown suite: " + name;
        return false;
      }
      suites.push_back(s);
    }
    b->cipher_suites(suites);
  }
  if (!o.groups.empty()) {
    if (!split_list(o.groups, &names)) {
      *error = "--groups: expected a comma-separated list, got '" + o.groups + "'";
      return false;
    }
    std::vector<tls::NamedGroup> groups;
    for (const std::string& name : names) {
      tls::NamedGroup g;
      if (!group_named(name, &g)) {
        *error = "unknown group: " + name;
        return false;
      }
      groups.push_back(g);
    }
    b->groups(groups);
    b->key_share_groups({groups.front()});
  }
  if (!o.alpn.empty()) {
    // RFC 7301 §3.1: a protocol name is 1 to 255 bytes.
    if (!split_list(o.alpn, &names)) {
      *error = "--alpn: expected a comma-separated list, got '" + o.alpn + "'";
      return false;
    }
    for (const std::string& name : names) {
      if (name.size() > 255) {
        *error = "--alpn: a protocol name is at most 255 bytes, got " +
                 std::to_string(name.size());
        return false;
      }
    }
    b->alpn(names);
  }
  if (!o.backend.empty()) {
    const dispatch::Backend* aes = dispatch::find(dispatch::Family::kAesGcm, o.backend);
    const dispatch::Backend* chacha = dispatch::find(dispatch::Family::kChaCha20Poly1305, o.backend);
    const dispatch::Backend* found = aes != nullptr ? aes : chacha;
    if (found == nullptr || !dispatch::available(*found)) {
      *error = "unknown or unavailable AEAD backend: " + o.backend;
      return false;
    }
    b->aead_backend(o.backend);
  }
  return true;
}

bool flush(int fd, tls::Connection& conn) {
  const Bytes out = conn.pending_output();
  if (out.empty()) return true;
  if (!send_all(fd, out.data(), out.size())) return false;
  conn.consume_output(out.size());
  return true;
}

PumpResult receive_once(int fd, tls::Connection& conn, int timeout_s,
                        std::vector<unsigned char>* plaintext) {
  if (!wait_readable(fd, timeout_s * 1000)) return PumpResult::kTimeout;
  unsigned char buf[64 * 1024];
  const ssize_t n = recv(fd, buf, sizeof(buf), 0);
  if (n < 0) return errno == EINTR ? PumpResult::kOk : PumpResult::kSocketError;
  if (n == 0) return PumpResult::kSocketClosed;
  size_t fed = 0;
  unsigned char out[16 * 1024];
  // receive() stops taking input when decrypted data waits unread: read, then give the rest.
  for (int rounds = 0; rounds < 1 << 20; ++rounds) {
    fed += conn.receive(Bytes(buf + fed, static_cast<size_t>(n) - fed));
    for (size_t got; (got = conn.read(MutableBytes(out, sizeof(out)))) > 0;) {
      plaintext->insert(plaintext->end(), out, out + got);
    }
    if (fed == static_cast<size_t>(n) || conn.failed() || conn.peer_closed()) break;
  }
  if (!flush(fd, conn)) return PumpResult::kSocketError;
  return conn.failed() ? PumpResult::kFailed : PumpResult::kOk;
}

PumpResult handshake(int fd, tls::Connection& conn, int timeout_s,
                     std::vector<unsigned char>* plaintext) {
  if (!flush(fd, conn)) return PumpResult::kSocketError;
  while (!conn.is_connected()) {
    if (conn.failed()) return PumpResult::kFailed;
    const PumpResult r = receive_once(fd, conn, timeout_s, plaintext);
    if (r != PumpResult::kOk) return r;
  }
  return PumpResult::kOk;
}

std::string describe(const tls::Negotiated& n, std::chrono::steady_clock::duration took) {
  std::ostringstream s;
  s << "TLSv1.3 " << (n.suite != nullptr ? n.suite->name : "?") << " "
    << tls::named_group_name(n.group);
  if (!n.peer_certificates.empty()) s << " " << tls::signature_scheme_name(n.peer_signature_scheme);
  s << " alpn=" << (n.alpn.empty() ? "-" : n.alpn);
  s << " sni=" << (n.server_name.empty() ? "-" : n.server_name);
  if (n.hello_retry) s << " hrr";
  s << (n.resumed ? " resumed" : " full");
  s << " time=" << std::chrono::duration<double, std::milli>(took).count() << "ms";
  for (size_t i = 0; i < n.peer_certificates.size(); ++i) {
    s << (i == 0 ? " chain=" : " | ") << subject(n.peer_certificates[i]);
  }
  return s.str();
}

std::string failure_text(const tls::Connection& conn) {
  const tls::TlsError e = conn.error();
  std::string text = "alert ";
  text += alert_name(e.alert);
  text += conn.error_from_peer() ? " received" : " sent";
  text += ": ";
  text += e.reason != nullptr ? e.reason : "?";
  return text;
}

}  // namespace volley::tool
