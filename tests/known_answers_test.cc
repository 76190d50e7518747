// `volley selftest`'s known-answer tests pass on every backend this CPU runs, for every family.
#include "gtest/gtest.h"
#include "tests/harness/backend_test.h"
#include "tools/known_answers.h"

namespace volley::tool {
namespace {

TEST(KnownAnswers, EveryFamilyEveryBackend) {
  int checked = 0;
  for (int f = 0; f < dispatch::kFamilyCount; ++f) {
    const auto family = static_cast<dispatch::Family>(f);
    for (const std::string& backend : test::available_backends(family)) {
      const KnownAnswerResult r = run_known_answers(family, backend);
      EXPECT_FALSE(r.failed) << dispatch::family_name(family) << "/" << backend << ": " << r.detail;
      ++checked;
    }
  }
  EXPECT_GE(checked, dispatch::kFamilyCount);
}

TEST(KnownAnswers, UnknownBackendFails) {
  EXPECT_TRUE(run_known_answers(dispatch::Family::kAesGcm, "no-such-backend").failed);
}

}  // namespace
}  // namespace volley::tool
