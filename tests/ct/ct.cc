// The shared part of the ctgrind driver; see ct.h.
#include "tests/ct/ct.h"

namespace volley::ct {

Buffer pattern(size_t len, uint32_t seed) {
  Buffer b(len);
  uint32_t x = seed * 2654435761u + 1;  // Knuth's multiplicative hash as a cheap generator
  for (size_t i = 0; i < len; ++i) {
    x = x * 1103515245u + 12345u;
    // Every seventh byte zero: zeros are what a content-type or padding scan looks for.
    b[i] = i % 7 == 3 ? 0 : static_cast<uint8_t>(x >> 16);
  }
  return b;
}

Tally::Tally(std::string_view what, std::string_view backend)
    : name_(std::string(what) + "/" + std::string(backend)) {}

Tally::~Tally() { std::printf("checked %s: %d calls, %d wrong\n", name_.c_str(), calls_, wrong_); }

void Tally::expect(bool ok, std::string_view detail) {
  ++calls_;
  if (ok) return;
  ++wrong_;
  std::printf("%s: WRONG: %.*s\n", name_.c_str(), static_cast<int>(detail.size()), detail.data());
}

}  // namespace volley::ct
