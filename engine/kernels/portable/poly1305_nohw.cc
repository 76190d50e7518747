// Portable Poly1305: two 64-bit limbs with 128-bit products (MULX when the compiler may use BMI2).
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "engine/kernels/poly1305_kernels.h"

namespace volley::kernels {
namespace poly1305_nohw {
namespace {

#include "engine/kernels/portable/poly1305_scalar.inc"

static_assert(sizeof(ScalarPoly) <= sizeof(Poly1305State), "state size");

void init(Poly1305State* st, const uint8_t key[32]) {
  ScalarPoly p;
  sp_init(&p, key);
  std::memcpy(st->bytes, &p, sizeof(p));
}

void blocks(Poly1305State* st, const uint8_t* in, size_t len) {
  ScalarPoly p;
  std::memcpy(&p, st->bytes, sizeof(p));
  sp_blocks(&p, in, len / 16);
  sp_tail(&p, in + (len & ~size_t{15}), len % 16);
  std::memcpy(st->bytes, &p, sizeof(p));
}

void finish(Poly1305State* st, uint8_t tag[16]) {
  ScalarPoly p;
  std::memcpy(&p, st->bytes, sizeof(p));
  sp_finish(&p, tag);
}

}  // namespace
}  // namespace poly1305_nohw

const Poly1305Kernel kPoly1305Nohw = {poly1305_nohw::init, poly1305_nohw::blocks,
                                      poly1305_nohw::finish};

}  // namespace volley::kernels
