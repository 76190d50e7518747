// X25519 (RFC 7748 §5) for x86-64 with BMI2 and ADX: field elements as four 64-bit limbs, the
// field multiply and square as inline assembly using MULX and the two independent carry chains of
// ADCX (CF) and ADOX (OF), so the partial products of a row are summed without serialising on one
// flag. Built with X86_MULX_ADX; reached only through dispatch after BMI2 and ADX were checked.
#include <cstring>

#include "engine/common/secure_memory.h"
#include "engine/kernels/x25519_kernels.h"

namespace volley::kernels {
namespace x25519_mulx_adx {
namespace {

// Fe is an element of GF(2^255 - 19) as any 256-bit value v0 + v1*2^64 + v2*2^128 + v3*2^192
// congruent to it: every operation takes and returns values in [0, 2^256), reducing with
// 2^256 = 38 (mod p). Only tobytes reduces to [0, p).
struct Fe {
  uint64_t v[4];
};

// The asm blocks read their inputs and write their output through pointers, and declare "memory":
// |h| may be |f| or |g| because every input limb is loaded before the first store.

// VOLLEY_X25519_REDUCE folds the 512-bit product t0..t7 in r8..r15 to 256 bits in r8..r11 and
// stores them to |h|: t4..t7 times 38 are added on the CF/OF chains, leaving a top word of at most
// 39, which is folded times 38 in turn. A carry out of that last addition is worth 38 once more and
// cannot carry again: it leaves r8..r11 below 39 * 38, so r8 + 38 fits.
#define VOLLEY_X25519_REDUCE                 \
  "movl $38, %%edx\n\t"                      \
  "xorl %%eax, %%eax\n\t"                    \
  "mulxq %%r12, %%rax, %%rbx\n\t"            \
  "adcxq %%rax, %%r8\n\t"                    \
  "adoxq %%rbx, %%r9\n\t"                    \
  "mulxq %%r13, %%rax, %%rbx\n\t"            \
  "adcxq %%rax, %%r9\n\t"                    \
  "adoxq %%rbx, %%r10\n\t"                   \
  "mulxq %%r14, %%rax, %%rbx\n\t"            \
  "adcxq %%rax, %%r10\n\t"                   \
  "adoxq %%rbx, %%r11\n\t"                   \
  "mulxq %%r15, %%rax, %%r12\n\t"            \
  "adcxq %%rax, %%r11\n\t"                   \
  "movl $0, %%eax\n\t"                       \
  "adoxq %%rax, %%r12\n\t"                   \
  "adcxq %%rax, %%r12\n\t"                   \
  "imulq $38, %%r12, %%r12\n\t"              \
  "addq %%r12, %%r8\n\t"                     \
  "adcq %%rax, %%r9\n\t"                     \
  "adcq %%rax, %%r10\n\t"                    \
  "adcq %%rax, %%r11\n\t"                    \
  "sbbq %%rax, %%rax\n\t"                    \
  "andq $38, %%rax\n\t"                      \
  "addq %%rax, %%r8\n\t"                     \
  "movq %%r8, 0(%[h])\n\t"                   \
  "movq %%r9, 8(%[h])\n\t"                   \
  "movq %%r10, 16(%[h])\n\t"                 \
  "movq %%r11, 24(%[h])\n\t"

// Each field operation is a few dozen instructions: a call would cost more than it does, and
// would save and restore the callee-saved registers the assembly clobbers.
#define VOLLEY_X25519_INLINE inline __attribute__((always_inline))

#define VOLLEY_X25519_CLOBBERS \
  "rax", "rbx", "rdx", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "cc", "memory"

// mul: h = f * g. Schoolbook 4x4: row i multiplies f by g[i] (in rdx) and adds the low halves on
// the CF chain and the high halves on the OF chain, one limb further up.
VOLLEY_X25519_INLINE void mul(Fe* h, const Fe* f, const Fe* g) {
  __asm__(
      // Row 0 starts the product in r8..r12.
      "movq 0(%[g]), %%rdx\n\t"
      "mulxq 0(%[f]), %%r8, %%r9\n\t"
      "mulxq 8(%[f]), %%rax, %%r10\n\t"
      "addq %%rax, %%r9\n\t"
      "mulxq 16(%[f]), %%rax, %%r11\n\t"
      "adcq %%rax, %%r10\n\t"
      "mulxq 24(%[f]), %%rax, %%r12\n\t"
      "adcq %%rax, %%r11\n\t"
      "adcq $0, %%r12\n\t"
      // Row 1 into r9..r13. The xor zeroes r13 and clears CF and OF.
      "movq 8(%[g]), %%rdx\n\t"
      "xorl %%r13d, %%r13d\n\t"
      "mulxq 0(%[f]), %%rax, %%rbx\n\t"
      "adcxq %%rax, %%r9\n\t"
      "adoxq %%rbx, %%r10\n\t"
      "mulxq 8(%[f]), %%rax, %%rbx\n\t"
      "adcxq %%rax, %%r10\n\t"
      "adoxq %%rbx, %%r11\n\t"
      "mulxq 16(%[f]), %%rax, %%rbx\n\t"
      "adcxq %%rax, %%r11\n\t"
      "adoxq %%rbx, %%r12\n\t"
      "mulxq 24(%[f]), %%rax, %%rbx\n\t"
      "adcxq %%rax, %%r12\n\t"
      "adoxq %%rbx, %%r13\n\t"
      "movl $0, %%eax\n\t"
      "adcxq %%rax, %%r13\n\t"
      // Row 2 into r10..r14.
      "movq 16(%[g]), %%rdx\n\t"
      "xorl %%r14d, %%r14d\n\t"
      "mulxq 0(%[f]), %%rax, %%rbx\n\t"
      "adcxq %%rax, %%r10\n\t"
      "adoxq %%rbx, %%r11\n\t"
      "mulxq 8(%[f]), %%rax, %%rbx\n\t"
      "adcxq %%rax, %%r11\n\t"
      "adoxq %%rbx, %%r12\n\t"
      "mulxq 16(%[f]), %%rax, %%rbx\n\t"
      "adcxq %%rax, %%r12\n\t"
      "adoxq %%rbx, %%r13\n\t"
      "mulxq 24(%[f]), %%rax, %%rbx\n\t"
      "adcxq %%rax, %%r13\n\t"
      "adoxq %%rbx, %%r14\n\t"
      "movl $0, %%eax\n\t"
      "adcxq %%rax, %%r14\n\t"
      // Row 3 into r11..r15.
      "movq 24(%[g]), %%rdx\n\t"
      "xorl %%r15d, %%r15d\n\t"
      "mulxq 0(%[f]), %%rax, %%rbx\n\t"
      "adcxq %%rax, %%r11\n\t"
      "adoxq %%rbx, %%r12\n\t"
      "mulxq 8(%[f]), %%rax, %%rbx\n\t"
      "adcxq %%rax, %%r12\n\t"
      "adoxq %%rbx, %%r13\n\t"
      "mulxq 16(%[f]), %%rax, %%rbx\n\t"
      "adcxq %%rax, %%r13\n\t"
      "adoxq %%rbx, %%r14\n\t"
      "mulxq 24(%[f]), %%rax, %%rbx\n\t"
      "adcxq %%rax, %%r14\n\t"
      "adoxq %%rbx, %%r15\n\t"
      "movl $0, %%eax\n\t"
      "adcxq %%rax, %%r15\n\t" VOLLEY_X25519_REDUCE
      :
      : [h] "r"(h), [f] "r"(f), [g] "r"(g)
      : VOLLEY_X25519_CLOBBERS);
}

// sqr: h = f^2 with 10 MULX instead of 16: the six cross products f_i*f_j (i < j) once, then
// doubled on the CF chain while the four squares f_i^2 are added on the OF chain.
VOLLEY_X25519_INLINE void sqr(Fe* h, const Fe* f) {
  __asm__(
      // f0 * (f1, f2, f3) at positions 1..4 in r9..r12.
      "movq 0(%[f]), %%rdx\n\t"
      "mulxq 8(%[f]), %%r9, %%r10\n\t"
      "mulxq 16(%[f]), %%rax, %%r11\n\t"
      "addq %%rax, %%r10\n\t"
      "mulxq 24(%[f]), %%rax, %%r12\n\t"
      "adcq %%rax, %%r11\n\t"
      "adcq $0, %%r12\n\t"
      // f1 * (f2, f3) at positions 3..5, f2 * f3 at positions 5..6.
      "movq 8(%[f]), %%rdx\n\t"
      "xorl %%r13d, %%r13d\n\t"
      "mulxq 16(%[f]), %%rax, %%rbx\n\t"
      "adcxq %%rax, %%r11\n\t"
      "adoxq %%rbx, %%r12\n\t"
      "mulxq 24(%[f]), %%rax, %%rbx\n\t"
      "adcxq %%rax, %%r12\n\t"
      "adoxq %%rbx, %%r13\n\t"
      "movq 16(%[f]), %%rdx\n\t"
      "mulxq 24(%[f]), %%rax, %%r14\n\t"
      "adcxq %%rax, %%r13\n\t"
      "movl $0, %%ebx\n\t"
      "adcxq %%rbx, %%r14\n\t"
      "adoxq %%rbx, %%r14\n\t"
      // Double r9..r14 into r9..r15 (CF) and add f0^2..f3^2 (OF).
      "movq 0(%[f]), %%rdx\n\t"
      "mulxq %%rdx, %%r8, %%rax\n\t"
      "xorl %%r15d, %%r15d\n\t"
      "adcxq %%r9, %%r9\n\t"
      "adoxq %%rax, %%r9\n\t"
      "movq 8(%[f]), %%rdx\n\t"
      "mulxq %%rdx, %%rax, %%rbx\n\t"
      "adcxq %%r10, %%r10\n\t"
      "adoxq %%rax, %%r10\n\t"
      "adcxq %%r11, %%r11\n\t"
      "adoxq %%rbx, %%r11\n\t"
      "movq 16(%[f]), %%rdx\n\t"
      "mulxq %%rdx, %%rax, %%rbx\n\t"
      "adcxq %%r12, %%r12\n\t"
      "adoxq %%rax, %%r12\n\t"
      "adcxq %%r13, %%r13\n\t"
      "adoxq %%rbx, %%r13\n\t"
      "movq 24(%[f]), %%rdx\n\t"
      "mulxq %%rdx, %%rax, %%rbx\n\t"
      "adcxq %%r14, %%r14\n\t"
      "adoxq %%rax, %%r14\n\t"
      "adcxq %%r15, %%r15\n\t"
      "adoxq %%rbx, %%r15\n\t" VOLLEY_X25519_REDUCE
      :
      : [h] "r"(h), [f] "r"(f)
      : VOLLEY_X25519_CLOBBERS);
}

// mul_a24_add: h = g + f * 121665, a24 = (486662 - 2) / 4 of RFC 7748 §5. The product has one
// extra limb below 2^17; with g added it stays below 2^18 and is folded with 38 like the top of a
// full product.
VOLLEY_X25519_INLINE void mul_a24_add(Fe* h, const Fe* f, const Fe* g) {
  __asm__(
      "movl $121665, %%edx\n\t"
      "mulxq 0(%[f]), %%r8, %%r9\n\t"
      "mulxq 8(%[f]), %%rax, %%r10\n\t"
      "addq %%rax, %%r9\n\t"
      "mulxq 16(%[f]), %%rax, %%r11\n\t"
      "adcq %%rax, %%r10\n\t"
      "mulxq 24(%[f]), %%rax, %%r12\n\t"
      "adcq %%rax, %%r11\n\t"
      "adcq $0, %%r12\n\t"
      "addq 0(%[g]), %%r8\n\t"
      "adcq 8(%[g]), %%r9\n\t"
      "adcq 16(%[g]), %%r10\n\t"
      "adcq 24(%[g]), %%r11\n\t"
      "adcq $0, %%r12\n\t"
      "imulq $38, %%r12, %%r12\n\t"
      "movl $0, %%eax\n\t"
      "addq %%r12, %%r8\n\t"
      "adcq %%rax, %%r9\n\t"
      "adcq %%rax, %%r10\n\t"
      "adcq %%rax, %%r11\n\t"
      "sbbq %%rax, %%rax\n\t"
      "andq $38, %%rax\n\t"
      "addq %%rax, %%r8\n\t"
      "movq %%r8, 0(%[h])\n\t"
      "movq %%r9, 8(%[h])\n\t"
      "movq %%r10, 16(%[h])\n\t"
      "movq %%r11, 24(%[h])\n\t"
      :
      : [h] "r"(h), [f] "r"(f), [g] "r"(g)
      : "rax", "rdx", "r8", "r9", "r10", "r11", "r12", "cc", "memory");
}

// mul_small: h = f * c for c < 2^32 (here the base point's u = 9, RFC 7748 §4.1), folding the
// extra limb with 38 as mul_a24_add does.
VOLLEY_X25519_INLINE void mul_small(Fe* h, const Fe* f, uint64_t c) {
  __asm__(
      "mulxq 0(%[f]), %%r8, %%r9\n\t"
      "mulxq 8(%[f]), %%rax, %%r10\n\t"
      "addq %%rax, %%r9\n\t"
      "mulxq 16(%[f]), %%rax, %%r11\n\t"
      "adcq %%rax, %%r10\n\t"
      "mulxq 24(%[f]), %%rax, %%r12\n\t"
      "adcq %%rax, %%r11\n\t"
      "adcq $0, %%r12\n\t"
      "imulq $38, %%r12, %%r12\n\t"
      "movl $0, %%eax\n\t"
      "addq %%r12, %%r8\n\t"
      "adcq %%rax, %%r9\n\t"
      "adcq %%rax, %%r10\n\t"
      "adcq %%rax, %%r11\n\t"
      "sbbq %%rax, %%rax\n\t"
      "andq $38, %%rax\n\t"
      "addq %%rax, %%r8\n\t"
      "movq %%r8, 0(%[h])\n\t"
      "movq %%r9, 8(%[h])\n\t"
      "movq %%r10, 16(%[h])\n\t"
      "movq %%r11, 24(%[h])\n\t"
      :
      : [h] "r"(h), [f] "r"(f), "d"(c)
      : "rax", "r8", "r9", "r10", "r11", "r12", "cc", "memory");
}

// addsub: s = f + g and d = f - g, sharing the loads of f and g. For the sum, a carry out of 2^256
// is worth 38; adding it can carry once more, and then the low limb is below 38, so the second 38
// fits. For the difference, a borrow means 2^256 was added, i.e. 38 too much modulo p; taking 38
// off can borrow once more only from a value of at least 2^256 - 38, which absorbs the second 38.
// All loads precede the first store, so |s| or |d| may be |f| or |g|.
VOLLEY_X25519_INLINE void addsub(Fe* s, Fe* d, const Fe* f, const Fe* g) {
  __asm__(
      "movq 0(%[f]), %%r8\n\t"
      "movq 8(%[f]), %%r9\n\t"
      "movq 16(%[f]), %%r10\n\t"
      "movq 24(%[f]), %%r11\n\t"
      "movq %%r8, %%r12\n\t"
      "movq %%r9, %%r13\n\t"
      "movq %%r10, %%r14\n\t"
      "movq %%r11, %%r15\n\t"
      "addq 0(%[g]), %%r8\n\t"
      "adcq 8(%[g]), %%r9\n\t"
      "adcq 16(%[g]), %%r10\n\t"
      "adcq 24(%[g]), %%r11\n\t"
      "sbbq %%rax, %%rax\n\t"
      "andq $38, %%rax\n\t"
      "subq 0(%[g]), %%r12\n\t"
      "sbbq 8(%[g]), %%r13\n\t"
      "sbbq 16(%[g]), %%r14\n\t"
      "sbbq 24(%[g]), %%r15\n\t"
      "sbbq %%rbx, %%rbx\n\t"
      "andq $38, %%rbx\n\t"
      "addq %%rax, %%r8\n\t"
      "adcq $0, %%r9\n\t"
      "adcq $0, %%r10\n\t"
      "adcq $0, %%r11\n\t"
      "sbbq %%rax, %%rax\n\t"
      "andq $38, %%rax\n\t"
      "addq %%rax, %%r8\n\t"
      "subq %%rbx, %%r12\n\t"
      "sbbq $0, %%r13\n\t"
      "sbbq $0, %%r14\n\t"
      "sbbq $0, %%r15\n\t"
      "sbbq %%rbx, %%rbx\n\t"
      "andq $38, %%rbx\n\t"
      "subq %%rbx, %%r12\n\t"
      "movq %%r8, 0(%[s])\n\t"
      "movq %%r9, 8(%[s])\n\t"
      "movq %%r10, 16(%[s])\n\t"
      "movq %%r11, 24(%[s])\n\t"
      "movq %%r12, 0(%[d])\n\t"
      "movq %%r13, 8(%[d])\n\t"
      "movq %%r14, 16(%[d])\n\t"
      "movq %%r15, 24(%[d])\n\t"
      :
      : [s] "r"(s), [d] "r"(d), [f] "r"(f), [g] "r"(g)
      : "rax", "rbx", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "cc", "memory");
}

// sub: h = f - g. A borrow means 2^256 was added, i.e. 38 too much modulo p; taking 38 off can
// borrow once more only from a value of at least 2^256 - 38, which then absorbs the second 38.
VOLLEY_X25519_INLINE void sub(Fe* h, const Fe* f, const Fe* g) {
  __asm__(
      "movq 0(%[f]), %%r8\n\t"
      "subq 0(%[g]), %%r8\n\t"
      "movq 8(%[f]), %%r9\n\t"
      "sbbq 8(%[g]), %%r9\n\t"
      "movq 16(%[f]), %%r10\n\t"
      "sbbq 16(%[g]), %%r10\n\t"
      "movq 24(%[f]), %%r11\n\t"
      "sbbq 24(%[g]), %%r11\n\t"
      "sbbq %%rax, %%rax\n\t"
      "andq $38, %%rax\n\t"
      "subq %%rax, %%r8\n\t"
      "movl $0, %%eax\n\t"
      "sbbq %%rax, %%r9\n\t"
      "sbbq %%rax, %%r10\n\t"
      "sbbq %%rax, %%r11\n\t"
      "sbbq %%rax, %%rax\n\t"
      "andq $38, %%rax\n\t"
      "subq %%rax, %%r8\n\t"
      "movq %%r8, 0(%[h])\n\t"
      "movq %%r9, 8(%[h])\n\t"
      "movq %%r10, 16(%[h])\n\t"
      "movq %%r11, 24(%[h])\n\t"
      :
      : [h] "r"(h), [f] "r"(f), [g] "r"(g)
      : "rax", "r8", "r9", "r10", "r11", "cc", "memory");
}

#undef VOLLEY_X25519_REDUCE
#undef VOLLEY_X25519_CLOBBERS

void sqr_n(Fe* h, const Fe* f, int n) {
  sqr(h, f);
  for (int i = 1; i < n; ++i) sqr(h, h);
}

// invert computes z^(p-2) = z^(2^255 - 21) with a fixed chain of 254 squarings and 11
// multiplications; z = 0 gives 0, as RFC 7748 §5 expects.
void invert(Fe* out, const Fe* z) {
  Fe t[6];
  Fe* z2 = &t[0];
  Fe* z9 = &t[1];
  Fe* z11 = &t[2];
  Fe* t0 = &t[3];
  Fe* t1 = &t[4];
  Fe* t2 = &t[5];
  sqr(z2, z);             // 2
  sqr_n(t0, z2, 2);       // 8
  mul(z9, t0, z);         // 9
  mul(z11, z9, z2);       // 11
  sqr(t0, z11);           // 22
  mul(t0, t0, z9);        // 2^5 - 1
  sqr_n(t1, t0, 5);
  mul(t0, t1, t0);        // 2^10 - 1
  sqr_n(t1, t0, 10);
  mul(t1, t1, t0);        // 2^20 - 1
  sqr_n(t2, t1, 20);
  mul(t1, t2, t1);        // 2^40 - 1
  sqr_n(t1, t1, 10);
  mul(t0, t1, t0);        // 2^50 - 1
  sqr_n(t1, t0, 50);
  mul(t1, t1, t0);        // 2^100 - 1
  sqr_n(t2, t1, 100);
  mul(t1, t2, t1);        // 2^200 - 1
  sqr_n(t1, t1, 50);
  mul(t0, t1, t0);        // 2^250 - 1
  sqr_n(t0, t0, 5);       // 2^255 - 2^5
  mul(out, t0, z11);      // 2^255 - 21
  secure_wipe(t, sizeof(t));
}

// tobytes writes the representative in [0, p). Folding bit 255 (worth 19) leaves v < 2^255 + 19
// < 2p; then v >= p exactly when v + 19 has bit 255 set, and v + 19 - 2^255 is the answer.
void tobytes(uint8_t out[32], const Fe* f) {
  using u128 = unsigned __int128;
  uint64_t v[4];
  uint64_t w[4];
  const uint64_t top = f->v[3] >> 63;
  u128 c = static_cast<u128>(f->v[0]) + 19 * top;
  v[0] = static_cast<uint64_t>(c);
  c = static_cast<u128>(f->v[1]) + static_cast<uint64_t>(c >> 64);
  v[1] = static_cast<uint64_t>(c);
  c = static_cast<u128>(f->v[2]) + static_cast<uint64_t>(c >> 64);
  v[2] = static_cast<uint64_t>(c);
  v[3] = (f->v[3] & 0x7fffffffffffffffULL) + static_cast<uint64_t>(c >> 64);
  c = static_cast<u128>(v[0]) + 19;
  w[0] = static_cast<uint64_t>(c);
  for (int i = 1; i < 4; ++i) {
    c = static_cast<u128>(v[i]) + static_cast<uint64_t>(c >> 64);
    w[i] = static_cast<uint64_t>(c);
  }
  uint64_t mask = 0 - (w[3] >> 63);
  __asm__("" : "+r"(mask));
  w[3] &= 0x7fffffffffffffffULL;
  for (int i = 0; i < 4; ++i) v[i] = (w[i] & mask) | (v[i] & ~mask);
  std::memcpy(out, v, 32);  // x86-64 is little-endian, as RFC 7748 encodings are
  secure_wipe(v, sizeof(v));
  secure_wipe(w, sizeof(w));
}

// cswap exchanges |a| and |b| when |bit| is 1, with the same instructions either way.
void cswap(Fe* a, Fe* b, uint64_t bit) {
  uint64_t mask = 0 - bit;
  // Hide the mask's origin from the optimiser so it cannot turn the swap into a branch.
  __asm__("" : "+r"(mask));
  for (int i = 0; i < 4; ++i) {
    const uint64_t x = mask & (a->v[i] ^ b->v[i]);
    a->v[i] ^= x;
    b->v[i] ^= x;
  }
}

// Ladder is everything scalarmult keeps on the stack, so it can be wiped in one go.
struct Ladder {
  uint8_t e[32];
  Fe x1, x2, z2, x3, z3, a, aa, b, bb, e_, c, d, da, cb, t;
};

// ladder computes X25519(scalar, point) into |out|. |base_point| (public) says the point is u = 9,
// so the multiplication by x1 in every step is a one-limb multiply.
VOLLEY_X25519_INLINE void ladder(uint8_t out[32], const uint8_t scalar[32], const uint8_t point[32],
                                 bool base_point) {
  Ladder s;
  std::memcpy(s.e, scalar, 32);
  // decodeScalar25519 (RFC 7748 §5): a multiple of the cofactor 8, with bit 254 set.
  s.e[0] &= 248;
  s.e[31] &= 127;
  s.e[31] |= 64;
  // decodeUCoordinate: drop bit 255; values in [p, 2^255) are valid inputs to the arithmetic.
  std::memcpy(s.x1.v, point, 32);
  s.x1.v[3] &= 0x7fffffffffffffffULL;
  s.x2 = Fe{{1, 0, 0, 0}};
  s.z2 = Fe{{0, 0, 0, 0}};
  s.x3 = s.x1;
  s.z3 = Fe{{1, 0, 0, 0}};
  uint64_t swap = 0;
  // RFC 7748 §5 ladder; the loop bound and bit position are public, only the bit value is secret.
  for (int pos = 254; pos >= 0; --pos) {
    const uint64_t k = (s.e[pos >> 3] >> (pos & 7)) & 1;
    swap ^= k;
    cswap(&s.x2, &s.x3, swap);
    cswap(&s.z2, &s.z3, swap);
    swap = k;
    // The order matters by some 10%: the x3/z3 chain (DA, CB, their sum and difference squared,
    // times x1) is the longest, so it is issued first and the x2/z2 work fills in behind it.
    addsub(&s.a, &s.b, &s.x2, &s.z2);
    addsub(&s.c, &s.d, &s.x3, &s.z3);
    mul(&s.da, &s.d, &s.a);
    mul(&s.cb, &s.c, &s.b);
    sqr(&s.aa, &s.a);
    sqr(&s.bb, &s.b);
    addsub(&s.c, &s.d, &s.da, &s.cb);
    sqr(&s.t, &s.d);
    sqr(&s.x3, &s.c);
    if (base_point) {
      mul_small(&s.z3, &s.t, 9);
    } else {
      mul(&s.z3, &s.x1, &s.t);
    }
    sub(&s.e_, &s.aa, &s.bb);
    mul_a24_add(&s.t, &s.e_, &s.aa);
    mul(&s.x2, &s.aa, &s.bb);
    mul(&s.z2, &s.e_, &s.t);
  }
  cswap(&s.x2, &s.x3, swap);
  cswap(&s.z2, &s.z3, swap);
  invert(&s.z2, &s.z2);
  mul(&s.x2, &s.x2, &s.z2);
  tobytes(out, &s.x2);
  secure_wipe(&s, sizeof(s));
  secure_wipe(&swap, sizeof(swap));
}

void scalarmult(uint8_t out[32], const uint8_t scalar[32], const uint8_t point[32]) {
  ladder(out, scalar, point, false);
}

// ---- Fixed base: X25519(k, 9) as k*B on Edwards25519 --------------------------------------------
//
// The public key needs no ladder: u = 9 is the image of Edwards25519's base point B (RFC 8032
// §5.1) under the birational map u = (1 + y) / (1 - y) = (Z + Y) / (Z - Y) of RFC 7748 §4.1, and
// on the Edwards form points add. With k = sum e_i 16^i, e_i in [-8, 8] (signed radix 16),
//   k*B = 16 * sum_j e_{2j+1} 256^j B + sum_j e_{2j} 256^j B,
// so with a table of m * 256^j * B (j < 32, m = 1..8) the product is 64 mixed additions and 4
// doublings, against 255 ladder steps: the comb of Bernstein, Duif, Lange, Schwabe and Yang, "High-
// speed high-security signatures" (2011), §4.
//
// Constant time: each digit's entry is found by reading all 8 entries of its row and keeping one
// with a mask (the row is the digit's public position); a negative digit is applied by a masked
// swap of y+x and y-x and a masked negation of 2dxy. No branch or index depends on the scalar.

// Niels is an affine point as (y + x, y - x, 2d*x*y), ready for a mixed addition.
struct Niels {
  Fe ypx, ymx, xy2d;
};
// Ext is a point in extended coordinates: x = X/Z, y = Y/Z, x*y = T/Z.
struct Ext {
  Fe x, y, z, t;
};
// Scratch is every temporary of madd and dbl, kept by the caller so it can be wiped.
struct Scratch {
  Fe a, b, c, d, e, f, g, h, unused;
};

constexpr Fe kZero = {{0, 0, 0, 0}};
constexpr Fe kOne = {{1, 0, 0, 0}};
// 2d, d = -121665/121666 (RFC 7748 §4.1); B's coordinates (RFC 8032 §5.1).
constexpr Fe kD2 = {{0xebd69b9426b2f159ULL, 0x00e0149a8283b156ULL, 0x198e80f2eef3d130ULL,
                     0x2406d9dc56dffce7ULL}};
constexpr Fe kBx = {{0xc9562d608f25d51aULL, 0x692cc7609525a7b2ULL, 0xc0a4e231fdd6dc5cULL,
                     0x216936d3cd6e53feULL}};
constexpr Fe kBy = {{0x6666666666666658ULL, 0x6666666666666666ULL, 0x6666666666666666ULL,
                     0x6666666666666666ULL}};

VOLLEY_X25519_INLINE void add(Fe* h, const Fe* f, const Fe* g, Fe* unused) {
  addsub(h, unused, f, g);
}

// madd: r = p + q (q affine), "madd-2008-hwcd-3" for a = -1, 8 multiplications. |r| may be |p|.
VOLLEY_X25519_INLINE void madd(Ext* r, const Ext* p, const Niels* q, Scratch* s) {
  sub(&s->a, &p->y, &p->x);
  mul(&s->a, &s->a, &q->ymx);
  add(&s->b, &p->y, &p->x, &s->unused);
  mul(&s->b, &s->b, &q->ypx);
  mul(&s->c, &p->t, &q->xy2d);
  add(&s->d, &p->z, &p->z, &s->unused);
  addsub(&s->h, &s->e, &s->b, &s->a);  // H = B + A, E = B - A
  addsub(&s->g, &s->f, &s->d, &s->c);  // G = D + C, F = D - C
  mul(&r->x, &s->e, &s->f);
  mul(&r->y, &s->g, &s->h);
  mul(&r->t, &s->e, &s->h);
  mul(&r->z, &s->f, &s->g);
}

// dbl: r = 2p, "dbl-2008-hwcd" for a = -1 (p's T unused). |r| may be |p|.
VOLLEY_X25519_INLINE void dbl(Ext* r, const Ext* p, Scratch* s) {
  sqr(&s->a, &p->x);                           // XX
  sqr(&s->b, &p->y);                           // YY
  sqr(&s->c, &p->z);
  add(&s->c, &s->c, &s->c, &s->unused);        // 2 ZZ
  add(&s->d, &p->x, &p->y, &s->unused);
  sqr(&s->d, &s->d);                           // (X + Y)^2
  addsub(&s->g, &s->f, &s->b, &s->a);          // G = YY + XX, F = YY - XX
  sub(&s->e, &s->d, &s->g);                    // E = (X + Y)^2 - XX - YY
  sub(&s->h, &s->c, &s->f);                    // H = 2 ZZ - F
  mul(&r->x, &s->e, &s->h);
  mul(&r->y, &s->g, &s->f);
  mul(&r->z, &s->f, &s->h);
  mul(&r->t, &s->e, &s->g);
}

// BaseTable: row j, entry m - 1 is m * 256^j * B.
struct BaseTable {
  Niels p[32][8];
};

// to_niels makes |e| affine: one inversion (public data; only the table is built this way).
void to_niels(Niels* n, const Ext* e, Scratch* s) {
  Fe zi, x, y;
  invert(&zi, &e->z);
  mul(&x, &e->x, &zi);
  mul(&y, &e->y, &zi);
  addsub(&n->ypx, &n->ymx, &y, &x);
  mul(&zi, &x, &y);
  mul(&n->xy2d, &zi, &kD2);
  (void)s;
}

// make_base_table computes the table from B: 32 rows of 8 points, 256 inversions (about as many
// field operations as 25 public keys by the ladder; not timed on its own), once per process on
// the first public-key computation.
BaseTable make_base_table() noexcept {
  BaseTable table;
  Scratch s;
  Ext row_base = {kBx, kBy, kOne, kZero};
  mul(&row_base.t, &kBx, &kBy);
  for (int j = 0; j < 32; ++j) {
    Niels step;
    to_niels(&step, &row_base, &s);
    Ext acc = row_base;
    table.p[j][0] = step;
    for (int m = 1; m < 8; ++m) {
      madd(&acc, &acc, &step, &s);
      to_niels(&table.p[j][m], &acc, &s);
    }
    for (int i = 0; i < 8; ++i) dbl(&row_base, &row_base, &s);  // times 256
  }
  return table;
}

const BaseTable& base_table() noexcept {
  static const BaseTable table = make_base_table();  // thread-safe initialisation (C++11)
  return table;
}

// cmov_niels sets |t| to |f| where |mask| is all ones, keeps it where zero.
VOLLEY_X25519_INLINE void cmov_niels(Niels* t, const Niels* f, uint64_t mask) {
  uint64_t* d = &t->ypx.v[0];
  const uint64_t* src = &f->ypx.v[0];
  static_assert(sizeof(Niels) == 12 * sizeof(uint64_t));
  for (int i = 0; i < 12; ++i) d[i] ^= mask & (d[i] ^ src[i]);
}

// BaseComb is everything base() keeps on the stack, wiped in one go.
struct BaseComb {
  uint8_t k[32];
  int8_t e[64];
  Ext acc;
  Niels t, neg;
  Scratch s;
  Fe num, den;
};

// select sets c->t to digit * 256^row * B for digit in [-8, 8], scanning the whole row.
VOLLEY_X25519_INLINE void select(BaseComb* c, const BaseTable& table, int row, int8_t digit) {
  uint64_t negative = static_cast<uint64_t>(static_cast<int64_t>(digit)) >> 63;
  __asm__("" : "+r"(negative));
  const uint64_t magnitude =
      static_cast<uint64_t>(static_cast<int64_t>(digit) * (1 - 2 * static_cast<int64_t>(negative)));
  // The scan gathers into locals, which stay in registers: read-modify-writes of c->t went
  // through memory and cost a third of base(). They are wiped before returning.
  uint64_t r[12] = {1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0};  // the neutral element, for digit 0
  for (uint64_t m = 0; m < 8; ++m) {
    const uint64_t diff = magnitude ^ (m + 1);
    uint64_t mask = 0 - ((diff - 1) >> 63);  // all ones iff diff == 0 (diff < 16)
    __asm__("" : "+r"(mask));
    const uint64_t* src = &table.p[row][m].ypx.v[0];
    for (int i = 0; i < 12; ++i) r[i] ^= mask & (r[i] ^ src[i]);
  }
  std::memcpy(&c->t, r, sizeof(r));
  secure_wipe(r, sizeof(r));
  // -(x, y) = (-x, y): y + x and y - x trade places and 2dxy changes sign.
  c->neg.ypx = c->t.ymx;
  c->neg.ymx = c->t.ypx;
  sub(&c->neg.xy2d, &kZero, &c->t.xy2d);
  cmov_niels(&c->t, &c->neg, 0 - negative);
}

void base(uint8_t out[32], const uint8_t scalar[32]) {
  const BaseTable& table = base_table();
  BaseComb c;
  std::memcpy(c.k, scalar, 32);
  c.k[0] &= 248;  // decodeScalar25519 (RFC 7748 §5)
  c.k[31] &= 127;
  c.k[31] |= 64;
  for (int i = 0; i < 32; ++i) {
    c.e[2 * i] = static_cast<int8_t>(c.k[i] & 15);
    c.e[2 * i + 1] = static_cast<int8_t>(c.k[i] >> 4);
  }
  // Recode to [-8, 8): a digit of 8 or more lends 16 to the next. k < 2^255 keeps e[63] <= 8.
  int8_t carry = 0;
  for (int i = 0; i < 63; ++i) {
    c.e[i] = static_cast<int8_t>(c.e[i] + carry);
    carry = static_cast<int8_t>((c.e[i] + 8) >> 4);
    c.e[i] = static_cast<int8_t>(c.e[i] - carry * 16);
  }
  c.e[63] = static_cast<int8_t>(c.e[63] + carry);

  c.acc = Ext{kZero, kOne, kOne, kZero};  // the neutral element
  for (int i = 1; i < 64; i += 2) {
    select(&c, table, i / 2, c.e[i]);
    madd(&c.acc, &c.acc, &c.t, &c.s);
  }
  for (int i = 0; i < 4; ++i) dbl(&c.acc, &c.acc, &c.s);
  for (int i = 0; i < 64; i += 2) {
    select(&c, table, i / 2, c.e[i]);
    madd(&c.acc, &c.acc, &c.t, &c.s);
  }
  // u = (Z + Y) / (Z - Y). k*B is never the neutral element (B has prime order l, and no
  // clamped k is a multiple of l), so Z - Y is not zero.
  addsub(&c.num, &c.den, &c.acc.z, &c.acc.y);
  invert(&c.den, &c.den);
  mul(&c.num, &c.num, &c.den);
  tobytes(out, &c.num);
  secure_wipe(&c, sizeof(c));
  secure_wipe(&carry, sizeof(carry));
}

}  // namespace
}  // namespace x25519_mulx_adx

const X25519Kernel kX25519MulxAdx = {x25519_mulx_adx::scalarmult, x25519_mulx_adx::base};

}  // namespace volley::kernels
