// AES-GCM on ARMv8 AES + PMULL (two-input EORs). The algorithm is in aes_gcm_armv8.inc.
#define VOLLEY_GCM_NS aes_gcm_armv8
#define VOLLEY_GCM_EOR3 0
#include "engine/kernels/aarch64/aes_gcm_armv8.inc"

namespace volley::kernels {

const AeadKernel kAesGcmArmv8 = VOLLEY_GCM_TABLE;

}  // namespace volley::kernels
