// X25519 backends, best first. The last one is portable and needs nothing.
#include "engine/dispatch/family_tables.h"
#include "engine/dispatch/isa_needs.h"
#include "engine/kernels/x25519_kernels.h"

namespace volley::dispatch {
namespace {

constexpr Backend kBackends[] = {
    {"mulx-adx", kNeedsMulxAdx, VOLLEY_X86(kernels::kX25519MulxAdx)},
    {"nohw", {}, &kernels::kX25519Nohw},
};

}  // namespace

std::span<const Backend> x25519_backends() { return kBackends; }

}  // namespace volley::dispatch
