// A GoogleTest fixture parametrised over the backends of one algorithm family: each test of the
// suite runs once per backend available on this CPU, named after the backend
// (e.g. AesGcmVectors/Wycheproof/vaes_avx512).
//
//   class AesGcmVectors : public volley::test::BackendTest {};
//   VOLLEY_INSTANTIATE_FOR_EACH_BACKEND(AesGcmVectors, volley::dispatch::Family::kAesGcm);
//   TEST_P(AesGcmVectors, Wycheproof) { ... backend() ... }
//
// Backends that are built for this architecture but not supported by this CPU cannot run; the
// suite's BackendCoverage test prints them so the gap is visible in the log.
#pragma once

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "volley/dispatch.h"

namespace volley::test {

// available_backends lists the names of the backends of |family| that can run here, best first.
// Never empty: every family has a portable backend.
std::vector<std::string> available_backends(dispatch::Family family);

// unavailable_backends lists those built for this architecture that this CPU (after
// VOLLEY_CPU_DISABLE) cannot run.
std::vector<std::string> unavailable_backends(dispatch::Family family);

// BackendParamName turns "vaes-avx512" into a GoogleTest-safe "vaes_avx512".
std::string BackendParamName(const ::testing::TestParamInfo<std::string>& info);

class BackendTest : public ::testing::TestWithParam<std::string> {
 protected:
  const std::string& backend() const { return GetParam(); }
};

}  // namespace volley::test

#define VOLLEY_INSTANTIATE_FOR_EACH_BACKEND(suite, family)                                  \
  INSTANTIATE_TEST_SUITE_P(                                                                  \
      Backends, suite, ::testing::ValuesIn(::volley::test::available_backends(family)),     \
      ::volley::test::BackendParamName);                                                     \
  TEST(suite##Coverage, ListsBackends) {                                                     \
    const auto runs = ::volley::test::available_backends(family);                            \
    ASSERT_FALSE(runs.empty());                                                              \
    for (const auto& name : ::volley::test::unavailable_backends(family)) {                  \
      std::printf("[ NOTE     ] %s: backend %s is built but this CPU cannot run it\n", #suite, \
                  name.c_str());                                                             \
    }                                                                                        \
  }
