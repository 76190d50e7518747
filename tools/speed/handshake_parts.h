// The parts of one volley handshake, each run on its own so that `volley speed --handshake` can
// split the handshake's time: X25519, the server's ECDSA P-256 signature, the client's check of
// it, the chain verification, and the hashing (transcript, key schedule, Finished). One call of
// each part does what one handshake does of it, both sides together, so its time is that part of
// the handshake's time directly.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "handshake/pki/signature_scheme.h"
#include "tools/speed/handshake_pairs.h"
#include "volley/cipher_suite.h"

namespace volley::speed {

// HandshakeShape is the size of each handshake message of a real volley handshake (RFC 8446 §4,
// headers included), read off its records, for the hashing part to hash the same bytes.
struct HandshakeShape {
  const CipherSuite* suite = nullptr;
  size_t client_hello = 0;
  size_t server_hello = 0;
  size_t extensions_and_certificate = 0;  // EncryptedExtensions + Certificate
  size_t certificate_verify = 0;
  size_t finished = 0;  // each side's
};

// read_shape derives the shape from what each side sent in one handshake (VolleyPair::check) and
// the CertificateVerify's signature size. The client's protected bytes must be exactly its
// Finished (which shows that no record was padded); false with |error| otherwise.
bool read_shape(const WireTally& client_sent, const WireTally& server_sent, size_t signature_size,
                const CipherSuite& suite, HandshakeShape* out, std::string* error);

// HandshakeParts holds what the parts work on: the PKI's keys, a signature to check, the
// handshake's shape and message buffers of its sizes.
class HandshakeParts {
 public:
  // init prepares every part, signing once (the signature the verify part checks) and reading
  // the shape of one checked volley handshake of |pair|. False with |error| on any failure.
  bool init(const HandshakePki& pki, const VolleyPair& pair, std::string* error);

  // x25519: a key pair and a shared secret for each side (the client's and the server's).
  bool x25519() const;
  // sign: the server's CertificateVerify signature.
  bool sign() const;
  // verify: the client's check of that signature against the leaf.
  bool verify() const;
  // chain: the client's verification of the server's chain and host name.
  bool chain() const;
  // hashing: both sides' transcript hashing, key schedule, traffic keys and Finished MACs over
  // messages of the handshake's sizes.
  bool hashing();

  const HandshakeShape& shape() const { return shape_; }

 private:
  HandshakePki pki_;
  tls::VerifyTime now_{};
  tls::CertificateVerifyContent content_;
  std::vector<uint8_t> signature_;
  HandshakeShape shape_;
  // One buffer per message, in transcript order; contents do not change the cost of hashing.
  std::vector<std::vector<uint8_t>> messages_;
  uint8_t sink_[48] = {};  // the last Finished, so that no derivation is dead
};

}  // namespace volley::speed
