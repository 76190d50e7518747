// handshake/transcript.h: the running transcript hash of a TLS 1.3 handshake (RFC 8446 §4.4.1).
//
// Every handshake message (with its 4-byte header) goes in, in order; the key schedule and the
// Finished and CertificateVerify computations take Transcript-Hash(messages so far) out, as
// often as they need, without disturbing the stream (a hash state is a value: taking the hash is
// one copy).
//
// The hash is the negotiated suite's, which a client learns only from ServerHello (or
// HelloRetryRequest): until start() is called, messages are kept and hashed when it is. The
// HelloRetryRequest rule (§4.4.1) replaces ClientHello1 by the synthetic message_hash message
// holding Hash(ClientHello1); restart_after_hello_retry() does that.
//
// Threads: one object, one thread at a time. Allocation: the messages kept before start() (a
// ClientHello), nothing after. A transcript is not secret; nothing is wiped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "volley/bytes.h"
#include "volley/sha2.h"

namespace volley::tls {

class Transcript {
 public:
  static constexpr size_t kMaxHashSize = 48;

  // add absorbs one handshake message (header included), or keeps it until start().
  void add(Bytes message);

  // start fixes the hash (SHA-256 or SHA-384: the suite's) and absorbs the messages kept so far.
  // Only the first call has an effect.
  void start(HashAlg alg);

  bool started() const noexcept { return started_; }
  size_t hash_size() const noexcept { return volley::hash_size(alg_); }

  // hash writes Transcript-Hash(messages so far) to |out|, which must hold hash_size() bytes,
  // and returns the view of those bytes. Requires started().
  Bytes hash(std::span<uint8_t, kMaxHashSize> out) const noexcept;

  // restart_after_hello_retry replaces the transcript, which must hold exactly ClientHello1 and
  // be started, by message_hash(Hash(ClientHello1)) = 254 00 00 HashLen || Hash(ClientHello1)
  // (RFC 8446 §4.4.1). The HelloRetryRequest is added after it with add().
  void restart_after_hello_retry() noexcept;

 private:
  HashAlg alg_ = HashAlg::kSha256;
  bool started_ = false;
  std::vector<uint8_t> kept_;  // messages before start()
  Sha256 sha256_;
  Sha384 sha384_;
};

}  // namespace volley::tls
