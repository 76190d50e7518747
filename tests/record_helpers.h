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
      if (k.rfind("Record_", 0) == 0 || k.rfind("Message_", 0) == 0 || k.find("AppData") != k.npos) {
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
