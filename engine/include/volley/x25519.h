// volley/x25519.h: X25519 Diffie-Hellman (RFC 7748 §5, §6.1) for the TLS 1.3 key share.
//
//   uint8_t priv[32], pub[32], shared[32];
//   if (volley::x25519_generate_keypair(pub, priv) != volley::Status::kOk) { ... }
//   // send pub, receive peer_pub
//   if (volley::x25519(shared, priv, peer_pub) != volley::Status::kOk) { ... abort handshake ... }
//
// Keys and shared secrets are 32-byte strings as RFC 7748 encodes them. A private key is any 32
// bytes: it is clamped (decodeScalar25519) on every use, never in place. A peer public value is any
// 32 bytes: its top bit is ignored and non-canonical values (2^255 - 19 and above) are accepted as
// RFC 7748 §5 requires; points of small order are not rejected here, but their all-zero shared
// secret is (RFC 8446 §7.4.2).
//
// Backends: each function without a |backend| argument uses dispatch::best(Family::kX25519). The
// overloads taking |backend| run the named backend ("mulx-adx", "nohw", ...; see volley/dispatch.h)
// and fail with kUnknownBackend or kBackendUnavailable, writing nothing, when it cannot run. They
// are meant for tests and benchmarks.
//
// Constant time: the running time depends neither on the private key nor on the peer's value.
// Threads: every function is reentrant; it keeps no state between calls and may run concurrently
// with any other. Allocation: none. Secrets: intermediate values are wiped before returning; the
// caller owns, and must wipe, the private keys and shared secrets it holds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "volley/status.h"

namespace volley {

inline constexpr size_t kX25519KeyBytes = 32;

// x25519 computes the shared secret X25519(private_key, peer_public) into |out_shared|.
//
// Returns kOk, or kInvalidPublicValue if the shared secret is all zeros, which happens exactly when
// |peer_public| is a point of small order (RFC 7748 §6.1; RFC 8446 §7.4.2 requires aborting the
// handshake). On kInvalidPublicValue |out_shared| holds 32 zero bytes. The check is constant time
// over the 32 bytes; only its outcome is revealed.
//
// |out_shared| may alias |private_key| or |peer_public|: both are read before it is written.
[[nodiscard]] Status x25519(uint8_t out_shared[32], const uint8_t private_key[32],
                            const uint8_t peer_public[32]) noexcept;

// x25519 with |backend| runs the named backend; see the header comment. On kUnknownBackend or
// kBackendUnavailable |out_shared| is left untouched.
[[nodiscard]] Status x25519(uint8_t out_shared[32], const uint8_t private_key[32],
                            const uint8_t peer_public[32], std::string_view backend) noexcept;

// x25519_public_from_private writes the public value X25519(private_key, 9) to |out_public|.
// |out_public| may alias |private_key|. Cannot fail.
void x25519_public_from_private(uint8_t out_public[32], const uint8_t private_key[32]) noexcept;

// x25519_public_from_private with |backend| runs the named backend. Returns kOk, or
// kUnknownBackend / kBackendUnavailable with |out_public| untouched.
[[nodiscard]] Status x25519_public_from_private(uint8_t out_public[32],
                                                const uint8_t private_key[32],
                                                std::string_view backend) noexcept;

// x25519_generate_keypair fills |out_private| with 32 bytes from the operating system's random
// source (getrandom(2), blocking until the kernel's pool is initialised) and writes the matching
// public value to |out_public|.
//
// Returns kOk; kInvalidArgument, writing nothing, if the two buffers overlap; or kRandomFailure if
// the random source failed, and then both outputs are zeroed, so no partial or predictable key is
// ever returned.
[[nodiscard]] Status x25519_generate_keypair(uint8_t out_public[32],
                                             uint8_t out_private[32]) noexcept;

// x25519_generate_keypair with |backend| computes the public value with the named backend. On
// kUnknownBackend or kBackendUnavailable no randomness is drawn and both outputs are untouched.
[[nodiscard]] Status x25519_generate_keypair(uint8_t out_public[32], uint8_t out_private[32],
                                             std::string_view backend) noexcept;

}  // namespace volley
