// The vector readers find every case of the shared files (known counts), and a missing file fails.
#include <stdexcept>

#include "gtest/gtest.h"
#include "tests/harness/vectors.h"

namespace volley::test {
namespace {

TEST(VectorReaders, WycheproofCounts) {
  const std::pair<const char*, int> kFiles[] = {
      {"wycheproof/aes_gcm_test.json", 316},
      {"wycheproof/chacha20_poly1305_test.json", 325},
      {"wycheproof/hkdf_sha256_test.json", 86},
      {"wycheproof/hmac_sha256_test.json", 174},
      {"wycheproof/x25519_test.json", 518},
  };
  for (const auto& [name, count] : kFiles) {
    const WycheproofFile f = read_wycheproof_file(vector_path(name));
    EXPECT_EQ(static_cast<int>(f.tests.size()), count) << name;
  }
  const WycheproofFile gcm = read_wycheproof_file(vector_path("wycheproof/aes_gcm_test.json"));
  int iv96 = 0;
  for (const WycheproofTest& t : gcm.tests) iv96 += t.group_int("ivSize") == 96;
  EXPECT_GT(iv96, 0);
  EXPECT_LT(iv96, 316);
  EXPECT_EQ(gcm.tests.front().id(), 1);
  EXPECT_EQ(gcm.tests.front().bytes("key").size(), 16u);
}

TEST(VectorReaders, BoringSslCounts) {
  const std::pair<const char*, size_t> kFiles[] = {
      {"boringssl/aes_128_gcm_tests.txt", 74},
      {"boringssl/aes_256_gcm_tests.txt", 66},
      {"boringssl/chacha20_poly1305_tests.txt", 81},
      {"boringssl/poly1305_tests.txt", 33},
  };
  for (const auto& [name, count] : kFiles) {
    EXPECT_EQ(read_file_test_file(vector_path(name)).size(), count) << name;
  }
  const auto gcm = read_file_test_file(vector_path("boringssl/aes_128_gcm_tests.txt"));
  EXPECT_EQ(to_hex(gcm[0].bytes("KEY")), "d480429666d48b400633921c5407d1d1");
  EXPECT_TRUE(gcm[0].bytes("IN").empty());
  EXPECT_EQ(gcm[0].bytes("TAG").size(), 16u);
  // The Poly1305 file uses "Key = value" and quoted text.
  const auto poly = read_file_test_file(vector_path("boringssl/poly1305_tests.txt"));
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(poly[0].bytes("Input").data()),
                        poly[0].bytes("Input").size()),
            "Cryptographic Forum Research Group");
}

TEST(VectorReaders, NistCounts) {
  const std::tuple<const char*, size_t, size_t> kFiles[] = {
      {"nist-cavp/gcmEncryptExtIV128.rsp", 375, 0},
      {"nist-cavp/gcmEncryptExtIV256.rsp", 375, 0},
      {"nist-cavp/gcmDecrypt128.rsp", 375, 196},
      {"nist-cavp/gcmDecrypt256.rsp", 375, 191},
  };
  for (const auto& [name, count, fails] : kFiles) {
    const auto cases = read_rsp_file(vector_path(name));
    EXPECT_EQ(cases.size(), count) << name;
    size_t failing = 0;
    for (const RspCase& c : cases) {
      failing += c.fail;
      EXPECT_EQ(c.section_int("IVlen"), 96) << name << ":" << c.line;
      EXPECT_EQ(c.section_int("Taglen"), 128) << name << ":" << c.line;
      EXPECT_TRUE(c.has("Key") && c.has("IV") && c.has("Tag")) << name << ":" << c.line;
    }
    EXPECT_EQ(failing, fails) << name;
  }
}

TEST(VectorReaders, MissingFileFailsLoudly) {
  EXPECT_THROW(vector_path("wycheproof/no_such_file.json"), std::runtime_error);
  EXPECT_THROW(read_file_test_file("/nonexistent/file.txt"), std::runtime_error);
  EXPECT_THROW(read_rsp_file("/nonexistent/file.rsp"), std::runtime_error);
  EXPECT_THROW(read_wycheproof_file("/nonexistent/file.json"), std::runtime_error);
}

TEST(VectorReaders, Hex) {
  EXPECT_EQ(hex("00ffA0"), (std::vector<uint8_t>{0x00, 0xff, 0xa0}));
  EXPECT_THROW(hex("abc"), std::runtime_error);
  EXPECT_THROW(hex("zz"), std::runtime_error);
}

}  // namespace
}  // namespace volley::test
