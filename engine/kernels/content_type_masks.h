// Branch-free selection shared by the content-type kernels (content_type_kernels.h): the
// scan must not branch on the bytes it scans (RFC 8446 §5.4's padding is what it hides).
//
// Included by per-ISA translation units: everything here has internal linkage (an anonymous
// namespace), so no copy built with one ISA's flags can be shared with another
// (tests/isa_isolation_test.sh).
#pragma once

#include <cstddef>
#include <cstdint>

namespace volley::kernels {
namespace {

// value_barrier hides |v| from the optimiser, so that a mask computed from data stays a mask and
// is not turned back into a branch.
inline uint64_t value_barrier(uint64_t v) {
  __asm__("" : "+r"(v));
  return v;
}

// nonzero_mask returns all ones if |v| != 0 and 0 otherwise: v | -v has its top bit set exactly
// when v != 0.
inline uint64_t nonzero_mask(uint64_t v) { return value_barrier(0 - ((v | (0 - v)) >> 63)); }

// Found is the last non-zero byte of one block of a vector kernel's scan.
struct Found {
  uint64_t mask;  // all ones if the block has a non-zero byte
  uint64_t pos;   // its offset in the block (meaningful under |mask| only)
  uint64_t type;  // the byte, 0 if none
};

// keep_last makes the block that starts at |offset| the answer when it has a non-zero byte, so
// that after every block (*pos, *type) describe the last non-zero byte seen.
inline void keep_last(uint64_t* pos, uint64_t* type, size_t offset, const Found& f) {
  *pos = (*pos & ~f.mask) | ((offset + f.pos) & f.mask);
  *type = (*type & ~f.mask) | (f.type & f.mask);
}

}  // namespace
}  // namespace volley::kernels
