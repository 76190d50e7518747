// AES-GCM backends, best first.
#include "engine/dispatch/family_tables.h"
#include "engine/dispatch/isa_needs.h"
#include "engine/kernels/aead_kernels.h"

namespace volley::dispatch {
namespace {

constexpr Backend kBackends[] = {
    {"vaes-avx512", kNeedsVaesAvx512, VOLLEY_X86(kernels::kAesGcmVaesAvx512)},
    {"vaes-avx2", kNeedsVaesAvx2, VOLLEY_X86(kernels::kAesGcmVaesAvx2)},
    {"aesni", kNeedsAesni, VOLLEY_X86(kernels::kAesGcmAesni)},
    {"armv8-sha3", kNeedsArmCryptoSha3, VOLLEY_ARM(kernels::kAesGcmArmv8Sha3)},
    {"armv8", kNeedsArmCrypto, VOLLEY_ARM(kernels::kAesGcmArmv8)},
    {"nohw", {}, &kernels::kAesGcmNohw},
};

}  // namespace

std::span<const Backend> aes_gcm_backends() { return kBackends; }

}  // namespace volley::dispatch
