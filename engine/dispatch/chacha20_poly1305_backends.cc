// ChaCha20-Poly1305 backends, best first. The last one is portable and needs nothing.
#include "engine/dispatch/family_tables.h"
#include "engine/dispatch/isa_needs.h"

namespace volley::dispatch {
namespace {

constexpr Backend kBackends[] = {
    // Filled in as the kernels land.
};

}  // namespace

std::span<const Backend> chacha20_poly1305_backends() { return kBackends; }

}  // namespace volley::dispatch
