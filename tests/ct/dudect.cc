// dudect-style timing test (Reparaz, Balasch, Verbauwhede, "dude, is my code constant time?",
// 2017) for the kernels valgrind 3.19 cannot run (AVX-512, VAES, SHA-NI; tests/ct/ct_test.sh):
// each operation is timed on inputs of two classes, one fixed and one random, chosen at random per
// measurement; Welch's t-test then asks whether the two timing distributions differ. |t| above
// 4.5 is evidence of a secret-dependent timing; below it, no evidence at this sample size (which
// is not a proof: that is what ctgrind is for, where valgrind can follow the code).
//
//   bazel run -c opt //tests/ct:dudect -- [--n N] [--only TARGET]
//
// Targets (the backend in the name is forced; a target whose backend the CPU lacks is skipped):
//   aes-gcm/<b>/open-tag     kernel open + tag compare of one 1350-byte record: the right tag
//                            (fixed) against random wrong tags. The front end's wipe after a
//                            failed open is excluded: whether a tag matched is public.
//   aes-gcm/<b>/seal-data    seal of 1350 bytes: all-zero plaintext against random plaintext
//   chacha20-poly1305/avx512/open-tag, .../seal-data   the same
//   x25519/<b>/scalar        scalarmult by a fixed scalar against random scalars
//   sha256/shani/data        SHA-256 of 1350 bytes: zeros against random
//   content-type/avx512/padding   the scan of a 1350-byte inner plaintext: type byte at the end
//                            (no padding) against a random amount of padding
//   control/...              a compare with an early exit, which must be found leaky
//
// Measurements are cropped as dudect does (only those under a percentile of all measurements,
// to drop interrupts and preemption); the verdict takes the largest |t| over the crops.
#include <x86intrin.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "engine/aead/aead_key_access.h"
#include "engine/common/secure_memory.h"
#include "engine/kernels/content_type_kernels.h"
#include "engine/kernels/x25519_kernels.h"
#include "volley/aead.h"
#include "volley/dispatch.h"
#include "volley/sha2.h"

namespace volley::dudect {
namespace {

using Buffer = std::vector<uint8_t>;
constexpr size_t kLen = 1350;  // a typical TLS record

std::mt19937_64& rng() {
  static std::mt19937_64 r(std::random_device{}());
  return r;
}

void fill_random(uint8_t* p, size_t len) {
  for (size_t i = 0; i < len; ++i) p[i] = static_cast<uint8_t>(rng()());
}

// fill_class writes class 0's fixed input (zeros) or class 1's random input.
void fill_class(uint8_t* p, size_t len, int cls) {
  if (cls == 0) {
    std::memset(p, 0, len);
  } else {
    fill_random(p, len);
  }
}

// A Target prepares the input of one measurement for class 0 (fixed) or 1 (random) into slot
// |i|, then runs the operation on slot |i|; only the run is timed.
struct Target {
  std::string name;
  std::function<void(size_t i, int cls)> prepare;
  std::function<void(size_t i)> run;
};

// Slots of inputs and outputs for one batch: all prepared before any is timed, so that the
// random generator's work stays out of the measurements.
constexpr size_t kSlots = 5000;
struct Slots {
  explicit Slots(size_t len)
      : in(kSlots, Buffer(len)), out(kSlots, Buffer(len)), tag(kSlots, Buffer(16)) {}
  std::vector<Buffer> in, out, tag;
};

// Welch's t of two samples.
double welch_t(const std::vector<double> (&x)[2]) {
  double mean[2], var[2];
  for (int c = 0; c < 2; ++c) {
    double m = 0, m2 = 0;
    size_t n = 0;
    for (double v : x[c]) {  // Welford: stable for 10^5..10^7 cycle counts
      ++n;
      const double d = v - m;
      m += d / static_cast<double>(n);
      m2 += d * (v - m);
    }
    mean[c] = m;
    var[c] = n > 1 ? m2 / static_cast<double>(n - 1) : 0;
  }
  const double se = std::sqrt(var[0] / static_cast<double>(x[0].size()) +
                              var[1] / static_cast<double>(x[1].size()));
  return se > 0 ? (mean[0] - mean[1]) / se : 0;
}

// measure times |n| runs of |t| in batches, the class of each chosen at random, and prints |t|
// for each crop. Returns the largest |t|.
double measure(const Target& t, size_t n) {
  constexpr size_t kBatch = kSlots;
  std::vector<uint64_t> cycles;
  std::vector<int> classes;
  cycles.reserve(n);
  classes.reserve(n);
  for (size_t done = 0; done < n; done += kBatch) {
    const size_t m = std::min(kBatch, n - done);
    std::vector<int> cls(m);
    for (size_t i = 0; i < m; ++i) {
      cls[i] = static_cast<int>(rng()() & 1);
      t.prepare(i, cls[i]);
    }
    for (size_t i = 0; i < m; ++i) {
      _mm_lfence();
      const uint64_t start = __rdtsc();
      _mm_lfence();
      t.run(i);
      _mm_lfence();
      const uint64_t end = __rdtsc();
      cycles.push_back(end - start);
      classes.push_back(cls[i]);
    }
  }
  std::vector<uint64_t> sorted = cycles;
  std::sort(sorted.begin(), sorted.end());
  double worst = 0;
  std::printf("%-40s", t.name.c_str());
  for (double pct : {0.5, 0.9, 0.99, 1.0}) {
    const uint64_t limit = sorted[std::min(sorted.size() - 1, static_cast<size_t>(pct * n))];
    std::vector<double> x[2];
    for (size_t i = 0; i < cycles.size(); ++i) {
      if (cycles[i] <= limit) x[classes[i]].push_back(static_cast<double>(cycles[i]));
    }
    const double abs_t = std::fabs(welch_t(x));
    worst = std::max(worst, abs_t);
    std::printf("  p%-3.0f |t|=%6.2f", pct * 100, abs_t);
  }
  std::printf("  median %llu cycles  %s\n", static_cast<unsigned long long>(sorted[n / 2]),
              worst < 4.5 ? "PASS" : "FAIL (|t| >= 4.5)");
  return worst;
}

const dispatch::Backend* usable(dispatch::Family family, std::string_view name) {
  const dispatch::Backend* b = dispatch::find(family, name);
  return b != nullptr && dispatch::available(*b) ? b : nullptr;
}

// aead_targets: open with the right tag against random tags, and seal of zeros against random
// data, on backend |b| of |aead|.
void aead_targets(const Aead& aead, std::string_view b, std::vector<Target>* out) {
  if (usable(aead.family, b) == nullptr) return;
  static std::vector<std::unique_ptr<AeadKey>> keys;  // live as long as the targets
  keys.push_back(std::make_unique<AeadKey>());
  AeadKey* key = keys.back().get();
  Buffer k(aead.key_len);
  fill_random(k.data(), k.size());
  if (key->init(aead, k, b) != Status::kOk) return;
  auto slots = std::make_shared<Slots>(kLen);
  auto nonce = std::make_shared<Buffer>(12, 7);
  auto sealed = std::make_shared<Buffer>(kLen), right = std::make_shared<Buffer>(16);
  const Bytes zeros(slots->in[0]);
  if (key->seal(*sealed, *right, *nonce, Bytes(), Pieces(&zeros, 1)) != Status::kOk) return;
  const std::string prefix = std::string(aead.name) + "/" + std::string(b);
  const auto* kernel = aead_internal::kernel_of(*key);
  const auto* ks = aead_internal::key_state_of(*key);
  out->push_back({prefix + "/open-tag",
                  [=](size_t i, int cls) {
                    if (cls == 0) {
                      std::memcpy(slots->tag[i].data(), right->data(), 16);
                    } else {
                      fill_random(slots->tag[i].data(), 16);
                    }
                  },
                  [=](size_t i) {
                    uint8_t computed[16];
                    const aead_internal::Job job = {.key = ks, .iv = nonce->data(), .seq = 0,
                                                    .aad = nullptr, .aad_len = 0,
                                                    .in = sealed->data(),
                                                    .out = slots->out[i].data(), .len = kLen,
                                                    .tag = computed, .content_len = 0,
                                                    .type = 0, .inner = nullptr};
                    kernel->open_batch(&job, 1);
                    volatile bool ok = ct_equal16(computed, slots->tag[i].data());
                    (void)ok;
                  }});
  out->push_back({prefix + "/seal-data",
                  [=](size_t i, int cls) { fill_class(slots->in[i].data(), kLen, cls); },
                  [=](size_t i) {
                    const Bytes piece(slots->in[i]);
                    (void)key->seal(slots->out[i], slots->tag[i], *nonce, Bytes(),
                                    Pieces(&piece, 1));
                  }});
}

void x25519_target(std::string_view b, std::vector<Target>* out) {
  const dispatch::Backend* backend = usable(dispatch::Family::kX25519, b);
  if (backend == nullptr) return;
  const auto* k = static_cast<const kernels::X25519Kernel*>(backend->kernel);
  auto slots = std::make_shared<Slots>(32);
  auto point = std::make_shared<Buffer>(32), fixed = std::make_shared<Buffer>(32);
  Buffer seed(32);
  fill_random(seed.data(), 32);
  k->base(point->data(), seed.data());
  fill_random(fixed->data(), 32);
  out->push_back({"x25519/" + std::string(b) + "/scalar",
                  [=](size_t i, int cls) {
                    if (cls == 0) {
                      std::memcpy(slots->in[i].data(), fixed->data(), 32);
                    } else {
                      fill_random(slots->in[i].data(), 32);
                    }
                  },
                  [=](size_t i) {
                    k->scalarmult(slots->out[i].data(), slots->in[i].data(), point->data());
                  }});
}

void sha256_target(std::vector<Target>* out) {
  if (usable(dispatch::Family::kSha256, "shani") == nullptr) return;
  auto slots = std::make_shared<Slots>(kLen);
  out->push_back({"sha256/shani/data",
                  [=](size_t i, int cls) { fill_class(slots->in[i].data(), kLen, cls); },
                  [=](size_t i) {
                    Sha256 h;
                    if (h.init("shani") != Status::kOk) std::abort();
                    h.update(slots->in[i]);
                    h.final(std::span<uint8_t, 32>(slots->out[i].data(), 32));
                  }});
}

void content_type_target(std::vector<Target>* out) {
  const dispatch::Backend* b = usable(dispatch::Family::kContentType, "avx512");
  if (b == nullptr) return;
  const auto* k = static_cast<const kernels::ContentTypeKernel*>(b->kernel);
  auto slots = std::make_shared<Slots>(kLen);
  out->push_back({"content-type/avx512/padding",
                  [=](size_t i, int cls) {
                    Buffer& in = slots->in[i];
                    fill_random(in.data(), kLen);
                    for (uint8_t& byte : in) byte |= 1;  // content without zeros
                    // Fixed: the type is the last byte. Random: 0..kLen-1 bytes of padding.
                    const size_t padding = cls == 0 ? 0 : rng()() % kLen;
                    std::memset(in.data() + kLen - padding, 0, padding);
                  },
                  [=](size_t i) {
                    size_t content_len;
                    volatile uint8_t type = k->scan(slots->in[i].data(), kLen, &content_len);
                    (void)type;
                  }});
}

// control_target is a compare that stops at the first differing byte, timed on equal buffers
// against buffers that differ early: the test must call it leaky (FAIL), or a PASS above means
// nothing. Its verdict does not count towards the exit status.
void control_target(std::vector<Target>* out) {
  auto slots = std::make_shared<Slots>(kLen);
  out->push_back({"control/early-exit-compare (must FAIL)",
                  [=](size_t i, int cls) {
                    std::memset(slots->in[i].data(), 0, kLen);
                    std::memset(slots->out[i].data(), 0, kLen);
                    if (cls == 1) slots->out[i][rng()() % 64] = 1;
                  },
                  [=](size_t i) {
                    size_t j = 0;
                    const volatile uint8_t* a = slots->in[i].data();
                    const volatile uint8_t* b = slots->out[i].data();
                    while (j < kLen && a[j] == b[j]) ++j;
                  }});
}

}  // namespace
}  // namespace volley::dudect

int main(int argc, char** argv) {
  using namespace volley::dudect;
  size_t n = 200000;
  std::string only;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--n" && i + 1 < argc) {
      n = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--only" && i + 1 < argc) {
      only = argv[++i];
    } else {
      std::fprintf(stderr, "usage: %s [--n MEASUREMENTS] [--only TARGET-PREFIX]\n", argv[0]);
      return 3;
    }
  }
  std::vector<Target> targets;
  for (const char* b : {"vaes-avx512", "vaes-avx2"}) {
    aead_targets(volley::kAes128Gcm, b, &targets);
    aead_targets(volley::kAes256Gcm, b, &targets);
  }
  aead_targets(volley::kChaCha20Poly1305, "avx512", &targets);
  x25519_target("mulx-adx", &targets);
  x25519_target("nohw", &targets);
  sha256_target(&targets);
  content_type_target(&targets);
  control_target(&targets);
  std::printf("%zu measurements per target; |t| < 4.5 passes\n", n);
  int failed = 0;
  for (const Target& t : targets) {
    if (!only.empty() && t.name.rfind(only, 0) != 0) continue;
    const bool leaky = measure(t, n) >= 4.5;
    if (t.name.rfind("control/", 0) == 0) {
      if (!leaky) std::printf("the control was not caught: too few measurements or too noisy\n");
    } else if (leaky) {
      ++failed;
    }
  }
  return failed ? 1 : 0;
}
