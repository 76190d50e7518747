// RFC 7748 §5.2's million-iteration X25519 vector on every backend. It takes 20-40 s per backend
// natively (far longer under sanitizers or qemu), so the target is tagged manual and run by hand:
//   bazel test //tests:x25519_slow_test
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/harness/backend_test.h"
#include "tests/harness/vectors.h"
#include "volley/x25519.h"

namespace volley {
namespace {

class X25519Slow : public test::BackendTest {};

TEST_P(X25519Slow, Rfc7748Section5_2MillionIterations) {
  // (k, u) <- (X25519(k, u), k), starting from k = u = 9.
  std::vector<uint8_t> k(32, 0), u(32, 0), r(32);
  k[0] = 9;
  u[0] = 9;
  for (int i = 0; i < 1000000; ++i) {
    ASSERT_EQ(x25519(r.data(), k.data(), u.data(), backend()), Status::kOk);
    u = k;
    k = r;
  }
  EXPECT_EQ(test::to_hex(k), "7c3911e0ab2586fd864497297e575e6f3bc601c0883c30df5f4dd2d24f665424");
}

VOLLEY_INSTANTIATE_FOR_EACH_BACKEND(X25519Slow, dispatch::Family::kX25519);

}  // namespace
}  // namespace volley
