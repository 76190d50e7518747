// volley client HOST:PORT: a TLS 1.3 client on a socket, like `openssl s_client -quiet`.
//
// The handshake's facts go to stderr; then (with --key-update, after a KeyUpdate that asks the
// server to update too) standard input goes to the server and what the server sends goes to
// standard output. At the end of standard input the client sends close_notify and
// reads on until the server closes. Exit 0 on a clean end, 1 when the connection failed (the
// alert and the reason on stderr), 2 on bad options.
//
// Sessions: --sess-in F offers the ticket saved in F (resumption, RFC 8446 §2.2); --sess-out F
// saves the newest ticket the server sent into F at the end. The file is volley's persisted
// ClientSession, version 1 (volley/session.h, encode_client_session): the 17 bytes
// "VOLLEY-SESSION-1\n", then big-endian u16 suite, u32 ticket_age_add, u32 lifetime (s), u64
// received (ms since the epoch), u32 max_early_data, u8-prefixed PSK, u16-prefixed ticket,
// u16-prefixed server name, u8-prefixed ALPN. It holds the PSK in clear: it is written with mode
// 0600. The stderr summary says "resumed" or "full".
#include <poll.h>
#include <unistd.h>

#include <fcntl.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>

#include "tools/cli_io.h"
#include "tools/commands.h"
#include "tools/exit_status.h"
#include "tools/tls/insecure_verifier.h"
#include "tools/tls/net.h"
#include "tools/tls/tls_options.h"
#include "engine/common/secure_memory.h"
#include "volley/pki.h"
#include "volley/session.h"
#include "volley/tls.h"

namespace volley::tool {
namespace {

struct ClientOptions {
  std::string target;
  std::string servername;
  bool servername_set = false;
  std::string cafile;
  std::string capath;
  bool insecure = false;
  bool key_update = false;
  std::string cert;  // client certificate chain, for a server that asks (mutual TLS)
  std::string key;
  std::string sess_in;
  std::string sess_out;
  TlsOptions tls;
};

// load_session puts the session saved in |path| into |cache| under |name|.
bool load_session(const std::string& path, const std::string& name, tls::LruSessionCache* cache) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.size() > 1 << 20) return false;
  tls::ClientSession s;
  const bool ok = tls::decode_client_session(&s, bytes);
  if (!bytes.empty()) secure_wipe(bytes.data(), bytes.size());
  if (ok) cache->put(name, std::move(s));
  return ok;
}

// save_session writes the newest session of |name| in |cache| to |path| (mode 0600).
bool save_session(const std::string& path, const std::string& name, tls::LruSessionCache* cache) {
  std::optional<tls::ClientSession> s = cache->take(name);
  if (!s) return false;
  std::vector<uint8_t> bytes;
  bool ok = tls::encode_client_session(&bytes, *s);
  const int fd = ok ? open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600) : -1;
  ok = fd >= 0;
  for (size_t at = 0; ok && at < bytes.size();) {
    const ssize_t n = write(fd, bytes.data() + at, bytes.size() - at);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) at += static_cast<size_t>(n);
  }
  if (fd >= 0 && close(fd) != 0) ok = false;
  secure_wipe(bytes.data(), bytes.size());
  return ok;
}

int fail(const std::string& what) { return failure("client", what); }

int run_client(const ClientOptions& o, const std::shared_ptr<tls::LruSessionCache>& cache) {
  std::string host, port;
  // A numeric port only: a service name would be looked up, and port 0 cannot be connected to.
  if (!split_host_port(o.target, &host, &port) || !valid_port(port)) {
    return usage_error("client", "expected HOST:PORT with a port in 1..65535, got " + o.target);
  }
  if (o.cert.empty() != o.key.empty()) return usage_error("client", "--cert and --key go together");
  tls::TlsError error;
  std::shared_ptr<const tls::CertificateVerifier> verifier;
  if (!o.cafile.empty()) {
    verifier = tls::make_openssl_verifier_from_ca_file(o.cafile, &error);
  } else if (!o.capath.empty()) {
    verifier = tls::make_openssl_verifier_from_ca_dir(o.capath, &error);
  } else {
    verifier = tls::make_openssl_verifier_system(&error);
  }
  if (verifier == nullptr) return fail(std::string("trust store: ") + error.reason);
  if (o.insecure) verifier = std::make_shared<InsecureVerifier>(verifier);

  tls::ConfigBuilder builder;
  builder.verifier(verifier).session_cache(cache);
  if (!o.cert.empty()) {
    const auto credential = tls::make_openssl_credential_from_pem_files(o.cert, o.key, &error);
    if (credential == nullptr) {
      return fail(std::string("client certificate and key: ") + error.reason);
    }
    builder.credential(credential);
  }
  std::string bad;
  if (!apply_tls_options(o.tls, &builder, &bad)) return usage_error("client", bad);
  const auto config = builder.build(&error);
  if (config == nullptr) return fail(error.reason);

  std::string why;
  const int fd = connect_tcp(host, port, &why);
  if (fd < 0) return fail(why);
  const std::string name = o.servername_set ? o.servername : host;
  if (!o.sess_in.empty() && !load_session(o.sess_in, name, cache.get())) {
    close(fd);
    return fail("--sess-in: cannot read a volley session from " + o.sess_in);
  }
  const auto t0 = std::chrono::steady_clock::now();
  tls::Connection conn = tls::Connection::client(config, name);
  std::vector<unsigned char> plaintext;
  PumpResult r = handshake(fd, conn, o.tls.timeout_s, &plaintext);
  const auto took = std::chrono::steady_clock::now() - t0;
  if (r != PumpResult::kOk) {
    flush(fd, conn);  // the alert
    close(fd);
    if (r == PumpResult::kFailed) return fail("handshake failed: " + failure_text(conn));
    return fail(r == PumpResult::kTimeout ? "handshake timed out"
                                           : "the server closed the connection during the handshake");
  }
  std::fprintf(stderr, "volley client: %s\n", describe(conn.negotiated(), took).c_str());
  if (o.key_update) {
    // Before any of standard input: the server reads our data under the updated keys, and its
    // own KeyUpdate (the answer) comes back before its next data (RFC 8446 §4.6.3).
    if (!conn.update_keys(true) || !flush(fd, conn)) {
      close(fd);
      return fail("key update failed: " + failure_text(conn));
    }
    std::fprintf(stderr, "volley client: key update sent (update_requested)\n");
  }

  if (!plaintext.empty() && !write_stdout(plaintext.data(), plaintext.size())) {
    close(fd);
    return fail("cannot write to standard output");
  }
  bool stdin_open = true;
  for (;;) {
    pollfd p[2] = {{fd, POLLIN, 0}, {stdin_open ? 0 : -1, POLLIN, 0}};
    // While standard input is open the user may take their time; after it, the server has the
    // timeout to finish.
    const int ready = poll(p, 2, stdin_open ? -1 : o.tls.timeout_s * 1000);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) {
      close(fd);
      return fail("timed out waiting for the server");
    }
    if (p[1].revents != 0) {
      unsigned char buf[16 * 1024];
      const ssize_t n = read(0, buf, sizeof(buf));
      if (n > 0) {
        conn.write(Bytes(buf, static_cast<size_t>(n)));
      } else {
        stdin_open = false;
        conn.close();  // TLS 1.3 half-close: the server may still answer (RFC 8446 §6.1)
      }
      if (!flush(fd, conn)) return fail("send failed");
    }
    if (p[0].revents != 0) {
      plaintext.clear();
      r = receive_once(fd, conn, o.tls.timeout_s, &plaintext);
      if (!plaintext.empty() && !write_stdout(plaintext.data(), plaintext.size())) {
        close(fd);
        return fail("cannot write to standard output");
      }
      if (r == PumpResult::kFailed) {
        close(fd);
        return fail(failure_text(conn));
      }
      if (conn.peer_closed()) {
        conn.close();
        flush(fd, conn);
        close(fd);
        return static_cast<int>(Exit::kOk);
      }
      if (r == PumpResult::kSocketClosed) {
        close(fd);
        return fail("the server closed the connection without close_notify");
      }
      if (r != PumpResult::kOk) {
        close(fd);
        return fail("receive failed");
      }
    }
  }
}

}  // namespace

Runner add_client_command(CLI::App& app) {
  auto o = std::make_shared<ClientOptions>();
  CLI::App* cmd = app.add_subcommand("client", "connect to a TLS 1.3 server (like openssl s_client -quiet)");
  cmd->add_option("target", o->target, "HOST:PORT")->required();
  cmd->add_option("--servername", o->servername,
                  "the name sent in SNI and checked in the certificate (default HOST)")
      ->each([o](const std::string&) { o->servername_set = true; });
  cmd->add_option("--cafile", o->cafile, "trust the CA certificates in this PEM file");
  cmd->add_option("--capath", o->capath, "trust the CA certificates in this OpenSSL hashed directory");
  cmd->add_flag("--insecure", o->insecure,
                "accept any certificate chain (the CertificateVerify signature is still checked)");
  cmd->add_flag("--key-update", o->key_update,
                "after the handshake, send a KeyUpdate asking the server to update too, before "
                "any of standard input");
  cmd->add_option("--cert", o->cert,
                  "client certificate chain (PEM, leaf first), sent when the server asks for one");
  cmd->add_option("--key", o->key, "private key of the --cert leaf (PEM)");
  cmd->add_option("--sess-in", o->sess_in,
                  "resume with the session saved in this file (volley session format, version 1: "
                  "\"VOLLEY-SESSION-1\\n\", suite, age_add, lifetime, received time, "
                  "max_early_data, PSK, ticket, server name, ALPN; see tools/client_command.cc)");
  cmd->add_option("--sess-out", o->sess_out,
                  "save the newest session ticket the server sent to this file (same format; "
                  "it holds the PSK: mode 0600)");
  add_tls_options(*cmd, &o->tls);
  return [o] {
    const auto cache = std::make_shared<tls::LruSessionCache>();
    const int rc = run_client(*o, cache);
    if (!o->sess_out.empty()) {
      std::string host, port;
      split_host_port(o->target, &host, &port);
      const std::string name = o->servername_set ? o->servername : host;
      if (!save_session(o->sess_out, name, cache.get())) {
        std::fprintf(stderr, "volley client: --sess-out: no session ticket saved to %s\n",
                     o->sess_out.c_str());
      }
    }
    return rc;
  };
}

}  // namespace volley::tool
