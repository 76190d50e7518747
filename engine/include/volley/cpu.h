// volley/cpu.h: the CPU features volley's kernels depend on, detected once.
//
// Detection lives in engine/cpu/cpu_features.cc, which is compiled with baseline flags only, so it
// is safe to call on any x86-64 or ARMv8 CPU. Kernels built with ISA flags are never reached before
// dispatch (volley/dispatch.h) has checked these features.
//
// The environment variable VOLLEY_CPU_DISABLE removes features from what detection reports, so that
// every kernel path can be exercised on a bigger CPU: a comma-separated list of feature names as
// printed by feature_name() (e.g. "avx512f,vaes"), or "all". It is read once, on first use.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace volley::cpu {

// Feature is one instruction-set extension a kernel may require.
enum class Feature : uint8_t {
  // x86-64
  kSse41,
  kAes,
  kPclmulqdq,
  kAvx,
  kAvx2,
  kBmi2,
  kAdx,
  kVaes,
  kVpclmulqdq,
  kAvx512f,
  kAvx512bw,
  kAvx512vl,
  kAvx512ifma,
  kSha,
  // aarch64
  kAsimd,
  kArmAes,
  kPmull,
  kSha2,
  kSha3,
  kSha512,
  kCount,
};

inline constexpr int kFeatureCount = static_cast<int>(Feature::kCount);

// Features is a set of Feature values. It is a plain value type.
class Features {
 public:
  constexpr Features() = default;
  constexpr Features(std::initializer_list<Feature> list) {
    for (Feature f : list) bits_ |= bit(f);
  }
  constexpr bool has(Feature f) const { return (bits_ & bit(f)) != 0; }
  // has_all returns whether every feature of |needed| is in this set.
  constexpr bool has_all(Features needed) const { return (bits_ & needed.bits_) == needed.bits_; }
  constexpr void add(Feature f) { bits_ |= bit(f); }
  constexpr void remove(Features other) { bits_ &= ~other.bits_; }
  constexpr bool empty() const { return bits_ == 0; }
  constexpr uint64_t bits() const { return bits_; }
  constexpr bool operator==(const Features&) const = default;

 private:
  static constexpr uint64_t bit(Feature f) { return uint64_t{1} << static_cast<int>(f); }
  uint64_t bits_ = 0;
};

// feature_name returns the lower-case name of |f| as used by /proc/cpuinfo-like listings and by
// VOLLEY_CPU_DISABLE ("sse4.1", "aes", "pclmulqdq", "avx", "avx2", "bmi2", "adx", "vaes",
// "vpclmulqdq", "avx512f", "avx512bw", "avx512vl", "avx512ifma", "sha", "asimd", "aes", "pmull",
// "sha2", "sha3", "sha512"). The ARM and x86 "aes" share a name; the one of the host architecture
// is meant.
std::string_view feature_name(Feature f);

// detect returns what the CPU and the operating system support, ignoring VOLLEY_CPU_DISABLE.
// On x86-64 the AVX and AVX-512 features are reported only when XGETBV shows the OS saves the
// ymm and zmm/opmask state.
Features detect();

// features returns detect() minus what VOLLEY_CPU_DISABLE removes. Computed once; thread-safe.
const Features& features();

// parse_feature_list parses a VOLLEY_CPU_DISABLE value. Unknown names are an error: returns false
// and names the first unknown entry in |error|.
bool parse_feature_list(std::string_view list, Features* out, std::string* error);

// to_string lists the features of |set| by name, separated by spaces, in Feature order.
std::string to_string(Features set);

}  // namespace volley::cpu
