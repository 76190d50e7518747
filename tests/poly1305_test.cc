// Poly1305 kernels (engine/kernels/poly1305_kernels.h): BoringSSL's vectors and differential tests
// against OpenSSL and the portable kernel, on every kernel this CPU can run.
#include <openssl/evp.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "engine/dispatch/isa_needs.h"
#include "engine/kernels/poly1305_kernels.h"
#include "gtest/gtest.h"
#include "tests/harness/vectors.h"
#include "volley/cpu.h"

namespace volley {
namespace {

using kernels::Poly1305Kernel;
using kernels::Poly1305State;

struct NamedKernel {
  const char* name;
  const Poly1305Kernel* kernel;
  cpu::Features needs;
};

// available_kernels lists every Poly1305 kernel built for this architecture that the CPU (after
// VOLLEY_CPU_DISABLE) can run. nohw is always first.
std::vector<NamedKernel> available_kernels() {
  const NamedKernel all[] = {
    {"nohw", &kernels::kPoly1305Nohw, {}},
#if defined(__x86_64__)
    {"avx2", &kernels::kPoly1305Avx2, dispatch::kNeedsAvx2},
    {"avx512ifma", &kernels::kPoly1305Avx512Ifma, dispatch::kNeedsAvx512Ifma},
#endif
#if defined(__aarch64__)
    {"neon", &kernels::kPoly1305Neon, dispatch::kNeedsNeon},
#endif
  };
  std::vector<NamedKernel> out;
  for (const NamedKernel& k : all) {
    if (cpu::features().has_all(k.needs)) out.push_back(k);
  }
  return out;
}

// mac runs |k| over |msg| in the given chunk sizes (each a multiple of 16 except the last), then
// the remainder in one call.
std::vector<uint8_t> mac(const Poly1305Kernel& k, const std::vector<uint8_t>& key,
                         const std::vector<uint8_t>& msg, const std::vector<size_t>& chunks = {}) {
  Poly1305State st;
  k.init(&st, key.data());
  size_t off = 0;
  for (size_t c : chunks) {
    k.blocks(&st, msg.data() + off, c);
    off += c;
  }
  k.blocks(&st, msg.data() + off, msg.size() - off);
  std::vector<uint8_t> tag(16);
  k.finish(&st, tag.data());
  return tag;
}

std::vector<uint8_t> openssl_mac(const std::vector<uint8_t>& key, const std::vector<uint8_t>& msg) {
  EVP_MAC* m = EVP_MAC_fetch(nullptr, "POLY1305", nullptr);
  EXPECT_NE(m, nullptr);
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(m);
  std::vector<uint8_t> tag(16);
  size_t out_len = 0;
  EXPECT_EQ(EVP_MAC_init(ctx, key.data(), key.size(), nullptr), 1);
  EXPECT_EQ(EVP_MAC_update(ctx, msg.data(), msg.size()), 1);
  EXPECT_EQ(EVP_MAC_final(ctx, tag.data(), &out_len, tag.size()), 1);
  EXPECT_EQ(out_len, 16u);
  EVP_MAC_CTX_free(ctx);
  EVP_MAC_free(m);
  return tag;
}

// random_chunks splits |len| at random 16-byte multiples (small and large pieces).
std::vector<size_t> random_chunks(std::mt19937_64& rng, size_t len) {
  std::vector<size_t> chunks;
  size_t left = len & ~size_t{15};
  while (left > 0) {
    size_t c = 16 * (rng() % 3 == 0 ? rng() % 4 : rng() % 48);
    if (c > left) c = left;
    chunks.push_back(c);
    left -= c;
  }
  return chunks;
}

std::vector<uint8_t> random_bytes(std::mt19937_64& rng, size_t n) {
  std::vector<uint8_t> v(n);
  for (uint8_t& b : v) b = static_cast<uint8_t>(rng());
  return v;
}

TEST(Poly1305Test, KernelsAvailable) {
  const std::vector<NamedKernel> ks = available_kernels();
  ASSERT_FALSE(ks.empty());
  std::string names;
  for (const NamedKernel& k : ks) names += std::string(k.name) + " ";
  std::printf("Poly1305 kernels tested: %s\n", names.c_str());
#if defined(__x86_64__)
  // On a CPU with IFMA (this project's development machine) every x86 kernel must be exercised.
  if (cpu::detect().has_all(dispatch::kNeedsAvx512Ifma) &&
      std::getenv("VOLLEY_CPU_DISABLE") == nullptr) {
    EXPECT_EQ(ks.size(), 3u);
  }
#endif
}

TEST(Poly1305Test, BoringSslVectors) {
  const auto cases = test::read_file_test_file(test::vector_path("boringssl/poly1305_tests.txt"));
  // The file's 33 cases, every one on every kernel: a short or empty file cannot pass.
  ASSERT_EQ(cases.size(), 33u);
  std::mt19937_64 rng(7);
  const std::vector<NamedKernel> kernels = available_kernels();
  size_t checked = 0;
  for (const NamedKernel& k : kernels) {
    for (const test::FileTestCase& c : cases) {
      const std::vector<uint8_t> key = c.bytes("Key");
      const std::vector<uint8_t> in = c.bytes("Input");
      const std::vector<uint8_t> want = c.bytes("MAC");
      ASSERT_EQ(key.size(), 32u);
      EXPECT_EQ(test::to_hex(mac(*k.kernel, key, in)), test::to_hex(want))
          << k.name << " line " << c.line;
      EXPECT_EQ(test::to_hex(mac(*k.kernel, key, in, random_chunks(rng, in.size()))),
                test::to_hex(want))
          << k.name << " chunked, line " << c.line;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 33 * kernels.size());
}

// Every length 0..2048 in steps of 16, random data, whole and in random chunks, against OpenSSL
// and nohw; then the carry-heavy cases: all-0xff messages with the largest clamped r and s.
TEST(Poly1305Test, DifferentialBlockMultiples) {
  std::mt19937_64 rng(1305);
  const std::vector<NamedKernel> ks = available_kernels();
  for (int variant = 0; variant < 3; ++variant) {
    for (size_t len = 0; len <= 2048; len += 16) {
      std::vector<uint8_t> key = random_bytes(rng, 32);
      std::vector<uint8_t> msg = random_bytes(rng, len);
      if (variant >= 1) std::fill(key.begin(), key.end(), 0xff);
      if (variant == 1) std::fill(msg.begin(), msg.end(), 0xff);
      const std::vector<uint8_t> want = openssl_mac(key, msg);
      for (const NamedKernel& k : ks) {
        ASSERT_EQ(test::to_hex(mac(*k.kernel, key, msg)), test::to_hex(want))
            << k.name << " len " << len << " variant " << variant;
        ASSERT_EQ(test::to_hex(mac(*k.kernel, key, msg, random_chunks(rng, len))),
                  test::to_hex(want))
            << k.name << " chunked, len " << len << " variant " << variant;
      }
    }
  }
}

// Messages that drive h to just below, at and just above p = 2^130 - 5 before the final
// reduction. With r = 1 the blocks are simply summed (each plus 2^128): blocks 0, 8 and
// 2^128 - 13 + delta give h = p + delta.
TEST(Poly1305Test, FinalReductionEdges) {
  const std::vector<NamedKernel> ks = available_kernels();
  for (int delta = -8; delta <= 8; ++delta) {
    std::vector<uint8_t> key(32, 0);
    key[0] = 1;
    for (int i = 16; i < 32; ++i) key[i] = static_cast<uint8_t>(0x11 * (i - 15));
    std::vector<uint8_t> msg(48, 0);
    msg[16] = 8;
    std::fill(msg.begin() + 32, msg.end(), 0xff);
    const uint64_t lo = ~uint64_t{0} - 12 + static_cast<uint64_t>(static_cast<int64_t>(delta));
    std::memcpy(msg.data() + 32, &lo, 8);
    const std::vector<uint8_t> want = openssl_mac(key, msg);
    for (const NamedKernel& k : ks) {
      EXPECT_EQ(test::to_hex(mac(*k.kernel, key, msg)), test::to_hex(want))
          << k.name << " delta " << delta;
    }
  }
}

// Arbitrary lengths (a partial final block) and long inputs, against OpenSSL.
TEST(Poly1305Test, DifferentialAnyLength) {
  std::mt19937_64 rng(8439);
  const std::vector<NamedKernel> ks = available_kernels();
  for (int i = 0; i < 400; ++i) {
    const size_t len = i < 300 ? rng() % 600 : rng() % 20000;
    const std::vector<uint8_t> key = random_bytes(rng, 32);
    const std::vector<uint8_t> msg = random_bytes(rng, len);
    const std::vector<uint8_t> want = openssl_mac(key, msg);
    for (const NamedKernel& k : ks) {
      ASSERT_EQ(test::to_hex(mac(*k.kernel, key, msg, random_chunks(rng, len))), test::to_hex(want))
          << k.name << " len " << len;
    }
  }
}

}  // namespace
}  // namespace volley
