// handshake/groups/key_share.h: one side's (EC)DHE key share for TLS 1.3 (RFC 8446 §4.2.8): a
// private key, the public value sent in the key_share extension, and the shared secret with the
// peer's value, which becomes the key schedule's input (volley/key_schedule.h).
//
//   std::unique_ptr<KeyShare> share;
//   if (TlsError e = generate_key_share(&share, NamedGroup::kX25519); !e.ok()) return e;
//   send(share->key_exchange());
//   Secret ecdhe;
//   if (TlsError e = share->shared_secret(&ecdhe, peer_key_exchange); !e.ok()) return e;
//
// Groups: X25519 on the engine's volley/x25519.h (32-byte values); secp256r1 and secp384r1 on
// libcrypto's EC_POINT arithmetic, with uncompressed points (0x04 || x || y, 65 and 97 bytes) and
// the shared secret the x coordinate, 32 and 48 bytes (RFC 8446 §4.2.8.2, §7.4.2).
//
// Peer values (illegal_parameter, RFC 8446 §4.2.8): an X25519 value of another length than 32 or
// one that gives the all-zero shared secret (a small-order point, §7.4.2); an EC value of the wrong
// length, not uncompressed (0x04), with a coordinate >= p, or not on the curve.
//
// Threads: a KeyShare is immutable after construction; shared_secret may run concurrently.
// Secrets: the private key is wiped when the KeyShare is destroyed (the EC scalar is a BIGNUM
// freed with BN_clear_free); intermediate values are wiped before returning. Failure: functions
// return a TlsError and leave their outputs unchanged on error. No exception escapes.
#pragma once

#include <cstddef>
#include <memory>

#include "volley/bytes.h"
#include "volley/key_schedule.h"
#include "volley/named_group.h"
#include "volley/tls_error.h"

namespace volley::tls {

class KeyShare {
 public:
  virtual ~KeyShare();

  virtual NamedGroup group() const = 0;

  // key_exchange is the public value as the key_share extension carries it. The view lives as
  // long as the KeyShare.
  virtual Bytes key_exchange() const = 0;

  // shared_secret computes the (EC)DHE shared secret with |peer_key_exchange| into |*out|.
  virtual TlsError shared_secret(Secret* out, Bytes peer_key_exchange) const = 0;
};

// group_supported reports whether volley can make key shares for |group|.
bool group_supported(NamedGroup group) noexcept;

// private_key_size is the length of a private key of |group|: 32 for X25519 and secp256r1, 48 for
// secp384r1; 0 for an unsupported group.
size_t private_key_size(NamedGroup group) noexcept;
// kMaxPrivateKeySize bounds private_key_size(): the size of a buffer for any group's private key.
inline constexpr size_t kMaxPrivateKeySize = 48;

// key_share_from_private builds the key share of |private_key| (deterministic: tests replay RFC
// 8448 with its keys). X25519 takes any 32 bytes (clamped on use); an EC private key is the
// big-endian scalar, which must be in [1, order - 1]. internal_error for an unsupported group, a
// wrong length or a scalar out of range.
TlsError key_share_from_private(std::unique_ptr<KeyShare>* out, NamedGroup group,
                                Bytes private_key) noexcept;

// KeyShareRandom fills its argument with random bytes, or returns false if it could not: the
// connection's random source (volley/tls.h's RandomSource through ConnectionCore::random), or the
// operating system's.
using KeyShareRandom = bool (*)(void* context, MutableBytes out);

// draw_key_share makes a new key share for |group| with a private key drawn from |random|: the one
// place volley turns random bytes into a private key, so that every draw of a connection comes
// from its one source, in a documented order. The draw is private_key_size(group) bytes, taken as
// the private key itself (X25519: any 32 bytes, clamped on use, RFC 7748 §5; EC: the big-endian
// scalar). An EC scalar outside [1, order - 1] (probability below 2^-32 for P-256 and 2^-190 for
// P-384) is rejected and a fresh draw of the same size taken, up to 8 draws, so the scalar stays
// uniform without a biased reduction; RFC 8448's traces were made the same way (one 32-byte draw
// per share). internal_error for an unsupported group, a failing source or 8 rejections.
TlsError draw_key_share(std::unique_ptr<KeyShare>* out, NamedGroup group, KeyShareRandom random,
                        void* context) noexcept;

// generate_key_share is draw_key_share from the operating system's random source (getrandom(2)).
TlsError generate_key_share(std::unique_ptr<KeyShare>* out, NamedGroup group) noexcept;

}  // namespace volley::tls
