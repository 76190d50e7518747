#include "tools/speed/core_clock.h"

#include <chrono>
#include <cstdint>

namespace volley::speed {
namespace {

// One loop iteration is 64 dependent adds: the loop's own increment and branch run beside the
// chain, so the iteration costs 64 cycles.
constexpr uint64_t kAddsPerIteration = 64;

uint64_t add_chain(uint64_t iterations, uint64_t x) {
  const uint64_t one = 1;
  for (uint64_t i = 0; i < iterations; ++i) {
#if defined(__x86_64__)
    asm volatile(".rept 64\n\tadd %1, %0\n\t.endr" : "+r"(x) : "r"(one));
#elif defined(__aarch64__)
    asm volatile(".rept 64\n\tadd %0, %0, %1\n\t.endr" : "+r"(x) : "r"(one));
#else
#error "core_clock.cc: add a 64-add dependent chain for this architecture"
#endif
  }
  return x;
}

double once(uint64_t iterations) {
  const auto t0 = std::chrono::steady_clock::now();
  volatile uint64_t sink = add_chain(iterations, 0);
  (void)sink;
  const auto t1 = std::chrono::steady_clock::now();
  const double seconds = std::chrono::duration<double>(t1 - t0).count();
  return static_cast<double>(iterations * kAddsPerIteration) / seconds / 1e9;
}

}  // namespace

double calibrate_core_ghz() {
  // Ramp the core up first, then take the best of several ~1 ms runs (3.84M cycles each).
  once(200000);
  double best = 0;
  for (int i = 0; i < 7; ++i) {
    const double ghz = once(60000);
    if (ghz > best) best = ghz;
  }
  return best;
}

double core_ghz() {
  static const double ghz = calibrate_core_ghz();
  return ghz;
}

}  // namespace volley::speed
