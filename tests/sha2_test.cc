// SHA-256, SHA-384 and SHA-512 (volley/sha2.h) on every backend this CPU runs: the FIPS 180-4
// examples, every length 0..1024 fed in random pieces against OpenSSL's EVP_Digest, long random
// messages, snapshots by copy, and the backend plumbing.
#include "volley/sha2.h"

#include <openssl/evp.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/harness/backend_test.h"
#include "tests/harness/vectors.h"
#include "volley/cpu.h"
#include "volley/dispatch.h"

namespace volley {
namespace {

using dispatch::Family;
using test::hex;
using test::to_hex;
using Vec = std::vector<uint8_t>;

Bytes text(const std::string& s) {
  return Bytes(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

Vec openssl_digest(const EVP_MD* md, const Vec& msg) {
  Vec out(EVP_MD_get_size(md));
  unsigned int len = 0;
  EXPECT_EQ(EVP_Digest(msg.data(), msg.size(), out.data(), &len, md, nullptr), 1);
  out.resize(len);
  return out;
}

// Digest runs hash H on |backend| over |msg| split into random pieces (sizes 0..max_piece).
template <class H>
Vec digest_in_pieces(const std::string& backend, const Vec& msg, std::mt19937_64& rng,
                     size_t max_piece) {
  H h;
  EXPECT_EQ(h.init(backend), Status::kOk);
  size_t off = 0;
  while (off < msg.size()) {
    size_t n = static_cast<size_t>(rng() % (max_piece + 1));
    if (n > msg.size() - off) n = msg.size() - off;
    h.update(msg.data() + off, n);
    off += n;
  }
  Vec out(H::kDigestSize);
  h.final(std::span<uint8_t, H::kDigestSize>(out.data(), H::kDigestSize));
  return out;
}

template <class H>
Vec digest(const std::string& backend, Bytes msg) {
  H h;
  EXPECT_EQ(h.init(backend), Status::kOk);
  h.update(msg);
  Vec out(H::kDigestSize);
  h.final(std::span<uint8_t, H::kDigestSize>(out.data(), H::kDigestSize));
  return out;
}

Vec random_bytes(std::mt19937_64& rng, size_t n) {
  Vec v(n);
  for (auto& b : v) b = static_cast<uint8_t>(rng());
  return v;
}

// FIPS 180-4 example messages (NIST "Examples with Intermediate Values", SHA2 Additional).
const std::string kAbc = "abc";
const std::string k448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
const std::string k896 =
    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopq"
    "rs"
    "mnopqrstnopqrstu";

// ---------------------------------------------------------------------------------------------
// SHA-256

class Sha256Test : public test::BackendTest {};
VOLLEY_INSTANTIATE_FOR_EACH_BACKEND(Sha256Test, Family::kSha256);

TEST_P(Sha256Test, Fips180Examples) {
  EXPECT_EQ(to_hex(digest<Sha256>(backend(), text(kAbc))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(to_hex(digest<Sha256>(backend(), text(k448))),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(to_hex(digest<Sha256>(backend(), text(""))),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(to_hex(digest<Sha256>(backend(), text(k896))),
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

TEST_P(Sha256Test, OneMillionA) {
  Sha256 h;
  ASSERT_EQ(h.init(backend()), Status::kOk);
  const std::string chunk(1000, 'a');
  for (int i = 0; i < 1000; ++i) h.update(text(chunk));
  uint8_t out[32];
  h.final(out);
  EXPECT_EQ(to_hex(out, 32), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_P(Sha256Test, EveryLengthAgainstOpenSsl) {
  std::mt19937_64 rng(256);
  for (size_t len = 0; len <= 1024; ++len) {
    const Vec msg = random_bytes(rng, len);
    const Vec want = openssl_digest(EVP_sha256(), msg);
    // Pieces up to 3 blocks, and tiny pieces, so every buffer/position combination is crossed.
    EXPECT_EQ(to_hex(digest_in_pieces<Sha256>(backend(), msg, rng, 200)), to_hex(want))
        << "length " << len;
    EXPECT_EQ(to_hex(digest_in_pieces<Sha256>(backend(), msg, rng, 7)), to_hex(want))
        << "length " << len << " (small pieces)";
  }
}

TEST_P(Sha256Test, LongRandomMessages) {
  std::mt19937_64 rng(2561);
  for (int i = 0; i < 8; ++i) {
    const Vec msg = random_bytes(rng, 100000 + static_cast<size_t>(rng() % 200000));
    EXPECT_EQ(to_hex(digest_in_pieces<Sha256>(backend(), msg, rng, 70000)),
              to_hex(openssl_digest(EVP_sha256(), msg)))
        << "length " << msg.size();
  }
}

TEST_P(Sha256Test, CopyIsASnapshot) {
  std::mt19937_64 rng(7);
  const Vec a = random_bytes(rng, 333), b = random_bytes(rng, 77);
  Sha256 h;
  ASSERT_EQ(h.init(backend()), Status::kOk);
  h.update(Bytes(a.data(), a.size()));
  Sha256 snapshot = h;  // transcript snapshot
  uint8_t peeked[32];
  h.peek(peeked);
  h.update(Bytes(b.data(), b.size()));
  uint8_t at_a[32], at_ab[32];
  snapshot.final(at_a);
  h.final(at_ab);
  Vec ab = a;
  ab.insert(ab.end(), b.begin(), b.end());
  EXPECT_EQ(to_hex(at_a, 32), to_hex(openssl_digest(EVP_sha256(), a)));
  EXPECT_EQ(to_hex(peeked, 32), to_hex(openssl_digest(EVP_sha256(), a)));
  EXPECT_EQ(to_hex(at_ab, 32), to_hex(openssl_digest(EVP_sha256(), ab)));
  // final() leaves an empty hash on the same backend.
  EXPECT_EQ(h.backend_name(), backend());
  h.final(at_ab);
  EXPECT_EQ(to_hex(at_ab, 32), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_P(Sha256Test, KernelMatchesNohwOnRandomBlocks) {
  // Many blocks per call, compared with the portable kernel and with OpenSSL (which alone is
  // independent when this backend is the portable one).
  const dispatch::Backend* mine = dispatch::find(Family::kSha256, backend());
  const dispatch::Backend* ref = dispatch::find(Family::kSha256, "nohw");
  ASSERT_NE(mine, nullptr);
  ASSERT_NE(ref, nullptr);
  Sha256 a, b;
  ASSERT_EQ(a.init(backend()), Status::kOk);
  ASSERT_EQ(b.init("nohw"), Status::kOk);
  std::mt19937_64 rng(99);
  Vec all;
  for (int i = 0; i < 50; ++i) {
    const Vec msg = random_bytes(rng, 64 * (1 + rng() % 40));
    a.absorb_blocks(msg.data(), msg.size() / 64);
    b.absorb_blocks(msg.data(), msg.size() / 64);
    all.insert(all.end(), msg.begin(), msg.end());
  }
  uint8_t x[32], y[32];
  a.final(x);
  b.final(y);
  EXPECT_EQ(to_hex(x, 32), to_hex(y, 32));
  EXPECT_EQ(to_hex(x, 32), to_hex(openssl_digest(EVP_sha256(), all)));
}

// ---------------------------------------------------------------------------------------------
// SHA-384 and SHA-512 (one kernel family)

class Sha512Test : public test::BackendTest {};
VOLLEY_INSTANTIATE_FOR_EACH_BACKEND(Sha512Test, Family::kSha512);

TEST_P(Sha512Test, Fips180Examples) {
  EXPECT_EQ(to_hex(digest<Sha384>(backend(), text(kAbc))),
            "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baec"
            "a134c825a7");
  EXPECT_EQ(to_hex(digest<Sha384>(backend(), text(k896))),
            "09330c33f71147e83d192fc782cd1b4753111b173b3b05d22fa08086e3b0f712fcc7c71a557e2db966c3e9"
            "fa91746039");
  EXPECT_EQ(to_hex(digest<Sha384>(backend(), text(k448))),
            "3391fdddfc8dc7393707a65b1b4709397cf8b1d162af05abfe8f450de5f36bc6b0455a8520bc4e6f5fe95b"
            "1fe3c8452b");
  EXPECT_EQ(to_hex(digest<Sha512>(backend(), text(kAbc))),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c"
            "23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
  EXPECT_EQ(to_hex(digest<Sha512>(backend(), text(k896))),
            "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99"
            "dec4b5433ac7d329eeb6dd26545e96e55b874be909");
  EXPECT_EQ(to_hex(digest<Sha512>(backend(), text(k448))),
            "204a8fc6dda82f0a0ced7beb8e08a41657c16ef468b228a8279be331a703c33596fd15c13b1b07f9aa1d3b"
            "ea57789ca031ad85c7a71dd70354ec631238ca3445");
}

TEST_P(Sha512Test, OneMillionA) {
  Sha384 h3;
  Sha512 h5;
  ASSERT_EQ(h3.init(backend()), Status::kOk);
  ASSERT_EQ(h5.init(backend()), Status::kOk);
  const std::string chunk(1000, 'a');
  for (int i = 0; i < 1000; ++i) {
    h3.update(text(chunk));
    h5.update(text(chunk));
  }
  uint8_t out3[48], out5[64];
  h3.final(out3);
  h5.final(out5);
  EXPECT_EQ(to_hex(out3, 48),
            "9d0e1809716474cb086e834e310a4a1ced149e9c00f248527972cec5704c2a5b07b8b3dc38ecc4ebae97dd"
            "d87f3d8985");
  EXPECT_EQ(to_hex(out5, 64),
            "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973ebde0ff244877ea60a4cb043"
            "2ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b");
}

TEST_P(Sha512Test, EveryLengthAgainstOpenSsl) {
  std::mt19937_64 rng(512);
  for (size_t len = 0; len <= 1024; ++len) {
    const Vec msg = random_bytes(rng, len);
    EXPECT_EQ(to_hex(digest_in_pieces<Sha384>(backend(), msg, rng, 300)),
              to_hex(openssl_digest(EVP_sha384(), msg)))
        << "SHA-384 length " << len;
    EXPECT_EQ(to_hex(digest_in_pieces<Sha512>(backend(), msg, rng, 9)),
              to_hex(openssl_digest(EVP_sha512(), msg)))
        << "SHA-512 length " << len;
  }
}

TEST_P(Sha512Test, LongRandomMessages) {
  std::mt19937_64 rng(5121);
  for (int i = 0; i < 6; ++i) {
    const Vec msg = random_bytes(rng, 100000 + static_cast<size_t>(rng() % 200000));
    EXPECT_EQ(to_hex(digest_in_pieces<Sha384>(backend(), msg, rng, 70000)),
              to_hex(openssl_digest(EVP_sha384(), msg)));
    EXPECT_EQ(to_hex(digest_in_pieces<Sha512>(backend(), msg, rng, 70000)),
              to_hex(openssl_digest(EVP_sha512(), msg)));
  }
}

TEST_P(Sha512Test, CopyIsASnapshot) {
  std::mt19937_64 rng(8);
  const Vec a = random_bytes(rng, 250), b = random_bytes(rng, 20);
  Sha384 h;
  ASSERT_EQ(h.init(backend()), Status::kOk);
  h.update(Bytes(a.data(), a.size()));
  const Sha384 snapshot = h;
  h.update(Bytes(b.data(), b.size()));
  uint8_t at_a[48];
  snapshot.peek(at_a);
  EXPECT_EQ(to_hex(at_a, 48), to_hex(openssl_digest(EVP_sha384(), a)));
  EXPECT_EQ(h.backend_name(), backend());
}

// ---------------------------------------------------------------------------------------------
// Plumbing

TEST(Sha2, DefaultsToBestBackend) {
  EXPECT_EQ(Sha256().backend_name(), dispatch::best(Family::kSha256).name);
  EXPECT_EQ(Sha384().backend_name(), dispatch::best(Family::kSha512).name);
  EXPECT_EQ(Sha512().backend_name(), dispatch::best(Family::kSha512).name);
}

TEST(Sha2, BestBackendUsesTheHardware) {
  // The hash instructions, when the CPU (after VOLLEY_CPU_DISABLE) has them, must be what runs.
  const cpu::Features& f = cpu::features();
#if defined(__x86_64__)
  if (f.has(cpu::Feature::kSha) && f.has(cpu::Feature::kSse41)) {
    EXPECT_EQ(Sha256().backend_name(), "shani");
  }
  if (f.has_all({cpu::Feature::kSse41, cpu::Feature::kAvx, cpu::Feature::kAvx2,
                 cpu::Feature::kBmi2})) {
    EXPECT_EQ(Sha384().backend_name(), "avx2");
  } else {
    EXPECT_EQ(Sha384().backend_name(), "nohw");
  }
#elif defined(__aarch64__)
  if (f.has_all({cpu::Feature::kAsimd, cpu::Feature::kArmAes, cpu::Feature::kPmull,
                 cpu::Feature::kSha2})) {
    EXPECT_EQ(Sha256().backend_name(), "armv8");
  }
  if (f.has_all({cpu::Feature::kAsimd, cpu::Feature::kArmAes, cpu::Feature::kPmull,
                 cpu::Feature::kSha2, cpu::Feature::kSha3, cpu::Feature::kSha512})) {
    EXPECT_EQ(Sha384().backend_name(), "armv8");
  }
#endif
  if (!f.has(cpu::Feature::kSha) && !f.has(cpu::Feature::kSha2)) {
    EXPECT_EQ(Sha256().backend_name(), "nohw");
  }
}

TEST(Sha2, BadBackendNames) {
  Sha256 h;
  EXPECT_EQ(h.init("no-such-kernel"), Status::kUnknownBackend);
  Sha384 h3;
  EXPECT_EQ(h3.init("no-such-kernel"), Status::kUnknownBackend);
  // A backend of the other architecture is listed but never available.
#if defined(__x86_64__)
  EXPECT_EQ(h.init("armv8"), Status::kBackendUnavailable);
  EXPECT_EQ(h3.init("armv8"), Status::kBackendUnavailable);
#else
  EXPECT_EQ(h.init("shani"), Status::kBackendUnavailable);
#endif
  // The object is unchanged and still usable.
  h.update(text(kAbc));
  uint8_t out[32];
  h.final(out);
  EXPECT_EQ(to_hex(out, 32), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha2, OneShotAndGenericHash) {
  const Vec msg = hex("00112233445566778899");
  uint8_t a[32], b[48], c[64];
  sha256(a, Bytes(msg.data(), msg.size()));
  sha384(b, Bytes(msg.data(), msg.size()));
  sha512(c, Bytes(msg.data(), msg.size()));
  EXPECT_EQ(to_hex(a, 32), to_hex(openssl_digest(EVP_sha256(), msg)));
  EXPECT_EQ(to_hex(b, 48), to_hex(openssl_digest(EVP_sha384(), msg)));
  EXPECT_EQ(to_hex(c, 64), to_hex(openssl_digest(EVP_sha512(), msg)));
  uint8_t out[64];
  EXPECT_EQ(hash(HashAlg::kSha384, std::span<uint8_t>(out, 48), Bytes(msg.data(), msg.size())),
            Status::kOk);
  EXPECT_EQ(to_hex(out, 48), to_hex(b, 48));
  EXPECT_EQ(hash(HashAlg::kSha384, std::span<uint8_t>(out, 32), {}), Status::kBadOutputLength);
  // In place: the digest may overwrite the input.
  Vec inplace(64, 0x61);
  sha256(std::span<uint8_t, 32>(inplace.data(), 32), Bytes(inplace.data(), inplace.size()));
  EXPECT_EQ(to_hex(inplace.data(), 32), to_hex(openssl_digest(EVP_sha256(), Vec(64, 0x61))));
  EXPECT_EQ(hash_size(HashAlg::kSha256), 32u);
  EXPECT_EQ(hash_size(HashAlg::kSha384), 48u);
  EXPECT_EQ(hash_size(HashAlg::kSha512), 64u);
  EXPECT_EQ(hash_name(HashAlg::kSha384), "sha384");
}

TEST(Sha2, ValueTypes) {
  static_assert(std::is_trivially_copyable_v<Sha256>);
  static_assert(std::is_trivially_copyable_v<Sha384>);
  static_assert(std::is_trivially_copyable_v<Sha512>);
  static_assert(sizeof(Sha256) <= 128);
  static_assert(sizeof(Sha384) <= 224);
}

}  // namespace
}  // namespace volley
