// SHA-256 backends, best first. The last one is portable and needs nothing.
#include "engine/dispatch/family_tables.h"
#include "engine/dispatch/isa_needs.h"

namespace volley::dispatch {
namespace {

constexpr Backend kBackends[] = {
    // Filled in as the kernels land.
};

}  // namespace

std::span<const Backend> sha256_backends() { return kBackends; }

}  // namespace volley::dispatch
