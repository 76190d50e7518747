// volley/dispatch.h: the registry of kernels ("backends") for each algorithm family.
//
// Every algorithm family has an ordered list of backends, best first. Each backend has a stable
// name ("nohw", "aesni", "vaes-avx2", "vaes-avx512", "armv8", ...) and the set of CPU features it
// needs. A backend is available when it was built for this architecture and the CPU (after
// VOLLEY_CPU_DISABLE) has every feature it needs. The best available backend is the first available
// one in the list; it is chosen once per process, or forced by name with force().
//
// A kernel compiled with ISA flags (-mavx2, -mavx512f, -mvaes, ...) is reachable only through its
// Backend entry, and callers get it only from best(), or from find() after checking available().
#pragma once

#include <span>
#include <string_view>

#include "volley/cpu.h"

namespace volley::dispatch {

// Family is a group of algorithms served by the same kernels (AES-128-GCM and AES-256-GCM share
// the AES-GCM kernels; SHA-384 runs on the SHA-512 kernels). kContentType is not an algorithm but
// the record layer's constant-time search for the TLS 1.3 content type (RFC 8446 §5.4).
enum class Family : uint8_t {
  kAesGcm,
  kChaCha20Poly1305,
  kSha256,
  kSha512,
  kX25519,
  kContentType,
  kCount,
};

inline constexpr int kFamilyCount = static_cast<int>(Family::kCount);

// family_name returns "aes-gcm", "chacha20-poly1305", "sha256", "sha512", "x25519" or
// "content-type".
std::string_view family_name(Family family);

// Backend describes one kernel of a family. |kernel| points at the family's kernel table (for
// example an aead_internal::AeadKernel); it is null when the backend is not built for the
// architecture of this binary.
struct Backend {
  std::string_view name;
  cpu::Features needs;
  const void* kernel;
};

// backends lists every backend of |family|, best first, including those not available here.
std::span<const Backend> backends(Family family);

// available reports whether |backend| is built for this architecture and supported by the CPU.
bool available(const Backend& backend);

// find returns the backend of |family| called |name|, or null if there is none by that name.
// It does not check availability.
const Backend* find(Family family, std::string_view name);

// best returns the backend that serves |family| by default: the one forced with force(), or else
// the first available backend. Never null: every family has a portable backend. Thread-safe.
const Backend& best(Family family);

// ForceResult is the outcome of force().
enum class ForceResult : uint8_t { kOk, kUnknownName, kUnavailable };

// force makes |name| the default backend of |family| for the rest of the process (or until the
// next force()). An empty name restores automatic selection. Meant for tests and tools; it does not
// affect keys already set up. Thread-safe.
ForceResult force(Family family, std::string_view name);

// select_best returns the first backend of |list| that has a kernel and whose needs |cpu| has, or
// null. This is the selection rule best() applies; it is exposed so that it can be tested.
const Backend* select_best(std::span<const Backend> list, const cpu::Features& cpu);

}  // namespace volley::dispatch
