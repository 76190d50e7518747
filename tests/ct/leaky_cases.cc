// The negative test: two test-only functions that leak their secret input through timing, one by
// a branch and one by a memory index. ct_test.sh requires memcheck to report each, so that a clean
// run of the real checks cannot come from a checker that sees nothing (a valgrind without the
// client requests, a driver that forgot to mark its inputs).
#include <cstdio>

#include "tests/ct/ct.h"
#include "volley/aead.h"

namespace volley::ct {
namespace {

// leaky_equal is the tag compare every AEAD must not have: it returns at the first differing
// byte, so its running time says how many leading bytes of a forged tag were right.
[[gnu::noinline]] bool leaky_equal(const uint8_t* a, const uint8_t* b, size_t len) {
  for (size_t i = 0; i < len; ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

// leaky_lookup is a table-based S-box: the cache line it loads depends on the secret byte.
[[gnu::noinline]] uint8_t leaky_lookup(const uint8_t table[256], const uint8_t* in, size_t len) {
  uint8_t acc = 0;
  for (size_t i = 0; i < len; ++i) acc ^= table[in[i]];
  return acc;
}

}  // namespace

int run_leaky(std::string_view which) {
  Buffer tag = pattern(16, 1);
  Buffer received = tag;
  if (which == "branch") {
    secret(tag);
    secret(received);
    bool same = leaky_equal(tag.data(), received.data(), tag.size());
    reveal(&same, sizeof(same));
    std::printf("leaky branch ran: %s\n", same ? "equal" : "different");
    return same ? 0 : 2;
  }
  if (which == "index") {
    Buffer table = pattern(256, 2);  // public, like an AES S-box
    secret(tag);
    uint8_t acc = leaky_lookup(table.data(), tag.data(), tag.size());
    reveal(&acc, sizeof(acc));
    std::printf("leaky index ran: %u\n", unsigned{acc});
    return 0;
  }
  if (which == "old-scan") return run_old_scan();
  if (which == "undeclassified") {
    // A real open on the portable kernel, with the hook that declassifies the tag compare's
    // verdict off: the verdict is computed from the secret key, ciphertext and tag, so AeadKey::open
    // branching on it must be reported. Were it not, the clean run would prove nothing.
    declassify_on = false;
    AeadKey k;
    Buffer key = pattern(16, 3), nonce = pattern(12, 4), ct = pattern(64, 5), out(64);
    secret(key);
    if (k.init(kAes128Gcm, key, "nohw") != Status::kOk) return 2;
    secret(ct);
    secret(tag);
    const Status s = k.open(out, nonce, Bytes(), ct, tag);
    std::printf("undeclassified open ran: %s\n", s == Status::kOk ? "ok" : "refused");
    return 0;
  }
  std::fprintf(stderr, "--leaky takes branch, index, old-scan or undeclassified\n");
  return 3;
}

}  // namespace volley::ct
