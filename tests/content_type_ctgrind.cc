// A constant-time check of the content-type scan (RFC 8446 §5.4), "ctgrind" style: run under
// valgrind's memcheck, this marks every byte of the inner plaintext undefined before the scan, so
// that memcheck reports any branch ("Conditional jump or move depends on uninitialised value") or
// memory address ("Use of uninitialised value" in an address) computed from those bytes. The
// results are marked defined again before they are checked, so checking them is not a report.
//
//   content_type_ctgrind                the content-type backends this CPU (as valgrind shows it)
//                                       runs; must be clean
//   content_type_ctgrind --old-scan     the backwards scan the record layer used before issue 15,
//                                       kept here only to prove the check can fail: memcheck must
//                                       report it
//   content_type_ctgrind --build-info   prints "asan" when built with AddressSanitizer, whose
//                                       binaries valgrind cannot run
//
// Exit status: 0 when every result was right, 2 when one was wrong, 3 on a usage error. Valgrind's
// --error-exitcode turns its reports into a failure. Valgrind 3.19 does not execute AVX-512 and
// hides it from CPUID, so under valgrind dispatch reports the avx512 backend unavailable and it is
// not run here (see tests/content_type_ct_test.sh).
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "engine/kernels/content_type_kernels.h"
#include "volley/dispatch.h"

#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#else  // e.g. the aarch64 cross build: the binary still builds, and checks results only
#define VALGRIND_MAKE_MEM_UNDEFINED(addr, len) ((void)(addr), (void)(len))
#define VALGRIND_MAKE_MEM_DEFINED(addr, len) ((void)(addr), (void)(len))
#endif

#if defined(__SANITIZE_ADDRESS__)
#define VOLLEY_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define VOLLEY_ASAN 1
#endif
#endif

namespace volley {
namespace {

using ScanFn = uint8_t (*)(const uint8_t*, size_t, size_t*);

// The scan of engine/record/content_type.h before issue 15. It stops at the type byte, so the
// bytes decide how long it runs: memcheck must report the loop conditions.
uint8_t backwards_scan(const uint8_t* inner, size_t len, size_t* content_len) {
  size_t end = len;
  while (end >= 8) {
    uint64_t w;
    std::memcpy(&w, inner + end - 8, 8);
    if (w != 0) break;
    end -= 8;
  }
  while (end > 0 && inner[end - 1] == 0) --end;
  if (end == 0) {
    *content_len = 0;
    return 0;
  }
  *content_len = end - 1;
  return inner[end - 1];
}

// check runs |scan| on content || type || padding for several lengths and padding lengths with
// the buffer undefined; returns the number of wrong results.
int check(const char* name, ScanFn scan) {
  int wrong = 0;
  int runs = 0;
  for (size_t len : {1, 7, 8, 9, 63, 64, 65, 255, 256, 257, 1350, 16385}) {
    for (size_t padding : {size_t{0}, size_t{1}, len / 2, len - 1}) {
      if (padding > len - 1) continue;  // len 1 has room for no padding
      std::vector<uint8_t> inner(len, 0);
      const size_t type_at = len - 1 - padding;
      for (size_t i = 0; i < type_at; ++i) inner[i] = static_cast<uint8_t>(i % 5 == 0 ? 0 : i);
      inner[type_at] = 22;
      VALGRIND_MAKE_MEM_UNDEFINED(inner.data(), len);
      size_t content_len = 0;
      uint8_t type = scan(inner.data(), len, &content_len);
      VALGRIND_MAKE_MEM_DEFINED(&type, sizeof(type));
      VALGRIND_MAKE_MEM_DEFINED(&content_len, sizeof(content_len));
      VALGRIND_MAKE_MEM_DEFINED(inner.data(), len);
      if (type != 22 || content_len != type_at) {
        std::printf("%s: WRONG for len %zu, padding %zu: type %u, content_len %zu\n", name, len,
                    padding, unsigned{type}, content_len);
        ++wrong;
      }
      ++runs;
    }
    // All zero: no type.
    std::vector<uint8_t> zeros(len, 0);
    VALGRIND_MAKE_MEM_UNDEFINED(zeros.data(), len);
    size_t content_len = 1;
    uint8_t type = scan(zeros.data(), len, &content_len);
    VALGRIND_MAKE_MEM_DEFINED(&type, sizeof(type));
    VALGRIND_MAKE_MEM_DEFINED(&content_len, sizeof(content_len));
    if (type != 0 || content_len != 0) {
      std::printf("%s: WRONG for %zu zero bytes\n", name, len);
      ++wrong;
    }
    ++runs;
  }
  std::printf("checked %s: %d scans with undefined input, %d wrong\n", name, runs, wrong);
  return wrong;
}

int run(int argc, char** argv) {
  const std::string arg = argc > 1 ? argv[1] : "";
  if (arg == "--build-info") {
#if defined(VOLLEY_ASAN)
    std::printf("asan\n");
#else
    std::printf("plain\n");
#endif
    return 0;
  }
  if (arg == "--old-scan") return check("old-backwards", backwards_scan) ? 2 : 0;
  if (!arg.empty()) {
    std::fprintf(stderr, "usage: %s [--old-scan | --build-info]\n", argv[0]);
    return 3;
  }
  int wrong = 0;
  for (const dispatch::Backend& b : dispatch::backends(dispatch::Family::kContentType)) {
    const std::string name(b.name);
    if (!dispatch::available(b)) {
      std::printf("skipped %s: not available on this CPU as seen here\n", name.c_str());
      continue;
    }
    wrong += check(name.c_str(), static_cast<const kernels::ContentTypeKernel*>(b.kernel)->scan);
  }
  return wrong ? 2 : 0;
}

}  // namespace
}  // namespace volley

int main(int argc, char** argv) { return volley::run(argc, argv); }
