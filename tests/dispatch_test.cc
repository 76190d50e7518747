// The registry's selection and forcing rules, on synthetic tables and on the real ones.
#include <set>
#include <string>

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

TEST_P(RealTables, BestIsFirstAvailable) {
  const Family family = GetParam();
  const Backend& chosen = best(family);
  EXPECT_TRUE(available(chosen));
  EXPECT_EQ(&chosen, select_best(backends(family), cpu::features()));
  for (const Backend& b : backends(family)) {
    if (&b == &chosen) break;
    EXPECT_FALSE(available(b)) << b.name << " is available and listed before " << chosen.name;
  }
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
  ASSERT_EQ(force(family, ""), ForceResult::kOk);
  EXPECT_EQ(&best(family), select_best(backends(family), cpu::features()));
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
