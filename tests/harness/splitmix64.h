// SplitMix64, the generator of the tests, the soak test and the fuzz corpus runner: small, fast
// and fully determined by its seed on every platform (std:: engines are, their distributions are
// not), so a failure's seed replays anywhere. Not for anything secret.
#pragma once

#include <cstdint>

namespace volley::test {

struct SplitMix64 {
  uint64_t s;

  uint64_t next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
    z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
    return z ^ (z >> 31);
  }
  // below is uniform enough in [0, n) for tests (modulo bias below 2^-40 for n < 2^24); 0 for n 0.
  uint64_t below(uint64_t n) { return n == 0 ? 0 : next() % n; }
  bool one_in(uint64_t n) { return below(n) == 0; }
};

}  // namespace volley::test
