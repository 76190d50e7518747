// Differential tests of the content type an AEAD kernel finds while it opens (aead_kernel.h,
// Job::inner) against the standalone scan (content_type_kernels.h, the portable kernel): every
// length 0..600 with the type byte at every position and all-zero messages, lengths around every
// path boundary of the kernels (one and two vectors, the small stages' modes, quads, 256-byte bulk
// chunks, 2 KiB ChaCha20 chunks, the largest records), one at a time, in batches of one length and
// in batches that mix lengths and keys. A kernel that does not claim the feature must leave
// *inner alone. Each test suite calls these from a TEST_P of its per-backend fixture.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <random>
#include <sstream>
#include <vector>

#include "engine/aead/aead_key_access.h"
#include "engine/aead/aead_kernel.h"
#include "engine/kernels/content_type_kernels.h"
#include "gtest/gtest.h"
#include "tests/harness/vectors.h"
#include "volley/aead.h"

namespace volley::test {

// InnerCase is one message: its length and the position of its type byte (none: all zeros).
struct InnerCase {
  size_t len;
  size_t type_at;  // SIZE_MAX: no type byte, the message is all zeros
};

// InnerTypeChecker seals messages with a kernel's seal_batch, opens them with open_batch asking
// for the content type, and compares with the standalone scan.
class InnerTypeChecker {
 public:
  InnerTypeChecker(std::initializer_list<const AeadKey*> keys, bool expect_fused, uint64_t seed)
      : keys_(keys), rng_(seed) {
    kernel_ = aead_internal::kernel_of(*keys_[0]);
    EXPECT_EQ(kernel_->finds_content_type, expect_fused)
        << "the kernel's claim to find the content type while it opens";
  }

  // open_batches opens |cases| in batches of the sizes |batch| gives (called with the number left).
  template <typename BatchSize>
  void open_batches(const std::vector<InnerCase>& cases, BatchSize batch) {
    for (size_t i = 0; i < cases.size();) {
      size_t n = batch(cases.size() - i);
      if (n > cases.size() - i) n = cases.size() - i;
      open_one_batch(cases.data() + i, n);
      if (::testing::Test::HasFatalFailure()) return;
      i += n;
    }
  }

 private:
  // A message is laid out as the record layer lays out a record: header (the AAD), body, tag.
  void open_one_batch(const InnerCase* cases, size_t n) {
    constexpr size_t kHeader = 5;
    std::vector<size_t> offs(n);
    size_t total = 0;
    for (size_t i = 0; i < n; ++i) {
      offs[i] = total;
      total += kHeader + cases[i].len + 16;
    }
    // One connection's records (one key, consecutive sequence numbers) or, one batch in three,
    // a key per record.
    const bool one_key = rng_() % 3 != 0;
    const size_t key0 = rng_() % keys_.size();
    std::vector<uint8_t> buf(total + 64), iv(12);
    for (uint8_t& b : iv) b = static_cast<uint8_t>(rng_());
    std::vector<std::vector<uint8_t>> inners(n);
    std::vector<aead_internal::Job> jobs(n);
    std::vector<aead_internal::InnerType> found(n);
    std::vector<uint8_t> computed(16 * n);
    const uint64_t seq0 = rng_() >> 8;
    for (size_t i = 0; i < n; ++i) {
      const InnerCase& c = cases[i];
      uint8_t* rec = buf.data() + offs[i];
      rec[0] = 23;
      rec[1] = 3;
      rec[2] = 3;
      rec[3] = static_cast<uint8_t>((c.len + 16) >> 8);
      rec[4] = static_cast<uint8_t>(c.len + 16);
      // Content: random bytes, a quarter of them zero (so that lanes of earlier vectors hold
      // non-zero bytes at other lanes); the type byte; zeros.
      std::vector<uint8_t>& inner = inners[i];
      inner.assign(c.len, 0);
      const size_t content = c.type_at == SIZE_MAX ? 0 : c.type_at;
      for (size_t k = 0; k < content; ++k) {
        inner[k] = rng_() % 4 == 0 ? 0 : static_cast<uint8_t>(rng_());
      }
      if (c.type_at != SIZE_MAX) inner[c.type_at] = static_cast<uint8_t>(1 + rng_() % 255);
      std::copy(inner.begin(), inner.end(), rec + kHeader);
      const size_t key = one_key ? key0 : rng_() % keys_.size();
      jobs[i] = aead_internal::Job{.key = aead_internal::key_state_of(*keys_[key]),
                                   .iv = iv.data(),
                                   .seq = seq0 + i,
                                   .aad = rec,
                                   .aad_len = kHeader,
                                   .in = rec + kHeader,
                                   .out = rec + kHeader,
                                   .len = c.len,
                                   .tag = rec + kHeader + c.len,
                                   .content_len = 0,
                                   .type = 0,
                                   .inner = nullptr};
    }
    kernel_->seal_batch(jobs.data(), n);
    const std::vector<uint8_t> sealed = buf;
    const aead_internal::InnerType untouched{0xdeadbeef, 0xa5};
    for (size_t i = 0; i < n; ++i) {
      jobs[i].tag = &computed[16 * i];
      jobs[i].inner = &found[i];
      found[i] = untouched;
    }
    kernel_->open_batch(jobs.data(), n);
    for (size_t i = 0; i < n; ++i) {
      const InnerCase& c = cases[i];
      std::ostringstream where;
      where << "job " << i << " of " << n << ": len " << c.len << ", type at "
            << (c.type_at == SIZE_MAX ? std::string("none") : std::to_string(c.type_at));
      ASSERT_EQ(to_hex(jobs[i].out, c.len), to_hex(inners[i])) << where.str();
      ASSERT_EQ(to_hex(&computed[16 * i], 16),
                to_hex(sealed.data() + offs[i] + 5 + c.len, 16))
          << where.str();
      if (!kernel_->finds_content_type) {
        ASSERT_EQ(found[i].type, untouched.type) << where.str();
        ASSERT_EQ(found[i].content_len, untouched.content_len) << where.str();
        continue;
      }
      size_t want_len = 0;
      const uint8_t want = kernels::kContentTypeNohw.scan(jobs[i].out, c.len, &want_len);
      ASSERT_EQ(found[i].type, want) << where.str();
      ASSERT_EQ(found[i].content_len, want_len) << where.str();
      if (c.type_at != SIZE_MAX) {
        ASSERT_EQ(want_len, c.type_at) << where.str();
      }
    }
  }

  std::vector<const AeadKey*> keys_;
  std::mt19937_64 rng_;
  const aead_internal::AeadKernel* kernel_;
};

// check_inner_types_exhaustive: every length 0..max_len, the type byte at every position and no
// type byte; by length in batches of up to 32 (uniform runs, small stages), the same messages
// shuffled into batches of 1..40 that mix lengths and key sizes, and a few of each length alone.
inline void check_inner_types_exhaustive(std::initializer_list<const AeadKey*> keys,
                                         bool expect_fused, size_t max_len, uint64_t seed) {
  InnerTypeChecker checker(keys, expect_fused, seed);
  std::mt19937_64 rng(seed);
  std::vector<InnerCase> all;
  for (size_t len = 0; len <= max_len; ++len) {
    std::vector<InnerCase> by_len;
    by_len.push_back({len, SIZE_MAX});
    for (size_t p = 0; p < len; ++p) by_len.push_back({len, p});
    checker.open_batches(by_len, [](size_t) { return size_t{32}; });
    if (::testing::Test::HasFatalFailure()) return;
    std::vector<InnerCase> alone = {{len, SIZE_MAX}};
    if (len > 0) {
      alone.push_back({len, 0});
      alone.push_back({len, len / 2});
      alone.push_back({len, len - 1});
    }
    checker.open_batches(alone, [](size_t) { return size_t{1}; });
    if (::testing::Test::HasFatalFailure()) return;
    all.insert(all.end(), by_len.begin(), by_len.end());
  }
  std::shuffle(all.begin(), all.end(), rng);
  checker.open_batches(all, [&rng](size_t) { return 1 + rng() % 40; });
}

// check_inner_types_boundaries: lengths around every path boundary of the kernels, the type byte
// at the ends of vectors, chunks and the message, alone, in runs of one length and mixed.
inline void check_inner_types_boundaries(std::initializer_list<const AeadKey*> keys,
                                         bool expect_fused, uint64_t seed) {
  InnerTypeChecker checker(keys, expect_fused, seed);
  std::mt19937_64 rng(seed);
  std::vector<size_t> lens = {1,    63,   64,   65,   79,   80,   81,   127,  128,  129,
                              255,  256,  257,  448,  449,  511,  512,  513,  1023, 1024,
                              1025, 1350, 1984, 1985, 2047, 2048, 2049, 4095, 4096, 4097,
                              8191, 8192, 8193, 16383, 16384};
  for (size_t len = 16385; len <= 16385 + 16; ++len) lens.push_back(len);
  std::vector<InnerCase> all;
  for (size_t len : lens) {
    std::vector<InnerCase> cases = {{len, SIZE_MAX}};
    for (size_t p : {size_t{0}, size_t{1}, size_t{62}, size_t{63}, size_t{64}, size_t{65},
                     size_t{127}, size_t{128}, size_t{255}, size_t{256}, size_t{511},
                     size_t{512}, size_t{2047}, size_t{2048}, len / 2, len - 2, len - 1}) {
      if (p < len) cases.push_back({len, p});
    }
    for (int k = 0; k < 6; ++k) cases.push_back({len, rng() % len});
    checker.open_batches(cases, [](size_t) { return size_t{1}; });
    if (::testing::Test::HasFatalFailure()) return;
    checker.open_batches(cases, [](size_t) { return size_t{32}; });
    if (::testing::Test::HasFatalFailure()) return;
    all.insert(all.end(), cases.begin(), cases.end());
  }
  std::shuffle(all.begin(), all.end(), rng);
  checker.open_batches(all, [&rng](size_t) { return 1 + rng() % 24; });
}

}  // namespace volley::test
