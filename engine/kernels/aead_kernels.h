// The AEAD kernel tables, one per backend. Each is defined in its own per-ISA translation unit
// (engine/kernels/<arch>/<algorithm>_<backend>.cc) and reached only through dispatch.
#pragma once

#include "engine/aead/aead_kernel.h"

namespace volley::kernels {

using aead_internal::AeadKernel;

extern const AeadKernel kAesGcmNohw;
extern const AeadKernel kChaCha20Poly1305Nohw;

#if defined(__x86_64__)
extern const AeadKernel kAesGcmAesni;
extern const AeadKernel kAesGcmVaesAvx2;
extern const AeadKernel kAesGcmVaesAvx512;
extern const AeadKernel kChaCha20Poly1305Ssse3;
extern const AeadKernel kChaCha20Poly1305Avx2;
extern const AeadKernel kChaCha20Poly1305Avx512;
#endif

#if defined(__aarch64__)
extern const AeadKernel kAesGcmArmv8;
extern const AeadKernel kAesGcmArmv8Sha3;
extern const AeadKernel kChaCha20Poly1305Neon;
#endif

}  // namespace volley::kernels
