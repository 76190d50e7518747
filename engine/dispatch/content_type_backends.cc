// Content-type scan backends, best first. The last one is portable and needs nothing.
#include "engine/dispatch/family_tables.h"
#include "engine/dispatch/isa_needs.h"
#include "engine/kernels/content_type_kernels.h"

namespace volley::dispatch {
namespace {

constexpr Backend kBackends[] = {
    {"avx512", kNeedsAvx512, VOLLEY_X86(kernels::kContentTypeAvx512)},
    {"avx2", kNeedsAvx2, VOLLEY_X86(kernels::kContentTypeAvx2)},
    {"neon", kNeedsNeon, VOLLEY_ARM(kernels::kContentTypeNeon)},
    {"nohw", {}, &kernels::kContentTypeNohw},
};

}  // namespace

std::span<const Backend> content_type_backends() { return kBackends; }

}  // namespace volley::dispatch
