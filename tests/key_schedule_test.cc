// The TLS 1.3 key schedule (volley/key_schedule.h) against RFC 8448: every secret, key, iv and
// Finished value printed in §3 (simple 1-RTT handshake) and the PSK/early-data values of §4
// (resumed 0-RTT handshake), derived from the shared secret and from transcript hashes computed
// over the real handshake messages (../shared/vectors/rfc8448/transcripts.vec). Then the SHA-384
// suite against a chain of the public HKDF functions, stage rules and argument errors.
#include "volley/key_schedule.h"

#include <cstdint>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/harness/backend_test.h"
#include "tests/harness/vectors.h"
#include "volley/cipher_suite.h"
#include "volley/dispatch.h"
#include "volley/hkdf.h"
#include "volley/sha2.h"

namespace volley {
namespace {

using dispatch::Family;
using test::hex;
using test::to_hex;
using Vec = std::vector<uint8_t>;

Bytes bytes(const Vec& v) { return Bytes(v.data(), v.size()); }
std::string hexs(const Secret& s) { return to_hex(s.bytes().data(), s.size()); }
// RFC 8448 prints values as spaced hex; compare without the spaces.
std::string rfc(std::string spaced) {
  std::string out;
  for (char c : spaced) {
    if (c != ' ' && c != '\n') out.push_back(c);
  }
  return out;
}

// read_transcripts parses transcripts.vec: "[Section]" headers and "Key = hex" lines.
std::map<std::string, std::map<std::string, std::string>> read_transcripts() {
  std::ifstream in(test::vector_path("rfc8448/transcripts.vec"));
  std::map<std::string, std::map<std::string, std::string>> sections;
  std::string line, section;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (line[0] == '[') {
      section = line.substr(1, line.find(']') - 1);
      continue;
    }
    const size_t eq = line.find(" = ");
    if (eq != std::string::npos) sections[section][line.substr(0, eq)] = line.substr(eq + 3);
  }
  return sections;
}

// Transcript hashes SHA-256 over handshake messages, snapshotting by copy.
struct Transcript {
  Sha256 h;
  void add(const Vec& msg) { h.update(bytes(msg)); }
  Vec hash() const {
    Vec out(32);
    h.peek(std::span<uint8_t, 32>(out.data(), 32));
    return out;
  }
};

class KeyScheduleRfc8448 : public test::BackendTest {};
VOLLEY_INSTANTIATE_FOR_EACH_BACKEND(KeyScheduleRfc8448, Family::kSha256);

// ForcedBackend makes |name| the default SHA-256 backend for one scope, so the free functions
// (traffic_keys, finished_key, ...) run on it as well as the KeySchedule.
class ForcedBackend {
 public:
  ForcedBackend(Family family, const std::string& name) : family_(family) {
    EXPECT_EQ(dispatch::force(family, name), dispatch::ForceResult::kOk);
  }
  ~ForcedBackend() { (void)dispatch::force(family_, ""); }

 private:
  Family family_;
};

TEST_P(KeyScheduleRfc8448, Simple1RttAndResumed0Rtt) {
  const ForcedBackend forced(Family::kSha256, backend());
  const auto vec = read_transcripts();
  const auto& s1 = vec.at("Simple_1RTT_Handshake");
  const CipherSuite& suite = kTlsAes128GcmSha256;

  // The messages: ClientHello is the payload of its plaintext record (5-byte header).
  const Vec client_hello_record = hex(s1.at("Record_ClientHello_1"));
  const Vec client_hello(client_hello_record.begin() + 5, client_hello_record.end());
  const Vec server_hello = hex(s1.at("Message_ServerHello"));
  const Vec encrypted_extensions = hex(s1.at("Message_EncryptedExtensions"));
  const Vec certificate = hex(s1.at("Message_Server_Certificate"));
  const Vec certificate_verify = hex(s1.at("Message_Server_CertificateVerify"));
  const Vec server_finished = hex(s1.at("Message_Server_Finished"));
  ASSERT_EQ(client_hello.size(), 196u);
  ASSERT_EQ(server_hello.size(), 90u);

  Transcript t;
  t.add(client_hello);
  t.add(server_hello);
  const Vec hello_hash = t.hash();
  EXPECT_EQ(to_hex(hello_hash),
            rfc("860c06edc07858ee8e78f0e7428c58edd6b43f2ca3e6e95f02ed063cf0e1cad8"));

  // {server} extract secret "early" (no PSK) and the handshake secret from the X25519 output.
  KeySchedule ks;
  ASSERT_EQ(ks.init(suite, {}, backend()), Status::kOk);
  EXPECT_EQ(ks.stage(), KeySchedule::Stage::kEarly);
  const Vec ecdhe =
      hex(rfc("8b d4 05 4f b5 5b 9d 63 fd fb ac f9 f0 4b 9f 0d 35 e6 d6 3f 53 75 63 ef d4 62 72 90 "
              "0f 89 49 2d"));
  ASSERT_EQ(ks.enter_handshake(bytes(ecdhe)), Status::kOk);

  Secret c_hs, s_hs;
  ASSERT_EQ(ks.client_handshake_traffic_secret(&c_hs, bytes(hello_hash)), Status::kOk);
  ASSERT_EQ(ks.server_handshake_traffic_secret(&s_hs, bytes(hello_hash)), Status::kOk);
  EXPECT_EQ(hexs(c_hs), rfc("b3 ed db 12 6e 06 7f 35 a7 80 b3 ab f4 5e 2d 8f 3b 1a 95 07 38 f5 2e "
                            "96 00 74 6a 0e 27 a5 5a 21"));
  EXPECT_EQ(hexs(s_hs), rfc("b6 7b 7d 69 0c c1 6c 4e 75 e5 42 13 cb 2d 37 b4 e9 c9 12 bc de d9 10 "
                            "5d 42 be fd 59 d3 91 ad 38"));

  // Early, handshake and master secrets themselves, through the public HKDF functions (the
  // KeySchedule keeps them internal).
  {
    uint8_t early[32], derived[32], hs[32], derived2[32], master[32], empty_hash[32];
    const uint8_t zeros[32] = {};
    sha256(empty_hash, {});
    ASSERT_EQ(hkdf_extract(HashAlg::kSha256, early, {}, Bytes(zeros, 32)), Status::kOk);
    EXPECT_EQ(to_hex(early, 32), rfc("33 ad 0a 1c 60 7e c0 3b 09 e6 cd 98 93 68 0c e2 10 ad f3 00 "
                                     "aa 1f 26 60 e1 b2 2e 10 f1 70 f9 2a"));
    ASSERT_EQ(derive_secret(HashAlg::kSha256, derived, Bytes(early, 32), "derived",
                            Bytes(empty_hash, 32)),
              Status::kOk);
    EXPECT_EQ(to_hex(derived, 32), rfc("6f 26 15 a1 08 c7 02 c5 67 8f 54 fc 9d ba b6 97 16 c0 76 "
                                       "18 9c 48 25 0c eb ea c3 57 6c 36 11 ba"));
    ASSERT_EQ(hkdf_extract(HashAlg::kSha256, hs, Bytes(derived, 32), bytes(ecdhe)), Status::kOk);
    EXPECT_EQ(to_hex(hs, 32), rfc("1d c8 26 e9 36 06 aa 6f dc 0a ad c1 2f 74 1b 01 04 6a a6 b9 9f "
                                  "69 1e d2 21 a9 f0 ca 04 3f be ac"));
    ASSERT_EQ(
        derive_secret(HashAlg::kSha256, derived2, Bytes(hs, 32), "derived", Bytes(empty_hash, 32)),
        Status::kOk);
    EXPECT_EQ(to_hex(derived2, 32), rfc("43 de 77 e0 c7 77 13 85 9a 94 4d b9 db 25 90 b5 31 90 a6 "
                                        "5b 3e e2 e4 f1 2d d7 a0 bb 7c e2 54 b4"));
    ASSERT_EQ(hkdf_extract(HashAlg::kSha256, master, Bytes(derived2, 32), Bytes(zeros, 32)),
              Status::kOk);
    EXPECT_EQ(to_hex(master, 32), rfc("18 df 06 84 3d 13 a0 8b f2 a4 49 84 4c 5f 8a 47 80 01 bc 4d "
                                      "4c 62 79 84 d5 a4 1d a8 d0 40 29 19"));
  }

  // {server} derive write traffic keys for handshake data; {client} the same for its side.
  TrafficKeys keys;
  ASSERT_EQ(traffic_keys(suite, &keys, s_hs), Status::kOk);
  EXPECT_EQ(to_hex(keys.key().data(), keys.key().size()),
            rfc("3f ce 51 60 09 c2 17 27 d0 f2 e4 e8 6e e4 03 bc"));
  EXPECT_EQ(to_hex(keys.iv().data(), 12), rfc("5d 31 3e b2 67 12 76 ee 13 00 0b 30"));
  ASSERT_EQ(traffic_keys(suite, &keys, c_hs), Status::kOk);
  EXPECT_EQ(to_hex(keys.key().data(), keys.key().size()),
            rfc("db fa a6 93 d1 76 2c 5b 66 6a f5 d9 50 25 8d 01"));
  EXPECT_EQ(to_hex(keys.iv().data(), 12), rfc("5b d3 c7 1b 83 6e 0b 76 bb 73 26 5f"));

  // {server} calculate finished "tls13 finished" over CH..CertificateVerify.
  t.add(encrypted_extensions);
  t.add(certificate);
  t.add(certificate_verify);
  Secret s_finished_key;
  ASSERT_EQ(finished_key(suite, &s_finished_key, s_hs), Status::kOk);
  EXPECT_EQ(hexs(s_finished_key), rfc("00 8d 3b 66 f8 16 ea 55 9f 96 b5 37 e8 85 c3 1f c0 68 bf 49 "
                                      "2c 65 2f 01 f2 88 a1 d8 cd c1 9f c8"));
  uint8_t verify_data[32];
  const Vec cv_hash = t.hash();
  ASSERT_EQ(finished_verify_data(suite, verify_data, s_hs, bytes(cv_hash)), Status::kOk);
  EXPECT_EQ(to_hex(verify_data, 32), rfc("9b 9b 14 1d 90 63 37 fb d2 cb dc e7 1d f4 de da 4a b4 2c "
                                         "30 95 72 cb 7f ff ee 54 54 b7 8f 07 18"));
  // The server's Finished message in the trace carries exactly that verify_data.
  EXPECT_EQ(to_hex(Vec(server_finished.begin() + 4, server_finished.end())),
            to_hex(verify_data, 32));
  EXPECT_EQ(verify_finished(suite, s_hs, bytes(cv_hash), Bytes(server_finished.data() + 4, 32)),
            Status::kOk);
  Vec tampered(server_finished.begin() + 4, server_finished.end());
  tampered[31] ^= 1;
  EXPECT_EQ(verify_finished(suite, s_hs, bytes(cv_hash), bytes(tampered)), Status::kAuthFailed);
  EXPECT_EQ(verify_finished(suite, s_hs, bytes(cv_hash), Bytes(tampered.data(), 31)),
            Status::kAuthFailed);

  // Master secret and the application secrets over CH..server Finished.
  t.add(server_finished);
  const Vec sf_hash = t.hash();
  EXPECT_EQ(to_hex(sf_hash), rfc("96 08 10 2a 0f 1c cc 6d b6 25 0b 7b 7e 41 7b 1a 00 0e aa da 3d "
                                 "aa e4 77 7a 76 86 c9 ff 83 df 13"));
  EXPECT_EQ(ks.enter_master(), Status::kOk);
  EXPECT_EQ(ks.stage(), KeySchedule::Stage::kMaster);
  Secret c_ap, s_ap, exporter;
  ASSERT_EQ(ks.client_application_traffic_secret(&c_ap, bytes(sf_hash)), Status::kOk);
  ASSERT_EQ(ks.server_application_traffic_secret(&s_ap, bytes(sf_hash)), Status::kOk);
  ASSERT_EQ(ks.exporter_master_secret(&exporter, bytes(sf_hash)), Status::kOk);
  EXPECT_EQ(hexs(c_ap), rfc("9e 40 64 6c e7 9a 7f 9d c0 5a f8 88 9b ce 65 52 87 5a fa 0b 06 df 00 "
                            "87 f7 92 eb b7 c1 75 04 a5"));
  EXPECT_EQ(hexs(s_ap), rfc("a1 1a f9 f0 55 31 f8 56 ad 47 11 6b 45 a9 50 32 82 04 b4 f4 4b fb 6b "
                            "3a 4b 4f 1f 3f cb 63 16 43"));
  EXPECT_EQ(hexs(exporter), rfc("fe 22 f8 81 17 6e da 18 eb 8f 44 52 9e 67 92 c5 0c 9a 3f 89 45 2f "
                                "68 d8 ae 31 1b 43 09 d3 cf 50"));
  ASSERT_EQ(traffic_keys(suite, &keys, s_ap), Status::kOk);
  EXPECT_EQ(to_hex(keys.key().data(), keys.key().size()),
            rfc("9f 02 28 3b 6c 9c 07 ef c2 6b b9 f2 ac 92 e3 56"));
  EXPECT_EQ(to_hex(keys.iv().data(), 12), rfc("cf 78 2b 88 dd 83 54 9a ad f1 e9 84"));
  ASSERT_EQ(traffic_keys(suite, &keys, c_ap), Status::kOk);
  EXPECT_EQ(to_hex(keys.key().data(), keys.key().size()),
            rfc("17 42 2d da 59 6e d5 d9 ac d8 90 e3 c6 3f 50 51"));
  EXPECT_EQ(to_hex(keys.iv().data(), 12), rfc("5b 78 92 3d ee 08 57 90 33 e5 23 d9"));

  // {client} calculate finished over CH..server Finished; build the client Finished message.
  Secret c_finished_key;
  ASSERT_EQ(finished_key(suite, &c_finished_key, c_hs), Status::kOk);
  EXPECT_EQ(hexs(c_finished_key), rfc("b8 0a d0 10 15 fb 2f 0b d6 5f f7 d4 da 5d 6b f8 3f 84 82 1d "
                                      "1f 87 fd c7 d3 c7 5b 5a 7b 42 d9 c4"));
  ASSERT_EQ(finished_verify_data(suite, verify_data, c_hs, bytes(sf_hash)), Status::kOk);
  EXPECT_EQ(to_hex(verify_data, 32), rfc("a8 ec 43 6d 67 76 34 ae 52 5a c1 fc eb e1 1a 03 9e c1 76 "
                                         "94 fa c6 e9 85 27 b6 42 f2 ed d5 ce 61"));
  Vec client_finished{0x14, 0x00, 0x00, 0x20};
  client_finished.insert(client_finished.end(), verify_data, verify_data + 32);

  // {client} derive secret "tls13 res master" over CH..client Finished.
  t.add(client_finished);
  const Vec cf_hash = t.hash();
  EXPECT_EQ(to_hex(cf_hash), rfc("20 91 45 a9 6e e8 e2 a1 22 ff 81 00 47 cc 95 26 84 65 8d 60 49 "
                                 "e8 64 29 42 6d b8 7c 54 ad 14 3d"));
  Secret res_master;
  ASSERT_EQ(ks.resumption_master_secret(&res_master, bytes(cf_hash)), Status::kOk);
  EXPECT_EQ(hexs(res_master), rfc("7d f2 35 f2 03 1d 2a 05 12 87 d0 2b 02 41 b0 bf da f8 6c c8 56 "
                                  "23 1f 2d 5a ba 46 c4 34 ec 19 6c"));

  // §4: the ticket's PSK (nonce 00 00), the resumed early secret, binder and early data secrets.
  Secret psk;
  const uint8_t nonce[2] = {0, 0};
  ASSERT_EQ(resumption_psk(suite, &psk, res_master, Bytes(nonce, 2)), Status::kOk);
  EXPECT_EQ(hexs(psk), rfc("4e cd 0e b6 ec 3b 4d 87 f5 d6 02 8f 92 2c a4 c5 85 1a 27 7f d4 13 11 "
                           "c9 e6 2d 2c 94 92 e1 c4 f3"));
  {
    uint8_t early[32];
    ASSERT_EQ(hkdf_extract(HashAlg::kSha256, early, {}, psk.bytes()), Status::kOk);
    EXPECT_EQ(to_hex(early, 32), rfc("9b 21 88 e9 b2 fc 6d 64 d7 1d c3 29 90 0e 20 bb 41 91 50 00 "
                                     "f6 78 aa 83 9c bb 79 7c b7 d8 33 2c"));
  }
  KeySchedule resumed;
  ASSERT_EQ(resumed.init(suite, psk.bytes(), backend()), Status::kOk);
  Secret binder_key;
  ASSERT_EQ(resumed.binder_key(&binder_key, PskKind::kResumption), Status::kOk);
  EXPECT_EQ(hexs(binder_key), rfc("69 fe 13 1a 3b ba d5 d6 3c 64 ee bc c3 0e 39 5b 9d 81 07 72 6a "
                                  "13 d0 74 e3 89 db c8 a4 e4 72 56"));
  Secret binder_finished_key;
  ASSERT_EQ(finished_key(suite, &binder_finished_key, binder_key), Status::kOk);
  EXPECT_EQ(hexs(binder_finished_key), rfc("55 88 67 3e 72 cb 59 c8 7d 22 0c af fe 94 f2 de a9 a3 "
                                           "b1 60 9f 7d 50 e9 0a 48 22 7d b9 ed 7e aa"));

  const auto& s2 = vec.at("Resumed_0RTT_Handshake");
  const Vec ch2_record = hex(s2.at("Record_ClientHello_1"));
  const Vec ch2(ch2_record.begin() + 5, ch2_record.end());
  ASSERT_EQ(ch2.size(), 512u);
  // The binder covers the ClientHello up to the binders list (2 + 1 + 32 bytes at the end).
  Transcript t2;
  t2.add(Vec(ch2.begin(), ch2.end() - 35));
  const Vec binder_hash = t2.hash();
  EXPECT_EQ(to_hex(binder_hash), rfc("63 22 4b 2e 45 73 f2 d3 45 4c a8 4b 9d 00 9a 04 f6 be 9e 05 "
                                     "71 1a 83 96 47 3a ef a0 1e 92 4a 14"));
  uint8_t binder[32];
  ASSERT_EQ(finished_verify_data(suite, binder, binder_key, bytes(binder_hash)), Status::kOk);
  EXPECT_EQ(to_hex(binder, 32), rfc("3a dd 4f b2 d8 fd f8 22 a0 ca 3c f7 67 8e f5 e8 8d ae 99 01 "
                                    "41 c5 92 4d 57 bb 6f a3 1b 9e 5f 9d"));
  EXPECT_EQ(to_hex(binder, 32), to_hex(ch2.data() + ch2.size() - 32, 32));

  t2.add(Vec(ch2.end() - 35, ch2.end()));
  const Vec ch2_hash = t2.hash();
  Secret c_e, e_exp;
  ASSERT_EQ(resumed.client_early_traffic_secret(&c_e, bytes(ch2_hash)), Status::kOk);
  ASSERT_EQ(resumed.early_exporter_master_secret(&e_exp, bytes(ch2_hash)), Status::kOk);
  EXPECT_EQ(hexs(c_e), rfc("3f bb e6 a6 0d eb 66 c3 0a 32 79 5a ba 0e ff 7e aa 10 10 55 86 e7 be "
                           "5c 09 67 8d 63 b6 ca ab 62"));
  EXPECT_EQ(hexs(e_exp), rfc("b2 02 68 66 61 09 37 d7 42 3e 5b e9 08 62 cc f2 4c 0e 60 91 18 6d 34 "
                             "f8 12 08 9f f5 be 2e f7 df"));
  ASSERT_EQ(traffic_keys(suite, &keys, c_e), Status::kOk);
  EXPECT_EQ(to_hex(keys.key().data(), keys.key().size()),
            rfc("92 02 05 a5 b7 bf 21 15 e6 fc 5c 29 42 83 4f 54"));
}

// ---------------------------------------------------------------------------------------------
// The SHA-384 and ChaCha20 suites: the schedule must equal the chain of public HKDF calls.

struct Chain {
  Vec early, hs, master;
};

Chain chain(HashAlg alg, const Vec& psk, const Vec& ecdhe) {
  const size_t n = hash_size(alg);
  Chain c{Vec(n), Vec(n), Vec(n)};
  Vec zeros(n, 0), empty_hash(n), derived(n);
  EXPECT_EQ(hash(alg, std::span<uint8_t>(empty_hash), {}), Status::kOk);
  EXPECT_EQ(hkdf_extract(alg, std::span<uint8_t>(c.early), {}, bytes(psk.empty() ? zeros : psk)),
            Status::kOk);
  EXPECT_EQ(
      derive_secret(alg, std::span<uint8_t>(derived), bytes(c.early), "derived", bytes(empty_hash)),
      Status::kOk);
  EXPECT_EQ(hkdf_extract(alg, std::span<uint8_t>(c.hs), bytes(derived),
                         bytes(ecdhe.empty() ? zeros : ecdhe)),
            Status::kOk);
  EXPECT_EQ(
      derive_secret(alg, std::span<uint8_t>(derived), bytes(c.hs), "derived", bytes(empty_hash)),
      Status::kOk);
  EXPECT_EQ(hkdf_extract(alg, std::span<uint8_t>(c.master), bytes(derived), bytes(zeros)),
            Status::kOk);
  return c;
}

Vec expect_derive(HashAlg alg, const Vec& secret, const char* label, const Vec& context) {
  Vec out(hash_size(alg));
  EXPECT_EQ(hkdf_expand_label(alg, std::span<uint8_t>(out), bytes(secret), label, bytes(context)),
            Status::kOk);
  return out;
}

class KeyScheduleSuites : public test::BackendTest {};
VOLLEY_INSTANTIATE_FOR_EACH_BACKEND(KeyScheduleSuites, Family::kSha512);

TEST_P(KeyScheduleSuites, MatchesHkdfChain) {
  const ForcedBackend forced(Family::kSha512, backend());
  for (const CipherSuite* suite : all_cipher_suites()) {
    const HashAlg alg = suite->hash;
    const size_t n = suite->hash_len;
    const std::string backend_name = alg == HashAlg::kSha384 ? backend() : std::string();
    for (bool with_psk : {false, true}) {
      SCOPED_TRACE(std::string(suite->name) + (with_psk ? " psk" : " no psk"));
      const Vec psk = with_psk ? Vec(n, 0x5a) : Vec{};
      const Vec ecdhe(32, 0x77), h1(n, 1), h2(n, 2), h3(n, 3), h4(n, 4);
      const Chain c = chain(alg, psk, ecdhe);
      KeySchedule ks;
      ASSERT_EQ(ks.init(*suite, bytes(psk), backend_name), Status::kOk);
      Secret s;
      Vec empty_hash(n);
      ASSERT_EQ(hash(alg, std::span<uint8_t>(empty_hash), {}), Status::kOk);
      ASSERT_EQ(ks.binder_key(&s, PskKind::kExternal), Status::kOk);
      EXPECT_EQ(hexs(s), to_hex(expect_derive(alg, c.early, "ext binder", empty_hash)));
      ASSERT_EQ(ks.binder_key(&s, PskKind::kResumption), Status::kOk);
      EXPECT_EQ(hexs(s), to_hex(expect_derive(alg, c.early, "res binder", empty_hash)));
      ASSERT_EQ(ks.client_early_traffic_secret(&s, bytes(h1)), Status::kOk);
      EXPECT_EQ(hexs(s), to_hex(expect_derive(alg, c.early, "c e traffic", h1)));
      ASSERT_EQ(ks.early_exporter_master_secret(&s, bytes(h1)), Status::kOk);
      EXPECT_EQ(hexs(s), to_hex(expect_derive(alg, c.early, "e exp master", h1)));
      ASSERT_EQ(ks.enter_handshake(bytes(ecdhe)), Status::kOk);
      ASSERT_EQ(ks.client_handshake_traffic_secret(&s, bytes(h2)), Status::kOk);
      EXPECT_EQ(hexs(s), to_hex(expect_derive(alg, c.hs, "c hs traffic", h2)));
      ASSERT_EQ(ks.server_handshake_traffic_secret(&s, bytes(h2)), Status::kOk);
      EXPECT_EQ(hexs(s), to_hex(expect_derive(alg, c.hs, "s hs traffic", h2)));
      ASSERT_EQ(ks.enter_master(), Status::kOk);
      ASSERT_EQ(ks.client_application_traffic_secret(&s, bytes(h3)), Status::kOk);
      EXPECT_EQ(hexs(s), to_hex(expect_derive(alg, c.master, "c ap traffic", h3)));
      const Vec c_ap = expect_derive(alg, c.master, "c ap traffic", h3);
      ASSERT_EQ(ks.server_application_traffic_secret(&s, bytes(h3)), Status::kOk);
      EXPECT_EQ(hexs(s), to_hex(expect_derive(alg, c.master, "s ap traffic", h3)));
      ASSERT_EQ(ks.exporter_master_secret(&s, bytes(h3)), Status::kOk);
      EXPECT_EQ(hexs(s), to_hex(expect_derive(alg, c.master, "exp master", h3)));
      ASSERT_EQ(ks.resumption_master_secret(&s, bytes(h4)), Status::kOk);
      EXPECT_EQ(hexs(s), to_hex(expect_derive(alg, c.master, "res master", h4)));

      // Traffic keys for the suite's AEAD, key update in place.
      Secret ap;
      ASSERT_EQ(ap.assign(bytes(c_ap)), Status::kOk);
      TrafficKeys keys;
      ASSERT_EQ(traffic_keys(*suite, &keys, ap), Status::kOk);
      ASSERT_EQ(keys.key().size(), suite->aead->key_len);
      Vec want_key(suite->key_len), want_iv(12);
      ASSERT_EQ(hkdf_expand_label(alg, std::span<uint8_t>(want_key), bytes(c_ap), "key", {}),
                Status::kOk);
      ASSERT_EQ(hkdf_expand_label(alg, std::span<uint8_t>(want_iv), bytes(c_ap), "iv", {}),
                Status::kOk);
      EXPECT_EQ(to_hex(keys.key().data(), keys.key().size()), to_hex(want_key));
      EXPECT_EQ(to_hex(keys.iv().data(), 12), to_hex(want_iv));
      ASSERT_EQ(next_application_traffic_secret(*suite, &ap, ap), Status::kOk);
      EXPECT_EQ(hexs(ap), to_hex(expect_derive(alg, c_ap, "traffic upd", {})));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Stages, arguments, descriptors

TEST(KeySchedule, StagesOnlyGoForward) {
  const CipherSuite& suite = kTlsAes256GcmSha384;
  const Vec h48(48, 9), h32(32, 9);
  KeySchedule ks;
  Secret s;
  EXPECT_EQ(ks.client_handshake_traffic_secret(&s, bytes(h48)), Status::kNotInitialized);
  EXPECT_EQ(ks.enter_handshake({}), Status::kNotInitialized);
  EXPECT_EQ(ks.init(suite, {}, "no-such-kernel"), Status::kUnknownBackend);
  EXPECT_EQ(ks.stage(), KeySchedule::Stage::kNone);
  ASSERT_EQ(ks.init(suite), Status::kOk);
  EXPECT_EQ(ks.client_early_traffic_secret(&s, bytes(h32)), Status::kInvalidArgument);
  EXPECT_EQ(ks.client_handshake_traffic_secret(&s, bytes(h48)), Status::kNotInitialized);
  EXPECT_EQ(ks.enter_master(), Status::kNotInitialized);
  ASSERT_EQ(ks.enter_handshake({}), Status::kOk);  // psk_ke: no (EC)DHE
  EXPECT_EQ(ks.binder_key(&s, PskKind::kExternal), Status::kNotInitialized);
  EXPECT_EQ(ks.client_early_traffic_secret(&s, bytes(h48)), Status::kNotInitialized);
  EXPECT_EQ(ks.enter_handshake({}), Status::kNotInitialized);
  ASSERT_EQ(ks.server_handshake_traffic_secret(&s, bytes(h48)), Status::kOk);
  EXPECT_EQ(s.size(), 48u);
  ASSERT_EQ(ks.enter_master(), Status::kOk);
  EXPECT_EQ(ks.server_handshake_traffic_secret(&s, bytes(h48)), Status::kNotInitialized);
  EXPECT_EQ(ks.client_application_traffic_secret(&s, bytes(h48)), Status::kOk);
  ks.wipe();
  EXPECT_EQ(ks.stage(), KeySchedule::Stage::kNone);
  EXPECT_EQ(ks.client_application_traffic_secret(&s, bytes(h48)), Status::kNotInitialized);
}

TEST(KeySchedule, SecretSizesAreChecked) {
  Secret s32, s48, out;
  ASSERT_EQ(s32.assign(bytes(Vec(32, 1))), Status::kOk);
  ASSERT_EQ(s48.assign(bytes(Vec(48, 1))), Status::kOk);
  EXPECT_EQ(s32.assign(bytes(Vec(49, 1))), Status::kInvalidArgument);
  TrafficKeys keys;
  EXPECT_EQ(traffic_keys(kTlsAes256GcmSha384, &keys, s32), Status::kInvalidArgument);
  EXPECT_EQ(keys.key().size(), 0u);
  EXPECT_EQ(traffic_keys(kTlsAes128GcmSha256, &keys, s48), Status::kInvalidArgument);
  EXPECT_EQ(next_application_traffic_secret(kTlsChaCha20Poly1305Sha256, &out, s48),
            Status::kInvalidArgument);
  EXPECT_EQ(finished_key(kTlsAes256GcmSha384, &out, s32), Status::kInvalidArgument);
  uint8_t vd[48];
  EXPECT_EQ(
      finished_verify_data(kTlsAes128GcmSha256, std::span<uint8_t>(vd, 48), s32, bytes(Vec(32))),
      Status::kBadOutputLength);
  EXPECT_EQ(
      finished_verify_data(kTlsAes128GcmSha256, std::span<uint8_t>(vd, 32), s32, bytes(Vec(48))),
      Status::kInvalidArgument);
  EXPECT_EQ(resumption_psk(kTlsAes128GcmSha256, &out, s32, bytes(Vec(256))),
            Status::kInvalidArgument);
  ASSERT_EQ(traffic_keys(kTlsChaCha20Poly1305Sha256, &keys, s32), Status::kOk);
  EXPECT_EQ(keys.key().size(), 32u);
  keys.wipe();
  EXPECT_EQ(keys.key().size(), 0u);
  s32.wipe();
  EXPECT_TRUE(s32.empty());
}

TEST(CipherSuite, Descriptors) {
  EXPECT_EQ(cipher_suite_by_code(0x1301), &kTlsAes128GcmSha256);
  EXPECT_EQ(cipher_suite_by_code(0x1302), &kTlsAes256GcmSha384);
  EXPECT_EQ(cipher_suite_by_code(0x1303), &kTlsChaCha20Poly1305Sha256);
  EXPECT_EQ(cipher_suite_by_code(0x1304), nullptr);
  EXPECT_EQ(cipher_suite_by_name("TLS_AES_256_GCM_SHA384"), &kTlsAes256GcmSha384);
  EXPECT_EQ(cipher_suite_by_name("TLS_AES_256_CCM_SHA384"), nullptr);
  EXPECT_EQ(all_cipher_suites().size(), 3u);
  for (const CipherSuite* s : all_cipher_suites()) {
    EXPECT_EQ(s->key_len, s->aead->key_len) << s->name;
    EXPECT_EQ(s->iv_len, s->aead->nonce_len) << s->name;
    EXPECT_EQ(s->hash_len, hash_size(s->hash)) << s->name;
  }
  EXPECT_EQ(kTlsAes128GcmSha256.aead, &kAes128Gcm);
  EXPECT_EQ(kTlsAes256GcmSha384.aead, &kAes256Gcm);
  EXPECT_EQ(kTlsChaCha20Poly1305Sha256.aead, &kChaCha20Poly1305);
  EXPECT_EQ(kTlsAes256GcmSha384.hash, HashAlg::kSha384);
}

}  // namespace
}  // namespace volley
