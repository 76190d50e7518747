// Helpers shared by the record layer's tests: keys from a traffic secret through the key schedule,
// an unchecked sequence number, RFC 8448's records, and the (suite, backend) parameters.
#pragma once

#include <cctype>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "engine/record/record_internal.h"
#include "gtest/gtest.h"
#include "tests/harness/backend_test.h"
#include "tests/harness/vectors.h"
#include "volley/cipher_suite.h"
#include "volley/key_schedule.h"
#include "volley/record.h"
#include "volley/record_reader.h"

namespace volley::test {

using Buffer = std::vector<uint8_t>;

// keys_from_secret derives the record key and iv of |secret| through the key schedule.
inline TrafficKeys keys_from_secret(const CipherSuite& suite, const Buffer& secret) {
  Secret s;
  TrafficKeys keys;
  EXPECT_EQ(s.assign(secret), Status::kOk);
  EXPECT_EQ(traffic_keys(suite, &keys, s), Status::kOk);
  return keys;
}

// init_from_secret sets up either side of a connection with the keys of a traffic secret.
inline Status init_from_secret(RecordProtection& rp, const CipherSuite& suite,
                               const Buffer& secret, std::string_view backend = {}) {
  return rp.init(suite, keys_from_secret(suite, secret), backend);
}
inline Status init_from_secret(RecordReader& reader, const CipherSuite& suite,
                               const Buffer& secret, std::string_view backend = {}) {
  return reader.install_keys(suite, keys_from_secret(suite, secret), backend);
}

// set_sequence moves a sequence number anywhere, backwards too: tests only.
inline void set_sequence(RecordProtection& rp, uint64_t seq) {
  record_internal::RecordProtectionAccess::set_sequence(rp, seq);
}
inline void set_sequence(RecordReader& reader, uint64_t seq) {
  record_internal::RecordProtectionAccess::set_sequence(
      record_internal::RecordReaderAccess::protection(reader), seq);
}

// sealed_count splits a SealResult into the count and the status, for tests that check both.
inline size_t sealed_count(SealResult r, RecordStatus* status) {
  *status = r.status;
  return r.sealed;
}

// Rfc8448 holds one section of ../shared/vectors/rfc8448/transcripts.vec: records and messages.
struct Rfc8448 {
  std::map<std::string, Buffer> values;
  const Buffer& operator[](const std::string& key) const {
    auto it = values.find(key);
    if (it == values.end()) throw std::runtime_error("transcripts.vec has no " + key);
    return it->second;
  }
};

// load_rfc8448 reads the section called |section|, e.g. "[Simple_1RTT_Handshake]".
inline Rfc8448 load_rfc8448(std::string_view section) {
  const auto blocks = read_file_test_file(vector_path("rfc8448/transcripts.vec"));
  for (const auto& b : blocks) {
    if (!b.has_flag(section)) continue;
    Rfc8448 r;
    for (const auto& [k, v] : b.attributes) {
      if (k.rfind("Record_", 0) == 0 || k.rfind("Message_", 0) == 0 ||
          k.find("AppData") != k.npos || k.find("_RNG_Pool") != k.npos) {
        r.values[k] = hex(v);
      }
    }
    return r;
  }
  throw std::runtime_error("no " + std::string(section) + " section in transcripts.vec");
}

// RFC 8448 §3's traffic secrets (simple 1-RTT handshake, TLS_AES_128_GCM_SHA256), printed in the
// RFC.
inline constexpr char kRfc8448ClientHandshakeSecret[] =
    "b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21";
inline constexpr char kRfc8448ServerHandshakeSecret[] =
    "b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38";
inline constexpr char kRfc8448ClientAppSecret[] =
    "9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5";
inline constexpr char kRfc8448ServerAppSecret[] =
    "a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643";

// RFC 8448 §4's values (resumed 0-RTT handshake, TLS_AES_128_GCM_SHA256), printed in the RFC.
// The tests derive every secret they can from transcripts.vec with volley's own key schedule and
// check it against these; the application secrets cannot be derived from the file, whose
// EncryptedExtensions differ from the RFC's (no server_name; see Record_ServerHandshakeMessages),
// while the application records are the RFC's.
inline constexpr char kRfc8448ResumedPsk[] =  // §4 "PSK": resumption PSK of §3's ticket
    "4ecd0eb6ec3b4d87f5d6028f922ca4c5851a277fd41311c9e62d2c9492e1c4f3";
inline constexpr char kRfc8448ResumedEcdhe[] =  // §4 X25519 shared secret ("IKM" of "handshake")
    "f44194756ff9ec9d25180635d66ea6824c6ab3bf179977be37f723570e7ccb2e";
inline constexpr char kRfc8448ClientEarlySecret[] =  // §4 "tls13 c e traffic"
    "3fbbe6a60deb66c30a32795aba0eff7eaa10105586e7be5c09678d63b6caab62";
inline constexpr char kRfc8448ResumedClientHandshakeSecret[] =  // §4 "tls13 c hs traffic"
    "2faac08f851d35fea3604fcb4de82dc62c9b164a70974d0462e27f1ab278700f";
inline constexpr char kRfc8448ResumedServerHandshakeSecret[] =  // §4 "tls13 s hs traffic"
    "fe927ae271312e8bf0275b581c54eef020450dc4ecffaa05a1a35d27518e7803";
inline constexpr char kRfc8448ResumedClientAppSecret[] =  // §4 "tls13 c ap traffic"
    "2abbf2b8e381d23dbebe1dd2a7d16a8bf484cb4950d23fb7fb7fa8547062d9a1";
inline constexpr char kRfc8448ResumedServerAppSecret[] =  // §4 "tls13 s ap traffic"
    "cc21f1bf8feb7dd5fa505bd9c4b468a9984d554a993dc49e6d285598fb672691";
// §4 the client's Finished message (inside the second record of Record_ClientFinished).
inline constexpr char kRfc8448ResumedClientFinished[] =
    "140000207230a9c952c25cd6138fc5e6628308c41c5335dd81b9f96bcea50fd32bda416d";

// RFC 8448 §5's values (HelloRetryRequest, TLS_AES_128_GCM_SHA256), printed in the RFC. The
// second key share is P-256, which volley does not implement, so the ECDHE secret is the RFC's;
// every traffic secret is also derived from it and the file's messages.
inline constexpr char kRfc8448HrrEcdhe[] =  // §5 P-256 shared secret ("IKM" of "handshake")
    "c142ce13ca11b5c2233652e63ad3d97844f1621fbfb9de69d547dc8fedeabeb4";
inline constexpr char kRfc8448HrrClientHandshakeSecret[] =  // §5 "tls13 c hs traffic"
    "158aa7ab8855073582b41d674b4055cabcc534728f659314861b4e08e2011566";
inline constexpr char kRfc8448HrrServerHandshakeSecret[] =  // §5 "tls13 s hs traffic"
    "3403e781e2af7b6508da28574f6e95a1abf162de83a97927c37672a4a0cef8a1";
inline constexpr char kRfc8448HrrClientAppSecret[] =  // §5 "tls13 c ap traffic"
    "75ecf4b972525aa0dcd057c9944d4cd5d82671d8843141d7dc2a4ff15a21dc51";
inline constexpr char kRfc8448HrrServerAppSecret[] =  // §5 "tls13 s ap traffic"
    "5c74f87df04225db0f8209c9de6429e49435fdefa7cad61864874d12f31cfc8d";

// SuiteBackend is one TLS 1.3 suite on one AEAD backend this CPU runs.
struct SuiteBackend {
  const CipherSuite* suite;
  std::string backend;
};

inline std::vector<SuiteBackend> all_suite_backends() {
  std::vector<SuiteBackend> out;
  for (const CipherSuite* s : all_cipher_suites()) {
    for (const std::string& b : available_backends(s->aead->family)) out.push_back({s, b});
  }
  return out;
}

inline void PrintTo(const SuiteBackend& p, std::ostream* os) {
  *os << p.suite->name << " on " << p.backend;
}

inline std::string suite_backend_name(const ::testing::TestParamInfo<SuiteBackend>& info) {
  std::string n = std::string(info.param.suite->name) + "_" + info.param.backend;
  for (char& c : n) c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return n;
}

}  // namespace volley::test
