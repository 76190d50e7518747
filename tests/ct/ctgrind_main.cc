// ctgrind: volley's secret-handling code run under valgrind's memcheck with every secret marked
// undefined (tests/ct/ct.h says how that finds timing leaks). tests/ct/ct_test.sh is the runner.
//
//   ctgrind                  every family on every backend this CPU (as valgrind shows it) runs;
//                            memcheck must report nothing and every result must be right
//   ctgrind --leaky=branch   a test-only compare with a secret-dependent branch, and
//   ctgrind --leaky=index    a test-only lookup with a secret-dependent index: memcheck must
//                            report each, or the check above proves nothing
//   ctgrind --leaky=old-scan the content-type scan before issue 15, which stops at the type byte
//   ctgrind --leaky=undeclassified
//                            an AEAD open with the engine's declassification hook off: memcheck
//                            must report the branch on the tag compare in AeadKey::open, which
//                            shows the secrets reach it through the kernel
//   ctgrind --build-info     prints "asan" in an AddressSanitizer build (valgrind cannot run it)
//
// One binary with one function per family, rather than one per family: valgrind's start-up and
// the engine's link are paid once, and the runner reads one log.
//
// Exit status: 0 when every result was right, 2 when one was wrong, 3 on a usage error.
// Valgrind's --error-exitcode turns any report into a failure.
#include <cstdio>
#include <string_view>

#include "tests/ct/ct.h"

#if defined(__SANITIZE_ADDRESS__)
#define VOLLEY_CT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define VOLLEY_CT_ASAN 1
#endif
#endif

// The engine's declassification hook (engine/common/secure_memory.h): the engine calls it on the
// few secret-derived values it must branch on and that the protocol makes public anyway (a tag
// matched or not, an X25519 result is zero or not, an authenticated record's type and length).
// --leaky=undeclassified turns it off, to show that the secrets do reach those values.
extern "C" void volley_ct_declassify(const void* p, size_t len) noexcept {
  if (volley::ct::declassify_on) VALGRIND_MAKE_MEM_DEFINED(p, len);
}

int main(int argc, char** argv) {
  const std::string_view arg = argc > 1 ? argv[1] : "";
  if (arg == "--build-info") {
#if defined(VOLLEY_CT_ASAN)
    std::printf("asan\n");
#else
    std::printf("plain\n");
#endif
    return 0;
  }
  if (arg.starts_with("--leaky=")) return volley::ct::run_leaky(arg.substr(8));
  if (!arg.empty()) {
    std::fprintf(stderr, "usage: %s [--leaky=branch|index|old-scan|undeclassified | --build-info]\n",
                 argv[0]);
    return 3;
  }
  int wrong = 0;
  wrong += volley::ct::check_primitives();
  wrong += volley::ct::check_aeads();
  wrong += volley::ct::check_hashes();
  wrong += volley::ct::check_x25519();
  wrong += volley::ct::check_records();
  wrong += volley::ct::check_content_type();
  std::printf("%d wrong results\n", wrong);
  return wrong ? 2 : 0;
}
