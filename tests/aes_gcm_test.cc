// The AES-GCM correctness gate: every test here runs once per AES-GCM backend this CPU can run
// (AesGcm/<Test>/<backend>), through the public API (volley/aead.h) and, for the batch and
// streaming entry points, through the backend's kernel table.
//
// Sources of truth: the Wycheproof, NIST CAVP and BoringSSL vector files (@shared_vectors), and
// OpenSSL's EVP AES-GCM as an independent implementation for randomized differential tests.
// Every failure message names the backend, the file or the random case, and the case.
#include <openssl/evp.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <ostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "engine/aead/aead_key_access.h"
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

class AesGcm : public test::BackendTest {};
VOLLEY_INSTANTIATE_FOR_EACH_BACKEND(AesGcm, Family::kAesGcm);

const Aead* aead_for_key(size_t key_len) {
  if (key_len == 16) return &kAes128Gcm;
  if (key_len == 32) return &kAes256Gcm;
  return nullptr;
}

Bytes bytes(const Vec& v) { return Bytes(v.data(), v.size()); }
MutableBytes mut(Vec& v) { return MutableBytes(v.data(), v.size()); }

// seal_tag is AeadKey::seal with the tag apart, taking the pieces as a braced list.
Status seal_tag(const AeadKey& key, Bytes nonce, Bytes aad, std::initializer_list<Bytes> in,
                MutableBytes out, MutableBytes tag) {
  return key.seal(out, tag, nonce, aad, Pieces(in.begin(), in.size()));
}

bool all_equal(const uint8_t* p, size_t n, uint8_t value) {
  for (size_t i = 0; i < n; ++i) {
    if (p[i] != value) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// OpenSSL EVP, the independent reference.

Vec openssl_seal(const Vec& key, const Vec& nonce, const Vec& aad, const uint8_t* pt, size_t len,
                 uint8_t tag[16]) {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  const EVP_CIPHER* cipher = key.size() == 16 ? EVP_aes_128_gcm() : EVP_aes_256_gcm();
  Vec ct(len);
  int n = 0;
  bool ok =
      ctx != nullptr && EVP_EncryptInit_ex(ctx, cipher, nullptr, key.data(), nonce.data()) == 1;
  if (ok && !aad.empty())
    ok = EVP_EncryptUpdate(ctx, nullptr, &n, aad.data(), static_cast<int>(aad.size())) == 1;
  if (ok && len > 0) ok = EVP_EncryptUpdate(ctx, ct.data(), &n, pt, static_cast<int>(len)) == 1;
  uint8_t scratch[16];
  if (ok) ok = EVP_EncryptFinal_ex(ctx, scratch, &n) == 1;
  if (ok) ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, tag) == 1;
  EVP_CIPHER_CTX_free(ctx);
  if (!ok) ADD_FAILURE() << "OpenSSL EVP AES-GCM seal failed";
  return ct;
}

// ---------------------------------------------------------------------------------------------
// Known-answer helpers shared by the three vector formats.

// check_known_answer seals |pt| and compares with |ct| and |tag|, then opens |ct| disjoint and in
// place and compares with |pt|. |where| names the file and case.
void check_known_answer(const AeadKey& key, const Vec& nonce, const Vec& aad, const Vec& pt,
                        const Vec& ct, const Vec& tag, const std::string& where) {
  SCOPED_TRACE(where);
  Vec out(pt.size() + 7, 0xA5);  // slack to catch overruns
  Vec out_tag(16);
  ASSERT_EQ(seal_tag(key, bytes(nonce), bytes(aad), {bytes(pt)},
                     MutableBytes(out.data(), pt.size()), mut(out_tag)),
            Status::kOk);
  EXPECT_EQ(to_hex(out.data(), pt.size()), to_hex(ct)) << "ciphertext";
  EXPECT_EQ(to_hex(out_tag), to_hex(tag)) << "tag";
  EXPECT_TRUE(all_equal(out.data() + pt.size(), 7, 0xA5)) << "seal wrote past the output";

  Vec dec(ct.size(), 0xA5);
  ASSERT_EQ(key.open(mut(dec), bytes(nonce), bytes(aad), bytes(ct), bytes(tag)), Status::kOk)
      << "open (disjoint)";
  EXPECT_EQ(to_hex(dec), to_hex(pt)) << "open (disjoint)";

  Vec in_place = ct;
  ASSERT_EQ(key.open(mut(in_place), bytes(nonce), bytes(aad), bytes(in_place), bytes(tag)),
            Status::kOk)
      << "open (in place)";
  EXPECT_EQ(to_hex(in_place), to_hex(pt)) << "open (in place)";
}

// check_open_fails opens a forged (ct, tag) and requires kAuthFailed with an all-zero output.
void check_open_fails(const AeadKey& key, const Vec& nonce, const Vec& aad, const Vec& ct,
                      const Vec& tag, const std::string& where) {
  SCOPED_TRACE(where);
  Vec dec(ct.size(), 0xA5);
  EXPECT_EQ(key.open(mut(dec), bytes(nonce), bytes(aad), bytes(ct), bytes(tag)),
            Status::kAuthFailed);
  EXPECT_TRUE(all_equal(dec.data(), dec.size(), 0)) << "output not wiped after kAuthFailed";
}

// check_nonce_rejected requires seal and open to refuse a nonce of the wrong size with
// kBadNonceLength and to write nothing.
void check_nonce_rejected(const AeadKey& key, const Vec& nonce, const Vec& aad, const Vec& pt,
                          const Vec& ct, const Vec& tag, const std::string& where) {
  SCOPED_TRACE(where);
  Vec out(pt.size(), 0xA5), out_tag(16, 0xA5);
  EXPECT_EQ(seal_tag(key, bytes(nonce), bytes(aad), {bytes(pt)}, mut(out), mut(out_tag)),
            Status::kBadNonceLength);
  EXPECT_TRUE(all_equal(out.data(), out.size(), 0xA5) && all_equal(out_tag.data(), 16, 0xA5))
      << "seal wrote output on kBadNonceLength";
  Vec dec(ct.size(), 0xA5);
  EXPECT_EQ(key.open(mut(dec), bytes(nonce), bytes(aad), bytes(ct), bytes(tag)),
            Status::kBadNonceLength);
  EXPECT_TRUE(all_equal(dec.data(), dec.size(), 0xA5)) << "open wrote output on kBadNonceLength";
}

std::string where(const std::string& backend, const std::string& file, const std::string& c) {
  return "backend " + backend + ", " + file + ", " + c;
}

// too_many_failures stops a vector loop once a broken kernel has reported plenty, so that the
// first failures stay readable.
bool too_many_failures() {
  const ::testing::TestResult* r =
      ::testing::UnitTest::GetInstance()->current_test_info()->result();
  if (r->total_part_count() < 20) return false;
  ADD_FAILURE() << "stopping this test after 20 failures";
  return true;
}

// ---------------------------------------------------------------------------------------------
// Vector files.

TEST_P(AesGcm, Wycheproof) {
  const std::string file = "wycheproof/aes_gcm_test.json";
  const test::WycheproofFile wf = test::read_wycheproof_file(test::vector_path(file));
  int valid = 0, invalid = 0, bad_nonce = 0, aes192 = 0;
  for (const test::WycheproofTest& t : wf.tests) {
    if (too_many_failures()) return;
    const std::string at = where(backend(), file, t.describe());
    const Vec key_bytes = t.bytes("key"), nonce = t.bytes("iv"), aad = t.bytes("aad");
    const Vec msg = t.bytes("msg"), ct = t.bytes("ct"), tag = t.bytes("tag");
    ASSERT_EQ(t.group_int("tagSize"), 128) << at;
    const Aead* aead = aead_for_key(key_bytes.size());
    if (aead == nullptr) {
      // AES-192 is not a TLS 1.3 AEAD; volley must refuse such keys.
      ASSERT_EQ(key_bytes.size(), 24u) << at;
      AeadKey k;
      EXPECT_EQ(k.init(kAes128Gcm, bytes(key_bytes), backend()), Status::kBadKeyLength) << at;
      EXPECT_EQ(k.init(kAes256Gcm, bytes(key_bytes), backend()), Status::kBadKeyLength) << at;
      ++aes192;
      continue;
    }
    AeadKey key;
    ASSERT_EQ(key.init(*aead, bytes(key_bytes), backend()), Status::kOk) << at;
    if (nonce.size() != 12) {
      check_nonce_rejected(key, nonce, aad, msg, ct, tag, at);
      ++bad_nonce;
    } else if (t.valid()) {
      check_known_answer(key, nonce, aad, msg, ct, tag, at);
      ++valid;
    } else {
      ASSERT_TRUE(t.invalid()) << at << ": unexpected result " << t.result();
      check_open_fails(key, nonce, aad, ct, tag, at);
      ++invalid;
    }
  }
  // The file's 316 tests: 96-bit nonces (79 valid, 54 invalid for AES-128/256), 80 AES-128/256
  // tests with other nonce sizes, 103 AES-192 tests.
  EXPECT_EQ(wf.declared_count, 316);
  EXPECT_EQ(valid, 79);
  EXPECT_EQ(invalid, 54);
  EXPECT_EQ(bad_nonce, 80);
  EXPECT_EQ(aes192, 103);
  EXPECT_EQ(valid + invalid + bad_nonce + aes192, 316);
}

void run_cavp_file(const std::string& backend, const std::string& file, bool decrypt_file,
                   int* cases, int* fails) {
  const auto rsp = test::read_rsp_file(test::vector_path(file));
  for (const test::RspCase& c : rsp) {
    if (too_many_failures()) return;
    const std::string at = where(backend, file, "line " + std::to_string(c.line));
    ASSERT_EQ(c.section_int("IVlen"), 96) << at;
    ASSERT_EQ(c.section_int("Taglen"), 128) << at;
    const Vec key_bytes = c.bytes("Key"), nonce = c.bytes("IV"), aad = c.bytes("AAD");
    const Vec ct = c.bytes("CT"), tag = c.bytes("Tag");
    const Aead* aead = aead_for_key(key_bytes.size());
    ASSERT_NE(aead, nullptr) << at;
    AeadKey key;
    ASSERT_EQ(key.init(*aead, bytes(key_bytes), backend), Status::kOk) << at;
    ++*cases;
    if (c.fail) {
      ASSERT_TRUE(decrypt_file) << at;
      check_open_fails(key, nonce, aad, ct, tag, at);
      ++*fails;
    } else {
      check_known_answer(key, nonce, aad, c.bytes("PT"), ct, tag, at);
    }
  }
}

TEST_P(AesGcm, NistCavpEncrypt) {
  for (const char* file :
       {"nist-cavp/gcmEncryptExtIV128.rsp", "nist-cavp/gcmEncryptExtIV256.rsp"}) {
    int cases = 0, fails = 0;
    run_cavp_file(backend(), file, false, &cases, &fails);
    EXPECT_EQ(cases, 375) << file;
  }
}

TEST_P(AesGcm, NistCavpDecrypt) {
  int cases = 0, fails = 0;
  run_cavp_file(backend(), "nist-cavp/gcmDecrypt128.rsp", true, &cases, &fails);
  EXPECT_EQ(cases, 375);
  EXPECT_EQ(fails, 196);
  cases = fails = 0;
  run_cavp_file(backend(), "nist-cavp/gcmDecrypt256.rsp", true, &cases, &fails);
  EXPECT_EQ(cases, 375);
  EXPECT_EQ(fails, 191);
}

TEST_P(AesGcm, BoringSsl) {
  struct File {
    const char* name;
    int cases, bad_nonce;
  };
  for (const File f : {File{"boringssl/aes_128_gcm_tests.txt", 74, 5},
                       File{"boringssl/aes_256_gcm_tests.txt", 66, 2}}) {
    const auto cases = test::read_file_test_file(test::vector_path(f.name));
    int done = 0, bad_nonce = 0;
    for (const test::FileTestCase& c : cases) {
      if (too_many_failures()) return;
      const std::string at = where(backend(), f.name, "line " + std::to_string(c.line));
      const Vec key_bytes = c.bytes("KEY"), nonce = c.bytes("NONCE"), aad = c.bytes("AD");
      const Vec pt = c.bytes("IN"), ct = c.bytes("CT"), tag = c.bytes("TAG");
      const Aead* aead = aead_for_key(key_bytes.size());
      ASSERT_NE(aead, nullptr) << at;
      ASSERT_EQ(tag.size(), 16u) << at;
      AeadKey key;
      ASSERT_EQ(key.init(*aead, bytes(key_bytes), backend()), Status::kOk) << at;
      ++done;
      if (nonce.size() != 12) {
        check_nonce_rejected(key, nonce, aad, pt, ct, tag, at);
        ++bad_nonce;
      } else if (c.has_flag("FAILS")) {
        check_open_fails(key, nonce, aad, ct, tag, at);
      } else {
        check_known_answer(key, nonce, aad, pt, ct, tag, at);
      }
    }
    EXPECT_EQ(done, f.cases) << f.name;
    EXPECT_EQ(bad_nonce, f.bad_nonce) << f.name;
  }
}

// ---------------------------------------------------------------------------------------------
// Randomized tests.

// RandomCase is one random message; describe() reproduces it in failure messages.
struct RandomCase {
  int index;
  Vec key, nonce, aad, pt;
  std::string describe(const std::string& backend) const {
    std::ostringstream s;
    s << "backend " << backend << ", random case " << index << ": key " << to_hex(key) << ", nonce "
      << to_hex(nonce) << ", aad " << aad.size() << " bytes, message " << pt.size() << " bytes";
    return s.str();
  }
};

// message_length spreads lengths over the interesting ones first (every length up to 80 bytes
// and the edges of 8- and 16-block strides), then random ones up to 4 KiB and a few of 16 KiB.
size_t message_length(int i, std::mt19937_64& rng) {
  static constexpr size_t kEdges[] = {
      95,  96,  97,  111, 112,  113,  127,  128,  129,  143,  144,  255,  256,   257,   383,  384,
      385, 511, 512, 513, 1023, 1024, 1025, 2047, 2048, 2049, 4095, 4096, 16383, 16384, 16385};
  if (i <= 80) return static_cast<size_t>(i);
  const size_t e = static_cast<size_t>(i - 81);
  if (e < sizeof(kEdges) / sizeof(kEdges[0])) return kEdges[e];
  if (i % 50 == 0) return 16384;
  return rng() % 4097;
}

RandomCase random_case(int i, std::mt19937_64& rng) {
  RandomCase c;
  c.index = i;
  c.key.resize((rng() & 1) ? 32 : 16);
  c.nonce.resize(12);
  c.aad.resize(rng() % 65);
  c.pt.resize(message_length(i, rng));
  for (Vec* v : {&c.key, &c.nonce, &c.aad, &c.pt}) {
    for (uint8_t& b : *v) b = static_cast<uint8_t>(rng());
  }
  return c;
}

// split cuts [0, len) into 1..6 random pieces (possibly empty ones), returned as cut lengths.
std::vector<size_t> split(size_t len, std::mt19937_64& rng) {
  const size_t pieces = 1 + rng() % 6;
  std::vector<size_t> cuts;
  for (size_t i = 0; i + 1 < pieces; ++i) cuts.push_back(len == 0 ? 0 : rng() % (len + 1));
  cuts.push_back(0);
  cuts.push_back(len);
  std::sort(cuts.begin(), cuts.end());
  std::vector<size_t> lengths;
  for (size_t i = 1; i < cuts.size(); ++i) lengths.push_back(cuts[i] - cuts[i - 1]);
  return lengths;
}

constexpr int kDifferentialCases = 300;

TEST_P(AesGcm, MatchesOpenSslOnRandomInputs) {
  std::mt19937_64 rng(0x766f6c6c6579);
  for (int i = 0; i < kDifferentialCases; ++i) {
    const RandomCase c = random_case(i, rng);
    const std::string at = c.describe(backend());
    SCOPED_TRACE(at);
    uint8_t want_tag[16];
    const Vec want = openssl_seal(c.key, c.nonce, c.aad, c.pt.data(), c.pt.size(), want_tag);
    AeadKey key;
    ASSERT_EQ(key.init(*aead_for_key(c.key.size()), bytes(c.key), backend()), Status::kOk);

    // Seal, from random pieces, at misaligned addresses, in place or disjoint, tag apart or
    // appended.
    const size_t n = c.pt.size();
    const size_t out_off = rng() % 32, in_off = rng() % 32;
    const bool in_place = (rng() & 1) != 0, appended = (rng() & 1) != 0;
    Vec out_buf(n + 16 + 64, 0xA5), in_buf(n + 64);
    uint8_t* out = out_buf.data() + out_off;
    uint8_t* src = in_place ? out : in_buf.data() + in_off;
    if (n > 0) std::memcpy(src, c.pt.data(), n);
    std::vector<Bytes> pieces;
    size_t pos = 0;
    for (size_t len : split(n, rng)) {
      pieces.emplace_back(src + pos, len);
      pos += len;
    }
    std::ostringstream shape;
    shape << (in_place ? "in place" : "disjoint") << ", out+" << out_off << ", in+" << in_off
          << ", tag " << (appended ? "appended" : "apart") << ", pieces";
    for (Bytes p : pieces) shape << " " << p.size();
    SCOPED_TRACE(shape.str());
    uint8_t tag_apart[16];
    const Status s =
        appended ? key.seal(MutableBytes(out, n + 16), bytes(c.nonce), bytes(c.aad), Pieces(pieces))
                 : key.seal(MutableBytes(out, n), MutableBytes(tag_apart, 16), bytes(c.nonce),
                            bytes(c.aad), Pieces(pieces));
    ASSERT_EQ(s, Status::kOk);
    const uint8_t* got_tag = appended ? out + n : tag_apart;
    ASSERT_EQ(to_hex(out, n), to_hex(want)) << "ciphertext differs from OpenSSL";
    ASSERT_EQ(to_hex(got_tag, 16), to_hex(want_tag, 16)) << "tag differs from OpenSSL";
    ASSERT_TRUE(all_equal(out + n + (appended ? 16 : 0),
                          out_buf.size() - out_off - n - (appended ? 16 : 0), 0xA5))
        << "seal wrote past its output";

    // Open OpenSSL's ciphertext, in place or disjoint, at another misalignment.
    const bool open_in_place = (rng() & 1) != 0;
    const size_t ct_off = rng() % 32, pt_off = rng() % 32;
    Vec ct_buf(n + 16 + 64), pt_buf(n + 64, 0xA5);
    uint8_t* ct = ct_buf.data() + ct_off;
    if (n > 0) std::memcpy(ct, want.data(), n);
    std::memcpy(ct + n, want_tag, 16);
    uint8_t* dst = open_in_place ? ct : pt_buf.data() + pt_off;
    const Status o = (rng() & 1) ? key.open(MutableBytes(dst, n), bytes(c.nonce), bytes(c.aad),
                                            Bytes(ct, n + 16))
                                 : key.open(MutableBytes(dst, n), bytes(c.nonce), bytes(c.aad),
                                            Bytes(ct, n), Bytes(ct + n, 16));
    ASSERT_EQ(o, Status::kOk) << (open_in_place ? "open in place" : "open disjoint");
    ASSERT_EQ(to_hex(dst, n), to_hex(c.pt)) << (open_in_place ? "open in place" : "open disjoint");
  }
}

// Counter blocks carry across bytes 15 -> 14 -> 13 of the counter: a message of more than 2^16
// blocks checks that a kernel's counter increments carry the whole 32-bit field.
TEST_P(AesGcm, LongMessageCounterCarries) {
  std::mt19937_64 rng(42);
  RandomCase c;
  c.index = -1;
  c.key.resize(16);
  c.nonce.resize(12);
  c.aad.resize(13);
  c.pt.resize((size_t{1} << 20) + 16 * 3 + 5);
  for (Vec* v : {&c.key, &c.nonce, &c.aad, &c.pt}) {
    for (uint8_t& b : *v) b = static_cast<uint8_t>(rng());
  }
  c.nonce[11] = 0xff;  // the nonce must never leak into the counter
  for (size_t key_len : {size_t{16}, size_t{32}}) {
    c.key.resize(key_len, 0x5c);
    SCOPED_TRACE(c.describe(backend()));
    uint8_t want_tag[16];
    const Vec want = openssl_seal(c.key, c.nonce, c.aad, c.pt.data(), c.pt.size(), want_tag);
    AeadKey key;
    ASSERT_EQ(key.init(*aead_for_key(key_len), bytes(c.key), backend()), Status::kOk);
    Vec out(c.pt.size()), tag(16);
    ASSERT_EQ(seal_tag(key, bytes(c.nonce), bytes(c.aad), {bytes(c.pt)}, mut(out), mut(tag)),
              Status::kOk);
    size_t first_diff = 0;
    while (first_diff < out.size() && out[first_diff] == want[first_diff]) ++first_diff;
    EXPECT_EQ(first_diff, out.size()) << "ciphertext differs from OpenSSL at byte " << first_diff;
    EXPECT_EQ(to_hex(tag), to_hex(want_tag, 16));
    ASSERT_EQ(key.open(mut(out), bytes(c.nonce), bytes(c.aad), bytes(out), bytes(tag)),
              Status::kOk);
    EXPECT_TRUE(out == c.pt) << "in-place open did not restore the message";
  }
}

// Against the portable backend; the portable backend itself, which would only meet itself there,
// is held to OpenSSL instead.
TEST_P(AesGcm, AgreesWithPortableBackend) {
  const bool is_portable = backend() == "nohw";
  std::mt19937_64 rng(7);
  for (int i = 0; i < 120; ++i) {
    const RandomCase c = random_case(i * 3 + 1, rng);
    SCOPED_TRACE(c.describe(backend()));
    AeadKey fast, ref;
    ASSERT_EQ(fast.init(*aead_for_key(c.key.size()), bytes(c.key), backend()), Status::kOk);
    ASSERT_EQ(ref.init(*aead_for_key(c.key.size()), bytes(c.key), "nohw"), Status::kOk);
    Vec a(c.pt.size() + 16), b(c.pt.size() + 16);
    ASSERT_EQ(fast.seal(mut(a), bytes(c.nonce), bytes(c.aad), {bytes(c.pt)}), Status::kOk);
    if (is_portable) {
      const Vec ct = openssl_seal(c.key, c.nonce, c.aad, c.pt.data(), c.pt.size(),
                                  b.data() + c.pt.size());
      std::copy(ct.begin(), ct.end(), b.begin());
    } else {
      ASSERT_EQ(ref.seal(mut(b), bytes(c.nonce), bytes(c.aad), {bytes(c.pt)}), Status::kOk);
    }
    ASSERT_EQ(to_hex(a), to_hex(b))
        << "sealed output differs from " << (is_portable ? "OpenSSL" : "nohw");
    Vec pa(c.pt.size());
    ASSERT_EQ(fast.open(mut(pa), bytes(c.nonce), bytes(c.aad), bytes(b)), Status::kOk);
    ASSERT_TRUE(pa == c.pt);
  }
}

// The streaming entry points, called directly: encrypt() and decrypt() in chunks that are
// multiples of stream_block (as the contract allows), the last one any length.
TEST_P(AesGcm, KernelStreamingMatchesOneShot) {
  std::mt19937_64 rng(11);
  for (int i = 0; i < 150; ++i) {
    const RandomCase c = random_case(i + 40, rng);
    SCOPED_TRACE(c.describe(backend()));
    AeadKey key;
    ASSERT_EQ(key.init(*aead_for_key(c.key.size()), bytes(c.key), backend()), Status::kOk);
    const aead_internal::AeadKernel& k = *aead_internal::kernel_of(key);
    ASSERT_GT(k.stream_block, 0u);
    ASSERT_EQ(k.stream_block % 16, 0u);
    ASSERT_LE(k.stream_block, 64u) << "the front end's gather buffer holds 64 bytes";
    Vec want(c.pt.size() + 16);
    ASSERT_EQ(key.seal(mut(want), bytes(c.nonce), bytes(c.aad), {bytes(c.pt)}), Status::kOk);
    const size_t n = c.pt.size();
    for (bool decrypt : {false, true}) {
      SCOPED_TRACE(decrypt ? "decrypt()" : "encrypt()");
      const Vec& in = decrypt ? want : c.pt;
      const bool in_place = (rng() & 1) != 0;
      Vec out(n + 1, 0xA5);
      if (in_place) std::memcpy(out.data(), in.data(), n);
      const uint8_t* src = in_place ? out.data() : in.data();
      MsgState ms;
      k.begin(aead_internal::key_state_of(key), &ms, c.nonce.data(), c.aad.data(), c.aad.size());
      size_t pos = 0;
      while (pos < n) {
        size_t chunk = k.stream_block * (rng() % 9);
        if (chunk == 0 || chunk >= n - pos) chunk = n - pos;
        (decrypt ? k.decrypt : k.encrypt)(aead_internal::key_state_of(key), &ms, src + pos,
                                          out.data() + pos, chunk);
        pos += chunk;
      }
      uint8_t tag[16];
      k.finish(aead_internal::key_state_of(key), &ms, tag);
      const Vec& expect = decrypt ? c.pt : want;
      ASSERT_EQ(to_hex(out.data(), n), to_hex(expect.data(), n));
      ASSERT_EQ(to_hex(tag, 16), to_hex(want.data() + n, 16));
      ASSERT_EQ(out[n], 0xA5) << "wrote past the output";
    }
  }
}

// BatchShape is one job of a batch: its key (index into the four test keys), AAD and message
// lengths.
struct BatchShape {
  int key;
  size_t aad_len;
  size_t len;
};

// expect_sealed checks that job j of a kernel batch call wrote outs[j] and tags[j] as sealing
// pts[j] in one piece with keys[key_of[j]] does.
void expect_sealed(AeadKey (&keys)[4], const std::vector<int>& key_of,
                   const std::vector<Vec>& nonces, const std::vector<Vec>& aads,
                   const std::vector<Vec>& pts, const std::vector<Vec>& outs,
                   const std::vector<Vec>& tags, const char* call) {
  for (size_t j = 0; j < pts.size(); ++j) {
    Vec want(pts[j].size() + 16);
    ASSERT_EQ(keys[key_of[j]].seal(mut(want), bytes(nonces[j]), bytes(aads[j]), {bytes(pts[j])}),
              Status::kOk);
    ASSERT_EQ(to_hex(outs[j]), to_hex(want.data(), pts[j].size())) << call << " job " << j;
    ASSERT_EQ(to_hex(tags[j]), to_hex(want.data() + pts[j].size(), 16))
        << call << " job " << j << " tag";
  }
}

// check_batch runs jobs_n random messages of the shapes |pick| gives through seal_batch and
// open_batch and compares them with sealing the messages one at a time.
template <typename Pick>
void check_batch(AeadKey (&keys)[4], std::mt19937_64& rng, size_t jobs_n, const std::string& label,
                 Pick pick) {
  std::vector<Vec> nonces(jobs_n, Vec(12)), aads(jobs_n), pts(jobs_n), outs(jobs_n),
      tags(jobs_n, Vec(16));
  std::vector<int> key_of(jobs_n);
  std::vector<bool> in_place(jobs_n);
  std::vector<Job> jobs(jobs_n);
  std::ostringstream shape;
  shape << label << ", jobs:";
  for (size_t j = 0; j < jobs_n; ++j) {
    const BatchShape bs = pick();
    key_of[j] = bs.key;
    aads[j].resize(bs.aad_len);
    pts[j].resize(bs.len);
    for (Vec* v : {&nonces[j], &aads[j], &pts[j]}) {
      for (uint8_t& b : *v) b = static_cast<uint8_t>(rng());
    }
    in_place[j] = (rng() & 1) != 0;
    outs[j] = in_place[j] ? pts[j] : Vec(pts[j].size(), 0xA5);
    jobs[j] = Job{.key = aead_internal::key_state_of(keys[key_of[j]]),
                  .iv = nonces[j].data(),
                  .seq = 0,
                  .aad = aads[j].data(),
                  .aad_len = aads[j].size(),
                  .in = in_place[j] ? outs[j].data() : pts[j].data(),
                  .out = outs[j].data(),
                  .len = pts[j].size(),
                  .tag = tags[j].data(), .content_len = 0, .type = 0, .inner = nullptr};
    shape << " [key " << key_of[j] << ", aad " << aads[j].size() << ", len " << pts[j].size()
          << (in_place[j] ? ", in place]" : "]");
  }
  SCOPED_TRACE(shape.str());
  aead_internal::kernel_of(keys[0])->seal_batch(jobs.data(), jobs_n);
  ASSERT_NO_FATAL_FAILURE(expect_sealed(keys, key_of, nonces, aads, pts, outs, tags, "seal_batch"));
  // open_batch over the ciphertexts just made; it returns the computed tags.
  std::vector<Vec> dec(jobs_n), got_tags(jobs_n, Vec(16));
  for (size_t j = 0; j < jobs_n; ++j) {
    dec[j] = in_place[j] ? outs[j] : Vec(pts[j].size(), 0xA5);
    jobs[j].in = in_place[j] ? dec[j].data() : outs[j].data();
    jobs[j].out = dec[j].data();
    jobs[j].tag = got_tags[j].data();
  }
  aead_internal::kernel_of(keys[0])->open_batch(jobs.data(), jobs_n);
  for (size_t j = 0; j < jobs_n; ++j) {
    ASSERT_TRUE(dec[j] == pts[j]) << "open_batch job " << j << " plaintext";
    ASSERT_EQ(to_hex(got_tags[j]), to_hex(tags[j])) << "open_batch job " << j << " tag";
  }
}

// Keys 0 and 2 are AES-128, keys 1 and 3 AES-256.
void make_batch_keys(AeadKey (&keys)[4], std::mt19937_64& rng, const std::string& backend) {
  for (int k = 0; k < 4; ++k) {
    Vec kb((k & 1) ? 32 : 16);
    for (uint8_t& b : kb) b = static_cast<uint8_t>(rng());
    ASSERT_EQ(keys[k].init(*aead_for_key(kb.size()), bytes(kb), backend), Status::kOk);
  }
}

// seal_batch / open_batch with several jobs of different keys, key sizes and lengths must equal
// sealing the messages one at a time.
TEST_P(AesGcm, BatchEqualsOneAtATime) {
  std::mt19937_64 rng(99);
  AeadKey keys[4];
  ASSERT_NO_FATAL_FAILURE(make_batch_keys(keys, rng, backend()));
  for (int round = 0; round < 40; ++round) {
    const size_t jobs_n = 1 + rng() % 12;
    std::ostringstream label;
    label << "backend " << backend() << ", batch round " << round;
    ASSERT_NO_FATAL_FAILURE(check_batch(keys, rng, jobs_n, label.str(), [&] {
      const int key = static_cast<int>(rng() % 4);
      const size_t aad_len = rng() % 40;
      const int kind = static_cast<int>(rng() % 8);
      const size_t len = kind == 0   ? 0
                         : kind == 1 ? 16384 + rng() % 100
                         : kind < 5  ? rng() % 64
                                     : rng() % 2000;
      return BatchShape{key, aad_len, len};
    }));
  }
}

// Record-layer shaped batches (TLS 1.3: content + 1 type byte, 5-byte AAD), around the one- and
// two-vector limits of the vectorised small-message path (64 and 128 bytes, AAD 16): one key
// and one length, one key and mixed lengths, mixed keys and key sizes, two AES-128 keys.
TEST_P(AesGcm, BatchRecordSizes) {
  std::mt19937_64 rng(4242);
  AeadKey keys[4];
  ASSERT_NO_FATAL_FAILURE(make_batch_keys(keys, rng, backend()));
  for (int round = 0; round < 80; ++round) {
    const size_t jobs_n = 1 + rng() % 33;
    const int mode = round % 4;
    const int key0 = static_cast<int>(rng() % 4);
    const size_t len0 = 65 + rng() % 64;
    std::ostringstream label;
    label << "backend " << backend() << ", record round " << round;
    ASSERT_NO_FATAL_FAILURE(check_batch(keys, rng, jobs_n, label.str(), [&] {
      switch (mode) {
        case 0:
          return BatchShape{key0, 5, len0};
        case 1:
          return BatchShape{key0, rng() % 17, rng() % 129};
        case 2:
          return BatchShape{static_cast<int>(rng() % 4), rng() % 18, rng() % 131};
        default:
          return BatchShape{2 * static_cast<int>(rng() % 2), 5, 60 + rng() % 70};
      }
    }));
  }
}

// Long messages that follow each other with the same number of 256-byte chunks (the record layer's
// full-sized records) may be sealed two at a time (the AVX-512 kernel's seal_pair): every chunk
// count from 1 to 9, closing pieces on both sides of the limits of that path (224 bytes), AAD up
// to one block and beyond, keys of both sizes interleaved.
TEST_P(AesGcm, LongMessagesInPairsEqualOneAtATime) {
  std::mt19937_64 rng(2468);
  AeadKey keys[4];
  ASSERT_NO_FATAL_FAILURE(make_batch_keys(keys, rng, backend()));
  constexpr size_t kTails[] = {0, 1, 15, 16, 17, 63, 64, 71, 200, 224, 225, 255};
  for (int round = 0; round < 36; ++round) {
    const size_t chunks = 1 + static_cast<size_t>(round) % 9;
    const size_t jobs_n = 2 + rng() % 7;
    std::ostringstream label;
    label << "backend " << backend() << ", pairs round " << round << ", " << chunks << " chunks";
    ASSERT_NO_FATAL_FAILURE(check_batch(keys, rng, jobs_n, label.str(), [&] {
      const size_t tail = kTails[rng() % std::size(kTails)];
      const size_t aad_len = rng() % 4 == 0 ? rng() % 40 : rng() % 17;
      return BatchShape{static_cast<int>(rng() % 4), aad_len, 256 * chunks + tail};
    }));
  }
}

// Framed jobs and record-shaped runs (one key, one IV, consecutive sequence numbers, one length,
// in place or framed from the caller's buffers, broken at every position), on every backend.
TEST_P(AesGcm, FramedJobsEqualSeal) {
  AeadKey keys[4];
  std::mt19937_64 rng(1357);
  ASSERT_NO_FATAL_FAILURE(make_batch_keys(keys, rng, backend()));
  ASSERT_NO_FATAL_FAILURE(test::check_framed_jobs({&keys[0], &keys[1], &keys[2], &keys[3]}, 1357));
}

TEST_P(AesGcm, RecordRunsEqualSeal) {
  AeadKey keys[4];
  std::mt19937_64 rng(8642);
  ASSERT_NO_FATAL_FAILURE(make_batch_keys(keys, rng, backend()));
  // Keys 0 and 2 are AES-128: a run's other key must be of the same size to stay one run.
  ASSERT_NO_FATAL_FAILURE(test::check_record_runs({&keys[0], &keys[2]}, 8642));
  ASSERT_NO_FATAL_FAILURE(test::check_record_runs({&keys[1], &keys[3]}, 8643));
}

// The content type found while opening (Job::inner) equals the standalone scan's, for every
// length and type position and each path of the kernel; vaes-avx512 alone claims the feature,
// and the other backends must leave the answer alone (the record layer then scans).
TEST_P(AesGcm, OpenFindsContentType) {
  AeadKey keys[4];
  std::mt19937_64 rng(4242);
  ASSERT_NO_FATAL_FAILURE(make_batch_keys(keys, rng, backend()));
  const bool fused = backend() == "vaes-avx512";
  const size_t max_len = fused ? 600 : 130;
  // Keys 0 and 2 are AES-128, 1 and 3 AES-256.
  ASSERT_NO_FATAL_FAILURE(
      test::check_inner_types_exhaustive({&keys[0], &keys[2]}, fused, max_len, 11));
  ASSERT_NO_FATAL_FAILURE(
      test::check_inner_types_exhaustive({&keys[1], &keys[3]}, fused, max_len, 12));
  ASSERT_NO_FATAL_FAILURE(
      test::check_inner_types_boundaries({&keys[0], &keys[1], &keys[2], &keys[3]}, fused, 13));
}

// Batches laid out as the record layer writes them: records back to back in one buffer, each its
// AAD (the header) just before its body, sealed in place with the tag right after the body. A
// prefix of jobs sharing length, AAD bytes and key size (one key, or a key per job) takes a
// kernel's uniform path; the rest, with other lengths and AAD, follow as a non-uniform tail.
TEST_P(AesGcm, UniformBatchesInRecordLayout) {
  std::mt19937_64 rng(777);
  AeadKey keys[4];
  ASSERT_NO_FATAL_FAILURE(make_batch_keys(keys, rng, backend()));
  for (int round = 0; round < 120; ++round) {
    const size_t n = 4 + rng() % 29;
    const size_t uniform = round % 3 == 0 ? n : 4 * (1 + rng() % (n / 4));
    const size_t len = round % 4 == 0 ? rng() % 65 : 60 + rng() % 24;
    const size_t aad_len = round % 5 == 0 ? rng() % 17 : 5;
    const int size_bit = static_cast<int>(rng() % 2);  // keys 0, 2: AES-128; 1, 3: AES-256
    const bool key_per_job = (round & 1) != 0;
    Vec shared_aad(aad_len);
    for (uint8_t& b : shared_aad) b = static_cast<uint8_t>(rng());

    std::vector<size_t> at(n), lens(n), aad_lens(n);
    std::vector<int> key_of(n);
    size_t total = 0;
    for (size_t j = 0; j < n; ++j) {
      const bool tail = j >= uniform;
      lens[j] = tail ? rng() % 100 : len;
      aad_lens[j] = tail ? rng() % 17 : aad_len;
      key_of[j] = (key_per_job && (j & 1) ? 2 : 0) + size_bit;
      at[j] = total;
      total += aad_lens[j] + lens[j] + 16;
    }
    Vec buf(total), nonces(12 * n);
    for (uint8_t& b : buf) b = static_cast<uint8_t>(rng());
    for (uint8_t& b : nonces) b = static_cast<uint8_t>(rng());
    std::vector<Job> jobs(n);
    for (size_t j = 0; j < n; ++j) {
      uint8_t* rec = buf.data() + at[j];
      if (j < uniform) std::copy(shared_aad.begin(), shared_aad.end(), rec);
      uint8_t* body = rec + aad_lens[j];
      jobs[j] = Job{.key = aead_internal::key_state_of(keys[key_of[j]]),
                    .iv = &nonces[12 * j],
                    .seq = 0,
                    .aad = rec,
                    .aad_len = aad_lens[j],
                    .in = body,
                    .out = body,
                    .len = lens[j],
                    .tag = body + lens[j], .content_len = 0, .type = 0, .inner = nullptr};
    }
    const Vec plain = buf;
    std::ostringstream label;
    label << "backend " << backend() << ", round " << round << ": " << n << " jobs, " << uniform
          << " uniform of len " << len << " aad " << aad_len
          << (key_per_job ? ", two keys alternating" : ", one key");
    SCOPED_TRACE(label.str());

    aead_internal::kernel_of(keys[0])->seal_batch(jobs.data(), n);
    for (size_t j = 0; j < n; ++j) {
      const uint8_t* rec = plain.data() + at[j];
      Vec want(lens[j] + 16);
      ASSERT_EQ(keys[key_of[j]].seal(mut(want), Bytes(&nonces[12 * j], 12),
                                     Bytes(rec, aad_lens[j]), {Bytes(rec + aad_lens[j], lens[j])}),
                Status::kOk);
      ASSERT_EQ(to_hex(buf.data() + at[j] + aad_lens[j], lens[j] + 16), to_hex(want))
          << "seal_batch job " << j;
    }
    // open_batch in place over the sealed buffer: the plaintext comes back and each computed tag
    // (written to scratch) equals the one sealed.
    const Vec sealed = buf;
    Vec tags(16 * n);
    for (size_t j = 0; j < n; ++j) jobs[j].tag = &tags[16 * j];
    aead_internal::kernel_of(keys[0])->open_batch(jobs.data(), n);
    for (size_t j = 0; j < n; ++j) {
      const size_t body = at[j] + aad_lens[j];
      ASSERT_EQ(to_hex(buf.data() + body, lens[j]), to_hex(plain.data() + body, lens[j]))
          << "open_batch job " << j;
      ASSERT_EQ(to_hex(&tags[16 * j], 16), to_hex(sealed.data() + body + lens[j], 16))
          << "open_batch job " << j << " tag";
    }
  }
}

// A flipped bit anywhere in the ciphertext, the tag or the AAD must fail with kAuthFailed and a
// zeroed output, both in place and disjoint.
TEST_P(AesGcm, TamperingIsDetected) {
  std::mt19937_64 rng(5);
  for (size_t len : {size_t{0}, size_t{1}, size_t{15}, size_t{16}, size_t{17}, size_t{33},
                     size_t{130}, size_t{1000}}) {
    RandomCase c = random_case(0, rng);
    c.pt.resize(len);
    c.aad.resize(len % 2 ? 13 : 20);
    for (uint8_t& b : c.pt) b = static_cast<uint8_t>(rng());
    for (uint8_t& b : c.aad) b = static_cast<uint8_t>(rng());
    SCOPED_TRACE(c.describe(backend()));
    AeadKey key;
    ASSERT_EQ(key.init(*aead_for_key(c.key.size()), bytes(c.key), backend()), Status::kOk);
    Vec sealed(len + 16);
    ASSERT_EQ(key.seal(mut(sealed), bytes(c.nonce), bytes(c.aad), {bytes(c.pt)}), Status::kOk);
    const size_t total_bits = 8 * (sealed.size() + c.aad.size());
    // Every bit for short messages; 200 random ones (plus the tag's) for long ones.
    std::vector<size_t> bits;
    if (total_bits <= 2048) {
      for (size_t b = 0; b < total_bits; ++b) bits.push_back(b);
    } else {
      for (int k = 0; k < 200; ++k) bits.push_back(rng() % total_bits);
      for (size_t b = 8 * len; b < 8 * (len + 16); ++b) bits.push_back(b);
    }
    for (size_t bit : bits) {
      Vec s = sealed, aad = c.aad;
      const bool in_aad = bit >= 8 * sealed.size();
      const size_t byte = (in_aad ? bit - 8 * sealed.size() : bit) / 8;
      (in_aad ? aad : s)[byte] ^= static_cast<uint8_t>(1u << (bit % 8));
      const char* what = in_aad ? "AAD" : byte >= len ? "tag" : "ciphertext";
      const bool in_place = (bit & 1) != 0;
      Vec out(len, 0xA5);
      const Status st = in_place ? key.open(MutableBytes(s.data(), len), bytes(c.nonce), bytes(aad),
                                            Bytes(s.data(), len), Bytes(s.data() + len, 16))
                                 : key.open(mut(out), bytes(c.nonce), bytes(aad), bytes(s));
      ASSERT_EQ(st, Status::kAuthFailed)
          << "flipped " << what << " byte " << byte << " bit " << bit % 8;
      const uint8_t* o = in_place ? s.data() : out.data();
      ASSERT_TRUE(all_equal(o, len, 0))
          << "output not zeroed after flipping " << what << " byte " << byte;
    }
    // And the untouched message still opens.
    Vec out(len);
    ASSERT_EQ(key.open(mut(out), bytes(c.nonce), bytes(c.aad), bytes(sealed)), Status::kOk);
    ASSERT_TRUE(out == c.pt);
  }
}

// Wrong sizes and overlaps: the documented Status, and nothing written.
TEST_P(AesGcm, ArgumentErrors) {
  const std::string at = "backend " + backend();
  SCOPED_TRACE(at);
  for (size_t bad_len : {size_t{0}, size_t{15}, size_t{17}, size_t{24}, size_t{31}, size_t{33}}) {
    const Vec kb(bad_len, 1);
    for (const Aead* a : {&kAes128Gcm, &kAes256Gcm}) {
      AeadKey k;
      EXPECT_EQ(k.init(*a, bytes(kb), backend()), Status::kBadKeyLength)
          << a->name << " key " << bad_len;
      EXPECT_FALSE(k.initialized());
    }
  }
  const Vec kb(16, 7);
  AeadKey key;
  ASSERT_EQ(key.init(kAes128Gcm, bytes(kb), backend()), Status::kOk);
  EXPECT_EQ(key.backend_name(), backend());
  EXPECT_EQ(&key.aead(), &kAes128Gcm);

  const Vec nonce(12, 1), aad(5, 2), pt(40, 3);
  Vec good(56);
  ASSERT_EQ(key.seal(mut(good), bytes(nonce), bytes(aad), {bytes(pt)}), Status::kOk);

  // Nonces of any other size.
  for (size_t nl : {size_t{0}, size_t{8}, size_t{11}, size_t{13}, size_t{16}}) {
    check_nonce_rejected(key, Vec(nl, 1), aad, pt, Vec(good.begin(), good.begin() + 40),
                         Vec(good.begin() + 40, good.end()),
                         "nonce of " + std::to_string(nl) + " bytes");
  }
  // Output and tag sizes.
  {
    Vec out(64, 0xA5);
    EXPECT_EQ(seal_tag(key, bytes(nonce), bytes(aad), {bytes(pt)}, MutableBytes(out.data(), 39),
                       MutableBytes(out.data() + 48, 16)),
              Status::kBadOutputLength);
    EXPECT_EQ(seal_tag(key, bytes(nonce), bytes(aad), {bytes(pt)}, MutableBytes(out.data(), 41),
                       MutableBytes(out.data() + 48, 16)),
              Status::kBadOutputLength);
    EXPECT_EQ(seal_tag(key, bytes(nonce), bytes(aad), {bytes(pt)}, MutableBytes(out.data(), 40),
                       MutableBytes(out.data() + 48, 15)),
              Status::kBadOutputLength);
    EXPECT_EQ(key.seal(MutableBytes(out.data(), 55), bytes(nonce), bytes(aad), {bytes(pt)}),
              Status::kBadOutputLength);
    EXPECT_EQ(key.seal(MutableBytes(out.data(), 15), bytes(nonce), bytes(aad), {bytes(pt)}),
              Status::kBadOutputLength);
    EXPECT_EQ(key.open(MutableBytes(out.data(), 40), bytes(nonce), bytes(aad),
                       Bytes(good.data(), 40), Bytes(good.data() + 40, 15)),
              Status::kBadOutputLength);
    EXPECT_EQ(key.open(MutableBytes(out.data(), 41), bytes(nonce), bytes(aad),
                       Bytes(good.data(), 40), Bytes(good.data() + 40, 16)),
              Status::kBadOutputLength);
    EXPECT_EQ(key.open(MutableBytes(out.data(), 39), bytes(nonce), bytes(aad), bytes(good)),
              Status::kBadOutputLength);
    EXPECT_EQ(
        key.open(MutableBytes(out.data(), 0), bytes(nonce), bytes(aad), Bytes(good.data(), 15)),
        Status::kBadInputLength);
    EXPECT_TRUE(all_equal(out.data(), out.size(), 0xA5)) << "wrote output on a size error";
  }
  // Partial overlaps: output shifted against input, tag or AAD inside the output.
  {
    Vec buf(128, 0xA5);
    std::memcpy(buf.data() + 1, pt.data(), 40);
    const Vec before = buf;
    EXPECT_EQ(seal_tag(key, bytes(nonce), bytes(aad), {Bytes(buf.data() + 1, 40)},
                       MutableBytes(buf.data(), 40), MutableBytes(buf.data() + 100, 16)),
              Status::kBadAliasing);
    EXPECT_EQ(seal_tag(key, bytes(nonce), bytes(aad), {Bytes(buf.data() + 1, 40)},
                       MutableBytes(buf.data() + 2, 40), MutableBytes(buf.data() + 100, 16)),
              Status::kBadAliasing);
    // Two pieces where the second is not where its ciphertext goes.
    EXPECT_EQ(seal_tag(key, bytes(nonce), bytes(aad),
                       {Bytes(buf.data() + 1, 20), Bytes(buf.data() + 1, 20)},
                       MutableBytes(buf.data() + 1, 40), MutableBytes(buf.data() + 100, 16)),
              Status::kBadAliasing);
    EXPECT_EQ(seal_tag(key, bytes(nonce), bytes(aad), {bytes(pt)}, MutableBytes(buf.data(), 40),
                       MutableBytes(buf.data() + 30, 16)),
              Status::kBadAliasing);
    EXPECT_EQ(seal_tag(key, bytes(nonce), Bytes(buf.data() + 35, 5), {bytes(pt)},
                       MutableBytes(buf.data(), 40), MutableBytes(buf.data() + 100, 16)),
              Status::kBadAliasing);
    EXPECT_TRUE(buf == before) << "seal wrote output on kBadAliasing";

    std::memcpy(buf.data() + 1, good.data(), 56);
    const Vec before_open = buf;
    EXPECT_EQ(key.open(MutableBytes(buf.data(), 40), bytes(nonce), bytes(aad),
                       Bytes(buf.data() + 1, 40), Bytes(buf.data() + 41, 16)),
              Status::kBadAliasing);
    EXPECT_EQ(key.open(MutableBytes(buf.data() + 5, 40), bytes(nonce), bytes(aad),
                       Bytes(buf.data() + 1, 40), Bytes(good.data() + 40, 16)),
              Status::kBadAliasing);
    EXPECT_EQ(key.open(MutableBytes(buf.data() + 60, 40), bytes(nonce), Bytes(buf.data() + 90, 5),
                       Bytes(good.data(), 40), Bytes(good.data() + 40, 16)),
              Status::kBadAliasing);
    EXPECT_TRUE(buf == before_open) << "open wrote output on kBadAliasing";
  }
  // An uninitialised key.
  {
    AeadKey none;
    Vec out(56, 0xA5);
    EXPECT_EQ(none.seal(mut(out), bytes(nonce), bytes(aad), {bytes(pt)}), Status::kNotInitialized);
    EXPECT_EQ(none.open(MutableBytes(out.data(), 40), bytes(nonce), bytes(aad), bytes(good)),
              Status::kNotInitialized);
    EXPECT_TRUE(all_equal(out.data(), out.size(), 0xA5));
  }
}

// init with each backend's name reports that name; unknown and unavailable names are refused.
TEST_P(AesGcm, ReportsItsBackend) {
  const Vec kb(32, 9);
  AeadKey key;
  ASSERT_EQ(key.init(kAes256Gcm, bytes(kb), backend()), Status::kOk);
  EXPECT_EQ(key.backend_name(), backend());
  EXPECT_EQ(aead_internal::kernel_of(key), dispatch::find(Family::kAesGcm, backend())->kernel);
}

// ---------------------------------------------------------------------------------------------
// Not per backend.

TEST(AesGcmDispatch, DefaultKeyUsesBestBackend) {
  const Vec kb(16, 3);
  AeadKey key;
  ASSERT_EQ(key.init(kAes128Gcm, bytes(kb)), Status::kOk);
  const dispatch::Backend& best = dispatch::best(Family::kAesGcm);
  EXPECT_EQ(key.backend_name(), best.name);
  const auto available = test::available_backends(Family::kAesGcm);
  ASSERT_FALSE(available.empty());
  EXPECT_EQ(key.backend_name(), available.front());

  // Independently of the table's own |needs|: the backend this CPU must get.
  using cpu::Feature;
  const cpu::Features& f = cpu::features();
  auto built = [](const char* name) {
    const dispatch::Backend* b = dispatch::find(Family::kAesGcm, name);
    return b != nullptr && b->kernel != nullptr;
  };
  auto has = [&f](std::initializer_list<Feature> list) {
    for (Feature x : list) {
      if (!f.has(x)) return false;
    }
    return true;
  };
  std::string expect = "nohw";
#if defined(__x86_64__)
  const bool aes = has({Feature::kAes, Feature::kPclmulqdq, Feature::kSse41});
  const bool vaes = aes && has({Feature::kAvx, Feature::kAvx2, Feature::kBmi2, Feature::kVaes,
                                Feature::kVpclmulqdq});
  if (vaes && has({Feature::kAvx512f, Feature::kAvx512bw, Feature::kAvx512vl}) &&
      built("vaes-avx512")) {
    expect = "vaes-avx512";
  } else if (vaes && built("vaes-avx2")) {
    expect = "vaes-avx2";
  } else if (aes && built("aesni")) {
    expect = "aesni";
  }
  // The x86-64 build always has the AES-NI kernel; a CPU with AES-NI must not fall back to nohw.
  EXPECT_TRUE(built("aesni"));
  if (aes) {
    EXPECT_NE(key.backend_name(), "nohw");
  }
#elif defined(__aarch64__)
  const bool arm = has({Feature::kAsimd, Feature::kArmAes, Feature::kPmull});
  if (arm && f.has(Feature::kSha3) && built("armv8-sha3")) {
    expect = "armv8-sha3";
  } else if (arm && built("armv8")) {
    expect = "armv8";
  }
#endif
  EXPECT_EQ(key.backend_name(), expect) << "CPU features: " << cpu::to_string(f);
}

TEST(AesGcmDispatch, ForcedBackendIsUsedAndUnknownNamesRefused) {
  const Vec kb(16, 4);
  for (const std::string& name : test::available_backends(Family::kAesGcm)) {
    ASSERT_EQ(dispatch::force(Family::kAesGcm, name), dispatch::ForceResult::kOk) << name;
    AeadKey key;
    ASSERT_EQ(key.init(kAes128Gcm, bytes(kb)), Status::kOk);
    EXPECT_EQ(key.backend_name(), name);
  }
  ASSERT_EQ(dispatch::force(Family::kAesGcm, ""), dispatch::ForceResult::kOk);
  AeadKey key;
  EXPECT_EQ(key.init(kAes128Gcm, bytes(kb), "no-such-backend"), Status::kUnknownBackend);
  EXPECT_FALSE(key.initialized());
  for (const dispatch::Backend& b : dispatch::backends(Family::kAesGcm)) {
    if (dispatch::available(b)) continue;
    EXPECT_EQ(key.init(kAes128Gcm, bytes(kb), b.name), Status::kBackendUnavailable) << b.name;
    EXPECT_FALSE(key.initialized());
  }
}

// Every pair of backends agrees (each also agrees with nohw in AgreesWithPortableBackend); here
// all of them seal the same random messages in one loop, so a disagreement names both.
TEST(AesGcmDispatch, AllBackendsAgree) {
  const auto names = test::available_backends(Family::kAesGcm);
  std::mt19937_64 rng(3);
  for (int i = 0; i < 60; ++i) {
    const RandomCase c = random_case(i * 7, rng);
    Vec first;
    for (const std::string& name : names) {
      AeadKey key;
      ASSERT_EQ(key.init(*aead_for_key(c.key.size()), bytes(c.key), name), Status::kOk);
      Vec out(c.pt.size() + 16);
      ASSERT_EQ(key.seal(mut(out), bytes(c.nonce), bytes(c.aad), {bytes(c.pt)}), Status::kOk);
      if (first.empty()) {
        first = out;
      } else {
        ASSERT_EQ(to_hex(out), to_hex(first))
            << c.describe(name) << " differs from " << names.front();
      }
    }
  }
}

}  // namespace
}  // namespace volley
