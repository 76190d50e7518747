// SHA-512 and SHA-384 backends, best first. The last one is portable and needs nothing.
#include "engine/dispatch/family_tables.h"
#include "engine/dispatch/isa_needs.h"
#include "engine/kernels/hash_kernels.h"

namespace volley::dispatch {
namespace {

constexpr Backend kBackends[] = {
    {"armv8", kNeedsArmSha512, VOLLEY_ARM(kernels::kSha512Armv8)},
    {"avx2", kNeedsAvx2, VOLLEY_X86(kernels::kSha512Avx2)},
    {"nohw", {}, &kernels::kSha512Nohw},
};

}  // namespace

std::span<const Backend> sha512_backends() { return kBackends; }

}  // namespace volley::dispatch
