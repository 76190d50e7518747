// SHA-256 and SHA-512 compression kernels (FIPS 180-4), one table per backend. Internal.
//
// A kernel only compresses whole blocks into a state; padding, length encoding and buffering are
// done once, portably, by the front end (engine/hash/sha256.cc, engine/hash/sha512.cc). SHA-384
// and SHA-512/256 differ from SHA-512 only in the initial state and the output length, so they run
// on the SHA-512 kernels.
#pragma once

#include <cstddef>
#include <cstdint>

namespace volley::kernels {

// Sha256Kernel compresses |nblocks| 64-byte blocks at |in| (any alignment) into |state|, the eight
// working words H0..H7 in host order. nblocks may be 0.
struct Sha256Kernel {
  void (*blocks)(uint32_t state[8], const uint8_t* in, size_t nblocks);
};

// Sha512Kernel is the same for 128-byte blocks and 64-bit words.
struct Sha512Kernel {
  void (*blocks)(uint64_t state[8], const uint8_t* in, size_t nblocks);
};

// The round constants, shared by the portable kernels and those whose instructions need them fed
// in (SHA-NI, ARMv8): FIPS 180-4 §4.2.2 and §4.2.3. Defined in engine/kernels/portable/.
extern const uint32_t kSha256RoundConstants[64];
extern const uint64_t kSha512RoundConstants[80];

extern const Sha256Kernel kSha256Nohw;
extern const Sha512Kernel kSha512Nohw;

#if defined(__x86_64__)
extern const Sha256Kernel kSha256Shani;
extern const Sha512Kernel kSha512Avx2;
#endif

#if defined(__aarch64__)
extern const Sha256Kernel kSha256Armv8;
extern const Sha512Kernel kSha512Armv8;
#endif

}  // namespace volley::kernels
