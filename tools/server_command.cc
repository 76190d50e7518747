// volley server: a TLS 1.3 server on a socket, one connection at a time, for trying clients
// against volley (and volley against them in tests).
//
// It prints "volley server: listening on ADDRESS:PORT" on stderr once it accepts connections
// (port 0 picks a free one), then one line per handshake: the facts and who the client is (its
// certificate's subject and names, or "no client certificate"), or the alert and the reason.
// --verify-client optional|required asks clients for a certificate that chains to --cafile.
// --echo sends back what each client sends until the client closes; --www answers an HTTP
// request with a page describing the connection and closes. --count N stops after N
// connections. Exit 0 when done, 1 on a socket or config failure, 2 on bad options.
#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tools/commands.h"
#include "tools/exit_status.h"
#include "tools/tls/net.h"
#include "tools/tls/tls_options.h"
#include "volley/pki.h"
#include "volley/tls.h"

namespace volley::tool {
namespace {

struct ServerOptions {
  std::string cert;
  std::string key;
  std::string address = "127.0.0.1";
  int port = 4433;
  bool echo = false;
  bool www = false;
  int count = 0;
  std::string verify_client = "none";  // none, optional, required
  std::string cafile;                  // the roots client certificates must chain to
  int tickets = 2;
  TlsOptions tls;
};

// client_identity is the server's line about who the client is: its leaf's subject and
// subjectAltNames, or "no client certificate".
std::string client_identity(const tls::Negotiated& n) {
  if (n.peer_certificates.empty()) return "no client certificate";
  tls::CertificateNames names;
  if (!tls::certificate_names(&names, n.peer_certificates.front()).ok()) {
    return "client certificate unreadable";
  }
  std::string line = "client subject=" + names.subject;
  const char* sep = " san=";
  auto add = [&line, &sep](const char* kind, const std::vector<std::string>& values) {
    for (const std::string& v : values) {
      line += sep;
      line += kind;
      line += v;
      sep = ",";
    }
  };
  add("DNS:", names.dns);
  add("IP:", names.ip);
  add("email:", names.email);
  return line;
}

// serve_echo sends back every byte the client sends until it closes.
// |data| holds what came with the handshake.
void serve_echo(int fd, tls::Connection& conn, int timeout_s, std::vector<unsigned char> data) {
  for (PumpResult r = PumpResult::kOk;; data.clear()) {
    if (data.empty()) r = receive_once(fd, conn, timeout_s, &data);
    if (!data.empty()) {
      conn.write(Bytes(data.data(), data.size()));
      if (!flush(fd, conn)) return;
    }
    if (r != PumpResult::kOk || conn.peer_closed()) return;
  }
}

// serve_www answers one HTTP request (read up to its blank line; |request| holds what came with
// the handshake) with a page of facts.
void serve_www(int fd, tls::Connection& conn, int timeout_s, const std::string& facts,
               std::vector<unsigned char> request) {
  const std::string end = "\r\n\r\n";
  while (std::string(request.begin(), request.end()).find(end) == std::string::npos) {
    if (request.size() > 64 * 1024) return;
    if (receive_once(fd, conn, timeout_s, &request) != PumpResult::kOk || conn.peer_closed()) {
      return;
    }
  }
  const std::string body = "volley server\n" + facts + "\n";
  const std::string response = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " +
                               std::to_string(body.size()) + "\r\n\r\n" + body;
  conn.write(Bytes(reinterpret_cast<const uint8_t*>(response.data()), response.size()));
  flush(fd, conn);
}

int run_server(const ServerOptions& o) {
  if (o.echo && o.www) return usage_error("server", "--echo and --www exclude each other");
  // Options first, files next: a bad option is reported as such whatever the files hold.
  if (!numeric_address(o.address)) {
    return usage_error("server", "--address must be a numeric IPv4 or IPv6 address, got " +
                                     o.address);
  }
  if (o.verify_client != "none" && o.cafile.empty()) {
    return usage_error("server", "--verify-client " + o.verify_client + " needs --cafile");
  }
  tls::ConfigBuilder builder;
  std::string bad;
  if (!apply_tls_options(o.tls, &builder, &bad)) return usage_error("server", bad);
  tls::TlsError error;
  // The private key file is read, and wiped once parsed, inside the library (KeyText).
  const auto credential = tls::make_openssl_credential_from_pem_files(o.cert, o.key, &error);
  if (credential == nullptr) {
    return failure("server", std::string("certificate and key: ") + error.reason);
  }
  builder.credential(credential).tickets(static_cast<uint8_t>(o.tickets));
  if (o.verify_client != "none") {
    const auto verifier = tls::make_openssl_verifier_from_ca_file(o.cafile, &error);
    if (verifier == nullptr) return failure("server", std::string("--cafile: ") + error.reason);
    builder.verifier(verifier).client_auth(o.verify_client == "required"
                                               ? tls::ClientAuth::kRequired
                                               : tls::ClientAuth::kOptional);
  }
  const auto config = builder.build(&error);
  if (config == nullptr) return failure("server", error.reason);
  std::string why;
  int port = 0;
  const int listener = listen_tcp(o.address, o.port, &port, &why);
  if (listener < 0) return failure("server", why);
  std::fprintf(stderr, "volley server: listening on %s:%d\n", o.address.c_str(), port);
  std::fflush(stderr);
  for (int served = 0; o.count == 0 || served < o.count; ++served) {
    sockaddr_storage peer{};
    socklen_t peer_len = sizeof(peer);
    const int fd = accept(listener, reinterpret_cast<sockaddr*>(&peer), &peer_len);
    if (fd < 0) continue;
    const auto t0 = std::chrono::steady_clock::now();
    tls::Connection conn = tls::Connection::server(config);
    std::vector<unsigned char> early;
    const PumpResult r = handshake(fd, conn, o.tls.timeout_s, &early);
    const auto took = std::chrono::steady_clock::now() - t0;
    if (r != PumpResult::kOk) {
      flush(fd, conn);  // the alert
      std::fprintf(stderr, "volley server: handshake failed: %s\n",
                   r == PumpResult::kFailed ? failure_text(conn).c_str()
                   : r == PumpResult::kTimeout ? "timed out"
                                               : "the client closed the connection");
    } else {
      const std::string facts =
          describe(conn.negotiated(), took) + "; " + client_identity(conn.negotiated());
      std::fprintf(stderr, "volley server: %s\n", facts.c_str());
      if (o.echo) serve_echo(fd, conn, o.tls.timeout_s, std::move(early));
      if (o.www) serve_www(fd, conn, o.tls.timeout_s, facts, std::move(early));
      conn.close();
      flush(fd, conn);
      if (conn.failed()) std::fprintf(stderr, "volley server: %s\n", failure_text(conn).c_str());
    }
    std::fflush(stderr);
    shutdown(fd, SHUT_WR);
    close(fd);
  }
  close(listener);
  return static_cast<int>(Exit::kOk);
}

}  // namespace

Runner add_server_command(CLI::App& app) {
  auto o = std::make_shared<ServerOptions>();
  CLI::App* cmd = app.add_subcommand("server", "accept TLS 1.3 clients, one at a time");
  cmd->add_option("--cert", o->cert, "certificate chain (PEM, leaf first)")->required();
  cmd->add_option("--key", o->key, "private key of the leaf (PEM)")->required();
  cmd->add_option("--address", o->address, "numeric address to listen on (default 127.0.0.1)");
  cmd->add_option("--port", o->port, "port (0: any free port; the one taken is printed)")
      ->check(CLI::Range(0, 65535));
  cmd->add_flag("--echo", o->echo, "send back what each client sends");
  cmd->add_flag("--www", o->www, "answer an HTTP request with the connection's facts");
  cmd->add_option("--count", o->count, "stop after this many connections (0: never)")
      ->check(CLI::Range(0, 1 << 30));
  cmd->add_option("--verify-client", o->verify_client,
                  "ask clients for a certificate: none (default); optional (a client without "
                  "one is served, a bad one refused); required (no certificate: "
                  "certificate_required). Needs --cafile")
      ->check(CLI::IsMember({"none", "optional", "required"}));
  cmd->add_option("--cafile", o->cafile,
                  "PEM roots client certificates must chain to (extendedKeyUsage clientAuth); "
                  "their names go in the CertificateRequest");
  cmd->add_option("--tickets", o->tickets,
                  "NewSessionTickets sent after each handshake, for resumption (default 2; 0: none)")
      ->check(CLI::Range(0, 16));
  add_tls_options(*cmd, &o->tls);
  return [o] { return run_server(*o); };
}

}  // namespace volley::tool
