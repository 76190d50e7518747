// The building blocks on their own, on every ISA build this CPU runs: ChaCha20 (key, nonce and
// input secret), Poly1305 (one-time key and message secret, split into calls so that each kernel's
// vector path, its precomputation of powers of r and its partial last block all run) and the
// constant-time compare the AEAD front end and the record layer use for tags.
#include <string>

#include "engine/common/secure_memory.h"
#include "engine/dispatch/isa_needs.h"
#include "engine/kernels/chacha20/chacha20_kernels.h"
#include "engine/kernels/poly1305_kernels.h"
#include "tests/ct/ct.h"

namespace volley::ct {
namespace {

using ChaChaFn = void (*)(const uint8_t*, const uint8_t*, uint32_t, const uint8_t*, uint8_t*,
                          size_t) noexcept;

// An ISA build and the CPU features its file was compiled for (engine/dispatch/isa_needs.h).
template <class K>
struct Isa {
  const char* name;
  cpu::Features needs;
  K kernel;
};

std::string at(const char* what, size_t len) {
  return std::string(what) + " at " + std::to_string(len);
}

// Runs |fn| with each ISA build of |list| the CPU has, and names the others.
template <class K, size_t N, class Fn>
void for_each_isa(const char* what, const Isa<K> (&list)[N], Fn fn) {
  for (const Isa<K>& isa : list) {
    if (!cpu::features().has_all(isa.needs)) {
      std::printf("unavailable %s/%s\n", what, isa.name);
      continue;
    }
    fn(isa);
  }
}

int check_chacha20() {
  const Isa<ChaChaFn> kIsas[] = {
      {"nohw", {}, kernels::chacha20_nohw::chacha20_xor},
#if defined(__x86_64__)
      {"ssse3", cpu::Features{cpu::Feature::kSse41}, kernels::chacha20_ssse3::chacha20_xor},
      {"avx2", dispatch::kNeedsAvx2, kernels::chacha20_avx2::chacha20_xor},
      {"avx512", dispatch::kNeedsAvx512, kernels::chacha20_avx512::chacha20_xor},
#endif
  };
  int wrong = 0;
  for_each_isa("chacha20", kIsas, [&](const Isa<ChaChaFn>& isa) {
    Tally t("chacha20", isa.name);
    const Buffer key = pattern(32, 7), nonce = pattern(12, 8);
    for (size_t len : kLengths) {
      const Buffer in = pattern(len, static_cast<uint32_t>(len));
      Buffer want(len), got(len);
      kernels::chacha20_nohw::chacha20_xor(key.data(), nonce.data(), 1, in.data(), want.data(),
                                           len);
      secret(key);
      secret(nonce);
      secret(in);
      isa.kernel(key.data(), nonce.data(), 1, in.data(), got.data(), len);
      reveal(key);
      reveal(nonce);
      reveal(in);
      reveal(got);
      t.expect(got == want, at("xor", len));
    }
    wrong += t.wrong();
  });
  return wrong;
}

// poly1305 runs kernel |k| over |msg| in three calls (the first two whole blocks), the way the
// AEAD kernels and the tests split a message.
Buffer poly1305(const kernels::Poly1305Kernel& k, const Buffer& key, const Buffer& msg) {
  kernels::Poly1305State st;
  Buffer tag(16);
  const size_t first = (msg.size() / 3) & ~size_t{15};
  const size_t second = (msg.size() / 2) & ~size_t{15};
  k.init(&st, key.data());
  k.blocks(&st, msg.data(), first);
  k.blocks(&st, msg.data() + first, second - first);
  k.blocks(&st, msg.data() + second, msg.size() - second);
  k.finish(&st, tag.data());
  return tag;
}

int check_poly1305() {
  const Isa<const kernels::Poly1305Kernel*> kIsas[] = {
      {"nohw", {}, &kernels::kPoly1305Nohw},
#if defined(__x86_64__)
      {"avx2", dispatch::kNeedsAvx2, &kernels::kPoly1305Avx2},
      {"avx512ifma", dispatch::kNeedsAvx512Ifma, &kernels::kPoly1305Avx512Ifma},
#endif
  };
  int wrong = 0;
  for_each_isa("poly1305", kIsas, [&](const Isa<const kernels::Poly1305Kernel*>& isa) {
    Tally t("poly1305", isa.name);
    // A key whose r has every clamped bit set, and one from the pattern: the carries differ.
    for (const Buffer& key : {Buffer(32, 0xff), pattern(32, 9)}) {
      for (size_t len : kLengths) {
        const Buffer msg = pattern(len, static_cast<uint32_t>(len) + 1);
        const Buffer want = poly1305(kernels::kPoly1305Nohw, key, msg);
        secret(key);
        secret(msg);
        Buffer got = poly1305(*isa.kernel, key, msg);
        reveal(key);
        reveal(msg);
        reveal(got);
        t.expect(got == want, at("tag", len));
      }
    }
    wrong += t.wrong();
  });
  return wrong;
}

// The tag compares: equal, and different in the first or only the last byte.
int check_compare() {
  Tally t("tag-compare", "ct_equal");
  for (size_t differ : {size_t{16}, size_t{0}, size_t{15}}) {
    Buffer a = pattern(16, 10), b = a;
    if (differ < 16) b[differ] ^= 0x80;
    secret(a);
    secret(b);
    bool eq16 = ct_equal16(a.data(), b.data());
    bool eq = ct_equal(a.data(), b.data(), 16);
    // Whether two tags match is public (the open status); the compare must not say where.
    reveal(&eq16, sizeof(eq16));
    reveal(&eq, sizeof(eq));
    t.expect(eq16 == (differ == 16) && eq == (differ == 16), at("differing byte", differ));
  }
  return t.wrong();
}

}  // namespace

int check_primitives() { return check_chacha20() + check_poly1305() + check_compare(); }

}  // namespace volley::ct
