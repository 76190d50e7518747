// HMAC (volley/hmac.h) and HKDF (volley/hkdf.h) on every SHA-2 backend this CPU runs: Wycheproof
// HMAC-SHA256/384 and HKDF-SHA256/384 files, RFC 4231 / RFC 5869 spot checks, differential tests
// against OpenSSL on random inputs, HKDF-Expand-Label structure, argument errors and aliasing.
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/harness/backend_test.h"
#include "tests/harness/vectors.h"
#include "volley/dispatch.h"
#include "volley/hkdf.h"
#include "volley/hmac.h"

namespace volley {
namespace {

using dispatch::Family;
using test::hex;
using test::to_hex;
using Vec = std::vector<uint8_t>;

Bytes bytes(const Vec& v) { return Bytes(v.data(), v.size()); }

Vec random_bytes(std::mt19937_64& rng, size_t n) {
  Vec v(n);
  for (auto& b : v) b = static_cast<uint8_t>(rng());
  return v;
}

const EVP_MD* openssl_md(HashAlg alg) {
  switch (alg) {
    case HashAlg::kSha256:
      return EVP_sha256();
    case HashAlg::kSha384:
      return EVP_sha384();
    case HashAlg::kSha512:
      return EVP_sha512();
  }
  return nullptr;
}

Vec openssl_hmac(HashAlg alg, const Vec& key, const Vec& msg) {
  Vec out(EVP_MAX_MD_SIZE);
  unsigned int len = 0;
  // A null key pointer means "reuse the previous key" to OpenSSL; pass a dummy for empty keys.
  static const uint8_t kEmpty[1] = {0};
  EXPECT_NE(HMAC(openssl_md(alg), key.empty() ? kEmpty : key.data(), static_cast<int>(key.size()),
                 msg.data(), msg.size(), out.data(), &len),
            nullptr);
  out.resize(len);
  return out;
}

Vec openssl_hkdf(HashAlg alg, const Vec& salt, const Vec& ikm, const Vec& info, size_t len) {
  Vec out(len);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nullptr);
  EXPECT_NE(ctx, nullptr);
  EXPECT_EQ(EVP_PKEY_derive_init(ctx), 1);
  EXPECT_EQ(EVP_PKEY_CTX_set_hkdf_md(ctx, openssl_md(alg)), 1);
  if (!salt.empty()) {
    EXPECT_EQ(EVP_PKEY_CTX_set1_hkdf_salt(ctx, salt.data(), static_cast<int>(salt.size())), 1);
  }
  EXPECT_EQ(EVP_PKEY_CTX_set1_hkdf_key(ctx, ikm.data(), static_cast<int>(ikm.size())), 1);
  if (!info.empty()) {
    EXPECT_EQ(EVP_PKEY_CTX_add1_hkdf_info(ctx, info.data(), static_cast<int>(info.size())), 1);
  }
  size_t out_len = len;
  EXPECT_EQ(EVP_PKEY_derive(ctx, out.data(), &out_len), 1);
  EVP_PKEY_CTX_free(ctx);
  return out;
}

// hmac_on runs HMAC-H on |backend|, feeding |msg| in two pieces split at |split|.
template <class H>
Vec hmac_on(const std::string& backend, const Vec& key, const Vec& msg, size_t split) {
  Hmac<H> m;
  EXPECT_EQ(m.init(bytes(key), backend), Status::kOk);
  if (split > msg.size()) split = msg.size();
  m.update(msg.data(), split);
  m.update(msg.data() + split, msg.size() - split);
  Vec tag(Hmac<H>::kTagSize);
  EXPECT_EQ(m.final(std::span<uint8_t, Hmac<H>::kTagSize>(tag.data(), tag.size())), Status::kOk);
  EXPECT_FALSE(m.keyed());
  return tag;
}

// ForcedBackend makes |name| the default backend of |family| for one scope, so the free HKDF
// functions (which use the default backend) run on it.
class ForcedBackend {
 public:
  ForcedBackend(Family family, const std::string& name) : family_(family) {
    EXPECT_EQ(dispatch::force(family, name), dispatch::ForceResult::kOk);
  }
  ~ForcedBackend() { (void)dispatch::force(family_, ""); }

 private:
  Family family_;
};

Family family_of(HashAlg alg) {
  return alg == HashAlg::kSha256 ? Family::kSha256 : Family::kSha512;
}

// ---------------------------------------------------------------------------------------------
// HMAC

class HmacSha256Test : public test::BackendTest {};
VOLLEY_INSTANTIATE_FOR_EACH_BACKEND(HmacSha256Test, Family::kSha256);
class HmacSha512Test : public test::BackendTest {};
VOLLEY_INSTANTIATE_FOR_EACH_BACKEND(HmacSha512Test, Family::kSha512);

// run_wycheproof_hmac checks every case of |file|: a valid tag must equal the prefix of our tag
// (Wycheproof truncates to tagSize bits); an invalid (modified) tag must differ from it. The file
// must hold |want_valid| and |want_invalid| cases, so that a short or empty file cannot pass.
template <class H>
void run_wycheproof_hmac(const std::string& backend, const char* file, int want_valid,
                         int want_invalid) {
  const test::WycheproofFile f = test::read_wycheproof_file(test::vector_path(file));
  int valid = 0, invalid = 0;
  for (const test::WycheproofTest& t : f.tests) {
    const Vec key = t.bytes("key"), msg = t.bytes("msg"), tag = t.bytes("tag");
    ASSERT_EQ(static_cast<size_t>(t.group_int("tagSize")), tag.size() * 8) << t.describe();
    ASSERT_LE(tag.size(), Hmac<H>::kTagSize) << t.describe();
    const Vec ours = hmac_on<H>(backend, key, msg, msg.size() / 2);
    const bool match = std::memcmp(ours.data(), tag.data(), tag.size()) == 0;
    if (t.valid()) {
      EXPECT_TRUE(match) << t.describe() << " ours " << to_hex(ours);
      ++valid;
    } else {
      ASSERT_TRUE(t.invalid()) << t.describe();
      EXPECT_FALSE(match) << t.describe();
      ++invalid;
    }
  }
  EXPECT_EQ(valid, want_valid) << file;
  EXPECT_EQ(invalid, want_invalid) << file;
  EXPECT_EQ(valid + invalid, f.declared_count) << file;
}

TEST_P(HmacSha256Test, Wycheproof) {
  run_wycheproof_hmac<Sha256>(backend(), "wycheproof/hmac_sha256_test.json", 66, 108);
}

TEST_P(HmacSha512Test, Wycheproof) {
  run_wycheproof_hmac<Sha384>(backend(), "wycheproof/hmac_sha384_test.json", 66, 108);
}

TEST_P(HmacSha256Test, Rfc4231) {
  // RFC 4231 test cases 1, 2 and 6 (key longer than the block).
  EXPECT_EQ(to_hex(hmac_on<Sha256>(backend(), Vec(20, 0x0b),
                                   Vec{'H', 'i', ' ', 'T', 'h', 'e', 'r', 'e'}, 3)),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  const std::string jefe = "what do ya want for nothing?";
  EXPECT_EQ(to_hex(hmac_on<Sha256>(backend(), Vec{'J', 'e', 'f', 'e'},
                                   Vec(jefe.begin(), jefe.end()), 10)),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  const std::string big = "Test Using Larger Than Block-Size Key - Hash Key First";
  EXPECT_EQ(to_hex(hmac_on<Sha256>(backend(), Vec(131, 0xaa), Vec(big.begin(), big.end()), 0)),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST_P(HmacSha512Test, Rfc4231) {
  const std::string jefe = "what do ya want for nothing?";
  EXPECT_EQ(
      to_hex(hmac_on<Sha384>(backend(), Vec{'J', 'e', 'f', 'e'}, Vec(jefe.begin(), jefe.end()), 5)),
      "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab2"
      "1649");
  EXPECT_EQ(to_hex(hmac_on<Sha512>(backend(), Vec{'J', 'e', 'f', 'e'},
                                   Vec(jefe.begin(), jefe.end()), 28)),
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f"
            "65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737");
}

template <class H>
void hmac_differential(const std::string& backend, uint64_t seed) {
  std::mt19937_64 rng(seed);
  for (int i = 0; i < 300; ++i) {
    // Keys around the block size (hashed when longer) and messages of many block counts.
    const size_t key_len = static_cast<size_t>(rng() % (3 * H::kBlockSize));
    const size_t msg_len = static_cast<size_t>(rng() % 1500);
    const Vec key = random_bytes(rng, key_len), msg = random_bytes(rng, msg_len);
    EXPECT_EQ(to_hex(hmac_on<H>(backend, key, msg, static_cast<size_t>(rng() % (msg_len + 1)))),
              to_hex(openssl_hmac(H::kAlg, key, msg)))
        << "key " << key_len << " msg " << msg_len;
  }
}

TEST_P(HmacSha256Test, DifferentialVsOpenSsl) { hmac_differential<Sha256>(backend(), 11); }
TEST_P(HmacSha512Test, DifferentialVsOpenSsl) {
  hmac_differential<Sha384>(backend(), 12);
  hmac_differential<Sha512>(backend(), 13);
}

TEST(Hmac, KeyedCopiesAndErrors) {
  const Vec key(40, 0x42), a{1, 2, 3}, b{4, 5};
  HmacSha256 keyed;
  ASSERT_EQ(keyed.init(bytes(key)), Status::kOk);
  HmacSha256 m1 = keyed, m2 = keyed;  // one key, two messages
  m1.update(bytes(a));
  m2.update(bytes(b));
  uint8_t t1[32], t2[32];
  ASSERT_EQ(m1.final(t1), Status::kOk);
  ASSERT_EQ(m2.final(t2), Status::kOk);
  EXPECT_EQ(to_hex(t1, 32), to_hex(openssl_hmac(HashAlg::kSha256, key, a)));
  EXPECT_EQ(to_hex(t2, 32), to_hex(openssl_hmac(HashAlg::kSha256, key, b)));
  // final() unkeys; a second final reports it and writes nothing.
  uint8_t untouched[32];
  std::memset(untouched, 0xee, sizeof(untouched));
  EXPECT_EQ(m1.final(untouched), Status::kNotInitialized);
  EXPECT_EQ(to_hex(untouched, 32), std::string(64, 'e'));
  HmacSha256 never;
  EXPECT_EQ(never.final(untouched), Status::kNotInitialized);
  EXPECT_EQ(never.init(bytes(key), "no-such-kernel"), Status::kUnknownBackend);
  EXPECT_FALSE(never.keyed());
  // One-shot, and the tag may overwrite the message.
  Vec buf = a;
  buf.resize(48);
  uint8_t t3[48];
  ASSERT_EQ(hmac(HashAlg::kSha384, std::span<uint8_t>(t3, 48), bytes(key), Bytes(buf.data(), 3)),
            Status::kOk);
  EXPECT_EQ(to_hex(t3, 48), to_hex(openssl_hmac(HashAlg::kSha384, key, a)));
  ASSERT_EQ(
      hmac(HashAlg::kSha384, std::span<uint8_t>(buf.data(), 48), bytes(key), Bytes(buf.data(), 3)),
      Status::kOk);
  EXPECT_EQ(to_hex(buf), to_hex(t3, 48));
  EXPECT_EQ(hmac(HashAlg::kSha256, std::span<uint8_t>(t3, 48), bytes(key), {}),
            Status::kBadOutputLength);
}

// ---------------------------------------------------------------------------------------------
// HKDF

class HkdfSha256Test : public test::BackendTest {};
VOLLEY_INSTANTIATE_FOR_EACH_BACKEND(HkdfSha256Test, Family::kSha256);
class HkdfSha384Test : public test::BackendTest {};
VOLLEY_INSTANTIATE_FOR_EACH_BACKEND(HkdfSha384Test, Family::kSha512);

// run_wycheproof_hkdf checks every case of |file|, which must hold |want_valid| and |want_invalid|.
void run_wycheproof_hkdf(HashAlg alg, const std::string& backend, const char* file, int want_valid,
                         int want_invalid) {
  ForcedBackend forced(family_of(alg), backend);
  const test::WycheproofFile f = test::read_wycheproof_file(test::vector_path(file));
  int valid = 0, invalid = 0;
  for (const test::WycheproofTest& t : f.tests) {
    const Vec ikm = t.bytes("ikm"), salt = t.bytes("salt"), info = t.bytes("info");
    const size_t size = (*t.test)["size"].get<size_t>();
    Vec out(size, 0xee);
    const Status s = hkdf(alg, std::span<uint8_t>(out), bytes(salt), bytes(ikm), bytes(info));
    if (t.valid()) {
      EXPECT_EQ(s, Status::kOk) << t.describe();
      EXPECT_EQ(to_hex(out), to_hex(t.bytes("okm"))) << t.describe();
      // Extract then Expand gives the same.
      uint8_t prk[64];
      const std::span<uint8_t> p(prk, hash_size(alg));
      ASSERT_EQ(hkdf_extract(alg, p, bytes(salt), bytes(ikm)), Status::kOk);
      Vec out2(size);
      ASSERT_EQ(hkdf_expand(alg, std::span<uint8_t>(out2), Bytes(prk, p.size()), bytes(info)),
                Status::kOk);
      EXPECT_EQ(to_hex(out2), to_hex(t.bytes("okm"))) << t.describe();
      ++valid;
    } else {
      ASSERT_TRUE(t.invalid()) << t.describe();
      EXPECT_NE(s, Status::kOk) << t.describe();
      EXPECT_EQ(to_hex(out), to_hex(Vec(size, 0xee))) << t.describe() << ": wrote on error";
      ++invalid;
    }
  }
  EXPECT_EQ(valid, want_valid) << file;
  EXPECT_EQ(invalid, want_invalid) << file;
  EXPECT_EQ(valid + invalid, f.declared_count) << file;
}

TEST_P(HkdfSha256Test, Wycheproof) {
  run_wycheproof_hkdf(HashAlg::kSha256, backend(), "wycheproof/hkdf_sha256_test.json", 83, 3);
}

TEST_P(HkdfSha384Test, Wycheproof) {
  run_wycheproof_hkdf(HashAlg::kSha384, backend(), "wycheproof/hkdf_sha384_test.json", 80, 3);
}

TEST_P(HkdfSha256Test, Rfc5869Case1) {
  ForcedBackend forced(Family::kSha256, backend());
  const Vec ikm(22, 0x0b), salt = hex("000102030405060708090a0b0c"),
                           info = hex("f0f1f2f3f4f5f6f7f8f9");
  uint8_t prk[32];
  ASSERT_EQ(hkdf_extract(HashAlg::kSha256, prk, bytes(salt), bytes(ikm)), Status::kOk);
  EXPECT_EQ(to_hex(prk, 32), "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5");
  Vec okm(42);
  ASSERT_EQ(hkdf_expand(HashAlg::kSha256, std::span<uint8_t>(okm), Bytes(prk, 32), bytes(info)),
            Status::kOk);
  EXPECT_EQ(to_hex(okm),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
}

void hkdf_differential(HashAlg alg, const std::string& backend, uint64_t seed) {
  ForcedBackend forced(family_of(alg), backend);
  std::mt19937_64 rng(seed);
  for (int i = 0; i < 200; ++i) {
    const Vec ikm = random_bytes(rng, 1 + rng() % 100), salt = random_bytes(rng, rng() % 200);
    const Vec info = random_bytes(rng, rng() % 120);
    const size_t len = 1 + static_cast<size_t>(rng() % (255 * hash_size(alg)));
    Vec out(len);
    ASSERT_EQ(hkdf(alg, std::span<uint8_t>(out), bytes(salt), bytes(ikm), bytes(info)),
              Status::kOk);
    EXPECT_EQ(to_hex(out), to_hex(openssl_hkdf(alg, salt, ikm, info, len))) << "case " << i;
  }
}

TEST_P(HkdfSha256Test, DifferentialVsOpenSsl) {
  hkdf_differential(HashAlg::kSha256, backend(), 21);
}
TEST_P(HkdfSha384Test, DifferentialVsOpenSsl) {
  hkdf_differential(HashAlg::kSha384, backend(), 22);
  hkdf_differential(HashAlg::kSha512, backend(), 23);
}

TEST(Hkdf, Limits) {
  const Vec prk(32, 1);
  Vec out(255 * 32 + 1);
  EXPECT_EQ(hkdf_expand(HashAlg::kSha256, std::span<uint8_t>(out), bytes(prk), {}),
            Status::kBadOutputLength);
  EXPECT_EQ(hkdf_expand(HashAlg::kSha256, std::span<uint8_t>(out.data(), 255 * 32), bytes(prk), {}),
            Status::kOk);
  EXPECT_EQ(hkdf_expand(HashAlg::kSha256, std::span<uint8_t>(out.data(), 0), bytes(prk), {}),
            Status::kOk);
  uint8_t prk_out[32];
  EXPECT_EQ(hkdf_extract(HashAlg::kSha384, prk_out, {}, bytes(prk)), Status::kBadOutputLength);
  // |info| must not overlap the output; |prk| may.
  Vec buf(96, 7);
  EXPECT_EQ(hkdf_expand(HashAlg::kSha256, std::span<uint8_t>(buf.data(), 64), Bytes(buf.data(), 32),
                        Bytes(buf.data() + 40, 10)),
            Status::kBadAliasing);
  const Vec key(buf.begin(), buf.begin() + 32);
  Vec want(64);
  ASSERT_EQ(hkdf_expand(HashAlg::kSha256, std::span<uint8_t>(want), bytes(key), {}), Status::kOk);
  ASSERT_EQ(
      hkdf_expand(HashAlg::kSha256, std::span<uint8_t>(buf.data(), 64), Bytes(buf.data(), 32), {}),
      Status::kOk);
  EXPECT_EQ(to_hex(buf.data(), 64), to_hex(want));
}

TEST(Hkdf, ExpandLabelStructure) {
  // HKDF-Expand-Label is HKDF-Expand of the HkdfLabel bytes (RFC 8446 §7.1), here built by hand.
  std::mt19937_64 rng(31);
  for (HashAlg alg : {HashAlg::kSha256, HashAlg::kSha384}) {
    const Vec secret = random_bytes(rng, hash_size(alg)), context = random_bytes(rng, 40);
    for (size_t len : {size_t{12}, size_t{16}, size_t{32}, size_t{48}, size_t{100}}) {
      const std::string label = "c hs traffic";
      Vec info{static_cast<uint8_t>(len >> 8), static_cast<uint8_t>(len),
               static_cast<uint8_t>(6 + label.size())};
      for (char c : std::string("tls13 ") + label) info.push_back(static_cast<uint8_t>(c));
      info.push_back(static_cast<uint8_t>(context.size()));
      info.insert(info.end(), context.begin(), context.end());
      Vec want(len), got(len);
      ASSERT_EQ(hkdf_expand(alg, std::span<uint8_t>(want), bytes(secret), bytes(info)),
                Status::kOk);
      ASSERT_EQ(
          hkdf_expand_label(alg, std::span<uint8_t>(got), bytes(secret), label, bytes(context)),
          Status::kOk);
      EXPECT_EQ(to_hex(got), to_hex(want)) << hash_name(alg) << " length " << len;
    }
  }
}

TEST(Hkdf, ExpandLabelAndDeriveSecretErrors) {
  const Vec secret(32, 3), hash32(32, 4), hash48(48, 5);
  uint8_t out[48];
  const std::span<uint8_t> o32(out, 32);
  EXPECT_EQ(hkdf_expand_label(HashAlg::kSha256, o32, bytes(secret), "", {}),
            Status::kInvalidArgument);
  EXPECT_EQ(hkdf_expand_label(HashAlg::kSha256, o32, bytes(secret), std::string(250, 'x'), {}),
            Status::kInvalidArgument);
  EXPECT_EQ(hkdf_expand_label(HashAlg::kSha256, o32, bytes(secret), std::string(249, 'x'), {}),
            Status::kOk);
  EXPECT_EQ(hkdf_expand_label(HashAlg::kSha256, o32, bytes(secret), "key", bytes(Vec(256, 1))),
            Status::kInvalidArgument);
  EXPECT_EQ(derive_secret(HashAlg::kSha256, o32, bytes(secret), "derived", bytes(hash48)),
            Status::kInvalidArgument);
  EXPECT_EQ(derive_secret(HashAlg::kSha384, o32, bytes(secret), "derived", bytes(hash48)),
            Status::kBadOutputLength);
  ASSERT_EQ(derive_secret(HashAlg::kSha256, o32, bytes(secret), "derived", bytes(hash32)),
            Status::kOk);
  // Derive-Secret is Expand-Label with the transcript hash as context and Hash.length bytes.
  uint8_t want[32];
  ASSERT_EQ(hkdf_expand_label(HashAlg::kSha256, want, bytes(secret), "derived", bytes(hash32)),
            Status::kOk);
  EXPECT_EQ(to_hex(out, 32), to_hex(want, 32));
  // Output aliasing the secret and the context.
  Vec buf(64);
  std::memcpy(buf.data(), secret.data(), 32);
  std::memcpy(buf.data() + 32, hash32.data(), 32);
  ASSERT_EQ(derive_secret(HashAlg::kSha256, std::span<uint8_t>(buf.data() + 16, 32),
                          Bytes(buf.data(), 32), "derived", Bytes(buf.data() + 32, 32)),
            Status::kOk);
  EXPECT_EQ(to_hex(buf.data() + 16, 32), to_hex(want, 32));
}

}  // namespace
}  // namespace volley
