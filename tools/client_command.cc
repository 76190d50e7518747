// volley client HOST:PORT: a TLS 1.3 client on a socket, like `openssl s_client -quiet`.
//
// The handshake's facts go to stderr; then (with --key-update, after a KeyUpdate that asks the
// server to update too) standard input goes to the server and what the server sends goes to
// standard output. At the end of standard input the client sends close_notify and
// reads on until the server closes. Exit 0 on a clean end, 1 when the connection failed (the
// alert and the reason on stderr), 2 on bad options.
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "tools/cli_io.h"
#include "tools/commands.h"
#include "tools/exit_status.h"
#include "tools/tls/insecure_verifier.h"
#include "tools/tls/net.h"
#include "tools/tls/tls_options.h"
#include "volley/pki.h"
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
  TlsOptions tls;
};

int fail(const std::string& what) { return failure("client", what); }

int run_client(const ClientOptions& o) {
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
  builder.verifier(verifier);
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
  add_tls_options(*cmd, &o->tls);
  return [o] { return run_client(*o); };
}

}  // namespace volley::tool
