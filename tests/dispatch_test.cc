// The registry's selection and forcing rules, on synthetic tables and on the real ones, and the
// real tables against what this CPU can run according to the operating system (/proc/cpuinfo, or
// the emulator's VOLLEY_EXPECT_CPU under qemu), written out here independently of the tables.
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "volley/dispatch.h"

namespace volley::dispatch {
namespace {

using cpu::Feature;
using cpu::Features;

const int kDummyKernel = 0;

TEST(Dispatch, SelectBestTakesFirstSupportedWithKernel) {
  const Backend list[] = {
      {"wide", Features{Feature::kAvx512f, Feature::kVaes}, &kDummyKernel},
      {"other-arch", Features{}, nullptr},  // not built here: never chosen
      {"mid", Features{Feature::kAvx2}, &kDummyKernel},
      {"nohw", Features{}, &kDummyKernel},
  };
  EXPECT_EQ(select_best(list, Features{Feature::kAvx512f, Feature::kVaes, Feature::kAvx2}),
            &list[0]);
  EXPECT_EQ(select_best(list, Features{Feature::kAvx512f, Feature::kAvx2}), &list[2]);
  EXPECT_EQ(select_best(list, Features{Feature::kVaes}), &list[3]);
  EXPECT_EQ(select_best(list, Features{}), &list[3]);
  EXPECT_EQ(select_best(std::span<const Backend>(list, 2), Features{}), nullptr);
}

class RealTables : public ::testing::TestWithParam<Family> {};

TEST_P(RealTables, EndsWithPortableBackendAndNamesAreUnique) {
  const auto list = backends(GetParam());
  ASSERT_FALSE(list.empty()) << family_name(GetParam());
  EXPECT_EQ(list.back().name, "nohw");
  EXPECT_TRUE(list.back().needs.empty());
  EXPECT_NE(list.back().kernel, nullptr);
  std::set<std::string_view> names;
  for (const Backend& b : list) EXPECT_TRUE(names.insert(b.name).second) << b.name;
}

// ---------------------------------------------------------------------------------------------
// The CPU as the operating system reports it, and what each backend's instructions need, by the
// names Linux uses. Neither comes from volley: a backend the CPU can run must be available (so the
// per-backend suites test it), and the best one must be chosen.

// os_cpu_flags returns the flags of the first processor in /proc/cpuinfo ("flags" on x86,
// "Features" on ARM); under qemu-user, whose /proc/cpuinfo is the x86 host's, the emulated CPU's
// from VOLLEY_EXPECT_CPU (set by --config=aarch64).
std::set<std::string> os_cpu_flags() {
#if defined(__x86_64__)
  const std::string key = "flags";
#else
  const std::string key = "Features";
#endif
  std::set<std::string> flags;
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (flags.empty() && std::getline(in, line)) {
    if (line.rfind(key, 0) != 0 || line.find(':') == std::string::npos) continue;
    std::istringstream words(line.substr(line.find(':') + 1));
    for (std::string w; words >> w;) flags.insert(w);
  }
  const char* env = std::getenv("VOLLEY_EXPECT_CPU");
  if (flags.empty() && env != nullptr) {
    std::istringstream list(env);
    for (std::string item; std::getline(list, item, ',');) flags.insert(item);
  }
  return flags;
}

struct BackendNeeds {
  Family family;
  const char* backend;
  std::vector<const char*> flags;  // Linux's names
};

// kFastBackends lists every backend of this architecture but nohw, best first within a family.
#if defined(__x86_64__)
#define VAES_AVX2 "sse4_1", "aes", "pclmulqdq", "avx", "avx2", "bmi2", "vaes", "vpclmulqdq"
#define AVX2 "sse4_1", "avx", "avx2", "bmi2"
const BackendNeeds kFastBackends[] = {
    {Family::kAesGcm, "vaes-avx512", {VAES_AVX2, "avx512f", "avx512bw", "avx512vl"}},
    {Family::kAesGcm, "vaes-avx2", {VAES_AVX2}},
    {Family::kAesGcm, "aesni", {"sse4_1", "aes", "pclmulqdq"}},
    {Family::kChaCha20Poly1305, "avx512", {AVX2, "avx512f", "avx512bw", "avx512vl", "avx512ifma"}},
    {Family::kChaCha20Poly1305, "avx2", {AVX2}},
    {Family::kChaCha20Poly1305, "ssse3", {"sse4_1"}},
    {Family::kSha256, "shani", {"sse4_1", "sha_ni"}},
    {Family::kSha512, "avx2", {AVX2}},
    {Family::kX25519, "mulx-adx", {"bmi2", "adx"}},
    {Family::kContentType, "avx512", {AVX2, "avx512f", "avx512bw", "avx512vl"}},
    {Family::kContentType, "avx2", {AVX2}},
};
#undef VAES_AVX2
#undef AVX2
#elif defined(__aarch64__)
const BackendNeeds kFastBackends[] = {
    {Family::kAesGcm, "armv8-sha3", {"asimd", "aes", "pmull", "sha2", "sha3"}},
    {Family::kAesGcm, "armv8", {"asimd", "aes", "pmull", "sha2"}},
    {Family::kChaCha20Poly1305, "neon", {"asimd"}},
    {Family::kSha256, "armv8", {"asimd", "aes", "pmull", "sha2"}},
    {Family::kSha512, "armv8", {"asimd", "aes", "pmull", "sha2", "sha3", "sha512"}},
    {Family::kContentType, "neon", {"asimd"}},
};
#endif

bool os_cpu_runs(const BackendNeeds& b, const std::set<std::string>& flags) {
  for (const char* f : b.flags) {
    if (flags.count(f) == 0) return false;
  }
  return true;
}

// expected_best is the first backend of |family| in kFastBackends that the CPU runs, else nohw.
std::string expected_best(Family family, const std::set<std::string>& flags) {
  for (const BackendNeeds& b : kFastBackends) {
    if (b.family == family && os_cpu_runs(b, flags)) return b.backend;
  }
  return "nohw";
}

// The expectations are for the whole CPU: VOLLEY_CPU_DISABLE removes features on purpose.
#define SKIP_IF_FEATURES_DISABLED()                                                        \
  if (const char* disabled = std::getenv("VOLLEY_CPU_DISABLE"); disabled != nullptr) {    \
    GTEST_SKIP() << "VOLLEY_CPU_DISABLE=" << disabled                                      \
                 << " removes features on purpose; these expectations are for the whole CPU"; \
  }

TEST_P(RealTables, EveryBackendThisCpuRunsIsAvailable) {
  SKIP_IF_FEATURES_DISABLED();
  const std::set<std::string> flags = os_cpu_flags();
  ASSERT_FALSE(flags.empty()) << "no CPU flags from /proc/cpuinfo or VOLLEY_EXPECT_CPU";
  const Family family = GetParam();
  int listed = 0;
  for (const BackendNeeds& b : kFastBackends) {
    if (b.family != family) continue;
    ++listed;
    const Backend* found = find(family, b.backend);
    ASSERT_NE(found, nullptr) << b.backend;
    EXPECT_EQ(available(*found), os_cpu_runs(b, flags)) << b.backend;
  }
  // Every backend built here has its expectation above: a new one cannot go unchecked.
  int built = 0;
  for (const Backend& b : backends(family)) built += b.kernel != nullptr && b.name != "nohw";
  EXPECT_EQ(listed, built);
}

TEST_P(RealTables, BestIsTheBestThisCpuRuns) {
  SKIP_IF_FEATURES_DISABLED();
  const Family family = GetParam();
  const Backend& chosen = best(family);
  EXPECT_TRUE(available(chosen));
  EXPECT_EQ(chosen.name, expected_best(family, os_cpu_flags()));
  for (const Backend& b : backends(family)) {
    if (&b == &chosen) break;
    EXPECT_FALSE(available(b)) << b.name << " is available and listed before " << chosen.name;
  }
}

// On the machine volley is developed and measured on (AVX-512 with IFMA and VAES), the fast
// kernels must be the ones chosen, and so the ones every per-backend suite runs.
TEST(Dispatch, FastBackendsOnAnAvx512Machine) {
#if defined(__x86_64__)
  SKIP_IF_FEATURES_DISABLED();
  const std::set<std::string> flags = os_cpu_flags();
  if (flags.count("avx512ifma") == 0 || flags.count("vaes") == 0 || flags.count("sha_ni") == 0) {
    GTEST_SKIP() << "this CPU lacks AVX-512 IFMA, VAES or SHA-NI";
  }
  EXPECT_EQ(best(Family::kAesGcm).name, "vaes-avx512");
  EXPECT_EQ(best(Family::kChaCha20Poly1305).name, "avx512");
  EXPECT_EQ(best(Family::kSha256).name, "shani");
  EXPECT_EQ(best(Family::kSha512).name, "avx2");
  EXPECT_EQ(best(Family::kX25519).name, "mulx-adx");
  EXPECT_EQ(best(Family::kContentType).name, "avx512");
#else
  GTEST_SKIP() << "an x86-64 test";
#endif
}

TEST_P(RealTables, FindAndForce) {
  const Family family = GetParam();
  for (const Backend& b : backends(family)) {
    EXPECT_EQ(find(family, b.name), &b);
    const ForceResult r = force(family, b.name);
    if (available(b)) {
      ASSERT_EQ(r, ForceResult::kOk) << b.name;
      EXPECT_EQ(&best(family), &b);
    } else {
      EXPECT_EQ(r, ForceResult::kUnavailable) << b.name;
    }
  }
  EXPECT_EQ(find(family, "no-such-backend"), nullptr);
  EXPECT_EQ(force(family, "no-such-backend"), ForceResult::kUnknownName);
  // Forcing nothing restores the automatic choice: the first available backend.
  ASSERT_EQ(force(family, ""), ForceResult::kOk);
  const Backend* first = nullptr;
  for (const Backend& b : backends(family)) {
    if (first == nullptr && available(b)) first = &b;
  }
  EXPECT_EQ(&best(family), first);
}

TEST_P(RealTables, BackendsOfThisArchitectureAreBuilt) {
  // A backend is null only when it targets another architecture.
  for (const Backend& b : backends(GetParam())) {
#if defined(__x86_64__)
    const bool other_arch = b.name.find("armv8") == 0 || b.name == "neon";
#else
    const bool other_arch = !(b.name.find("armv8") == 0 || b.name == "neon" || b.name == "nohw");
#endif
    EXPECT_EQ(b.kernel == nullptr, other_arch) << b.name;
  }
}

INSTANTIATE_TEST_SUITE_P(AllFamilies, RealTables,
                         ::testing::Values(Family::kAesGcm, Family::kChaCha20Poly1305,
                                           Family::kSha256, Family::kSha512, Family::kX25519,
                                           Family::kContentType),
                         [](const auto& info) {
                           std::string n(family_name(info.param));
                           for (char& c : n) c = (c == '-') ? '_' : c;
                           return n;
                         });

}  // namespace
}  // namespace volley::dispatch
