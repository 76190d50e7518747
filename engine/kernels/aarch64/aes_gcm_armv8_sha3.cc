// AES-GCM on ARMv8 AES + PMULL with the SHA3 extension's three-way EOR3, which merges the GHASH
// accumulations, the reduction folds and the last AES round key with the data. The algorithm is in
// aes_gcm_armv8.inc.
#define VOLLEY_GCM_NS aes_gcm_armv8_sha3
#define VOLLEY_GCM_EOR3 1
#include "engine/kernels/aarch64/aes_gcm_armv8.inc"

namespace volley::kernels {

const AeadKernel kAesGcmArmv8Sha3 = VOLLEY_GCM_TABLE;

}  // namespace volley::kernels
