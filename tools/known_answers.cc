#include "tools/known_answers.h"

#include <cstdint>
#include <cstring>
#include <vector>

#include "engine/kernels/content_type_kernels.h"
#include "tools/cli_io.h"
#include "volley/aead.h"
#include "volley/sha2.h"
#include "volley/x25519.h"

namespace volley::tool {
namespace {

// unhex decodes one of the constant vectors below (always well-formed hex).
std::vector<uint8_t> unhex(std::string_view s) {
  std::vector<uint8_t> out;
  parse_hex(std::string(s), &out);
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
  if (k.seal(sealed, nonce, aad, Pieces(&piece, 1)) != Status::kOk ||
      std::memcmp(sealed.data(), ct.data(), ct.size()) != 0 ||
      std::memcmp(sealed.data() + ct.size(), tag.data(), 16) != 0) {
    return "seal gave the wrong ciphertext or tag";
  }
  std::vector<uint8_t> opened(pt.size());
  if (k.open(opened, nonce, aad, sealed) != Status::kOk || opened != pt) {
    return "open failed";
  }
  sealed.back() ^= 1;
  if (k.open(opened, nonce, aad, sealed) != Status::kAuthFailed) return "accepted a bad tag";
  return {};
}

// FIPS 180-4 examples ("abc" and the two-block message) on one hash backend.
template <class Hash>
std::string check_hash(std::string_view backend, std::string_view abc,
                       std::string_view two_block) {
  const std::string_view messages[2] = {
      "abc", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"};
  const std::string_view digests[2] = {abc, two_block};
  for (int i = 0; i < 2; ++i) {
    if (digests[i].empty()) continue;
    Hash h;
    if (Status s = h.init(backend); s != Status::kOk) return std::string(status_name(s));
    h.update(messages[i].data(), messages[i].size());
    uint8_t out[Hash::kDigestSize];
    h.final(out);
    if (std::vector<uint8_t>(out, out + sizeof(out)) != unhex(digests[i])) {
      return "wrong digest of \"" + std::string(messages[i]) + "\"";
    }
  }
  return {};
}

// RFC 7748 §5.2, first vector, and §6.1's Diffie-Hellman public key.
std::string check_x25519(std::string_view backend) {
  const auto scalar = unhex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4");
  const auto u = unhex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c");
  const auto expected = unhex("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");
  uint8_t out[32];
  if (Status s = x25519(out, scalar.data(), u.data(), backend); s != Status::kOk) {
    return std::string(status_name(s));
  }
  if (std::vector<uint8_t>(out, out + 32) != expected) return "wrong shared secret";
  const auto alice = unhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
  const auto alice_pub = unhex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
  if (Status s = x25519_public_from_private(out, alice.data(), backend); s != Status::kOk) {
    return std::string(status_name(s));
  }
  if (std::vector<uint8_t>(out, out + 32) != alice_pub) return "wrong public key";
  return {};
}

// TLSInnerPlaintext examples built to RFC 8446 §5.4 (content, type, zero padding): a bare alert
// type, handshake content with zero bytes inside and padding across the wide kernels' steps, and
// an all-zero buffer, which has no type.
std::string check_content_type(std::string_view backend) {
  const dispatch::Backend* b = dispatch::find(dispatch::Family::kContentType, backend);
  if (b == nullptr) return "unknown backend";
  if (!dispatch::available(*b)) return "backend unavailable";
  const auto& kernel = *static_cast<const kernels::ContentTypeKernel*>(b->kernel);
  struct Case {
    size_t content, padding;
    uint8_t type;
  };
  for (const Case c : {Case{0, 0, 0x15}, Case{300, 200, 0x16}, Case{1000, 0, 0x17},
                       Case{0, 1000, 0}}) {
    std::vector<uint8_t> inner(c.content + 1 + c.padding, 0);
    for (size_t i = 0; i < c.content; ++i) inner[i] = static_cast<uint8_t>(i * 7);
    inner[c.content] = c.type;
    size_t content_len = 12345;
    const uint8_t type = kernel.scan(inner.data(), inner.size(), &content_len);
    const size_t want_len = c.type != 0 ? c.content : 0;
    if (type != c.type || content_len != want_len) {
      return "wrong type or length for " + std::to_string(c.content) + " bytes of content and " +
             std::to_string(c.padding) + " of padding";
    }
  }
  return {};
}

}  // namespace

KnownAnswerResult run_known_answers(dispatch::Family family, std::string_view backend) {
  KnownAnswerResult result;
  std::string passed;
  auto record = [&](const char* what, const std::string& error) {
    if (!error.empty()) {
      result.failed = true;
      result.detail += std::string(what) + ": " + error + "; ";
    } else {
      passed += (passed.empty() ? "" : ", ") + std::string(what);
    }
  };
  switch (family) {
    case dispatch::Family::kSha256:
      record("FIPS 180-4 SHA-256",
             check_hash<Sha256>(
                 backend, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                 "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
      break;
    case dispatch::Family::kSha512:
      record("FIPS 180-4 SHA-384",
             check_hash<Sha384>(backend,
                                "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
                                "8086072ba1e7cc2358baeca134c825a7",
                                {}));
      record("FIPS 180-4 SHA-512",
             check_hash<Sha512>(backend,
                                "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
                                "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
                                {}));
      break;
    case dispatch::Family::kX25519:
      record("RFC 7748", check_x25519(backend));
      break;
    case dispatch::Family::kContentType:
      record("RFC 8446 §5.4 inner plaintexts", check_content_type(backend));
      break;
    default:
      break;
  }
  for (const AeadVector& v : kAeadVectors) {
    if (v.aead->family != family) continue;
    record(v.source, check_aead(v, backend));
  }
  if (passed.empty() && !result.failed) {
    result.failed = true;  // a family without a known-answer test must not pass silently
    result.detail = "no known-answer test for this family";
  }
  if (!result.failed) result.detail = "ok (" + passed + ")";
  return result;
}

}  // namespace volley::tool
