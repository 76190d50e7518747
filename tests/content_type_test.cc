// The content-type scan (RFC 8446 §5.4) on every backend this CPU runs, against a forward scan
// that is correct by inspection: every length 0..300 with the type byte at every position, the
// lengths around the largest TLSInnerPlaintext (2^14 + 1) and the wide kernels' block sizes with
// a dense sample of positions, random content before the type (zero bytes included), all-zero
// buffers, every start alignment, and guard bytes around the buffer that must not be read. Then
// the record layer's entry point and which backend dispatch gives it.
#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "engine/kernels/content_type_kernels.h"
#include "engine/record/content_type.h"
#include "gtest/gtest.h"
#include "tests/harness/backend_test.h"
#include "volley/cpu.h"
#include "volley/dispatch.h"

namespace volley {
namespace {

using dispatch::Family;
using kernels::ContentTypeKernel;

struct Result {
  uint8_t type;
  size_t content_len;
  bool operator==(const Result&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Result& r) {
  return os << "{type " << int{r.type} << ", content_len " << r.content_len << "}";
}

// reference: the last non-zero byte found by looking at every byte, front to back.
Result reference(const uint8_t* inner, size_t len) {
  Result r{0, 0};
  for (size_t i = 0; i < len; ++i) {
    if (inner[i] != 0) r = {inner[i], i};
  }
  return r;
}

const ContentTypeKernel& kernel_of(const std::string& backend) {
  const dispatch::Backend* b = dispatch::find(Family::kContentType, backend);
  EXPECT_NE(b, nullptr) << backend;
  return *static_cast<const ContentTypeKernel*>(b->kernel);
}

// Arena holds one inner plaintext at a chosen alignment, between guard bytes that are non-zero:
// a kernel that read a guard byte would report it as the type.
class Arena {
 public:
  static constexpr size_t kGuard = 64;
  Arena(size_t len, size_t misalign) : buf_(kGuard + misalign + len + kGuard, 0xA5), len_(len) {
    inner_ = buf_.data() + kGuard + misalign;
    std::fill(inner_, inner_ + len, 0);
  }
  uint8_t* inner() { return inner_; }
  size_t len() const { return len_; }

 private:
  std::vector<uint8_t> buf_;
  uint8_t* inner_;
  size_t len_;
};

// fill writes content || type || zeros with the type at |pos|: random content in which about
// one byte in four is zero, and a random non-zero type.
void fill(uint8_t* inner, size_t len, size_t pos, std::mt19937_64& rng) {
  for (size_t i = 0; i < pos; ++i) {
    const uint64_t r = rng();
    inner[i] = (r & 3) == 0 ? 0 : static_cast<uint8_t>(r >> 8);
  }
  inner[pos] = static_cast<uint8_t>(1 + rng() % 255);
  for (size_t i = pos + 1; i < len; ++i) inner[i] = 0;
}

Result run(const ContentTypeKernel& k, const uint8_t* inner, size_t len) {
  Result r{0, 999999};
  r.type = k.scan(inner, len, &r.content_len);
  return r;
}

class ContentTypeScan : public test::BackendTest {};
VOLLEY_INSTANTIATE_FOR_EACH_BACKEND(ContentTypeScan, Family::kContentType);

// Up to 600 bytes: past every short path of the vector kernels (AVX-512: one chunk, two chunks,
// chunk by chunk up to 512 bytes) and into their block methods.
TEST_P(ContentTypeScan, EveryLengthEveryPosition) {
  const ContentTypeKernel& k = kernel_of(backend());
  std::mt19937_64 rng(1);
  for (size_t len = 0; len <= 600; ++len) {
    Arena a(len, len % 64);
    EXPECT_EQ(run(k, a.inner(), len), (Result{0, 0})) << "all zero, len " << len;
    for (size_t pos = 0; pos < len; ++pos) {
      fill(a.inner(), len, pos, rng);
      ASSERT_EQ(run(k, a.inner(), len), reference(a.inner(), len))
          << "len " << len << ", type at " << pos;
    }
  }
}

TEST_P(ContentTypeScan, EveryAlignment) {
  const ContentTypeKernel& k = kernel_of(backend());
  std::mt19937_64 rng(2);
  for (size_t misalign = 0; misalign < 64; ++misalign) {
    for (size_t len : {1, 15, 16, 17, 63, 64, 65, 127, 128, 129, 255, 256, 257, 1350}) {
      Arena a(len, misalign);
      EXPECT_EQ(run(k, a.inner(), len), (Result{0, 0})) << len << " at +" << misalign;
      for (size_t pos : {size_t{0}, len / 2, len - 1}) {
        fill(a.inner(), len, pos, rng);
        ASSERT_EQ(run(k, a.inner(), len), reference(a.inner(), len))
            << "len " << len << " at +" << misalign << ", type at " << pos;
      }
    }
  }
}

// Around 2^14 + 1 (the largest TLSInnerPlaintext), 2^14 + 256 (the largest ciphertext body), and
// the block sizes after which the wide kernels restart their byte-sized step numbers (NEON
// 255 x 64, AVX2 255 x 128, AVX-512 255 x 256 bytes), and beyond two such blocks.
TEST_P(ContentTypeScan, LargeLengthsDensePositions) {
  const ContentTypeKernel& k = kernel_of(backend());
  std::mt19937_64 rng(3);
  for (size_t len : {16383, 16384, 16385, 16386, 16639, 16640, 16319, 16320, 16321, 32639, 32640,
                     32641, 65279, 65280, 65281, 131072 + 77}) {
    Arena a(len, len % 61);
    EXPECT_EQ(run(k, a.inner(), len), (Result{0, 0})) << "all zero, len " << len;
    std::vector<size_t> positions;
    for (size_t pos = 0; pos < len; pos += (pos < 300 || pos + 300 > len) ? 1 : 97) {
      positions.push_back(pos);
    }
    for (size_t b : {16320, 32640, 65280}) {  // both sides of each block boundary
      for (size_t pos = b - 3; pos < b + 3 && pos < len; ++pos) positions.push_back(pos);
    }
    // The content (random, with zeros) is drawn once and restored after each position.
    fill(a.inner(), len, len - 1, rng);
    const std::vector<uint8_t> content(a.inner(), a.inner() + len);
    for (size_t pos : positions) {
      a.inner()[pos] = static_cast<uint8_t>(1 + rng() % 255);
      std::fill(a.inner() + pos + 1, a.inner() + len, 0);
      ASSERT_EQ(run(k, a.inner(), len), (Result{a.inner()[pos], pos}))
          << "len " << len << ", type at " << pos;
      std::copy(content.begin() + pos, content.end(), a.inner() + pos);
    }
  }
}

// A buffer that ends exactly where its allocation ends, so that ASan sees any read past |len|.
TEST_P(ContentTypeScan, ReadsNothingPastTheEnd) {
  const ContentTypeKernel& k = kernel_of(backend());
  std::mt19937_64 rng(4);
  for (size_t len = 0; len <= 600; ++len) {
    std::vector<uint8_t> exact(len);
    EXPECT_EQ(run(k, exact.data(), len), (Result{0, 0})) << len;
    if (len == 0) continue;
    fill(exact.data(), len, rng() % len, rng);
    ASSERT_EQ(run(k, exact.data(), len), reference(exact.data(), len)) << len;
  }
}

// Content made of 0x80 and 0x01 bytes, the values at the edges of the byte tricks the kernels use
// (bit 7 alone; the lowest bit), and 0xff.
TEST_P(ContentTypeScan, EdgeByteValues) {
  const ContentTypeKernel& k = kernel_of(backend());
  for (uint8_t v : {0x01, 0x7f, 0x80, 0x81, 0xfe, 0xff}) {
    for (size_t len : {1, 7, 8, 9, 64, 300, 16385}) {
      for (size_t pos : {size_t{0}, len / 3, len - 1}) {
        std::vector<uint8_t> inner(len, 0);
        for (size_t i = 0; i < pos; i += 3) inner[i] = static_cast<uint8_t>(v ^ 0x55);
        inner[pos] = v;
        ASSERT_EQ(run(k, inner.data(), len), (Result{v, pos}))
            << "value " << int{v} << ", len " << len << ", type at " << pos;
      }
    }
  }
}

// The record layer's entry point runs whichever backend dispatch gives, including a forced one.
TEST(ContentTypeDispatch, RecordLayerEntryFollowsDispatch) {
  std::mt19937_64 rng(5);
  std::vector<uint8_t> inner(1400);
  fill(inner.data(), inner.size(), 1000, rng);
  const Result want = reference(inner.data(), inner.size());
  for (const std::string& name : test::available_backends(Family::kContentType)) {
    ASSERT_EQ(dispatch::force(Family::kContentType, name), dispatch::ForceResult::kOk) << name;
    EXPECT_EQ(dispatch::best(Family::kContentType).kernel, &kernel_of(name)) << name;
    Result got{0, 0};
    got.type = record_internal::inner_content_type(inner.data(), inner.size(), &got.content_len);
    EXPECT_EQ(got, want) << name;
  }
  ASSERT_EQ(dispatch::force(Family::kContentType, ""), dispatch::ForceResult::kOk);
}

// Independently of the table's |needs|: the backend this CPU must get by default.
TEST(ContentTypeDispatch, DefaultIsTheWidestTheCpuRuns) {
  using cpu::Feature;
  const cpu::Features& f = cpu::features();
  std::string expect = "nohw";
#if defined(__x86_64__)
  const bool avx2 = f.has(Feature::kAvx) && f.has(Feature::kAvx2) && f.has(Feature::kBmi2) &&
                    f.has(Feature::kSse41);
  if (avx2 && f.has(Feature::kAvx512f) && f.has(Feature::kAvx512bw) &&
      f.has(Feature::kAvx512vl)) {
    expect = "avx512";
  } else if (avx2) {
    expect = "avx2";
  }
#elif defined(__aarch64__)
  if (f.has(Feature::kAsimd)) expect = "neon";
#endif
  EXPECT_EQ(dispatch::best(Family::kContentType).name, expect)
      << "CPU features: " << cpu::to_string(f);
  EXPECT_EQ(dispatch::best(Family::kContentType).kernel, &kernel_of(expect));
}

}  // namespace
}  // namespace volley
