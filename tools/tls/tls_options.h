// tools/tls/tls_options.h: what `volley client` and `volley server` share — the options that
// shape a volley::tls::Config, the socket pump around a sans-I/O Connection, and the one-line
// description of a finished handshake.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "volley/tls.h"

namespace volley::tool {

// TlsOptions are the options both commands take.
struct TlsOptions {
  std::string suites;   // comma-separated; empty: the library's default
  std::string groups;   // comma-separated; empty: the library's default
  std::string alpn;     // comma-separated; empty: none
  std::string backend;  // AEAD backend name; empty: the best this CPU runs
  int timeout_s = 10;   // of silence from the peer, after which the command gives up
};

void add_tls_options(CLI::App& cmd, TlsOptions* options);

// apply_tls_options sets |options| on |builder|; false with |*error| on an unknown suite, group
// or backend.
bool apply_tls_options(const TlsOptions& options, tls::ConfigBuilder* builder, std::string* error);

// Outcome of driving a connection over a socket.
enum class PumpResult { kOk, kFailed, kSocketClosed, kTimeout, kSocketError };

// handshake drives |conn| over socket |fd| until it is connected or it failed. Application data
// that came in the same read as the peer's last handshake flight (a client's Finished and its
// first request, say) is appended to |plaintext|.
PumpResult handshake(int fd, tls::Connection& conn, int timeout_s,
                     std::vector<unsigned char>* plaintext);

// flush sends the connection's pending output; false on a socket error.
bool flush(int fd, tls::Connection& conn);

// receive_once waits for input on |fd| (up to |timeout_s|), feeds it to |conn| and appends the
// application data it decrypts to |plaintext|.
PumpResult receive_once(int fd, tls::Connection& conn, int timeout_s,
                        std::vector<unsigned char>* plaintext);

// describe is the one line of facts about a handshake: version, suite, group, signature scheme,
// ALPN, server name, the peer's chain (subjects), and how long the handshake took.
std::string describe(const tls::Negotiated& n, std::chrono::steady_clock::duration took);

// failure_text is "alert <name> sent|received: <reason>".
std::string failure_text(const tls::Connection& conn);

}  // namespace volley::tool
