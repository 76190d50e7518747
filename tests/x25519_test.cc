// The X25519 correctness gate: every test of the X25519 suite runs once per backend this CPU can
// run (X25519/<Test>/<backend>), through the public API (volley/x25519.h) with the backend forced.
//
// Sources of truth: RFC 7748 §5.2 and §6.1, Wycheproof x25519_test.json (@shared_vectors), and
// OpenSSL's EVP_PKEY_X25519 as an independent implementation for randomized differential tests.
#include <openssl/evp.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/harness/backend_test.h"
#include "tests/harness/vectors.h"
#include "volley/cpu.h"
#include "volley/dispatch.h"
#include "volley/x25519.h"

namespace volley {
namespace {

using dispatch::Family;
using test::hex;
using test::to_hex;
using Key = std::vector<uint8_t>;

class X25519 : public test::BackendTest {};
VOLLEY_INSTANTIATE_FOR_EACH_BACKEND(X25519, Family::kX25519);

Key random_key(std::mt19937_64& rng) {
  Key k(32);
  for (auto& b : k) b = static_cast<uint8_t>(rng());
  return k;
}

bool all_zero(const Key& k) {
  for (uint8_t b : k) {
    if (b != 0) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// OpenSSL, the independent reference. Each returns false (and leaves no partial result) on error;
// derive fails for an all-zero shared secret, as RFC 7748 §6.1 allows.

bool openssl_public(const Key& priv, Key* pub) {
  EVP_PKEY* k = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, priv.data(), priv.size());
  size_t len = 32;
  pub->assign(32, 0);
  const bool ok = k != nullptr && EVP_PKEY_get_raw_public_key(k, pub->data(), &len) == 1 && len == 32;
  EVP_PKEY_free(k);
  return ok;
}

bool openssl_derive(const Key& priv, const Key& peer, Key* shared) {
  EVP_PKEY* k = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, priv.data(), priv.size());
  EVP_PKEY* p = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, peer.data(), peer.size());
  EVP_PKEY_CTX* ctx = k != nullptr ? EVP_PKEY_CTX_new(k, nullptr) : nullptr;
  size_t len = 32;
  shared->assign(32, 0);
  const bool ok = ctx != nullptr && p != nullptr && EVP_PKEY_derive_init(ctx) == 1 &&
                  EVP_PKEY_derive_set_peer(ctx, p) == 1 &&
                  EVP_PKEY_derive(ctx, shared->data(), &len) == 1 && len == 32;
  EVP_PKEY_CTX_free(ctx);
  EVP_PKEY_free(p);
  EVP_PKEY_free(k);
  return ok;
}

// ---------------------------------------------------------------------------------------------
// RFC 7748

TEST_P(X25519, Rfc7748Section5_2Vectors) {
  struct Case {
    const char* scalar;
    const char* u;
    const char* out;
  };
  const Case cases[] = {
      {"a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
       "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
       "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"},
      // The top bit of this u-coordinate is set and must be ignored.
      {"4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
       "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
       "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957"},
  };
  for (const Case& c : cases) {
    const Key k = hex(c.scalar), u = hex(c.u);
    Key out(32);
    ASSERT_EQ(x25519(out.data(), k.data(), u.data(), backend()), Status::kOk) << c.scalar;
    EXPECT_EQ(to_hex(out), c.out) << c.scalar;
  }
}

// iterate runs the RFC 7748 §5.2 iteration (k, u) <- (X25519(k, u), k) from k = u = 9.
Key iterate(const std::string& backend, int n) {
  Key k(32, 0), u(32, 0), r(32);
  k[0] = 9;
  u[0] = 9;
  for (int i = 0; i < n; ++i) {
    EXPECT_EQ(x25519(r.data(), k.data(), u.data(), backend), Status::kOk);
    u = k;
    k = r;
  }
  return k;
}

TEST_P(X25519, Rfc7748Section5_2Iterated) {
  EXPECT_EQ(to_hex(iterate(backend(), 1)),
            "422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079");
  EXPECT_EQ(to_hex(iterate(backend(), 1000)),
            "684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51");
}

TEST_P(X25519, Rfc7748Section6_1DiffieHellman) {
  const Key alice_priv = hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
  const Key alice_pub = hex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
  const Key bob_priv = hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
  const Key bob_pub = hex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
  const std::string shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
  Key out(32);
  ASSERT_EQ(x25519_public_from_private(out.data(), alice_priv.data(), backend()), Status::kOk);
  EXPECT_EQ(out, alice_pub);
  ASSERT_EQ(x25519_public_from_private(out.data(), bob_priv.data(), backend()), Status::kOk);
  EXPECT_EQ(out, bob_pub);
  ASSERT_EQ(x25519(out.data(), alice_priv.data(), bob_pub.data(), backend()), Status::kOk);
  EXPECT_EQ(to_hex(out), shared);
  ASSERT_EQ(x25519(out.data(), bob_priv.data(), alice_pub.data(), backend()), Status::kOk);
  EXPECT_EQ(to_hex(out), shared);
}

// ---------------------------------------------------------------------------------------------
// Wycheproof

// Wycheproof x25519_test.json has valid and acceptable cases and no invalid ones: volley computes
// every case as RFC 7748 defines it (non-canonical and twist points included) and rejects exactly
// the all-zero shared secrets (flag ZeroSharedSecret), as RFC 8446 §7.4.2 requires.
TEST_P(X25519, Wycheproof) {
  const test::WycheproofFile file =
      test::read_wycheproof_file(test::vector_path("wycheproof/x25519_test.json"));
  int valid = 0, acceptable = 0, zero = 0, non_canonical = 0, twist = 0;
  for (const test::WycheproofTest& t : file.tests) {
    ASSERT_EQ((*t.group)["curve"].get<std::string>(), "curve25519") << t.describe();
    ASSERT_FALSE(t.invalid()) << "unexpected invalid case " << t.describe();
    const Key priv = t.bytes("private"), pub = t.bytes("public"), want = t.bytes("shared");
    ASSERT_EQ(priv.size(), 32u) << t.describe();
    ASSERT_EQ(pub.size(), 32u) << t.describe();
    ASSERT_EQ(want.size(), 32u) << t.describe();
    Key out(32, 0xaa);
    const Status s = x25519(out.data(), priv.data(), pub.data(), backend());
    if (t.has_flag("ZeroSharedSecret")) {
      ++zero;
      EXPECT_TRUE(all_zero(want)) << t.describe();
      EXPECT_EQ(s, Status::kInvalidPublicValue) << t.describe();
      EXPECT_TRUE(all_zero(out)) << t.describe();
      continue;
    }
    EXPECT_FALSE(all_zero(want)) << t.describe();
    EXPECT_EQ(s, Status::kOk) << t.describe();
    EXPECT_EQ(to_hex(out), to_hex(want)) << t.describe();
    if (t.valid()) ++valid;
    if (t.acceptable()) ++acceptable;
    if (t.has_flag("NonCanonicalPublic")) ++non_canonical;
    if (t.has_flag("Twist")) ++twist;
  }
  // The file's composition, so the test cannot pass on an empty or truncated file.
  EXPECT_EQ(file.declared_count, 518);
  EXPECT_EQ(static_cast<int>(file.tests.size()), 518);
  EXPECT_EQ(valid, 264);
  EXPECT_EQ(acceptable, 223);
  EXPECT_EQ(zero, 31);
  EXPECT_EQ(non_canonical, 13);
  EXPECT_EQ(twist, 216);
}

// ---------------------------------------------------------------------------------------------
// Differential against OpenSSL

TEST_P(X25519, MatchesOpenSslOnRandomKeyPairs) {
  std::mt19937_64 rng(0x7748);
  int compared = 0;
  for (int i = 0; i < 300; ++i) {
    const Key a = random_key(rng), b = random_key(rng);
    Key a_pub(32), b_pub(32), ref_a_pub, ref_b_pub;
    ASSERT_EQ(x25519_public_from_private(a_pub.data(), a.data(), backend()), Status::kOk);
    ASSERT_EQ(x25519_public_from_private(b_pub.data(), b.data(), backend()), Status::kOk);
    ASSERT_TRUE(openssl_public(a, &ref_a_pub));
    ASSERT_TRUE(openssl_public(b, &ref_b_pub));
    EXPECT_EQ(to_hex(a_pub), to_hex(ref_a_pub)) << "case " << i;
    EXPECT_EQ(to_hex(b_pub), to_hex(ref_b_pub)) << "case " << i;
    Key ab(32), ba(32), ref;
    ASSERT_EQ(x25519(ab.data(), a.data(), b_pub.data(), backend()), Status::kOk) << "case " << i;
    ASSERT_EQ(x25519(ba.data(), b.data(), a_pub.data(), backend()), Status::kOk) << "case " << i;
    ASSERT_TRUE(openssl_derive(a, ref_b_pub, &ref)) << "case " << i;
    EXPECT_EQ(to_hex(ab), to_hex(ref)) << "case " << i;
    EXPECT_EQ(to_hex(ba), to_hex(ref)) << "case " << i;
    ++compared;
  }
  EXPECT_EQ(compared, 300);
}

// Arbitrary 32-byte peer values: the top bit set, non-canonical encodings, twist points.
TEST_P(X25519, MatchesOpenSslOnArbitraryPeerValues) {
  std::mt19937_64 rng(0x25519);
  int compared = 0;
  for (int i = 0; i < 300; ++i) {
    const Key priv = random_key(rng);
    Key peer = random_key(rng);
    if (i % 3 == 1) std::memset(peer.data() + 1, 0xff, 31);  // at or above p (mod 2^255)
    Key out(32), ref;
    const Status s = x25519(out.data(), priv.data(), peer.data(), backend());
    if (!openssl_derive(priv, peer, &ref)) {
      // OpenSSL refuses only an all-zero result.
      EXPECT_EQ(s, Status::kInvalidPublicValue) << "case " << i << " peer " << to_hex(peer);
      continue;
    }
    EXPECT_EQ(s, Status::kOk) << "case " << i;
    EXPECT_EQ(to_hex(out), to_hex(ref)) << "case " << i << " peer " << to_hex(peer);
    ++compared;
  }
  EXPECT_GE(compared, 290);
}

// ---------------------------------------------------------------------------------------------
// API contract

TEST_P(X25519, OutputMayAliasInputs) {
  std::mt19937_64 rng(7);
  const Key priv = random_key(rng), peer = random_key(rng);
  Key want(32);
  ASSERT_EQ(x25519(want.data(), priv.data(), peer.data(), backend()), Status::kOk);
  Key buf = priv;
  ASSERT_EQ(x25519(buf.data(), buf.data(), peer.data(), backend()), Status::kOk);
  EXPECT_EQ(buf, want);
  buf = peer;
  ASSERT_EQ(x25519(buf.data(), priv.data(), buf.data(), backend()), Status::kOk);
  EXPECT_EQ(buf, want);
  Key pub_want(32);
  ASSERT_EQ(x25519_public_from_private(pub_want.data(), priv.data(), backend()), Status::kOk);
  buf = priv;
  ASSERT_EQ(x25519_public_from_private(buf.data(), buf.data(), backend()), Status::kOk);
  EXPECT_EQ(buf, pub_want);
}

TEST_P(X25519, GeneratedKeyPairsAgree) {
  Key a_pub(32), a_priv(32), b_pub(32), b_priv(32), check(32);
  ASSERT_EQ(x25519_generate_keypair(a_pub.data(), a_priv.data(), backend()), Status::kOk);
  ASSERT_EQ(x25519_generate_keypair(b_pub.data(), b_priv.data(), backend()), Status::kOk);
  EXPECT_NE(a_priv, b_priv);
  EXPECT_FALSE(all_zero(a_priv));
  ASSERT_EQ(x25519_public_from_private(check.data(), a_priv.data(), backend()), Status::kOk);
  EXPECT_EQ(check, a_pub);
  Key ref;
  ASSERT_TRUE(openssl_public(a_priv, &ref));
  EXPECT_EQ(a_pub, ref);
  Key ab(32), ba(32);
  ASSERT_EQ(x25519(ab.data(), a_priv.data(), b_pub.data(), backend()), Status::kOk);
  ASSERT_EQ(x25519(ba.data(), b_priv.data(), a_pub.data(), backend()), Status::kOk);
  EXPECT_EQ(ab, ba);
}

TEST_P(X25519, GenerateRejectsOverlappingBuffers) {
  uint8_t buf[48] = {};
  EXPECT_EQ(x25519_generate_keypair(buf, buf + 16, backend()), Status::kInvalidArgument);
  for (uint8_t b : buf) EXPECT_EQ(b, 0);
}

// ---------------------------------------------------------------------------------------------
// Across backends and dispatch

// Every backend against OpenSSL on the same random cases (the per-backend suite does too); here in
// one loop, so a disagreement names the backend and the case. OpenSSL rather than nohw: nohw is one
// of the backends, and would be compared with itself.
TEST(X25519Backends, AllBackendsAgreeWithOpenSsl) {
  const std::vector<std::string> names = test::available_backends(Family::kX25519);
  ASSERT_FALSE(names.empty());
  EXPECT_EQ(names.back(), "nohw");
  std::mt19937_64 rng(99);
  int compared = 0;
  for (int i = 0; i < 200; ++i) {
    const Key priv = random_key(rng);
    Key peer = random_key(rng);
    if (i % 4 == 1) std::memset(peer.data() + 1, 0xff, 31);  // non-canonical: at or above p
    Key want, want_pub;
    const bool ok = openssl_derive(priv, peer, &want);
    ASSERT_TRUE(openssl_public(priv, &want_pub));
    for (const std::string& name : names) {
      Key out(32), pub(32);
      const Status s = x25519(out.data(), priv.data(), peer.data(), name);
      if (ok) {
        EXPECT_EQ(s, Status::kOk) << name << " case " << i;
        EXPECT_EQ(to_hex(out), to_hex(want)) << name << " case " << i;
      } else {  // OpenSSL refuses only an all-zero shared secret
        EXPECT_EQ(s, Status::kInvalidPublicValue) << name << " case " << i;
      }
      ASSERT_EQ(x25519_public_from_private(pub.data(), priv.data(), name), Status::kOk);
      EXPECT_EQ(to_hex(pub), to_hex(want_pub)) << name << " case " << i;
      ++compared;
    }
  }
  EXPECT_EQ(compared, 200 * static_cast<int>(names.size()));
}

// The public key is computed by its own method in some kernels (mulx-adx: a fixed-base comb on
// Edwards25519), not by the ladder: it must equal X25519(k, 9) on the same backend and OpenSSL's
// public key, for scalars whose signed radix-16 digits hit every edge (0, 7, 8, 15 everywhere,
// carries through every position, the clamp's bits) and for random ones.
TEST(X25519Backends, PublicKeyIsScalarmultOfNine) {
  std::vector<Key> scalars;
  for (uint8_t fill : {0x00, 0xff, 0x88, 0x77, 0x78, 0x87, 0x80, 0x08, 0xf0, 0x0f, 0x7f, 0xf7}) {
    scalars.emplace_back(32, fill);
  }
  for (int i = 0; i < 32; ++i) {  // one 8 or 15 digit in a field of zeros or of 15s
    for (uint8_t fill : {0x00, 0xff}) {
      Key k(32, fill);
      k[i] = 0x88;
      scalars.push_back(k);
      k[i] = 0xf8;
      scalars.push_back(k);
    }
  }
  std::mt19937_64 rng(7748);
  for (int i = 0; i < 500; ++i) scalars.push_back(random_key(rng));
  const Key nine = [] {
    Key n(32, 0);
    n[0] = 9;
    return n;
  }();
  for (const std::string& name : test::available_backends(Family::kX25519)) {
    for (size_t i = 0; i < scalars.size(); ++i) {
      Key pub(32), ladder(32), ref;
      ASSERT_EQ(x25519_public_from_private(pub.data(), scalars[i].data(), name), Status::kOk);
      ASSERT_EQ(x25519(ladder.data(), scalars[i].data(), nine.data(), name), Status::kOk);
      ASSERT_TRUE(openssl_public(scalars[i], &ref));
      EXPECT_EQ(to_hex(pub), to_hex(ladder)) << name << " scalar " << to_hex(scalars[i]);
      EXPECT_EQ(to_hex(pub), to_hex(ref)) << name << " scalar " << to_hex(scalars[i]);
    }
  }
}

TEST(X25519Backends, DefaultIsBestBackend) {
  const dispatch::Backend& best = dispatch::best(Family::kX25519);
  std::mt19937_64 rng(5);
  const Key priv = random_key(rng), peer = random_key(rng);
  Key a(32), b(32);
  ASSERT_EQ(x25519(a.data(), priv.data(), peer.data()), Status::kOk);
  ASSERT_EQ(x25519(b.data(), priv.data(), peer.data(), best.name), Status::kOk);
  EXPECT_EQ(a, b);
  x25519_public_from_private(a.data(), priv.data());  // cannot fail (volley/x25519.h)
  ASSERT_EQ(x25519_public_from_private(b.data(), priv.data(), best.name), Status::kOk);
  EXPECT_EQ(a, b);
#if defined(__x86_64__)
  const cpu::Features& f = cpu::features();
  if (f.has(cpu::Feature::kBmi2) && f.has(cpu::Feature::kAdx)) {
    EXPECT_EQ(best.name, "mulx-adx");
  } else {
    EXPECT_EQ(best.name, "nohw");
  }
#else
  EXPECT_EQ(best.name, "nohw");
#endif
}

TEST(X25519Backends, NamedBackendErrors) {
  const Key zero(32, 0);
  Key out(32, 0x5a);
  EXPECT_EQ(x25519(out.data(), zero.data(), zero.data(), "no-such-backend"),
            Status::kUnknownBackend);
  EXPECT_EQ(x25519_public_from_private(out.data(), zero.data(), "no-such-backend"),
            Status::kUnknownBackend);
  uint8_t pub[32], priv[32];
  EXPECT_EQ(x25519_generate_keypair(pub, priv, "no-such-backend"), Status::kUnknownBackend);
  for (uint8_t b : out) EXPECT_EQ(b, 0x5a);
  // Every backend that cannot run here, built for this CPU or for another architecture.
  int refused = 0;
  for (const dispatch::Backend& b : dispatch::backends(Family::kX25519)) {
    if (dispatch::available(b)) continue;
    const std::string name(b.name);
    EXPECT_EQ(x25519(out.data(), zero.data(), zero.data(), name), Status::kBackendUnavailable)
        << name;
    EXPECT_EQ(x25519_public_from_private(out.data(), zero.data(), name),
              Status::kBackendUnavailable)
        << name;
    ++refused;
  }
  for (uint8_t b : out) EXPECT_EQ(b, 0x5a);
  if (refused == 0) std::printf("[ NOTE     ] every X25519 backend runs here: none to refuse\n");
}

}  // namespace
}  // namespace volley
