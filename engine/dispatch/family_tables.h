// Each algorithm family's backend list, best first. One file per family
// (engine/dispatch/<family>_backends.cc) defines it; registry.cc serves them.
#pragma once

#include <span>

#include "volley/dispatch.h"

// VOLLEY_X86(k) / VOLLEY_ARM(k) take the address of kernel table k where it is built, and are
// null elsewhere, so a family lists all its backends on every architecture.
#if defined(__x86_64__)
#define VOLLEY_X86(kernel) &(kernel)
#else
#define VOLLEY_X86(kernel) nullptr
#endif
#if defined(__aarch64__)
#define VOLLEY_ARM(kernel) &(kernel)
#else
#define VOLLEY_ARM(kernel) nullptr
#endif

namespace volley::dispatch {

std::span<const Backend> aes_gcm_backends();
std::span<const Backend> chacha20_poly1305_backends();
std::span<const Backend> sha256_backends();
std::span<const Backend> sha512_backends();
std::span<const Backend> x25519_backends();
std::span<const Backend> content_type_backends();

}  // namespace volley::dispatch
