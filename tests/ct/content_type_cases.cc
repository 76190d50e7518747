// The content-type scan (RFC 8446 §5.4) on its own, on every scan backend: the inner plaintext,
// content, type byte and zero padding, is secret, since the padding is there to hide the content's
// length. (record_cases.cc runs the same scans inside the record layer.) Also the backwards scan
// the record layer used before issue 15, kept only as a negative test: it stops at the type byte.
#include <cstring>
#include <string>

#include "engine/kernels/content_type_kernels.h"
#include "tests/ct/ct.h"
#include "tests/ct/old_content_type_scan.h"

namespace volley::ct {
namespace {

using ScanFn = uint8_t (*)(const uint8_t*, size_t, size_t*);

// check_scan runs |scan| on content || type || padding for several lengths and amounts of
// padding, and on all zeros (no type: both results 0).
void check_scan(ScanFn scan, Tally& t) {
  for (size_t len : {1, 7, 8, 9, 63, 64, 65, 255, 256, 257, 1350, 16385}) {
    for (size_t padding : {size_t{0}, size_t{1}, len / 2, len - 1, len}) {
      Buffer inner = pattern(len, static_cast<uint32_t>(len + padding));
      const size_t type_at = len - padding - (padding < len ? 1 : 0);
      const uint8_t want = padding < len ? 22 : 0;
      std::memset(inner.data() + type_at, 0, len - type_at);
      if (padding < len) inner[type_at] = want;
      secret(inner);
      size_t content_len = 1;
      uint8_t type = scan(inner.data(), len, &content_len);
      // The record layer hands both to its caller once the record authenticated.
      reveal(&type, sizeof(type));
      reveal(&content_len, sizeof(content_len));
      t.expect(type == want && content_len == (want ? type_at : 0),
               "len " + std::to_string(len) + " padding " + std::to_string(padding));
    }
  }
}

}  // namespace

int check_content_type() {
  int wrong = 0;
  for_each_backend(dispatch::Family::kContentType, [&](const dispatch::Backend& b) {
    Tally t("content-type", b.name);
    check_scan(static_cast<const kernels::ContentTypeKernel*>(b.kernel)->scan, t);
    wrong += t.wrong();
  });
  return wrong;
}

int run_old_scan() {
  Tally t("content-type", "old-backwards-scan");
  check_scan(old_scan::backwards_scan, t);
  return t.wrong() ? 2 : 0;
}

}  // namespace volley::ct
