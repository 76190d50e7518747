// CPU detection agrees with what the kernel reports in /proc/cpuinfo, and VOLLEY_CPU_DISABLE
// parsing behaves.
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "volley/cpu.h"

namespace volley::cpu {
namespace {

// The flags line of the first processor: "flags" on x86, "Features" on ARM.
std::set<std::string> proc_cpuinfo_flags(const std::string& key) {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) != 0) continue;
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::istringstream words(line.substr(colon + 1));
    std::set<std::string> flags;
    std::string w;
    while (words >> w) flags.insert(w);
    return flags;
  }
  return {};
}

#if defined(__x86_64__)

TEST(CpuFeatures, MatchesProcCpuinfo) {
  const std::set<std::string> flags = proc_cpuinfo_flags("flags");
  ASSERT_FALSE(flags.empty()) << "no flags line in /proc/cpuinfo";
  // Linux's names for what volley detects. Linux only lists AVX/AVX-512 when the OS enabled the
  // register state, like our XGETBV check.
  const std::pair<Feature, const char*> kLinuxNames[] = {
      {Feature::kSse41, "sse4_1"},       {Feature::kAes, "aes"},
      {Feature::kPclmulqdq, "pclmulqdq"}, {Feature::kAvx, "avx"},
      {Feature::kAvx2, "avx2"},          {Feature::kBmi2, "bmi2"},
      {Feature::kAdx, "adx"},            {Feature::kVaes, "vaes"},
      {Feature::kVpclmulqdq, "vpclmulqdq"}, {Feature::kAvx512f, "avx512f"},
      {Feature::kAvx512bw, "avx512bw"},  {Feature::kAvx512vl, "avx512vl"},
      {Feature::kAvx512ifma, "avx512ifma"}, {Feature::kSha, "sha_ni"},
  };
  const Features detected = detect();
  for (const auto& [feature, linux_name] : kLinuxNames) {
    EXPECT_EQ(detected.has(feature), flags.count(linux_name) == 1)
        << feature_name(feature) << " (Linux: " << linux_name << ")";
  }
  for (Feature arm : {Feature::kAsimd, Feature::kArmAes, Feature::kPmull, Feature::kSha2,
                      Feature::kSha3, Feature::kSha512}) {
    EXPECT_FALSE(detected.has(arm)) << feature_name(arm);
  }
}

#elif defined(__aarch64__)

TEST(CpuFeatures, MatchesProcCpuinfoOrEmulator) {
  // Under qemu-user, /proc/cpuinfo is the x86 host's; the run configuration then says what the
  // emulated CPU has (VOLLEY_EXPECT_CPU, set by --config=aarch64).
  std::set<std::string> expected = proc_cpuinfo_flags("Features");
  if (expected.empty()) {
    const char* env = std::getenv("VOLLEY_EXPECT_CPU");
    ASSERT_NE(env, nullptr) << "no ARM Features line in /proc/cpuinfo and no VOLLEY_EXPECT_CPU";
    std::istringstream list(env);
    std::string item;
    while (std::getline(list, item, ',')) expected.insert(item);
  }
  const std::pair<Feature, const char*> kLinuxNames[] = {
      {Feature::kAsimd, "asimd"}, {Feature::kArmAes, "aes"},  {Feature::kPmull, "pmull"},
      {Feature::kSha2, "sha2"},   {Feature::kSha3, "sha3"},   {Feature::kSha512, "sha512"},
  };
  const Features detected = detect();
  for (const auto& [feature, linux_name] : kLinuxNames) {
    EXPECT_EQ(detected.has(feature), expected.count(linux_name) == 1) << linux_name;
  }
}

#endif

TEST(CpuFeatures, ParsesDisableList) {
  Features f;
  std::string error;
#if defined(__x86_64__)
  ASSERT_TRUE(parse_feature_list("avx512f, vaes,", &f, &error)) << error;
  EXPECT_EQ(f, (Features{Feature::kAvx512f, Feature::kVaes}));
  ASSERT_TRUE(parse_feature_list("aes", &f, &error));
  EXPECT_EQ(f, Features{Feature::kAes});
#else
  ASSERT_TRUE(parse_feature_list("pmull,sha3", &f, &error)) << error;
  EXPECT_EQ(f, (Features{Feature::kPmull, Feature::kSha3}));
  ASSERT_TRUE(parse_feature_list("aes", &f, &error));
  EXPECT_EQ(f, Features{Feature::kArmAes});
#endif
  ASSERT_TRUE(parse_feature_list("", &f, &error));
  EXPECT_TRUE(f.empty());
  ASSERT_TRUE(parse_feature_list("all", &f, &error));
  for (int i = 0; i < kFeatureCount; ++i) EXPECT_TRUE(f.has(static_cast<Feature>(i)));
  EXPECT_FALSE(parse_feature_list("avx9000", &f, &error));
  EXPECT_NE(error.find("avx9000"), std::string::npos);
}

TEST(CpuFeatures, NamesRoundTrip) {
  for (int i = 0; i < kFeatureCount; ++i) {
    const Feature f = static_cast<Feature>(i);
    EXPECT_FALSE(feature_name(f).empty());
  }
  EXPECT_EQ(to_string(Features{Feature::kAvx2, Feature::kSse41}), "sse4.1 avx2");
}

TEST(CpuFeatures, EnvironmentOverrideRemovesFeatures) {
  // features() is detect() minus VOLLEY_CPU_DISABLE; tests run with it unset or set on purpose.
  const char* env = std::getenv("VOLLEY_CPU_DISABLE");
  Features disabled;
  std::string error;
  ASSERT_TRUE(parse_feature_list(env ? env : "", &disabled, &error)) << error;
  Features expected = detect();
  expected.remove(disabled);
  EXPECT_EQ(features(), expected);
}

}  // namespace
}  // namespace volley::cpu
