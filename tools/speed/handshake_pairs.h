// The two sides of a TLS 1.3 handshake in one process, talking through memory, for
// `volley speed --handshake` and bench/tls_handshake_bench: volley's client and server moving
// each other's pending output, and OpenSSL's (libssl) through SSL_CTX and a memory BIO pair.
//
// Both are set up alike so that they measure the same protocol work: TLS 1.3 only,
// TLS_AES_128_GCM_SHA256, X25519 only, the server's ECDSA P-256 leaf sent with its intermediate,
// the client verifying the chain against the root and the host name "localhost", middlebox
// compatibility on (both libraries' default), no session tickets (volley's server issues none
// yet; OpenSSL's is told to issue none).
//
// Threads: one pair, one thread at a time. Failures are reported, never thrown or fatal.
#pragma once

#include <openssl/ssl.h>

#include <cstddef>
#include <memory>
#include <string>

#include "volley/pki.h"
#include "volley/tls.h"

namespace volley::speed {

// HandshakePki is the loaded test PKI: the client's trust anchor and the server's credential.
struct HandshakePki {
  std::string dir;
  std::string root_pem, chain_pem, key_pem;  // paths
  std::shared_ptr<const tls::CertificateVerifier> verifier;
  std::shared_ptr<const tls::SigningCredential> credential;
};

// load_handshake_pki reads root.pem, server-ecdsa-p256.chain.pem and server-ecdsa-p256.key.pem
// from |dir|. On failure (a file missing or unreadable) returns false with one line in |error|
// naming the file and how to point at the directory.
bool load_handshake_pki(const std::string& dir, HandshakePki* out, std::string* error);

// WireTally counts what one side sent during a handshake, by record type: the bytes of handshake
// messages in plaintext records, and the inner plaintext (content + its type byte) of protected
// records, from the record length less the 16-byte tag every TLS 1.3 suite has.
struct WireTally {
  size_t plaintext_handshake = 0;
  size_t protected_inner = 0;
  size_t protected_records = 0;
  bool malformed = false;  // output that did not split into whole records
};

// VolleyPair holds the client and server configurations shared by every handshake.
class VolleyPair {
 public:
  // init builds both configurations from |pki|; false with |error| on failure.
  bool init(const HandshakePki& pki, std::string* error);

  // handshake runs one full handshake between a new client and a new server. Returns false if
  // either side did not reach connected (|error| says why when not null). With tallies, counts
  // each side's records as they pass (the shape of the handshake, handshake_parts.h).
  bool handshake(std::string* error = nullptr, WireTally* client_sent = nullptr,
                 WireTally* server_sent = nullptr) const;

  // check runs one handshake with full scrutiny: the negotiated parameters are those above, and
  // a byte crosses each way once connected. Fills the tallies. False with |error| otherwise.
  bool check(std::string* error, WireTally* client_sent, WireTally* server_sent) const;

 private:
  std::shared_ptr<const tls::Config> client_, server_;
};

// OpensslPair holds the client and server SSL_CTX shared by every handshake.
class OpensslPair {
 public:
  // init creates and configures both contexts from the files of |pki|.
  bool init(const HandshakePki& pki, std::string* error);

  // handshake runs one full handshake between a new client SSL and a new server SSL joined by a
  // BIO pair. False if either side did not finish.
  bool handshake() const;

  // check is handshake() with the negotiated parameters checked and a byte sent each way.
  bool check(std::string* error) const;

 private:
  struct CtxFree {
    void operator()(SSL_CTX* ctx) const noexcept { SSL_CTX_free(ctx); }
  };
  std::unique_ptr<SSL_CTX, CtxFree> client_, server_;
};

}  // namespace volley::speed
