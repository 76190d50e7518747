// The CPU features each per-ISA flag set of build_defs/isa_copts.bzl lets the compiler use. A
// backend compiled with one of those flag sets must list at least these features as its needs, so
// that dispatch never runs an instruction the CPU lacks. Keep the two files in step.
#pragma once

#include "volley/cpu.h"

namespace volley::dispatch {

using cpu::Feature;
using cpu::Features;

inline constexpr Features kNeedsAesni{Feature::kSse41, Feature::kAes, Feature::kPclmulqdq};

inline constexpr Features kNeedsAvx2{Feature::kSse41, Feature::kAvx, Feature::kAvx2,
                                     Feature::kBmi2};

inline constexpr Features kNeedsVaesAvx2{Feature::kSse41,     Feature::kAes,  Feature::kPclmulqdq,
                                         Feature::kAvx,       Feature::kAvx2, Feature::kBmi2,
                                         Feature::kVaes,      Feature::kVpclmulqdq};

inline constexpr Features kNeedsAvx512{Feature::kSse41,    Feature::kAvx,      Feature::kAvx2,
                                       Feature::kBmi2,     Feature::kAvx512f,  Feature::kAvx512bw,
                                       Feature::kAvx512vl};

inline constexpr Features kNeedsVaesAvx512{
    Feature::kSse41,      Feature::kAes,     Feature::kPclmulqdq, Feature::kAvx,
    Feature::kAvx2,       Feature::kBmi2,    Feature::kVaes,      Feature::kVpclmulqdq,
    Feature::kAvx512f,    Feature::kAvx512bw, Feature::kAvx512vl};

inline constexpr Features kNeedsAvx512Ifma{Feature::kSse41,    Feature::kAvx,      Feature::kAvx2,
                                           Feature::kBmi2,     Feature::kAvx512f,  Feature::kAvx512bw,
                                           Feature::kAvx512vl, Feature::kAvx512ifma};

inline constexpr Features kNeedsShaNi{Feature::kSse41, Feature::kSha};

inline constexpr Features kNeedsMulxAdx{Feature::kBmi2, Feature::kAdx};

inline constexpr Features kNeedsNeon{Feature::kAsimd};

inline constexpr Features kNeedsArmCrypto{Feature::kAsimd, Feature::kArmAes, Feature::kPmull,
                                          Feature::kSha2};

inline constexpr Features kNeedsArmCryptoSha3{Feature::kAsimd, Feature::kArmAes, Feature::kPmull,
                                              Feature::kSha2,  Feature::kSha3};

inline constexpr Features kNeedsArmSha512{Feature::kAsimd, Feature::kArmAes, Feature::kPmull,
                                          Feature::kSha2,  Feature::kSha3,   Feature::kSha512};

}  // namespace volley::dispatch
