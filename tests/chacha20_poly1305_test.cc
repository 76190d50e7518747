// The ChaCha20-Poly1305 correctness gate: every TEST_P runs once per backend this CPU can run
// (ChaCha20Poly1305/<Test>/<backend>), through the public API (volley/aead.h) and, for the batch
// and streaming entry points, through the backend's kernel table. The ChaCha20Isa tests check each
// per-ISA ChaCha20 instantiation (including the AVX-512 one used by the avx512 backend) against the
// portable one and OpenSSL.
//
// Sources of truth: RFC 8439 §2.8.2, the Wycheproof and BoringSSL vector files (@shared_vectors),
// and OpenSSL's EVP ChaCha20 / ChaCha20-Poly1305 as an independent implementation.
#include <openssl/evp.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <ostream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "engine/aead/aead_key_access.h"
#include "engine/kernels/chacha20/chacha20_kernels.h"
#include "gtest/gtest.h"
#include "tests/harness/backend_test.h"
#include "tests/harness/inner_type_jobs.h"
#include "tests/harness/kernel_jobs.h"
#include "tests/harness/vectors.h"
#include "volley/aead.h"
#include "volley/cpu.h"
#include "volley/dispatch.h"

namespace volley {

// PrintTo makes GoogleTest print a Status by name ("authentication failed") in failure messages.
void PrintTo(Status s, std::ostream* os) { *os << status_name(s); }

namespace {

using aead_internal::Job;
using aead_internal::MsgState;
using dispatch::Family;
using test::hex;
using test::to_hex;
using Vec = std::vector<uint8_t>;

class ChaCha20Poly1305 : public test::BackendTest {
 protected:
  // init_key sets up |key| on this test's backend.
  void init_key(AeadKey& key, const Vec& bytes) {
    ASSERT_EQ(key.init(kChaCha20Poly1305, Bytes(bytes.data(), bytes.size()), backend()),
              Status::kOk);
    ASSERT_EQ(key.backend_name(), backend());
  }
};
VOLLEY_INSTANTIATE_FOR_EACH_BACKEND(ChaCha20Poly1305, Family::kChaCha20Poly1305);

Bytes bytes(const Vec& v) { return Bytes(v.data(), v.size()); }
MutableBytes mut(Vec& v) { return MutableBytes(v.data(), v.size()); }

// seal_tag seals one contiguous piece with the tag apart.
Status seal_tag(const AeadKey& key, Bytes nonce, Bytes aad, Bytes pt, MutableBytes out,
                MutableBytes tag) {
  return key.seal(out, tag, nonce, aad, Pieces(&pt, 1));
}

bool all_zero(const uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (p[i] != 0) return false;
  }
  return true;
}

Vec random_bytes(std::mt19937_64& rng, size_t n) {
  Vec v(n);
  for (auto& b : v) b = static_cast<uint8_t>(rng());
  return v;
}

// ---------------------------------------------------------------------------------------------
// OpenSSL, the independent reference.

void openssl_seal(const Vec& key, const Vec& nonce, const Vec& aad, const uint8_t* pt, size_t len,
                  uint8_t* ct, uint8_t tag[16]) {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  int n = 0;
  bool ok = ctx != nullptr && EVP_EncryptInit_ex(ctx, EVP_chacha20_poly1305(), nullptr, key.data(),
                                                 nonce.data()) == 1;
  if (ok && !aad.empty()) {
    ok = EVP_EncryptUpdate(ctx, nullptr, &n, aad.data(), static_cast<int>(aad.size())) == 1;
  }
  if (ok && len > 0) ok = EVP_EncryptUpdate(ctx, ct, &n, pt, static_cast<int>(len)) == 1;
  uint8_t scratch[16];
  if (ok) ok = EVP_EncryptFinal_ex(ctx, scratch, &n) == 1;
  if (ok) ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, tag) == 1;
  EVP_CIPHER_CTX_free(ctx);
  if (!ok) ADD_FAILURE() << "OpenSSL EVP ChaCha20-Poly1305 seal failed";
}

void openssl_chacha20(const uint8_t key[32], const uint8_t nonce[12], uint32_t counter,
                      const uint8_t* in, uint8_t* out, size_t len) {
  uint8_t iv[16];
  std::memcpy(iv, &counter, 4);  // EVP_chacha20's IV: le32 counter || 96-bit nonce
  std::memcpy(iv + 4, nonce, 12);
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  int n = 0;
  bool ok = ctx != nullptr && EVP_EncryptInit_ex(ctx, EVP_chacha20(), nullptr, key, iv) == 1;
  if (ok && len > 0) ok = EVP_EncryptUpdate(ctx, out, &n, in, static_cast<int>(len)) == 1;
  EVP_CIPHER_CTX_free(ctx);
  if (!ok) ADD_FAILURE() << "OpenSSL EVP ChaCha20 failed";
}

// ---------------------------------------------------------------------------------------------
// Known answers.

// check_known_answer seals |pt| (expecting |ct| and |tag|), then opens disjoint and in place.
void check_known_answer(const AeadKey& key, const Vec& nonce, const Vec& aad, const Vec& pt,
                        const Vec& ct, const Vec& tag, const std::string& where) {
  SCOPED_TRACE(where);
  Vec out(pt.size() + 16 + 7, 0xA5);  // ciphertext || tag || slack to catch overruns
  ASSERT_EQ(
      key.seal(MutableBytes(out.data(), pt.size() + 16), bytes(nonce), bytes(aad), {bytes(pt)}),
      Status::kOk);
  EXPECT_EQ(to_hex(out.data(), pt.size()), to_hex(ct)) << "ciphertext";
  EXPECT_EQ(to_hex(out.data() + pt.size(), 16), to_hex(tag)) << "tag";
  for (size_t i = pt.size() + 16; i < out.size(); ++i) EXPECT_EQ(out[i], 0xA5) << "overrun";

  Vec dec(ct.size(), 0xA5);
  ASSERT_EQ(key.open(mut(dec), bytes(nonce), bytes(aad), bytes(ct), bytes(tag)), Status::kOk);
  EXPECT_EQ(to_hex(dec), to_hex(pt)) << "open (disjoint)";
  Vec in_place = ct;
  ASSERT_EQ(key.open(mut(in_place), bytes(nonce), bytes(aad), bytes(in_place), bytes(tag)),
            Status::kOk);
  EXPECT_EQ(to_hex(in_place), to_hex(pt)) << "open (in place)";
}

void check_open_fails(const AeadKey& key, const Vec& nonce, const Vec& aad, const Vec& ct,
                      const Vec& tag, const std::string& where) {
  SCOPED_TRACE(where);
  Vec dec(ct.size(), 0xA5);
  EXPECT_EQ(key.open(mut(dec), bytes(nonce), bytes(aad), bytes(ct), bytes(tag)),
            Status::kAuthFailed);
  EXPECT_TRUE(all_zero(dec.data(), dec.size())) << "output not wiped after kAuthFailed";
}

TEST_P(ChaCha20Poly1305, Rfc8439Section282) {
  const Vec key = hex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
  const Vec nonce = hex("070000004041424344454647");
  const Vec aad = hex("50515253c0c1c2c3c4c5c6c7");
  const std::string text =
      "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, "
      "sunscreen would be it.";
  const Vec pt(text.begin(), text.end());
  const Vec ct = hex(
      "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92"
      "728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b"
      "4831d7bc3ff4def08e4b7a9de576d26586cec64b6116");
  const Vec tag = hex("1ae10b594f09e26a7e902ecbd0600691");
  AeadKey k;
  init_key(k, key);
  check_known_answer(k, nonce, aad, pt, ct, tag, "RFC 8439 §2.8.2");
}

TEST_P(ChaCha20Poly1305, Wycheproof) {
  const auto file =
      test::read_wycheproof_file(test::vector_path("wycheproof/chacha20_poly1305_test.json"));
  int valid = 0, invalid = 0, bad_nonce = 0;
  for (const auto& t : file.tests) {
    const Vec key = t.bytes("key"), nonce = t.bytes("iv"), aad = t.bytes("aad");
    const Vec pt = t.bytes("msg"), ct = t.bytes("ct"), tag = t.bytes("tag");
    AeadKey k;
    init_key(k, key);
    if (nonce.size() != 12) {
      // RFC 8439's AEAD has a 96-bit nonce only; every other size is rejected up front.
      ASSERT_TRUE(t.invalid()) << t.describe();
      Vec out(pt.size() + 16);
      EXPECT_EQ(k.seal(mut(out), bytes(nonce), bytes(aad), {bytes(pt)}), Status::kBadNonceLength)
          << t.describe();
      Vec dec(ct.size());
      EXPECT_EQ(k.open(mut(dec), bytes(nonce), bytes(aad), bytes(ct), bytes(tag)),
                Status::kBadNonceLength)
          << t.describe();
      ++bad_nonce;
    } else if (t.valid()) {
      check_known_answer(k, nonce, aad, pt, ct, tag, t.describe());
      ++valid;
    } else {
      ASSERT_TRUE(t.invalid()) << t.describe();
      check_open_fails(k, nonce, aad, ct, tag, t.describe());
      ++invalid;
    }
  }
  EXPECT_EQ(file.declared_count, 325);
  EXPECT_EQ(valid, 256);
  EXPECT_EQ(invalid, 60);
  EXPECT_EQ(bad_nonce, 9);
}

TEST_P(ChaCha20Poly1305, BoringSsl) {
  const auto cases =
      test::read_file_test_file(test::vector_path("boringssl/chacha20_poly1305_tests.txt"));
  int full = 0, truncated = 0;
  for (const auto& c : cases) {
    const std::string where = "chacha20_poly1305_tests.txt line " + std::to_string(c.line);
    const Vec key = c.bytes("KEY"), nonce = c.bytes("NONCE"), pt = c.bytes("IN");
    const Vec aad = c.bytes("AD"), ct = c.bytes("CT"), tag = c.bytes("TAG");
    ASSERT_FALSE(c.has_flag("FAILS")) << where;
    AeadKey k;
    init_key(k, key);
    if (tag.size() == 16) {
      check_known_answer(k, nonce, aad, pt, ct, tag, where);
      ++full;
      continue;
    }
    // Truncated tags: volley always emits 16 bytes, whose prefix must match; opening with a short
    // tag is refused.
    Vec out(pt.size() + 16);
    ASSERT_EQ(k.seal(mut(out), bytes(nonce), bytes(aad), {bytes(pt)}), Status::kOk) << where;
    EXPECT_EQ(to_hex(out.data(), pt.size()), to_hex(ct)) << where;
    EXPECT_EQ(to_hex(out.data() + pt.size(), tag.size()), to_hex(tag)) << where;
    Vec dec(ct.size());
    EXPECT_EQ(k.open(mut(dec), bytes(nonce), bytes(aad), bytes(ct), bytes(tag)),
              Status::kBadOutputLength)
        << where;
    ++truncated;
  }
  EXPECT_EQ(full, 66);
  EXPECT_EQ(truncated, 15);
}

// ---------------------------------------------------------------------------------------------
// Differential tests.

// RandomCase is one message with its buffers placed at random (mis)alignments.
struct RandomCase {
  Vec key, nonce, aad, pt;
};

RandomCase random_case(std::mt19937_64& rng, size_t len) {
  RandomCase c;
  c.key = random_bytes(rng, 32);
  c.nonce = random_bytes(rng, 12);
  c.aad = random_bytes(rng, rng() % 65);
  c.pt = random_bytes(rng, len);
  return c;
}

// random_splits cuts [0, len) into 1 to 5 pieces at random points (empty pieces allowed).
std::vector<size_t> random_splits(std::mt19937_64& rng, size_t len) {
  std::vector<size_t> cuts = {0};
  const int pieces = 1 + static_cast<int>(rng() % 5);
  for (int i = 1; i < pieces; ++i) cuts.push_back(len == 0 ? 0 : rng() % (len + 1));
  std::sort(cuts.begin(), cuts.end());
  cuts.push_back(len);
  return cuts;
}

TEST_P(ChaCha20Poly1305, MatchesOpenSslOnRandomInputs) {
  std::mt19937_64 rng(0x5eed0001);
  std::vector<size_t> lengths;
  for (int i = 0; i < 400; ++i) lengths.push_back(rng() % 4097);
  for (size_t l :
       {0,   1,   15,  16,   17,   63,   64,   65,   127,  128,  129,  447,   448,      449,
        511, 512, 513, 1023, 1024, 1025, 2047, 2048, 2049, 4095, 4096, 16384, 16384 + 5}) {
    lengths.push_back(l);
  }
  for (size_t len : lengths) {
    const RandomCase c = random_case(rng, len);
    const std::string where = "len " + std::to_string(len) + " aad " + std::to_string(c.aad.size());
    SCOPED_TRACE(where);
    Vec ref(len + 1), ref_tag(16);
    openssl_seal(c.key, c.nonce, c.aad, c.pt.data(), len, ref.data(), ref_tag.data());

    AeadKey k;
    init_key(k, c.key);
    // Misaligned input and output; in place half of the time.
    const size_t in_off = rng() % 16, out_off = rng() % 16;
    const bool in_place = (rng() & 1) != 0;
    Vec in_buf(len + 32), out_buf(len + 32);
    if (len != 0) std::memcpy(in_buf.data() + in_off, c.pt.data(), len);
    uint8_t* in = in_buf.data() + in_off;
    uint8_t* out = in_place ? in : out_buf.data() + out_off;
    const std::vector<size_t> cuts = random_splits(rng, len);
    std::vector<Bytes> pieces;
    for (size_t i = 0; i + 1 < cuts.size(); ++i)
      pieces.emplace_back(in + cuts[i], cuts[i + 1] - cuts[i]);
    Vec tag(16);
    ASSERT_EQ(k.seal(MutableBytes(out, len), mut(tag), bytes(c.nonce),
                     bytes(c.aad), Pieces(pieces.data(), pieces.size())),
              Status::kOk);
    ASSERT_EQ(to_hex(out, len), to_hex(ref.data(), len)) << pieces.size() << " pieces";
    ASSERT_EQ(to_hex(tag), to_hex(ref_tag)) << pieces.size() << " pieces";

    // Open the reference ciphertext, in place or not, at another misalignment.
    const size_t off2 = rng() % 16;
    Vec ct_buf(len + 16), dec_buf(len + 16);
    std::memcpy(ct_buf.data() + off2, ref.data(), len);
    uint8_t* dec = (rng() & 1) != 0 ? ct_buf.data() + off2 : dec_buf.data() + (rng() % 16);
    ASSERT_EQ(k.open(MutableBytes(dec, len), bytes(c.nonce), bytes(c.aad),
                     Bytes(ct_buf.data() + off2, len), bytes(ref_tag)),
              Status::kOk);
    ASSERT_EQ(to_hex(dec, len), to_hex(c.pt));
  }
}

// Long one-piece messages: every count of whole 2 KiB chunks up to 9 with tails that end on, just
// before and just after group (128 B), short-pass (448 B) and batch (1 KiB) boundaries, and AAD
// short and long enough for the vector Poly1305. This is where the body's hashing pipeline and
// its accumulators change hands, which random lengths up to 4 KiB reach only sparsely.
TEST_P(ChaCha20Poly1305, LongMessagesMatchOpenSsl) {
  std::mt19937_64 rng(0x5eed0005);
  for (size_t chunks = 1; chunks <= 9; ++chunks) {
    for (size_t tail : {0, 1, 64, 127, 128, 129, 256, 384, 447, 448, 449, 512, 640, 1023, 1024,
                        1025, 1536, 1920, 2047}) {
      const size_t len = 2048 * chunks + tail;
      RandomCase c = random_case(rng, len);
      if (rng() % 4 == 0) c.aad = random_bytes(rng, 512 + rng() % 1200);
      SCOPED_TRACE("len " + std::to_string(len) + " aad " + std::to_string(c.aad.size()));
      Vec ref(len), ref_tag(16);
      openssl_seal(c.key, c.nonce, c.aad, c.pt.data(), len, ref.data(), ref_tag.data());
      AeadKey k;
      init_key(k, c.key);
      Vec buf = c.pt, tag(16);  // sealed in place
      ASSERT_EQ(seal_tag(k, bytes(c.nonce), bytes(c.aad), bytes(buf), mut(buf), mut(tag)),
                Status::kOk);
      ASSERT_EQ(to_hex(buf), to_hex(ref));
      ASSERT_EQ(to_hex(tag), to_hex(ref_tag));
      Vec dec(len);  // opened from a separate buffer, then in place
      ASSERT_EQ(k.open(mut(dec), bytes(c.nonce), bytes(c.aad), bytes(ref), bytes(ref_tag)),
                Status::kOk);
      ASSERT_EQ(to_hex(dec), to_hex(c.pt));
      ASSERT_EQ(k.open(mut(buf), bytes(c.nonce), bytes(c.aad), bytes(buf), bytes(ref_tag)),
                Status::kOk);
      ASSERT_EQ(to_hex(buf), to_hex(c.pt));
    }
  }
}

// Ciphertexts whose blocks are all ones (every Poly1305 limb at its maximum, the case the vector
// kernels' carry bounds are written for), all zeros, and alternating, at lengths that take the
// long paths. The plaintext is the keystream (OpenSSL's ciphertext of zeros) XOR the wanted
// ciphertext.
TEST_P(ChaCha20Poly1305, ExtremeCiphertextsMatchOpenSsl) {
  std::mt19937_64 rng(0x5eed0006);
  for (size_t len : {512, 1984, 2048, 4096, 4096 + 448, 8192 + 1000, 16384, 65536 + 16}) {
    for (uint8_t fill : {0xff, 0x00, 0xaa}) {
      SCOPED_TRACE("len " + std::to_string(len) + " fill " + std::to_string(fill));
      RandomCase c = random_case(rng, len);
      c.aad.assign(rng() % 2 == 0 ? 13 : 600, fill);
      const Vec zeros(len, 0);
      Vec ks(len), unused_tag(16);
      openssl_seal(c.key, c.nonce, {}, zeros.data(), len, ks.data(), unused_tag.data());
      for (size_t i = 0; i < len; ++i) c.pt[i] = static_cast<uint8_t>(ks[i] ^ fill);
      Vec ref(len), ref_tag(16);
      openssl_seal(c.key, c.nonce, c.aad, c.pt.data(), len, ref.data(), ref_tag.data());
      ASSERT_EQ(to_hex(ref), to_hex(Vec(len, fill)));
      AeadKey k;
      init_key(k, c.key);
      Vec ct(len), tag(16);
      ASSERT_EQ(seal_tag(k, bytes(c.nonce), bytes(c.aad), bytes(c.pt), mut(ct), mut(tag)),
                Status::kOk);
      ASSERT_EQ(to_hex(ct), to_hex(ref));
      ASSERT_EQ(to_hex(tag), to_hex(ref_tag));
      Vec dec = ref;  // opened in place
      ASSERT_EQ(k.open(mut(dec), bytes(c.nonce), bytes(c.aad), bytes(dec), bytes(ref_tag)),
                Status::kOk);
      ASSERT_EQ(to_hex(dec), to_hex(c.pt));
    }
  }
}

// The streaming decrypt path is reachable only through the kernel table: drive it directly with
// stream_block multiples and compare with a one-shot open.
// Framed jobs and record-shaped runs (one key, one IV, consecutive sequence numbers, one length,
// broken at every position) equal sealing each message alone, on every backend.
TEST_P(ChaCha20Poly1305, FramedJobsEqualSeal) {
  std::mt19937_64 rng(0x5eed0015);
  AeadKey keys[3];
  for (auto& k : keys) init_key(k, random_bytes(rng, 32));
  ASSERT_NO_FATAL_FAILURE(test::check_framed_jobs({&keys[0], &keys[1], &keys[2]}, 15));
}

// The content type found while opening (Job::inner) equals the standalone scan's, for every
// length and type position and each path of the kernel; avx512 alone claims the feature, and the
// other backends must leave the answer alone (the record layer then scans).
TEST_P(ChaCha20Poly1305, OpenFindsContentType) {
  std::mt19937_64 rng(0x5eed0017);
  AeadKey keys[2];
  for (auto& k : keys) init_key(k, random_bytes(rng, 32));
  const bool fused = backend() == "avx512";
  ASSERT_NO_FATAL_FAILURE(
      test::check_inner_types_exhaustive({&keys[0], &keys[1]}, fused, fused ? 600 : 130, 17));
  ASSERT_NO_FATAL_FAILURE(test::check_inner_types_boundaries({&keys[0], &keys[1]}, fused, 18));
}

TEST_P(ChaCha20Poly1305, RecordRunsEqualSeal) {
  std::mt19937_64 rng(0x5eed0016);
  AeadKey keys[2];
  for (auto& k : keys) init_key(k, random_bytes(rng, 32));
  ASSERT_NO_FATAL_FAILURE(test::check_record_runs({&keys[0], &keys[1]}, 16));
}

TEST_P(ChaCha20Poly1305, StreamingDecryptMatchesOneShot) {
  std::mt19937_64 rng(0x5eed0002);
  for (int iter = 0; iter < 100; ++iter) {
    const size_t len = iter == 0 ? 0 : rng() % 5000;
    const RandomCase c = random_case(rng, len);
    AeadKey k;
    init_key(k, c.key);
    const auto* kernel = aead_internal::kernel_of(k);
    ASSERT_EQ(kernel->stream_block, 64u);
    Vec ct(len), tag(16);
    openssl_seal(c.key, c.nonce, c.aad, c.pt.data(), len, ct.data(), tag.data());
    Vec dec = ct;  // in place
    MsgState ms;
    kernel->begin(aead_internal::key_state_of(k), &ms, c.nonce.data(), c.aad.data(), c.aad.size());
    size_t pos = 0;
    while (pos < len) {
      size_t n = 64 * (rng() % 40);
      if (n == 0 || pos + n > len) n = len - pos;
      kernel->decrypt(aead_internal::key_state_of(k), &ms, dec.data() + pos, dec.data() + pos, n);
      pos += n;
    }
    Vec computed(16);
    kernel->finish(aead_internal::key_state_of(k), &ms, computed.data());
    ASSERT_EQ(to_hex(dec), to_hex(c.pt)) << "len " << len;
    ASSERT_EQ(to_hex(computed), to_hex(tag)) << "len " << len;
  }
}

// Every length up to 1100 against the portable backend; the portable backend itself, which would
// only meet itself there, is held to OpenSSL instead.
TEST_P(ChaCha20Poly1305, AgreesWithPortableBackend) {
  const bool is_portable = backend() == "nohw";
  std::mt19937_64 rng(0x5eed0003);
  int compared = 0;
  for (size_t len = 0; len <= 1100; len += 1 + rng() % 7) {
    const RandomCase c = random_case(rng, len);
    AeadKey mine, portable;
    init_key(mine, c.key);
    ASSERT_EQ(portable.init(kChaCha20Poly1305, bytes(c.key), "nohw"), Status::kOk);
    Vec a(len + 16), b(len + 16);
    ASSERT_EQ(mine.seal(mut(a), bytes(c.nonce), bytes(c.aad), {bytes(c.pt)}), Status::kOk);
    if (is_portable) {
      openssl_seal(c.key, c.nonce, c.aad, c.pt.data(), len, b.data(), b.data() + len);
    } else {
      ASSERT_EQ(portable.seal(mut(b), bytes(c.nonce), bytes(c.aad), {bytes(c.pt)}), Status::kOk);
    }
    ASSERT_EQ(to_hex(a), to_hex(b)) << "len " << len << (is_portable ? " (OpenSSL)" : " (nohw)");
    Vec dec(len);
    ASSERT_EQ(mine.open(mut(dec), bytes(c.nonce), bytes(c.aad), bytes(b)), Status::kOk);
    ASSERT_EQ(to_hex(dec), to_hex(c.pt)) << "len " << len;
    ++compared;
  }
  EXPECT_GT(compared, 250);
}

// seal_batch / open_batch give exactly what one seal / open per job gives, for mixed lengths
// (including the 64-byte records the lanes interleave), several keys, in place and disjoint.
TEST_P(ChaCha20Poly1305, BatchEqualsSingle) {
  std::mt19937_64 rng(0x5eed0004);
  AeadKey keys[3];
  for (auto& k : keys) init_key(k, random_bytes(rng, 32));
  for (size_t n : {1, 2, 3, 7, 8, 9, 16, 31, 32, 33, 40, 70}) {
    SCOPED_TRACE("n = " + std::to_string(n));
    struct Rec {
      const AeadKey* key;
      Vec nonce, aad, pt, ct, tag;
    };
    std::vector<Rec> recs(n);
    for (size_t i = 0; i < n; ++i) {
      Rec& r = recs[i];
      r.key = &keys[rng() % 3];
      r.nonce = random_bytes(rng, 12);
      r.aad = random_bytes(rng, rng() % 30);
      const size_t kLens[] = {0, 1, 16, 63, 64, 65, 100, 128, 300, 512, 1024, 1025, 3000};
      const size_t len = (rng() % 3 == 0) ? rng() % 1400 : kLens[rng() % 13];
      r.pt = random_bytes(rng, len);
      r.ct.assign(len, 0);
      r.tag.assign(16, 0);
      ASSERT_EQ(seal_tag(*r.key, bytes(r.nonce), bytes(r.aad), bytes(r.pt), mut(r.ct), mut(r.tag)),
                Status::kOk);
    }
    const auto* kernel = aead_internal::kernel_of(keys[0]);

    // Seal: half the jobs in place.
    std::vector<Vec> outs(n), tags(n, Vec(16));
    std::vector<Job> jobs(n);
    for (size_t i = 0; i < n; ++i) {
      Rec& r = recs[i];
      outs[i] = r.pt;
      const bool in_place = i % 2 == 0;
      Vec& dst = outs[i];
      if (!in_place) dst.assign(r.pt.size(), 0xA5);
      jobs[i] = {.key = aead_internal::key_state_of(*r.key),
                 .iv = r.nonce.data(),
                 .seq = 0,
                 .aad = r.aad.data(),
                 .aad_len = r.aad.size(),
                 .in = in_place ? dst.data() : r.pt.data(),
                 .out = dst.data(),
                 .len = r.pt.size(),
                 .tag = tags[i].data(), .content_len = 0, .type = 0, .inner = nullptr};
    }
    kernel->seal_batch(jobs.data(), n);
    for (size_t i = 0; i < n; ++i) {
      ASSERT_EQ(to_hex(outs[i]), to_hex(recs[i].ct)) << "seal job " << i;
      ASSERT_EQ(to_hex(tags[i]), to_hex(recs[i].tag)) << "seal job " << i;
    }

    // Open: the other half in place; every computed tag must equal the sealed one.
    for (size_t i = 0; i < n; ++i) {
      Rec& r = recs[i];
      const bool in_place = i % 2 == 1;
      outs[i] = r.ct;
      if (!in_place) outs[i].assign(r.ct.size(), 0xA5);
      std::fill(tags[i].begin(), tags[i].end(), 0);
      jobs[i] = {.key = aead_internal::key_state_of(*r.key),
                 .iv = r.nonce.data(),
                 .seq = 0,
                 .aad = r.aad.data(),
                 .aad_len = r.aad.size(),
                 .in = in_place ? outs[i].data() : r.ct.data(),
                 .out = outs[i].data(),
                 .len = r.ct.size(),
                 .tag = tags[i].data(), .content_len = 0, .type = 0, .inner = nullptr};
    }
    kernel->open_batch(jobs.data(), n);
    for (size_t i = 0; i < n; ++i) {
      ASSERT_EQ(to_hex(outs[i]), to_hex(recs[i].pt)) << "open job " << i;
      ASSERT_EQ(to_hex(tags[i]), to_hex(recs[i].tag)) << "open job " << i;
    }
  }
}

// A flipped bit in any byte of the ciphertext, the tag, the AAD or the nonce fails with kAuthFailed
// and a zeroed output, in place and disjoint (as AesGcm.TamperingIsDetected): every bit while the
// message and AAD are short, then every byte (at a varying bit), so no position goes untested.
TEST_P(ChaCha20Poly1305, TamperingIsDetected) {
  std::mt19937_64 rng(0x5eed0005);
  size_t flips = 0;
  for (size_t len : {0, 1, 15, 16, 17, 63, 64, 65, 100, 129, 1350}) {
    RandomCase c = random_case(rng, len);
    c.aad = random_bytes(rng, len % 2 ? 13 : 20);
    AeadKey k;
    init_key(k, c.key);
    Vec sealed(len + 16);
    ASSERT_EQ(k.seal(mut(sealed), bytes(c.nonce), bytes(c.aad), {bytes(c.pt)}), Status::kOk);
    // Positions, in bits, over ciphertext || tag || AAD || nonce.
    const size_t total_bytes = sealed.size() + c.aad.size() + c.nonce.size();
    std::vector<size_t> bits;
    if (8 * total_bytes <= 2048) {
      for (size_t b = 0; b < 8 * total_bytes; ++b) bits.push_back(b);
    } else {
      for (size_t byte = 0; byte < total_bytes; ++byte) bits.push_back(8 * byte + rng() % 8);
    }
    for (size_t bit : bits) {
      Vec s = sealed, aad = c.aad, nonce = c.nonce;
      size_t byte = bit / 8;
      const char* what = byte < len ? "ciphertext" : byte < len + 16 ? "tag" : "AAD";
      if (byte < sealed.size()) {
        s[byte] ^= static_cast<uint8_t>(1u << (bit % 8));
      } else if ((byte -= sealed.size()) < aad.size()) {
        aad[byte] ^= static_cast<uint8_t>(1u << (bit % 8));
      } else {
        byte -= aad.size();
        what = "nonce";
        nonce[byte] ^= static_cast<uint8_t>(1u << (bit % 8));
      }
      const bool in_place = (bit & 1) != 0;
      Vec out(len, 0xA5);
      const Status st = in_place ? k.open(MutableBytes(s.data(), len), bytes(nonce), bytes(aad),
                                          Bytes(s.data(), len), Bytes(s.data() + len, 16))
                                 : k.open(mut(out), bytes(nonce), bytes(aad), bytes(s));
      ASSERT_EQ(st, Status::kAuthFailed)
          << "len " << len << ": flipped " << what << " byte " << byte << " bit " << bit % 8;
      ASSERT_TRUE(all_zero(in_place ? s.data() : out.data(), len))
          << "len " << len << ": output not zeroed after flipping " << what << " byte " << byte;
      ++flips;
    }
    // And the untouched message still opens.
    Vec out(len);
    ASSERT_EQ(k.open(mut(out), bytes(c.nonce), bytes(c.aad), bytes(sealed)), Status::kOk);
    ASSERT_EQ(to_hex(out), to_hex(c.pt));
  }
  // Every bit of the short cases, one per byte of 129 and 1350 (ciphertext, tag, AAD, nonce).
  size_t want = 0;
  for (size_t len : {0, 1, 15, 16, 17, 63, 64, 65, 100, 129, 1350}) {
    const size_t n = len + 16 + (len % 2 ? 13 : 20) + 12;
    want += 8 * n <= 2048 ? 8 * n : n;
  }
  EXPECT_EQ(flips, want);
}

// Wrong sizes, a too-long message, an uninitialised or cleared key: the documented Status
// (volley/aead.h), and nothing written.
TEST_P(ChaCha20Poly1305, ArgumentErrors) {
  for (size_t bad_len : {0, 1, 16, 24, 31, 33, 64}) {
    AeadKey k;
    EXPECT_EQ(k.init(kChaCha20Poly1305, bytes(Vec(bad_len, 1)), backend()), Status::kBadKeyLength)
        << "key of " << bad_len << " bytes";
    EXPECT_FALSE(k.initialized());
  }
  AeadKey key;
  init_key(key, Vec(32, 7));
  EXPECT_EQ(&key.aead(), &kChaCha20Poly1305);
  const Vec nonce(12, 1), aad(5, 2), pt(40, 3);
  Vec good(56);
  ASSERT_EQ(key.seal(mut(good), bytes(nonce), bytes(aad), {bytes(pt)}), Status::kOk);
  const Bytes ct(good.data(), 40), tag(good.data() + 40, 16);

  for (size_t nl : {0, 8, 11, 13, 16, 24}) {
    const Vec bad_nonce(nl, 1);
    Vec out(56, 0xA5);
    EXPECT_EQ(key.seal(mut(out), bytes(bad_nonce), bytes(aad), {bytes(pt)}),
              Status::kBadNonceLength)
        << "nonce of " << nl << " bytes";
    EXPECT_EQ(key.open(MutableBytes(out.data(), 40), bytes(bad_nonce), bytes(aad), ct, tag),
              Status::kBadNonceLength)
        << "nonce of " << nl << " bytes";
    EXPECT_TRUE(std::all_of(out.begin(), out.end(), [](uint8_t b) { return b == 0xA5; }))
        << "wrote output with a nonce of " << nl << " bytes";
  }

  Vec out(64, 0xA5);
  // Output (or tag) too short or too long for the message.
  EXPECT_EQ(seal_tag(key, bytes(nonce), bytes(aad), bytes(pt), MutableBytes(out.data(), 39),
                     MutableBytes(out.data() + 48, 16)),
            Status::kBadOutputLength);
  EXPECT_EQ(seal_tag(key, bytes(nonce), bytes(aad), bytes(pt), MutableBytes(out.data(), 41),
                     MutableBytes(out.data() + 48, 16)),
            Status::kBadOutputLength);
  EXPECT_EQ(seal_tag(key, bytes(nonce), bytes(aad), bytes(pt), MutableBytes(out.data(), 40),
                     MutableBytes(out.data() + 48, 15)),
            Status::kBadOutputLength);
  EXPECT_EQ(key.seal(MutableBytes(out.data(), 55), bytes(nonce), bytes(aad), {bytes(pt)}),
            Status::kBadOutputLength);
  EXPECT_EQ(key.seal(MutableBytes(out.data(), 15), bytes(nonce), bytes(aad), {bytes(pt)}),
            Status::kBadOutputLength);
  EXPECT_EQ(key.open(MutableBytes(out.data(), 39), bytes(nonce), bytes(aad), ct, tag),
            Status::kBadOutputLength);
  EXPECT_EQ(key.open(MutableBytes(out.data(), 41), bytes(nonce), bytes(aad), ct, tag),
            Status::kBadOutputLength);
  EXPECT_EQ(key.open(MutableBytes(out.data(), 40), bytes(nonce), bytes(aad), ct, tag.first(15)),
            Status::kBadOutputLength);
  EXPECT_EQ(key.open(MutableBytes(out.data(), 0), bytes(nonce), bytes(aad), Bytes(good.data(), 15)),
            Status::kBadInputLength);
  EXPECT_TRUE(std::all_of(out.begin(), out.end(), [](uint8_t b) { return b == 0xA5; }))
      << "wrote output on a size error";

  // Longer than RFC 8439 allows one nonce (max_plaintext_len, 2^38 - 64 bytes). The huge spans
  // point at a few real bytes and are never read: the length check comes before any access, as
  // AeadFrontEnd.WrappingPieceLengthsAreTooLong relies on too.
  const uint64_t max = kChaCha20Poly1305.max_plaintext_len;
  ASSERT_EQ(max, (uint64_t{1} << 38) - 64);
  uint8_t backing[16] = {};
  const Bytes too_long(backing, max + 1), at_limit(backing, max);
  EXPECT_EQ(seal_tag(key, bytes(nonce), bytes(aad), too_long, MutableBytes(out.data(), 40),
                     MutableBytes(out.data() + 48, 16)),
            Status::kTooLong);
  // At the limit exactly, the length is fine and the short output is the error.
  EXPECT_EQ(seal_tag(key, bytes(nonce), bytes(aad), at_limit, MutableBytes(out.data(), 40),
                     MutableBytes(out.data() + 48, 16)),
            Status::kBadOutputLength);
  const Bytes halves[2] = {Bytes(backing, max / 2), Bytes(backing, max / 2 + 1)};
  EXPECT_EQ(key.seal(MutableBytes(out.data(), 40), MutableBytes(out.data() + 48, 16),
                     bytes(nonce), bytes(aad), Pieces(halves, 2)),
            Status::kTooLong);
  EXPECT_EQ(key.open(MutableBytes(out.data(), max + 1), bytes(nonce), bytes(aad), too_long, tag),
            Status::kTooLong);
  EXPECT_TRUE(std::all_of(out.begin(), out.end(), [](uint8_t b) { return b == 0xA5; }))
      << "wrote output on kTooLong";

  // An uninitialised key, and one cleared after use.
  AeadKey none;
  EXPECT_EQ(none.seal(MutableBytes(out.data(), 56), bytes(nonce), bytes(aad), {bytes(pt)}),
            Status::kNotInitialized);
  key.clear();
  EXPECT_FALSE(key.initialized());
  EXPECT_EQ(key.seal(MutableBytes(out.data(), 56), bytes(nonce), bytes(aad), {bytes(pt)}),
            Status::kNotInitialized);
  EXPECT_EQ(key.open(MutableBytes(out.data(), 40), bytes(nonce), bytes(aad), ct, tag),
            Status::kNotInitialized);
  EXPECT_TRUE(std::all_of(out.begin(), out.end(), [](uint8_t b) { return b == 0xA5; }))
      << "an uninitialised key wrote output";
  // Set up again, it works again.
  init_key(key, Vec(32, 7));
  Vec again(56);
  ASSERT_EQ(key.seal(mut(again), bytes(nonce), bytes(aad), {bytes(pt)}), Status::kOk);
  EXPECT_EQ(to_hex(again), to_hex(good));
}

// volley/aead.h: "Any number of threads may call seal() and open() on the same key at once." Four
// threads share one key, each sealing and opening its own messages (lengths around the kernels'
// block and batch sizes) against OpenSSL's results computed beforehand; a thread that saw a wrong
// byte reports which message.
TEST_P(ChaCha20Poly1305, OneKeySharedByThreads) {
  constexpr int kThreads = 4, kMessages = 24, kRounds = 20;
  std::mt19937_64 rng(0x5eed0018);
  const Vec key_bytes = random_bytes(rng, 32);
  struct Message {
    Vec nonce, aad, pt, sealed;
  };
  std::vector<std::vector<Message>> work(kThreads);
  for (auto& msgs : work) {
    for (int i = 0; i < kMessages; ++i) {
      Message m;
      m.nonce = random_bytes(rng, 12);
      m.aad = random_bytes(rng, rng() % 30);
      const size_t kLens[] = {0, 1, 63, 64, 65, 255, 256, 511, 1024, 1350, 4096, 16384};
      m.pt = random_bytes(rng, kLens[rng() % 12]);
      m.sealed.assign(m.pt.size() + 16, 0);
      openssl_seal(key_bytes, m.nonce, m.aad, m.pt.data(), m.pt.size(), m.sealed.data(),
                   m.sealed.data() + m.pt.size());
      msgs.push_back(std::move(m));
    }
  }
  AeadKey key;
  init_key(key, key_bytes);
  std::vector<std::string> errors(kThreads);
  std::vector<int> done(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < kRounds && errors[t].empty(); ++round) {
        for (int i = 0; i < kMessages && errors[t].empty(); ++i) {
          const Message& m = work[t][i];
          Vec sealed(m.sealed.size()), opened(m.pt.size());
          const std::string at =
              "thread " + std::to_string(t) + " round " + std::to_string(round) + " message " +
              std::to_string(i) + " (" + std::to_string(m.pt.size()) + " bytes)";
          if (key.seal(mut(sealed), bytes(m.nonce), bytes(m.aad), {bytes(m.pt)}) != Status::kOk ||
              sealed != m.sealed) {
            errors[t] = at + ": seal differs from OpenSSL";
          } else if (key.open(mut(opened), bytes(m.nonce), bytes(m.aad), bytes(m.sealed)) !=
                         Status::kOk ||
                     opened != m.pt) {
            errors[t] = at + ": open did not restore the message";
          } else {
            ++done[t];
          }
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(errors[t], "");
    EXPECT_EQ(done[t], kRounds * kMessages) << "thread " << t;
  }
}

// ---------------------------------------------------------------------------------------------
// Dispatch: the registry order is avx512, avx2, ssse3, neon, nohw.

TEST(ChaCha20Poly1305Dispatch, BestBackendFollowsCpuFeatures) {
  // Independently of the table's own |needs| (and of dispatch/isa_needs.h): the backend this CPU
  // must get, from the features each kernel's instructions use.
  using cpu::Feature;
  const cpu::Features& f = cpu::features();
  auto has = [&f](std::initializer_list<Feature> list) {
    for (Feature x : list) {
      if (!f.has(x)) return false;
    }
    return true;
  };
  std::string expected = "nohw";
#if defined(__x86_64__)
  const bool avx2 = has({Feature::kSse41, Feature::kAvx, Feature::kAvx2, Feature::kBmi2});
  if (avx2 && has({Feature::kAvx512f, Feature::kAvx512bw, Feature::kAvx512vl,
                   Feature::kAvx512ifma})) {
    expected = "avx512";
  } else if (avx2) {
    expected = "avx2";
  } else if (f.has(Feature::kSse41)) {
    expected = "ssse3";
  }
#elif defined(__aarch64__)
  if (has({Feature::kAsimd})) expected = "neon";
#endif
  EXPECT_EQ(dispatch::best(Family::kChaCha20Poly1305).name, expected) << cpu::to_string(f);
  AeadKey k;
  const Vec key(32, 1);
  ASSERT_EQ(k.init(kChaCha20Poly1305, bytes(key)), Status::kOk);
  EXPECT_EQ(k.backend_name(), expected);
  EXPECT_EQ(aead_internal::kernel_of(k), dispatch::find(Family::kChaCha20Poly1305, expected)->kernel);
  std::printf("[ NOTE     ] chacha20-poly1305 runs on %s here\n", expected.c_str());
}

// ---------------------------------------------------------------------------------------------
// ChaCha20 alone, per ISA instantiation.

using ChaCha20Fn = void (*)(const uint8_t*, const uint8_t*, uint32_t, const uint8_t*, uint8_t*,
                            size_t) noexcept;

struct Isa {
  const char* name;
  ChaCha20Fn fn;
  cpu::Features needs;  // what its instructions need, written out here rather than taken from
                        // the dispatch table
};

std::vector<Isa> chacha20_isas() {
  using cpu::Feature;
  std::vector<Isa> isas;
#if defined(__x86_64__)
  const cpu::Features avx2{Feature::kSse41, Feature::kAvx, Feature::kAvx2, Feature::kBmi2};
  cpu::Features avx512 = avx2;
  for (Feature x : {Feature::kAvx512f, Feature::kAvx512bw, Feature::kAvx512vl}) avx512.add(x);
  isas.push_back({"ssse3", kernels::chacha20_ssse3::chacha20_xor, cpu::Features{Feature::kSse41}});
  isas.push_back({"avx2", kernels::chacha20_avx2::chacha20_xor, avx2});
  isas.push_back({"avx512", kernels::chacha20_avx512::chacha20_xor, avx512});
#elif defined(__aarch64__)
  isas.push_back({"neon", kernels::chacha20_neon::chacha20_xor, cpu::Features{Feature::kAsimd}});
#endif
  return isas;
}

TEST(ChaCha20Isa, PortableMatchesOpenSsl) {
  std::mt19937_64 rng(0x5eed0006);
  for (size_t len = 0; len <= 1100; len += 1 + rng() % 5) {
    const Vec key = random_bytes(rng, 32), nonce = random_bytes(rng, 12),
              in = random_bytes(rng, len);
    const uint32_t counter = static_cast<uint32_t>(rng() % 1000);
    Vec a(len), b(len);
    kernels::chacha20_nohw::chacha20_xor(key.data(), nonce.data(), counter, in.data(), a.data(),
                                         len);
    openssl_chacha20(key.data(), nonce.data(), counter, in.data(), b.data(), len);
    ASSERT_EQ(to_hex(a), to_hex(b)) << "len " << len << " counter " << counter;
  }
}

// One test per ChaCha20 instantiation built for this architecture (ChaCha20Isa/Matches/<isa>); an
// instantiation this CPU cannot run is skipped, saying so.
class ChaCha20Isas : public ::testing::TestWithParam<Isa> {};

TEST_P(ChaCha20Isas, MatchesPortableAndOpenSsl) {
  const Isa& isa = GetParam();
  if (!cpu::features().has_all(isa.needs)) {
    GTEST_SKIP() << "ChaCha20 " << isa.name << " needs " << cpu::to_string(isa.needs)
                 << "; this CPU has " << cpu::to_string(cpu::features());
  }
  std::mt19937_64 rng(0x5eed0007);
  for (size_t len = 0; len <= 1100; ++len) {
    const Vec key = random_bytes(rng, 32), nonce = random_bytes(rng, 12);
    // Odd counters, and counters about to wrap modulo 2^32 (every path wraps the same way).
    const uint32_t counter = len % 5 == 0 ? static_cast<uint32_t>(0xffffffffu - rng() % 20)
                                          : static_cast<uint32_t>(rng() | 1);
    const size_t off_in = rng() % 16, off_out = rng() % 16;
    Vec in(len + 16), out(len + 16), ref(len);
    for (auto& b : in) b = static_cast<uint8_t>(rng());
    kernels::chacha20_nohw::chacha20_xor(key.data(), nonce.data(), counter, in.data() + off_in,
                                         ref.data(), len);
    isa.fn(key.data(), nonce.data(), counter, in.data() + off_in, out.data() + off_out, len);
    ASSERT_EQ(to_hex(out.data() + off_out, len), to_hex(ref))
        << "len " << len << " counter " << counter;
    isa.fn(key.data(), nonce.data(), counter, in.data() + off_in, in.data() + off_in, len);
    ASSERT_EQ(to_hex(in.data() + off_in, len), to_hex(ref)) << "in place, len " << len;
  }
  // Long inputs through the two-groups-in-flight path, against OpenSSL.
  for (size_t len : {4096, 16384, 16384 + 1000, 65536 + 7}) {
    const Vec key = random_bytes(rng, 32), nonce = random_bytes(rng, 12),
              in = random_bytes(rng, len);
    Vec a(len), b(len);
    openssl_chacha20(key.data(), nonce.data(), 3, in.data(), a.data(), len);
    isa.fn(key.data(), nonce.data(), 3, in.data(), b.data(), len);
    ASSERT_EQ(to_hex(a), to_hex(b)) << "len " << len;
  }
}

INSTANTIATE_TEST_SUITE_P(ChaCha20Isa, ChaCha20Isas, ::testing::ValuesIn(chacha20_isas()),
                         [](const ::testing::TestParamInfo<Isa>& info) {
                           return std::string(info.param.name);
                         });

}  // namespace
}  // namespace volley
