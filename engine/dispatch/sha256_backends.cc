// SHA-256 backends, best first. The last one is portable and needs nothing.
#include "engine/dispatch/family_tables.h"
#include "engine/dispatch/isa_needs.h"
#include "engine/kernels/hash_kernels.h"

namespace volley::dispatch {
namespace {

constexpr Backend kBackends[] = {
    {"shani", kNeedsShaNi, VOLLEY_X86(kernels::kSha256Shani)},
    {"armv8", kNeedsArmCrypto, VOLLEY_ARM(kernels::kSha256Armv8)},
    {"nohw", {}, &kernels::kSha256Nohw},
};

}  // namespace

std::span<const Backend> sha256_backends() { return kBackends; }

}  // namespace volley::dispatch
