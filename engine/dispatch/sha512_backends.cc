// SHA-512 and SHA-384 backends, best first. The last one is portable and needs nothing.
#include "engine/dispatch/family_tables.h"
#include "engine/dispatch/isa_needs.h"

namespace volley::dispatch {
namespace {

constexpr Backend kBackends[] = {
    // Filled in as the kernels land.
};

}  // namespace

std::span<const Backend> sha512_backends() { return kBackends; }

}  // namespace volley::dispatch
