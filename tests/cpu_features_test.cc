// CPU detection agrees with what the kernel reports in /proc/cpuinfo, and VOLLEY_CPU_DISABLE
// parsing behaves.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

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

// The features of the host architecture, in Feature order.
std::vector<Feature> host_features() {
#if defined(__x86_64__)
  const Feature first = Feature::kSse41, last = Feature::kSha;
#else
  const Feature first = Feature::kAsimd, last = Feature::kSha512;
#endif
  std::vector<Feature> list;
  for (int i = static_cast<int>(first); i <= static_cast<int>(last); ++i) {
    list.push_back(static_cast<Feature>(i));
  }
  return list;
}

// Each name of this architecture parses back to its feature alone, and names are distinct.
TEST(CpuFeatures, NamesRoundTrip) {
  std::set<std::string> names;
  for (Feature f : host_features()) {
    const std::string name(feature_name(f));
    ASSERT_FALSE(name.empty()) << static_cast<int>(f);
    EXPECT_TRUE(names.insert(name).second) << name << " names two features";
    Features parsed;
    std::string error;
    ASSERT_TRUE(parse_feature_list(name, &parsed, &error)) << name << ": " << error;
    EXPECT_EQ(parsed, Features{f}) << name;
    EXPECT_EQ(to_string(Features{f}), name);
  }
  EXPECT_EQ(names.size(), host_features().size());
  EXPECT_EQ(to_string(Features{Feature::kAvx2, Feature::kSse41}), "sse4.1 avx2");
}

// features() is detect() minus VOLLEY_CPU_DISABLE. cpu_features_test runs without it, where the
// two must be equal; cpu_features_disabled_test (tests/BUILD.bazel) runs this file with some
// features disabled, where each named feature must be gone and every other one kept.
TEST(CpuFeatures, EnvironmentOverrideRemovesFeatures) {
  const char* env = std::getenv("VOLLEY_CPU_DISABLE");
  if (env == nullptr) {
    EXPECT_EQ(features(), detect());
    return;
  }
  // Spelled out here rather than parsed by the code under test.
#if defined(__x86_64__)
  const Features named{Feature::kSse41, Feature::kAvx2, Feature::kAvx512f};
  ASSERT_STREQ(env, "sse4.1,avx2,avx512f") << "tests/BUILD.bazel and this test disagree";
#else
  const Features named{Feature::kArmAes, Feature::kPmull, Feature::kSha3};
  ASSERT_STREQ(env, "aes,pmull,sha3") << "tests/BUILD.bazel and this test disagree";
#endif
  const Features detected = detect();
  int removed = 0, kept = 0;
  for (Feature f : host_features()) {
    if (named.has(f)) {
      EXPECT_FALSE(features().has(f)) << feature_name(f) << " was disabled";
      removed += detected.has(f);
    } else {
      EXPECT_EQ(features().has(f), detected.has(f)) << feature_name(f) << " was not disabled";
      kept += detected.has(f);
    }
  }
  if (removed == 0) {
    GTEST_SKIP() << "this CPU has none of the disabled features, so nothing was removed";
  }
  std::printf("[ NOTE     ] VOLLEY_CPU_DISABLE removed %d features and kept %d\n", removed, kept);
}

}  // namespace
}  // namespace volley::cpu
