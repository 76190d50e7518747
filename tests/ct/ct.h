// The shared part of the ctgrind driver (tests/ct/ctgrind_main.cc): marking bytes secret for
// valgrind's memcheck, deterministic inputs, and the per-backend tally the runner reads.
//
// How the check works: memcheck tracks, bit by bit, whether a value is "defined". Marking a secret
// undefined before a call makes memcheck report every conditional jump and every memory address
// computed from it ("Conditional jump or move depends on uninitialised value", "Use of
// uninitialised value of size 8"), which is exactly the set of timing leaks a constant-time kernel
// must not have. Arithmetic on secrets is silent. Results are marked defined again only where the
// protocol makes them public, or where this test itself checks them after the call returned.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "volley/dispatch.h"

#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#else  // e.g. the aarch64 cross build: the driver still builds, and checks results only
#define VALGRIND_MAKE_MEM_UNDEFINED(addr, len) ((void)(addr), (void)(len))
#define VALGRIND_MAKE_MEM_DEFINED(addr, len) ((void)(addr), (void)(len))
#endif

namespace volley::ct {

using Buffer = std::vector<uint8_t>;

// secret marks |len| bytes at |p| undefined: from here memcheck reports any branch or address
// that depends on them.
inline void secret(const void* p, size_t len) { VALGRIND_MAKE_MEM_UNDEFINED(p, len); }
inline void secret(const Buffer& b) { secret(b.data(), b.size()); }

// reveal marks bytes defined. Only for outputs that are public by protocol (a ciphertext and tag
// that go on the wire, a public key) or that this test compares after the engine returned: the
// comparison is the test's branch, not the engine's.
inline void reveal(const void* p, size_t len) { VALGRIND_MAKE_MEM_DEFINED(p, len); }
inline void reveal(const Buffer& b) { reveal(b.data(), b.size()); }

// pattern returns |len| bytes that differ with |seed| and along the buffer, with zero bytes in
// them: deterministic, so a failure reproduces.
Buffer pattern(size_t len, uint32_t seed);

// The message lengths every bulk primitive is run at: empty, one byte, around one 16-byte block,
// around one 64-byte block (a ChaCha20 block, four AES blocks), a 256-byte stride, a typical TLS
// record and a long one with a tail, so that each kernel's bulk loop and its tail both run.
inline constexpr size_t kLengths[] = {0, 1, 15, 16, 17, 63, 64, 255, 256, 1350, 4096 + 7};

// Tally counts the calls made on one backend with secret inputs and the wrong results among them,
// and prints one line when it goes out of scope, which tests/ct/ct_test.sh looks for:
//   checked <what>/<backend>: <calls> calls, <wrong> wrong
class Tally {
 public:
  Tally(std::string_view what, std::string_view backend);
  ~Tally();
  Tally(const Tally&) = delete;
  Tally& operator=(const Tally&) = delete;

  // expect counts one call; |ok| is the test's own verdict on its (revealed) result.
  void expect(bool ok, std::string_view detail);
  int wrong() const { return wrong_; }

 private:
  std::string name_;
  int calls_ = 0;
  int wrong_ = 0;
};

// for_each_backend calls |fn| with every backend of |family| this process can run, and prints
// "unavailable <family>/<name>" for those built here that the CPU (as valgrind presents it) lacks,
// so that the runner can tell a skipped backend from a forgotten one.
template <class Fn>
void for_each_backend(dispatch::Family family, Fn fn) {
  for (const dispatch::Backend& b : dispatch::backends(family)) {
    if (b.kernel == nullptr) continue;  // built for the other architecture
    if (!dispatch::available(b)) {
      std::printf("unavailable %s/%.*s\n", std::string(dispatch::family_name(family)).c_str(),
                  static_cast<int>(b.name.size()), b.name.data());
      continue;
    }
    fn(b);
  }
}

// forced runs |fn| with |b| forced as the default backend of its family (for front ends that take
// no backend name: HKDF, the record layer's content-type scan), and restores automatic selection.
// Returns false, without running |fn|, if dispatch did not take |b|.
template <class Fn>
bool forced(dispatch::Family family, const dispatch::Backend& b, Fn fn) {
  if (dispatch::force(family, b.name) != dispatch::ForceResult::kOk ||
      &dispatch::best(family) != &b) {
    return false;
  }
  fn();
  return dispatch::force(family, {}) == dispatch::ForceResult::kOk;
}

// declassify_on: whether the engine's declassification hook (ctgrind_main.cc) marks what it is
// given defined. Off only for the negative test that shows secrets reach those values.
inline bool declassify_on = true;

// The checks, one function per primitive family; each returns the number of wrong results.
int check_aeads();         // aead_cases.cc: AES-GCM (with GHASH) and ChaCha20-Poly1305, tag compare
int check_primitives();    // primitive_cases.cc: ChaCha20, Poly1305, ct_equal
int check_hashes();        // hash_cases.cc: SHA-256/384/512, HMAC, HKDF
int check_x25519();        // x25519_cases.cc
int check_records();       // record_cases.cc: record layer seal/open, the padding scan in place
int check_content_type();  // content_type_cases.cc: the padding scan on its own
int run_old_scan();        // content_type_cases.cc: the pre-issue-15 scan, must be reported
int run_leaky(std::string_view which);  // leaky_cases.cc: must be reported (negative test)

}  // namespace volley::ct
