// ChaCha20-Poly1305 backends, best first. The last one is portable and needs nothing.
#include "engine/dispatch/family_tables.h"
#include "engine/dispatch/isa_needs.h"
#include "engine/kernels/aead_kernels.h"

namespace volley::dispatch {
namespace {

constexpr Backend kBackends[] = {
    {"avx512", kNeedsAvx512Ifma, VOLLEY_X86(kernels::kChaCha20Poly1305Avx512)},
    {"avx2", kNeedsAvx2, VOLLEY_X86(kernels::kChaCha20Poly1305Avx2)},
    {"ssse3", Features{Feature::kSse41}, VOLLEY_X86(kernels::kChaCha20Poly1305Ssse3)},
    {"neon", kNeedsNeon, VOLLEY_ARM(kernels::kChaCha20Poly1305Neon)},
    {"nohw", {}, &kernels::kChaCha20Poly1305Nohw},
};

}  // namespace

std::span<const Backend> chacha20_poly1305_backends() { return kBackends; }

}  // namespace volley::dispatch
