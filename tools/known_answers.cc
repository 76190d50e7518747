#include "tools/known_answers.h"

#include <cstdint>
#include <cstring>
#include <vector>

#include "volley/aead.h"

namespace volley::tool {
namespace {

std::vector<uint8_t> unhex(std::string_view s) {
  std::vector<uint8_t> out(s.size() / 2);
  auto nibble = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<uint8_t>(nibble(s[2 * i]) << 4 | nibble(s[2 * i + 1]));
  }
  return out;
}

struct AeadVector {
  const Aead* aead;
  const char* source;
  std::string_view key, nonce, aad, plaintext, ciphertext, tag;
};

// The GCM specification's test cases 3 and 15 (McGrew and Viega), and RFC 8439 §2.8.2.
const AeadVector kAeadVectors[] = {
    {&kAes128Gcm, "GCM spec test case 3", "feffe9928665731c6d6a8f9467308308",
     "cafebabefacedbaddecaf888", "",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6"
     "b525b16aedf5aa0de657ba637b391aafd255",
     "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84"
     "aa051ba30b396a0aac973d58e091473f5985",
     "4d5c2af327cd64a62cf35abd2ba6fab4"},
    {&kAes256Gcm, "GCM spec test case 15",
     "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
     "cafebabefacedbaddecaf888", "",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6"
     "b525b16aedf5aa0de657ba637b391aafd255",
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b105682"
     "8838c5f61e6393ba7a0abcc9f662898015ad",
     "b094dac5d93471bdec1a502270e3cc6c"},
    {&kChaCha20Poly1305, "RFC 8439 2.8.2",
     "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f", "070000004041424344454647",
     "50515253c0c1c2c3c4c5c6c7",
     "4c616469657320616e642047656e746c656d656e206f662074686520636c617373206f66202739393a204966204920"
     "636f756c64206f6666657220796f75206f6e6c79206f6e652074697020666f7220746865206675747572652c207375"
     "6e73637265656e20776f756c642062652069742e",
     "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da9272"
     "8b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b48"
     "31d7bc3ff4def08e4b7a9de576d26586cec64b6116",
     "1ae10b594f09e26a7e902ecbd0600691"},
};

// check_aead seals and opens |v| on |backend|, and checks a tampered tag is rejected.
std::string check_aead(const AeadVector& v, std::string_view backend) {
  const auto key = unhex(v.key), nonce = unhex(v.nonce), aad = unhex(v.aad);
  const auto pt = unhex(v.plaintext), ct = unhex(v.ciphertext), tag = unhex(v.tag);
  AeadKey k;
  if (Status s = k.init(*v.aead, key, backend); s != Status::kOk) {
    return std::string("init: ") + std::string(status_name(s));
  }
  std::vector<uint8_t> sealed(pt.size() + 16);
  const Bytes piece(pt);
  if (k.seal(nonce, aad, Pieces(&piece, 1), sealed) != Status::kOk ||
      std::memcmp(sealed.data(), ct.data(), ct.size()) != 0 ||
      std::memcmp(sealed.data() + ct.size(), tag.data(), 16) != 0) {
    return "seal gave the wrong ciphertext or tag";
  }
  std::vector<uint8_t> opened(pt.size());
  if (k.open(nonce, aad, sealed, opened) != Status::kOk || opened != pt) {
    return "open failed";
  }
  sealed.back() ^= 1;
  if (k.open(nonce, aad, sealed, opened) != Status::kAuthFailed) return "accepted a bad tag";
  return {};
}

}  // namespace

KnownAnswerResult run_known_answers(dispatch::Family family, std::string_view backend) {
  KnownAnswerResult result;
  std::string passed;
  for (const AeadVector& v : kAeadVectors) {
    if (v.aead->family != family) continue;
    const std::string error = check_aead(v, backend);
    if (!error.empty()) {
      result.failed = true;
      result.detail += std::string(v.aead->name) + " " + v.source + ": " + error + "; ";
    } else {
      passed += (passed.empty() ? "" : ", ") + std::string(v.source);
    }
  }
  if (!result.failed) result.detail = passed.empty() ? "none defined" : "ok (" + passed + ")";
  return result;
}

}  // namespace volley::tool
