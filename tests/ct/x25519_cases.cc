// X25519 on every backend: the scalar (private key) secret, and the peer's point too, which the
// kernels promise not to branch on either. Both entry points, scalarmult and base (the comb with
// its table scan), and the front end's all-zero check. Results are compared with nohw's.
//
// mulx-adx: valgrind 3.19 executes MULX, ADCX and ADOX but leaves ADX out of the CPUID it shows,
// so dispatch calls the backend unavailable under valgrind. When the runner says the real CPU has
// it (VOLLEY_CT_HIDDEN_OK=mulx-adx), the kernel table is called directly instead of through
// dispatch; a CPU without ADX would take SIGILL there, which is why the runner must say so.
#include <cstdlib>
#include <string>

#include "engine/kernels/x25519_kernels.h"
#include "tests/ct/ct.h"
#include "volley/x25519.h"

namespace volley::ct {
namespace {

using kernels::X25519Kernel;

// hidden_ok reports whether the runner vouches that the real CPU runs backend |name|.
bool hidden_ok(std::string_view name) {
  const char* env = std::getenv("VOLLEY_CT_HIDDEN_OK");
  return env != nullptr && std::string_view(env) == name;
}

// Scalars: from the pattern, all ones (clamping clears bits), and all zeros but the clamped ones.
Buffer scalar(int i) {
  return i == 0 ? pattern(32, 50) : i == 1 ? Buffer(32, 0xff) : Buffer(32, 0);
}

void check_kernel(const X25519Kernel& k, bool front_end, std::string_view name, Tally& t) {
  const X25519Kernel& ref = kernels::kX25519Nohw;
  for (int i = 0; i < 3; ++i) {
    const Buffer priv = scalar(i);
    Buffer peer(32), want_pub(32), want_shared(32);
    ref.base(peer.data(), pattern(32, 60 + i).data());
    ref.base(want_pub.data(), priv.data());
    ref.scalarmult(want_shared.data(), priv.data(), peer.data());

    Buffer pub(32), shared(32);
    Status s = Status::kOk;
    secret(priv);
    secret(peer);
    if (front_end) {
      s = x25519_public_from_private(pub.data(), priv.data(), name);
      // The front end declassifies only whether the result is zero (RFC 8446 §7.4.2).
      const Status s2 = x25519(shared.data(), priv.data(), peer.data(), name);
      if (s == Status::kOk) s = s2;
    } else {
      k.base(pub.data(), priv.data());
      k.scalarmult(shared.data(), priv.data(), peer.data());
    }
    // A public key is public; the shared secret is revealed only to compare it here.
    reveal(priv);
    reveal(peer);
    reveal(pub);
    reveal(shared);
    t.expect(s == Status::kOk && pub == want_pub && shared == want_shared,
             "scalar " + std::to_string(i));
  }
}

}  // namespace

int check_x25519() {
  int wrong = 0;
  for (const dispatch::Backend& b : dispatch::backends(dispatch::Family::kX25519)) {
    if (b.kernel == nullptr) continue;
    const auto& k = *static_cast<const X25519Kernel*>(b.kernel);
    if (dispatch::available(b)) {
      Tally t("x25519", b.name);
      check_kernel(k, true, b.name, t);
      wrong += t.wrong();
    } else if (hidden_ok(b.name)) {
      Tally t("x25519", std::string(b.name) + " (kernel called directly)");
      check_kernel(k, false, b.name, t);
      wrong += t.wrong();
    } else {
      std::printf("unavailable x25519/%.*s\n", static_cast<int>(b.name.size()), b.name.data());
    }
  }
  return wrong;
}

}  // namespace volley::ct
