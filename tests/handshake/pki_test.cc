// volley/pki.h on libcrypto: chain verification against the committed test PKI (tests/pki/; see
// make-test-pki.sh) at a pinned time, with every failure's alert; CertificateVerify signing and
// verification for every key type and every allowed scheme, and the refusals of the TLS 1.3
// policy; RFC 8448's server CertificateVerify (RSA-PSS, RSA-1024) over the file's transcript.
// After every call OpenSSL's error queue must be empty.
#include "volley/pki.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "handshake/pki/certificate_cache.h"
#include "handshake/pki/openssl_credential.h"
#include "handshake/pki/openssl_verifier.h"
#include "handshake/pki/signature_scheme.h"
#include "tests/harness/vectors.h"

namespace volley::tls {
namespace {

using Vec = std::vector<uint8_t>;
using std::chrono::sys_days;
using namespace std::chrono_literals;

constexpr AlertDescription kBadCertificate = AlertDescription::kBadCertificate;

// Inside the test PKI's validity (2026-01-01..2046-01-01).
const VerifyTime k2030 =
    std::chrono::time_point_cast<std::chrono::seconds>(sys_days(std::chrono::year(2030) / 1 / 1));

// pki_path finds a file of tests/pki in the runfiles, or relative to the repository root.
std::string pki_path(const std::string& name) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  if (srcdir != nullptr && workspace != nullptr) {
    return std::string(srcdir) + "/" + workspace + "/tests/pki/" + name;
  }
  return "tests/pki/" + name;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// der_chain reads every PEM certificate of |path| as DER, in order.
std::vector<Vec> der_chain(const std::string& path) {
  std::vector<Vec> out;
  BIO* bio = BIO_new_file(path.c_str(), "r");
  EXPECT_NE(bio, nullptr) << path;
  while (X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
    unsigned char* der = nullptr;
    const int len = i2d_X509(cert, &der);
    out.emplace_back(der, der + len);
    OPENSSL_free(der);
    X509_free(cert);
  }
  BIO_free(bio);
  ERR_clear_error();
  return out;
}

std::vector<Bytes> views(const std::vector<Vec>& chain) {
  return std::vector<Bytes>(chain.begin(), chain.end());
}

void expect_fail(TlsError e, AlertDescription alert) {
  EXPECT_FALSE(e.ok());
  EXPECT_EQ(e.alert, alert) << (e.reason ? e.reason : "ok") << ": got " << alert_name(e.alert)
                            << ", want " << alert_name(alert);
}

// Every test ends with an empty OpenSSL error queue: the library cleans up after itself.
class PkiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ERR_clear_error();
    TlsError err = tls_fail(AlertDescription::kDecodeError, "unset");
    verifier_ = make_openssl_verifier_from_ca_file(pki_path("root.pem"), &err);
    ASSERT_NE(verifier_, nullptr) << err.reason;
    EXPECT_TRUE(err.ok());
  }
  void TearDown() override { EXPECT_EQ(ERR_peek_error(), 0u) << "OpenSSL error queue not empty"; }

  TlsError verify(const std::string& chain_file, std::string_view host = "localhost",
                  CertificateRole role = CertificateRole::kServer, VerifyTime now = k2030) {
    const std::vector<Vec> chain = der_chain(pki_path(chain_file));
    const std::vector<Bytes> v = views(chain);
    return verifier_->verify_chain(v, host, role, now);
  }

  std::shared_ptr<const SigningCredential> credential(const std::string& name) {
    TlsError err;
    auto c = make_openssl_credential_from_pem_files(pki_path(name + ".chain.pem"),
                                                    pki_path(name + ".key.pem"), &err);
    EXPECT_NE(c, nullptr) << name << ": " << (err.reason ? err.reason : "");
    return c;
  }

  std::shared_ptr<const CertificateVerifier> verifier_;
};

TEST(SignatureScheme, Names) {
  EXPECT_EQ(signature_scheme_name(SignatureScheme::kRsaPssRsaeSha256), "rsa_pss_rsae_sha256");
  EXPECT_EQ(signature_scheme_name(SignatureScheme::kEcdsaSecp521r1Sha512),
            "ecdsa_secp521r1_sha512");
  EXPECT_EQ(signature_scheme_name(SignatureScheme::kEd25519), "ed25519");
  EXPECT_EQ(signature_scheme_name(SignatureScheme::kRsaPssPssSha384), "rsa_pss_pss_sha384");
  EXPECT_EQ(signature_scheme_name(static_cast<SignatureScheme>(0x1234)),
            "unknown_signature_scheme");
  EXPECT_FALSE(allowed_in_certificate_verify(SignatureScheme::kRsaPkcs1Sha256));
  EXPECT_FALSE(allowed_in_certificate_verify(SignatureScheme::kEcdsaSha1));
  EXPECT_TRUE(allowed_in_certificate_verify(SignatureScheme::kRsaPssPssSha512));
}

TEST(CertificateVerifyContent, Layout) {
  const Vec hash(32, 0xab);
  CertificateVerifyContent c;
  ASSERT_TRUE(certificate_verify_content(&c, CertificateRole::kClient, hash).ok());
  ASSERT_EQ(c.size, 64u + 33u + 1u + 32u);
  for (size_t i = 0; i < 64; ++i) EXPECT_EQ(c.data[i], 0x20);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(c.data + 64), 33),
            "TLS 1.3, client CertificateVerify");
  EXPECT_EQ(c.data[97], 0);
  EXPECT_EQ(Vec(c.data + 98, c.data + c.size), hash);
  EXPECT_EQ(c.bytes().size(), c.size);

  const Vec hash48(48, 1);
  ASSERT_TRUE(certificate_verify_content(&c, CertificateRole::kServer, hash48).ok());
  EXPECT_EQ(c.size, 146u);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(c.data + 64), 33),
            "TLS 1.3, server CertificateVerify");

  expect_fail(certificate_verify_content(&c, CertificateRole::kServer, Bytes(hash.data(), 31)),
              AlertDescription::kInternalError);
  EXPECT_EQ(c.size, 146u) << "unchanged on error";
}

TEST_F(PkiTest, ChainsVerifyForTheirHostAndAddress) {
  for (const char* kind :
       {"ecdsa-p256", "ecdsa-p384", "ecdsa-p521", "rsa-2048", "rsa-pss-2048", "ed25519"}) {
    const std::string chain = std::string("server-") + kind + ".chain.pem";
    EXPECT_TRUE(verify(chain).ok()) << kind << ": " << verify(chain).reason;
    EXPECT_TRUE(verify(chain, "127.0.0.1").ok()) << kind;
    EXPECT_TRUE(verify(chain, "").ok()) << kind << " without a name check";
  }
  EXPECT_TRUE(verify("client-ecdsa-p256.chain.pem", "", CertificateRole::kClient).ok());
}

TEST_F(PkiTest, WrongHostIsBadCertificate) {
  expect_fail(verify("server-ecdsa-p256.chain.pem", "example.com"), kBadCertificate);
  expect_fail(verify("server-ecdsa-p256.chain.pem", "localhost.evil"), kBadCertificate);
  expect_fail(verify("server-ecdsa-p256.chain.pem", "127.0.0.2"), kBadCertificate);
  expect_fail(verify("server-ecdsa-p256.chain.pem", "::1"), kBadCertificate);
  expect_fail(verify("server-ecdsa-p256.chain.pem", std::string_view("localhost\0x", 11)),
              kBadCertificate);
}

TEST_F(PkiTest, WrongRoleIsUnsupportedCertificate) {
  expect_fail(verify("server-ecdsa-p256.chain.pem", "", CertificateRole::kClient),
              AlertDescription::kUnsupportedCertificate);
  expect_fail(verify("client-ecdsa-p256.chain.pem", "", CertificateRole::kServer),
              AlertDescription::kUnsupportedCertificate);
}

TEST_F(PkiTest, ExpiredAndNotYetValidAreCertificateExpired) {
  expect_fail(verify("expired-ecdsa-p256.chain.pem"), AlertDescription::kCertificateExpired);
  const VerifyTime before = std::chrono::time_point_cast<std::chrono::seconds>(
      sys_days(std::chrono::year(2025) / 12 / 31));
  expect_fail(verify("server-ecdsa-p256.chain.pem", "localhost", CertificateRole::kServer, before),
              AlertDescription::kCertificateExpired);
  const VerifyTime after =
      std::chrono::time_point_cast<std::chrono::seconds>(sys_days(std::chrono::year(2046) / 1 / 2));
  expect_fail(verify("server-ecdsa-p256.chain.pem", "localhost", CertificateRole::kServer, after),
              AlertDescription::kCertificateExpired);
}

TEST_F(PkiTest, UnknownIssuerIsUnknownCa) {
  expect_fail(verify("unknown-ca-ecdsa-p256.chain.pem"), AlertDescription::kUnknownCa);
  {
    SCOPED_TRACE("leaf without its intermediate");
    expect_fail(verify("server-ecdsa-p256.pem"), AlertDescription::kUnknownCa);
  }
  {
    SCOPED_TRACE("self-signed");
    expect_fail(verify("unknown-root.pem", ""), AlertDescription::kUnknownCa);
  }
}

TEST_F(PkiTest, MalformedChainsAreBadCertificate) {
  const std::vector<Vec> good = der_chain(pki_path("server-ecdsa-p256.chain.pem"));
  ASSERT_EQ(good.size(), 2u);
  auto check = [&](const std::vector<Vec>& chain, const char* what) {
    const std::vector<Bytes> v = views(chain);
    const TlsError e = verifier_->verify_chain(v, "localhost", CertificateRole::kServer, k2030);
    EXPECT_EQ(e.alert, kBadCertificate) << what << ": " << (e.reason ? e.reason : "ok");
    EXPECT_FALSE(e.ok()) << what;
  };
  check({}, "empty chain");
  check({Vec{0x30, 0x03, 0x02, 0x01, 0x01}}, "garbage DER");
  check({Vec(100, 0xff)}, "not DER");
  check({Vec{}}, "empty certificate");
  Vec trailing = good[0];
  trailing.push_back(0);
  check({trailing, good[1]}, "trailing byte");
  Vec truncated(good[0].begin(), good[0].end() - 1);
  check({truncated, good[1]}, "truncated");
  check({good[0], Vec{1, 2, 3}}, "garbage intermediate");
  check({Vec(64 * 1024 + 1, 0x30)}, "over 64 KiB");
  std::vector<Vec> eleven(11, good[1]);
  eleven[0] = good[0];
  check(eleven, "11 certificates");
  std::vector<Vec> ten(10, good[1]);
  ten[0] = good[0];
  const std::vector<Bytes> v = views(ten);
  EXPECT_TRUE(verifier_->verify_chain(v, "localhost", CertificateRole::kServer, k2030).ok())
      << "10 certificates (repeated intermediates) are within the limit";
}

TEST_F(PkiTest, VerifierFactories) {
  TlsError err;
  EXPECT_EQ(make_openssl_verifier_from_ca_file("/nonexistent/ca.pem", &err), nullptr);
  expect_fail(err, AlertDescription::kInternalError);
  EXPECT_EQ(make_openssl_verifier_from_ca_file(pki_path("make-test-pki.sh"), nullptr), nullptr)
      << "no certificate in the file";
  EXPECT_EQ(make_openssl_verifier_from_ca_dir("/nonexistent/dir", &err), nullptr);
  expect_fail(err, AlertDescription::kInternalError);

  // A hashed directory holding only the root, as `openssl rehash` names it.
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::filesystem::path dir = std::filesystem::path(tmp ? tmp : "/tmp") / "pki_test_cadir";
  std::filesystem::create_directories(dir);
  const std::vector<Vec> root = der_chain(pki_path("root.pem"));
  const unsigned char* p = root[0].data();
  X509* x = d2i_X509(nullptr, &p, static_cast<long>(root[0].size()));
  ASSERT_NE(x, nullptr);
  char name[16];
  snprintf(name, sizeof(name), "%08lx.0", X509_subject_name_hash(x));
  X509_free(x);
  std::filesystem::copy_file(pki_path("root.pem"), dir / name,
                             std::filesystem::copy_options::overwrite_existing);
  auto from_dir = make_openssl_verifier_from_ca_dir(dir.string(), &err);
  ASSERT_NE(from_dir, nullptr) << err.reason;
  const std::vector<Vec> chain = der_chain(pki_path("server-rsa-2048.chain.pem"));
  const std::vector<Bytes> v = views(chain);
  EXPECT_TRUE(from_dir->verify_chain(v, "localhost", CertificateRole::kServer, k2030).ok());

  // The system store does not trust the test root.
  auto system = make_openssl_verifier_system(&err);
  ASSERT_NE(system, nullptr) << err.reason;
  expect_fail(system->verify_chain(v, "localhost", CertificateRole::kServer, k2030),
              AlertDescription::kUnknownCa);
}

// Every scheme each key kind offers signs and verifies; a flipped bit is decrypt_error.
TEST_F(PkiTest, SignAndVerifyEveryKeyAndScheme) {
  struct Case {
    const char* name;
    std::vector<SignatureScheme> schemes;
  };
  const Case cases[] = {
      {"server-ecdsa-p256", {SignatureScheme::kEcdsaSecp256r1Sha256}},
      {"server-ecdsa-p384", {SignatureScheme::kEcdsaSecp384r1Sha384}},
      {"server-ecdsa-p521", {SignatureScheme::kEcdsaSecp521r1Sha512}},
      {"server-rsa-2048",
       {SignatureScheme::kRsaPssRsaeSha256, SignatureScheme::kRsaPssRsaeSha384,
        SignatureScheme::kRsaPssRsaeSha512}},
      {"server-rsa-pss-2048",
       {SignatureScheme::kRsaPssPssSha256, SignatureScheme::kRsaPssPssSha384,
        SignatureScheme::kRsaPssPssSha512}},
      {"server-ed25519", {SignatureScheme::kEd25519}},
      {"client-ecdsa-p256", {SignatureScheme::kEcdsaSecp256r1Sha256}},
  };
  const Vec hash(32, 0x5a);
  for (const CertificateRole role : {CertificateRole::kServer, CertificateRole::kClient}) {
    CertificateVerifyContent content;
    ASSERT_TRUE(certificate_verify_content(&content, role, hash).ok());
    for (const Case& c : cases) {
      SCOPED_TRACE(c.name);
      const auto cred = credential(c.name);
      ASSERT_NE(cred, nullptr);
      ASSERT_EQ(cred->chain().size(), 2u);
      EXPECT_EQ(Vec(cred->chain()[0].begin(), cred->chain()[0].end()),
                der_chain(pki_path(std::string(c.name) + ".pem"))[0]);
      ASSERT_EQ(std::vector<SignatureScheme>(cred->schemes().begin(), cred->schemes().end()),
                c.schemes);
      for (const SignatureScheme scheme : c.schemes) {
        SCOPED_TRACE(signature_scheme_name(scheme));
        std::vector<uint8_t> sig;
        const TlsError signed_ok = cred->sign(&sig, scheme, content.bytes());
        ASSERT_TRUE(signed_ok.ok()) << signed_ok.reason;
        EXPECT_FALSE(sig.empty());
        const TlsError ok =
            verifier_->verify_signature(cred->chain()[0], scheme, content.bytes(), sig);
        EXPECT_TRUE(ok.ok()) << ok.reason;

        std::vector<uint8_t> tampered = sig;
        tampered[tampered.size() / 2] ^= 0x01;
        expect_fail(
            verifier_->verify_signature(cred->chain()[0], scheme, content.bytes(), tampered),
            AlertDescription::kDecryptError);
        Vec other(content.bytes().begin(), content.bytes().end());
        other.back() ^= 0x80;
        expect_fail(verifier_->verify_signature(cred->chain()[0], scheme, other, sig),
                    AlertDescription::kDecryptError);
        expect_fail(verifier_->verify_signature(cred->chain()[0], scheme, content.bytes(), {}),
                    AlertDescription::kDecryptError);
      }
    }
  }
}

TEST_F(PkiTest, SchemeMustFitTheKey) {
  const auto p384 = credential("server-ecdsa-p384");
  const auto rsa = credential("server-rsa-2048");
  const auto pss = credential("server-rsa-pss-2048");
  const auto ed = credential("server-ed25519");
  ASSERT_TRUE(p384 && rsa && pss && ed);
  const Vec content(130, 0x20);
  std::vector<uint8_t> sig{1, 2, 3};

  // Signing: a scheme the key does not offer is our own mistake, and nothing is written.
  expect_fail(p384->sign(&sig, SignatureScheme::kEcdsaSecp256r1Sha256, content),
              AlertDescription::kInternalError);
  expect_fail(rsa->sign(&sig, SignatureScheme::kRsaPssPssSha256, content),
              AlertDescription::kInternalError);
  expect_fail(rsa->sign(&sig, SignatureScheme::kRsaPkcs1Sha256, content),
              AlertDescription::kInternalError);
  expect_fail(pss->sign(&sig, SignatureScheme::kRsaPssRsaeSha256, content),
              AlertDescription::kInternalError);
  EXPECT_EQ(sig, (std::vector<uint8_t>{1, 2, 3}));

  // Verifying: a P-384 signature offered as P-256 (the curve must match), and schemes of another
  // key type, are illegal_parameter.
  ASSERT_TRUE(p384->sign(&sig, SignatureScheme::kEcdsaSecp384r1Sha384, content).ok());
  expect_fail(verifier_->verify_signature(p384->chain()[0], SignatureScheme::kEcdsaSecp256r1Sha256,
                                          content, sig),
              AlertDescription::kIllegalParameter);
  expect_fail(verifier_->verify_signature(p384->chain()[0], SignatureScheme::kEcdsaSecp521r1Sha512,
                                          content, sig),
              AlertDescription::kIllegalParameter);
  ASSERT_TRUE(rsa->sign(&sig, SignatureScheme::kRsaPssRsaeSha256, content).ok());
  expect_fail(
      verifier_->verify_signature(rsa->chain()[0], SignatureScheme::kRsaPssPssSha256, content, sig),
      AlertDescription::kIllegalParameter);
  expect_fail(
      verifier_->verify_signature(ed->chain()[0], SignatureScheme::kRsaPssRsaeSha256, content, sig),
      AlertDescription::kIllegalParameter);
  expect_fail(verifier_->verify_signature(rsa->chain()[0], SignatureScheme::kEd448, content, sig),
              AlertDescription::kIllegalParameter);
  expect_fail(
      verifier_->verify_signature(Vec{1, 2, 3}, SignatureScheme::kRsaPssRsaeSha256, content, sig),
      kBadCertificate);
}

// RFC 8446 §4.4.3: RSASSA-PKCS1-v1_5 is never accepted in CertificateVerify, even when the
// signature itself is good.
TEST_F(PkiTest, Pkcs1RefusedInCertificateVerify) {
  const auto rsa = credential("server-rsa-2048");
  ASSERT_NE(rsa, nullptr);
  const std::string key_pem = read_text(pki_path("server-rsa-2048.key.pem"));
  BIO* bio = BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  ASSERT_NE(key, nullptr);
  const Vec content(130, 0x20);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  size_t len = 512;
  Vec sig(len);
  ASSERT_EQ(EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key), 1);  // PKCS#1 v1.5
  ASSERT_EQ(EVP_DigestSign(ctx, sig.data(), &len, content.data(), content.size()), 1);
  sig.resize(len);
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(key);
  for (const SignatureScheme s :
       {SignatureScheme::kRsaPkcs1Sha256, SignatureScheme::kRsaPkcs1Sha384,
        SignatureScheme::kRsaPkcs1Sha512, SignatureScheme::kRsaPkcs1Sha1}) {
    expect_fail(verifier_->verify_signature(rsa->chain()[0], s, content, sig),
                AlertDescription::kIllegalParameter);
  }
  // The same bytes as RSA-PSS: a bad signature.
  expect_fail(verifier_->verify_signature(rsa->chain()[0], SignatureScheme::kRsaPssRsaeSha256,
                                          content, sig),
              AlertDescription::kDecryptError);
  // PKCS#1 v1.5 in certificates is fine: the RSA leaf's chain is ECDSA-signed, and the RFC 8448
  // certificate below (sha256WithRSAEncryption) verifies.
  for (const SignatureScheme s : verifier_->supported_schemes()) {
    EXPECT_TRUE(allowed_in_certificate_verify(s)) << signature_scheme_name(s);
  }
}

TEST_F(PkiTest, CredentialFactories) {
  TlsError err;
  const std::string chain = read_text(pki_path("server-ecdsa-p256.chain.pem"));
  const std::string key = read_text(pki_path("server-ecdsa-p256.key.pem"));
  const std::string other_key = read_text(pki_path("server-ecdsa-p384.key.pem"));
  EXPECT_NE(make_openssl_credential_from_pem(chain, key, &err), nullptr);
  EXPECT_TRUE(err.ok());

  EXPECT_EQ(make_openssl_credential_from_pem(chain, other_key, &err), nullptr);
  expect_fail(err, AlertDescription::kInternalError);
  EXPECT_EQ(make_openssl_credential_from_pem("", key, &err), nullptr);
  expect_fail(err, AlertDescription::kInternalError);
  EXPECT_EQ(make_openssl_credential_from_pem(chain, "", &err), nullptr);
  EXPECT_EQ(make_openssl_credential_from_pem(chain.substr(0, chain.size() / 2), key, &err), nullptr)
      << "a broken second certificate is an error, not a shorter chain";
  EXPECT_EQ(make_openssl_credential_from_pem_files("/nonexistent", pki_path("root.pem"), &err),
            nullptr);
  expect_fail(err, AlertDescription::kInternalError);

  // An encrypted key is refused without prompting for a password.
  BIO* in = BIO_new_mem_buf(key.data(), static_cast<int>(key.size()));
  EVP_PKEY* pkey = PEM_read_bio_PrivateKey(in, nullptr, nullptr, nullptr);
  BIO_free(in);
  ASSERT_NE(pkey, nullptr);
  BIO* out = BIO_new(BIO_s_mem());
  ASSERT_EQ(
      PEM_write_bio_PKCS8PrivateKey(out, pkey, EVP_aes_128_cbc(), "secret", 6, nullptr, nullptr),
      1);
  char* data = nullptr;
  const long n = BIO_get_mem_data(out, &data);
  const std::string encrypted(data, static_cast<size_t>(n));
  BIO_free(out);
  EVP_PKEY_free(pkey);
  EXPECT_EQ(make_openssl_credential_from_pem(chain, encrypted, &err), nullptr);
  expect_fail(err, AlertDescription::kInternalError);
}

// The certificate cache keeps parses only: a chain verified once (its certificates now cached) is
// verified again in full on the next call, against that call's time, host and role.
TEST_F(PkiTest, CachedChainIsVerifiedAgainEveryCall) {
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE(round);
    EXPECT_TRUE(verify("server-ecdsa-p256.chain.pem").ok());
    expect_fail(verify("server-ecdsa-p256.chain.pem", "example.com"), kBadCertificate);
    expect_fail(verify("server-ecdsa-p256.chain.pem", "", CertificateRole::kClient),
                AlertDescription::kUnsupportedCertificate);
    const VerifyTime after = std::chrono::time_point_cast<std::chrono::seconds>(
        sys_days(std::chrono::year(2046) / 1 / 2));
    expect_fail(verify("server-ecdsa-p256.chain.pem", "localhost", CertificateRole::kServer, after),
                AlertDescription::kCertificateExpired);
    // The same leaf without its intermediate: the cached leaf must not bring its chain along.
    expect_fail(verify("server-ecdsa-p256.pem"), AlertDescription::kUnknownCa);
    expect_fail(verify("expired-ecdsa-p256.chain.pem"), AlertDescription::kCertificateExpired);
  }
}

// A signature check after the chain check finds the leaf parsed; a wrong signature still fails.
TEST_F(PkiTest, CachedLeafStillChecksTheSignature) {
  const auto cred = credential("server-ecdsa-p256");
  ASSERT_NE(cred, nullptr);
  const Vec content(130, 7);
  std::vector<uint8_t> sig;
  ASSERT_TRUE(cred->sign(&sig, SignatureScheme::kEcdsaSecp256r1Sha256, content).ok());
  for (int round = 0; round < 3; ++round) {
    EXPECT_TRUE(verifier_
                    ->verify_chain(cred->chain(), "localhost", CertificateRole::kServer, k2030)
                    .ok());
    EXPECT_TRUE(verifier_
                    ->verify_signature(cred->chain()[0], SignatureScheme::kEcdsaSecp256r1Sha256,
                                       content, sig)
                    .ok());
    Vec other = content;
    other[100] ^= 1;
    expect_fail(verifier_->verify_signature(cred->chain()[0],
                                            SignatureScheme::kEcdsaSecp256r1Sha256, other, sig),
                AlertDescription::kDecryptError);
  }
}

// CertificateCache on its own: hits share one parse, bad DER is never cached, and both limits
// evict the least recently used entry.
TEST(CertificateCache, HitsEvictionAndBadDer) {
  std::vector<Vec> certs;
  for (const char* f : {"server-ecdsa-p256.chain.pem", "server-ecdsa-p384.pem", "root.pem"}) {
    for (Vec& c : der_chain(pki_path(f))) certs.push_back(std::move(c));
  }
  ASSERT_EQ(certs.size(), 4u);  // leaf, intermediate, P-384 leaf, root
  ossl::CertificateCache cache(ossl::CertificateCache::Limits{3, 1 << 20});
  const ossl::X509Ptr a = cache.get(certs[0]);
  ASSERT_NE(a, nullptr);
  const Vec copy = certs[0];  // other bytes, same content: a hit
  const ossl::X509Ptr a2 = cache.get(copy);
  EXPECT_EQ(a.get(), a2.get());
  EXPECT_EQ(cache.stats().hits, 1u);
  EXPECT_EQ(cache.stats().misses, 1u);

  Vec trailing = certs[0];
  trailing.push_back(0);
  EXPECT_EQ(cache.get(trailing), nullptr);
  Vec flipped = certs[0];
  flipped[flipped.size() / 2] ^= 0x55;  // may still parse; must not be a hit on |a|
  const ossl::X509Ptr f = cache.get(flipped);
  EXPECT_NE(f.get(), a.get());
  EXPECT_EQ(cache.get(Bytes()), nullptr);

  // Touch 0, then add 1, 2, 3: the cache holds 3, so the oldest other than 0 goes.
  ASSERT_NE(cache.get(certs[1]), nullptr);
  ASSERT_NE(cache.get(certs[0]), nullptr);
  ASSERT_NE(cache.get(certs[2]), nullptr);
  ASSERT_NE(cache.get(certs[3]), nullptr);
  EXPECT_EQ(cache.stats().entries, 3u);
  const uint64_t hits = cache.stats().hits;
  ASSERT_NE(cache.get(certs[0]), nullptr);
  EXPECT_EQ(cache.stats().hits, hits + 1) << "the recently used entry was evicted";
  ASSERT_NE(cache.get(certs[1]), nullptr);
  EXPECT_EQ(cache.stats().hits, hits + 1) << "the least recently used entry was kept";
  // An evicted certificate's X509 lives on in the references handed out.
  EXPECT_NE(X509_get0_pubkey(a.get()), nullptr);

  // A byte limit smaller than two certificates keeps one.
  ossl::CertificateCache small(ossl::CertificateCache::Limits{100, certs[0].size() + 1});
  ASSERT_NE(small.get(certs[0]), nullptr);
  ASSERT_NE(small.get(certs[1]), nullptr);
  EXPECT_EQ(small.stats().entries, 1u);
  EXPECT_LE(small.stats().bytes, certs[0].size() + 1);
  ERR_clear_error();
}

// Many threads on one small cache: every get returns the right certificate while entries come
// and go.
TEST(CertificateCache, ConcurrentGets) {
  std::vector<Vec> certs;
  for (const char* f : {"server-ecdsa-p256.chain.pem", "server-rsa-2048.chain.pem"}) {
    for (Vec& c : der_chain(pki_path(f))) certs.push_back(std::move(c));
  }
  ossl::CertificateCache cache(ossl::CertificateCache::Limits{2, 1 << 20});
  std::vector<int> failures(4, 0);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < failures.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        const Vec& der = certs[(t + static_cast<size_t>(i)) % certs.size()];
        const ossl::X509Ptr x = cache.get(der);
        unsigned char* out = nullptr;
        const int len = x == nullptr ? -1 : i2d_X509(x.get(), &out);
        if (len != static_cast<int>(der.size()) ||
            !std::equal(der.begin(), der.end(), out)) {
          ++failures[t];
        }
        OPENSSL_free(out);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures, std::vector<int>(failures.size(), 0));
  EXPECT_LE(cache.stats().entries, 2u);
  ERR_clear_error();
}

// One verifier and one credential shared by several threads, as connections share them.
TEST_F(PkiTest, SharedAcrossThreads) {
  const auto cred = credential("server-rsa-2048");
  ASSERT_NE(cred, nullptr);
  const std::vector<Vec> chain = der_chain(pki_path("server-rsa-2048.chain.pem"));
  const std::vector<Bytes> v = views(chain);
  std::vector<int> failures(4, 0);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < failures.size(); ++t) {
    threads.emplace_back([&, t] {
      const Vec content(130, static_cast<uint8_t>(t));
      for (int i = 0; i < 10; ++i) {
        std::vector<uint8_t> sig;
        const bool ok =
            verifier_->verify_chain(v, "localhost", CertificateRole::kServer, k2030).ok() &&
            cred->sign(&sig, SignatureScheme::kRsaPssRsaeSha256, content).ok() &&
            verifier_
                ->verify_signature(cred->chain()[0], SignatureScheme::kRsaPssRsaeSha256, content,
                                   sig)
                .ok() &&
            ERR_peek_error() == 0;
        if (!ok) ++failures[t];
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures, std::vector<int>(failures.size(), 0));
}

// RFC 8448 §3: the server's CertificateVerify (rsa_pss_rsae_sha256 with the RFC's RSA-1024 key)
// over Transcript-Hash(ClientHello .. Certificate) of transcripts.vec's handshake.
TEST(PkiRfc8448, ServerCertificateVerify) {
  const auto blocks = test::read_file_test_file(test::vector_path("rfc8448/transcripts.vec"));
  const test::FileTestCase* s1 = nullptr;
  for (const auto& b : blocks) {
    if (b.has_flag("[Simple_1RTT_Handshake]")) s1 = &b;
  }
  ASSERT_NE(s1, nullptr);
  const Vec ch_record = s1->bytes("Record_ClientHello_1");
  const Vec signature = s1->bytes("Server_MessageSignature");
  const Vec cv_message = s1->bytes("Message_Server_CertificateVerify");
  ASSERT_EQ(cv_message.size(), 4u + 2 + 2 + 128);
  EXPECT_EQ(Vec(cv_message.begin() + 4, cv_message.begin() + 6), (Vec{0x08, 0x04}));
  EXPECT_EQ(Vec(cv_message.begin() + 8, cv_message.end()), signature);

  EVP_MD_CTX* h = EVP_MD_CTX_new();
  ASSERT_EQ(EVP_DigestInit_ex(h, EVP_sha256(), nullptr), 1);
  EVP_DigestUpdate(h, ch_record.data() + 5, ch_record.size() - 5);  // the message, not the record
  for (const char* m :
       {"Message_ServerHello", "Message_EncryptedExtensions", "Message_Server_Certificate"}) {
    const Vec msg = s1->bytes(m);
    EVP_DigestUpdate(h, msg.data(), msg.size());
  }
  Vec hash(32);
  ASSERT_EQ(EVP_DigestFinal_ex(h, hash.data(), nullptr), 1);
  EVP_MD_CTX_free(h);

  CertificateVerifyContent content;
  ASSERT_TRUE(certificate_verify_content(&content, CertificateRole::kServer, hash).ok());
  EXPECT_EQ(test::to_hex(content.bytes().data(), content.size),
            test::to_hex(s1->bytes("Server_MessageToSign")));

  const std::string cert_path = test::vector_path("rfc8448/server_certificate.pem");
  const std::vector<Vec> cert = der_chain(cert_path);
  ASSERT_EQ(cert.size(), 1u);

  // The default policy refuses RSA-1024 ...
  auto strict = make_openssl_verifier_from_ca_file(cert_path, nullptr);
  ASSERT_NE(strict, nullptr);
  expect_fail(strict->verify_signature(cert[0], SignatureScheme::kRsaPssRsaeSha256, content.bytes(),
                                       signature),
              AlertDescription::kUnsupportedCertificate);

  // ... a loosened one verifies the RFC's signature, and refuses it tampered or for the client.
  TlsError err;
  auto rfc =
      ossl::make_openssl_verifier(ossl::CaSource::kFile, cert_path, {.min_rsa_bits = 1024}, &err);
  ASSERT_NE(rfc, nullptr) << err.reason;
  const TlsError ok = rfc->verify_signature(cert[0], SignatureScheme::kRsaPssRsaeSha256,
                                            content.bytes(), signature);
  EXPECT_TRUE(ok.ok()) << ok.reason;
  Vec bad = signature;
  bad[0] ^= 1;
  expect_fail(
      rfc->verify_signature(cert[0], SignatureScheme::kRsaPssRsaeSha256, content.bytes(), bad),
      AlertDescription::kDecryptError);
  CertificateVerifyContent client;
  ASSERT_TRUE(certificate_verify_content(&client, CertificateRole::kClient, hash).ok());
  expect_fail(
      rfc->verify_signature(cert[0], SignatureScheme::kRsaPssRsaeSha256, client.bytes(), signature),
      AlertDescription::kDecryptError);

  // Its self-signed certificate (sha256WithRSAEncryption) verifies as its own root, in its
  // validity (2016-07-30..2026-07-30).
  const std::vector<Bytes> chain = views(cert);
  const VerifyTime in_2020 =
      std::chrono::time_point_cast<std::chrono::seconds>(sys_days(std::chrono::year(2020) / 1 / 1));
  const TlsError chain_ok = rfc->verify_chain(chain, "", CertificateRole::kServer, in_2020);
  EXPECT_TRUE(chain_ok.ok()) << chain_ok.reason;

  // The RFC's private key signs for a loosened credential, and the signature verifies.
  const std::string key_pem = read_text(test::vector_path("rfc8448/server_key.pem"));
  const std::string cert_pem = read_text(cert_path);
  EXPECT_EQ(make_openssl_credential_from_pem(cert_pem, key_pem, &err), nullptr);
  auto cred = ossl::make_openssl_credential(cert_pem, key_pem, {.min_rsa_bits = 1024}, &err);
  ASSERT_NE(cred, nullptr) << err.reason;
  std::vector<uint8_t> sig;
  ASSERT_TRUE(cred->sign(&sig, SignatureScheme::kRsaPssRsaeSha256, content.bytes()).ok());
  EXPECT_TRUE(rfc->verify_signature(cred->chain()[0], SignatureScheme::kRsaPssRsaeSha256,
                                    content.bytes(), sig)
                  .ok());
  EXPECT_EQ(ERR_peek_error(), 0u);
}

}  // namespace
}  // namespace volley::tls
