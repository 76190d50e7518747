// CPU feature detection. Built with baseline flags only: it runs before anything knows which
// instructions are safe.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "volley/cpu.h"

#if defined(__x86_64__)
#include <cpuid.h>
#elif defined(__aarch64__)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif

namespace volley::cpu {
namespace {

struct NamedFeature {
  Feature feature;
  std::string_view name;
};

constexpr NamedFeature kNames[] = {
    {Feature::kSse41, "sse4.1"},        {Feature::kAes, "aes"},
    {Feature::kPclmulqdq, "pclmulqdq"}, {Feature::kAvx, "avx"},
    {Feature::kAvx2, "avx2"},           {Feature::kBmi2, "bmi2"},
    {Feature::kAdx, "adx"},             {Feature::kVaes, "vaes"},
    {Feature::kVpclmulqdq, "vpclmulqdq"}, {Feature::kAvx512f, "avx512f"},
    {Feature::kAvx512bw, "avx512bw"},   {Feature::kAvx512vl, "avx512vl"},
    {Feature::kAvx512ifma, "avx512ifma"}, {Feature::kSha, "sha"},
    {Feature::kAsimd, "asimd"},         {Feature::kArmAes, "aes"},
    {Feature::kPmull, "pmull"},         {Feature::kSha2, "sha2"},
    {Feature::kSha3, "sha3"},           {Feature::kSha512, "sha512"},
};
static_assert(sizeof(kNames) / sizeof(kNames[0]) == kFeatureCount);

constexpr bool is_arm_feature(Feature f) { return f >= Feature::kAsimd; }

#if defined(__aarch64__)
constexpr bool kHostIsArm = true;
#else
constexpr bool kHostIsArm = false;
#endif

#if defined(__x86_64__)

struct Regs {
  unsigned a, b, c, d;
};

Regs cpuid(unsigned leaf, unsigned subleaf) {
  Regs r{};
  __cpuid_count(leaf, subleaf, r.a, r.b, r.c, r.d);
  return r;
}

// xgetbv is written as an instruction so this file needs no -mxsave.
uint64_t xgetbv0() {
  uint32_t lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (uint64_t{hi} << 32) | lo;
}

Features detect_x86() {
  Features f;
  unsigned max_leaf = __get_cpuid_max(0, nullptr);
  if (max_leaf < 1) return f;
  const Regs l1 = cpuid(1, 0);
  const bool sse41 = l1.c & (1u << 19);
  const bool aes = l1.c & (1u << 25);
  const bool pclmul = l1.c & (1u << 1);
  const bool osxsave = l1.c & (1u << 27);
  const bool avx = l1.c & (1u << 28);
  if (sse41) f.add(Feature::kSse41);
  if (aes) f.add(Feature::kAes);
  if (pclmul) f.add(Feature::kPclmulqdq);

  // The OS must save the registers too: XCR0 bits 1-2 (xmm, ymm) for AVX; bits 5-7 (opmask,
  // upper zmm0-15, zmm16-31) in addition for AVX-512.
  uint64_t xcr0 = osxsave ? xgetbv0() : 0;
  const bool os_ymm = (xcr0 & 0x6) == 0x6;
  const bool os_zmm = os_ymm && (xcr0 & 0xe0) == 0xe0;
  if (avx && os_ymm) f.add(Feature::kAvx);

  if (max_leaf < 7) return f;
  const Regs l7 = cpuid(7, 0);
  if (l7.b & (1u << 8)) f.add(Feature::kBmi2);
  if (l7.b & (1u << 19)) f.add(Feature::kAdx);
  if (l7.b & (1u << 29)) f.add(Feature::kSha);
  if (os_ymm) {
    if (l7.b & (1u << 5)) f.add(Feature::kAvx2);
    if (l7.c & (1u << 9)) f.add(Feature::kVaes);
    if (l7.c & (1u << 10)) f.add(Feature::kVpclmulqdq);
  }
  if (os_zmm) {
    if (l7.b & (1u << 16)) f.add(Feature::kAvx512f);
    if (l7.b & (1u << 30)) f.add(Feature::kAvx512bw);
    if (l7.b & (1u << 31)) f.add(Feature::kAvx512vl);
    if (l7.b & (1u << 21)) f.add(Feature::kAvx512ifma);
  }
  return f;
}

#elif defined(__aarch64__)

Features detect_arm() {
  Features f;
  const unsigned long hw = getauxval(AT_HWCAP);
  if (hw & HWCAP_ASIMD) f.add(Feature::kAsimd);
  if (hw & HWCAP_AES) f.add(Feature::kArmAes);
  if (hw & HWCAP_PMULL) f.add(Feature::kPmull);
  if (hw & HWCAP_SHA2) f.add(Feature::kSha2);
  if (hw & HWCAP_SHA3) f.add(Feature::kSha3);
  if (hw & HWCAP_SHA512) f.add(Feature::kSha512);
  return f;
}

#endif

Features from_environment(Features detected) {
  const char* value = std::getenv("VOLLEY_CPU_DISABLE");
  if (value == nullptr || *value == '\0') return detected;
  Features disabled;
  std::string error;
  if (!parse_feature_list(value, &disabled, &error)) {
    // A typo must not silently test the wrong path: refuse to run.
    std::string message = "volley: VOLLEY_CPU_DISABLE: " + error + "\n";
    std::fputs(message.c_str(), stderr);
    std::abort();
  }
  detected.remove(disabled);
  return detected;
}

}  // namespace

std::string_view feature_name(Feature f) {
  const int i = static_cast<int>(f);
  return i >= 0 && i < kFeatureCount ? kNames[i].name : std::string_view("?");
}

Features detect() {
#if defined(__x86_64__)
  return detect_x86();
#elif defined(__aarch64__)
  return detect_arm();
#else
  return Features{};
#endif
}

const Features& features() {
  static const Features kFeatures = from_environment(detect());
  return kFeatures;
}

bool parse_feature_list(std::string_view list, Features* out, std::string* error) {
  Features result;
  while (!list.empty()) {
    const size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.empty()) continue;
    if (item == "all") {
      for (const NamedFeature& nf : kNames) result.add(nf.feature);
      continue;
    }
    bool found = false;
    for (const NamedFeature& nf : kNames) {
      if (nf.name == item && is_arm_feature(nf.feature) == kHostIsArm) {
        result.add(nf.feature);
        found = true;
      }
    }
    if (!found) {
      *error = "unknown CPU feature \"" + std::string(item) + "\"";
      return false;
    }
  }
  *out = result;
  return true;
}

std::string to_string(Features set) {
  std::string s;
  for (const NamedFeature& nf : kNames) {
    if (!set.has(nf.feature)) continue;
    if (!s.empty()) s += ' ';
    s += nf.name;
  }
  return s;
}

}  // namespace volley::cpu
