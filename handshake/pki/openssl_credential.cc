#include "handshake/pki/openssl_credential.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <algorithm>
#include <climits>
#include <filesystem>
#include <fstream>
#include <new>
#include <string>
#include <system_error>
#include <vector>

#include "engine/common/secure_memory.h"

namespace volley::tls::ossl {
namespace {

// The schemes each key kind signs with, best first.
constexpr SignatureScheme kRsaSchemes[] = {SignatureScheme::kRsaPssRsaeSha256,
                                           SignatureScheme::kRsaPssRsaeSha384,
                                           SignatureScheme::kRsaPssRsaeSha512};
constexpr SignatureScheme kRsaPssSchemes[] = {SignatureScheme::kRsaPssPssSha256,
                                              SignatureScheme::kRsaPssPssSha384,
                                              SignatureScheme::kRsaPssPssSha512};
constexpr SignatureScheme kP256Schemes[] = {SignatureScheme::kEcdsaSecp256r1Sha256};
constexpr SignatureScheme kP384Schemes[] = {SignatureScheme::kEcdsaSecp384r1Sha384};
constexpr SignatureScheme kP521Schemes[] = {SignatureScheme::kEcdsaSecp521r1Sha512};
constexpr SignatureScheme kEd25519Schemes[] = {SignatureScheme::kEd25519};

std::span<const SignatureScheme> schemes_for(KeyKind kind) noexcept {
  switch (kind) {
    case KeyKind::kRsa: return kRsaSchemes;
    case KeyKind::kRsaPss: return kRsaPssSchemes;
    case KeyKind::kEcdsaP256: return kP256Schemes;
    case KeyKind::kEcdsaP384: return kP384Schemes;
    case KeyKind::kEcdsaP521: return kP521Schemes;
    case KeyKind::kEd25519: return kEd25519Schemes;
    case KeyKind::kUnsupported: break;
  }
  return {};
}

constexpr TlsError internal(const char* reason) noexcept {
  return tls_fail(AlertDescription::kInternalError, reason);
}

class OpensslCredential final : public SigningCredential {
 public:
  OpensslCredential(std::vector<std::vector<uint8_t>> der, EvpPkeyPtr key)
      : der_(std::move(der)), key_(std::move(key)), schemes_(schemes_for(key_kind(key_.get()))) {
    chain_.reserve(der_.size());
    for (const std::vector<uint8_t>& cert : der_) chain_.emplace_back(cert.data(), cert.size());
    const int max = EVP_PKEY_get_size(key_.get());
    max_signature_ = max > 0 ? static_cast<size_t>(max) : 0;
    // One signing context per scheme, set up now: EVP_DigestSignInit_ex fetches the signature
    // and digest algorithms by name and exports the key to its provider, which cost about a
    // tenth of an ECDSA P-256 signature. A scheme whose template cannot be made (or copied, see
    // sign) falls back to setting a context up per call.
    for (size_t i = 0; i < schemes_.size() && i < kMaxSchemes; ++i) {
      EvpMdCtxPtr t(EVP_MD_CTX_new());
      if (t != nullptr && init_digest(t.get(), DigestOp::kSign, schemes_[i], key_.get())) {
        templates_[i] = std::move(t);
      }
    }
    ERR_clear_error();
  }

  std::span<const Bytes> chain() const override { return chain_; }
  std::span<const SignatureScheme> schemes() const override { return schemes_; }
  TlsError sign(std::vector<uint8_t>* signature, SignatureScheme scheme,
                Bytes content) const override;

 private:
  static constexpr size_t kMaxSchemes = 3;  // the longest list of schemes_for

  // ready_context returns a context ready to sign under |schemes_[index]|: a copy of its
  // template (EVP_MD_CTX_copy_ex only reads the template, so threads may copy one at once), or
  // a fresh init_digest. Null on failure.
  EvpMdCtxPtr ready_context(size_t index) const noexcept;

  std::vector<std::vector<uint8_t>> der_;
  std::vector<Bytes> chain_;  // views of der_
  EvpPkeyPtr key_;
  std::span<const SignatureScheme> schemes_;
  size_t max_signature_ = 0;  // EVP_PKEY_get_size: the longest signature the key makes
  EvpMdCtxPtr templates_[kMaxSchemes];  // by index in schemes_; null: set up per call
};

EvpMdCtxPtr OpensslCredential::ready_context(size_t index) const noexcept {
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (ctx == nullptr) return nullptr;
  if (index < kMaxSchemes && templates_[index] != nullptr &&
      EVP_MD_CTX_copy_ex(ctx.get(), templates_[index].get()) == 1) {
    // The copy is used once: let EVP_DigestSignFinal sign in it instead of duplicating it.
    EVP_MD_CTX_set_flags(ctx.get(), EVP_MD_CTX_FLAG_FINALISE);
    return ctx;
  }
  EVP_MD_CTX_reset(ctx.get());
  if (!init_digest(ctx.get(), DigestOp::kSign, schemes_[index], key_.get())) return nullptr;
  return ctx;
}

TlsError OpensslCredential::sign(std::vector<uint8_t>* signature, SignatureScheme scheme,
                                 Bytes content) const {
  const ErrorQueueScope clear_errors;
  const auto found = std::find(schemes_.begin(), schemes_.end(), scheme);
  if (found == schemes_.end()) return internal("sign: this key does not sign with that scheme");
  const EvpMdCtxPtr ctx = ready_context(static_cast<size_t>(found - schemes_.begin()));
  if (ctx == nullptr) return internal("sign: cannot set up signer");
  try {
    // One call into the signer: the buffer has the key's maximum signature size.
    std::vector<uint8_t> out(max_signature_);
    size_t len = out.size();
    if (len == 0 ||
        EVP_DigestSign(ctx.get(), out.data(), &len, content.data(), content.size()) != 1) {
      return internal("sign: signer failed");
    }
    out.resize(len);  // an ECDSA signature's DER length varies below the maximum
    *signature = std::move(out);
  } catch (const std::bad_alloc&) {
    return internal("sign: out of memory");
  }
  return kTlsOk;
}

// mem_bio views |text| without copying it.
BioPtr mem_bio(std::string_view text) noexcept {
  if (text.size() > static_cast<size_t>(INT_MAX)) return nullptr;
  return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

// no_password refuses encrypted keys: without it, libcrypto would prompt on the terminal.
int no_password(char*, int, int, void*) { return -1; }

// read_chain appends the DER of every PEM certificate in |pem| to |der|.
TlsError read_chain(std::vector<std::vector<uint8_t>>* der, std::string_view pem) {
  const BioPtr bio = mem_bio(pem);
  if (bio == nullptr) return internal("certificate chain: cannot read PEM");
  while (true) {
    const X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, no_password, nullptr));
    if (cert == nullptr) break;
    const int len = i2d_X509(cert.get(), nullptr);
    if (len <= 0 || static_cast<size_t>(len) > kMaxCertificateSize) {
      return internal("certificate chain: certificate empty or over 64 KiB");
    }
    if (der->size() == kMaxChainLength) {
      return internal("certificate chain: more than 10 certificates");
    }
    std::vector<uint8_t>& out = der->emplace_back(static_cast<size_t>(len));
    unsigned char* p = out.data();
    if (i2d_X509(cert.get(), &p) != len) return internal("certificate chain: cannot encode");
  }
  // The loop ends at the first PEM block it cannot read; only "no more PEM" is a clean end.
  const unsigned long last = ERR_peek_last_error();
  if (ERR_GET_LIB(last) != ERR_LIB_PEM || ERR_GET_REASON(last) != PEM_R_NO_START_LINE) {
    return internal("certificate chain: malformed PEM certificate");
  }
  if (der->empty()) return internal("certificate chain: no certificate");
  return kTlsOk;
}

// read_file reads the whole of |path| into |out|, sized once so that no reallocation leaves a
// copy of a key behind.
bool read_file(std::string* out, const std::string& path) {
  std::error_code ec;
  const uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec || size > (1u << 20)) return false;
  // Unbuffered (set before open, as libstdc++ requires): a private key's bytes go straight into
  // |out|, which KeyText wipes, never through a stream buffer that would be freed unwiped.
  std::ifstream in;
  in.rdbuf()->pubsetbuf(nullptr, 0);
  in.open(path, std::ios::binary);
  if (!in) return false;
  out->resize(static_cast<size_t>(size));
  in.read(out->data(), static_cast<std::streamsize>(out->size()));
  return in.gcount() == static_cast<std::streamsize>(out->size());
}

// KeyText owns a key file's contents and wipes them when dropped.
struct KeyText {
  std::string text;
  ~KeyText() { secure_wipe(text.data(), text.size()); }
};

}  // namespace

std::shared_ptr<const SigningCredential> make_openssl_credential(std::string_view chain_pem,
                                                                 std::string_view key_pem,
                                                                 const OpensslPolicy& policy,
                                                                 TlsError* error) {
  const ErrorQueueScope clear_errors;
  try {
    std::vector<std::vector<uint8_t>> der;
    const TlsError chain_ok = read_chain(&der, chain_pem);
    if (!chain_ok.ok()) return report<SigningCredential>(error, chain_ok);

    const BioPtr key_bio = mem_bio(key_pem);
    EvpPkeyPtr key(key_bio == nullptr
                       ? nullptr
                       : PEM_read_bio_PrivateKey(key_bio.get(), nullptr, no_password, nullptr));
    if (key == nullptr) {
      return report<SigningCredential>(
          error, internal("private key: cannot read (not PEM, or encrypted)"));
    }
    const X509Ptr leaf = parse_certificate(der[0]);
    if (leaf == nullptr || X509_check_private_key(leaf.get(), key.get()) != 1) {
      return report<SigningCredential>(
          error, internal("private key: does not match the leaf certificate"));
    }
    const TlsError key_ok = check_key_policy(key.get(), policy, AlertDescription::kInternalError);
    if (!key_ok.ok()) return report<SigningCredential>(error, key_ok);

    auto credential = std::make_shared<const OpensslCredential>(std::move(der), std::move(key));
    if (error != nullptr) *error = kTlsOk;
    return credential;
  } catch (const std::bad_alloc&) {
    return report<SigningCredential>(error, internal("credential: out of memory"));
  }
}

}  // namespace volley::tls::ossl

namespace volley::tls {

SigningCredential::~SigningCredential() = default;

std::shared_ptr<const SigningCredential> make_openssl_credential_from_pem(
    std::string_view chain_pem, std::string_view key_pem, TlsError* error) {
  return ossl::make_openssl_credential(chain_pem, key_pem, {}, error);
}

std::shared_ptr<const SigningCredential> make_openssl_credential_from_pem_files(
    const std::string& chain_pem, const std::string& key_pem, TlsError* error) {
  try {
    std::string chain;
    ossl::KeyText key;
    if (!ossl::read_file(&chain, chain_pem)) {
      return ossl::report<SigningCredential>(error,
                                             ossl::internal("certificate chain: cannot read file"));
    }
    if (!ossl::read_file(&key.text, key_pem)) {
      return ossl::report<SigningCredential>(error,
                                             ossl::internal("private key: cannot read file"));
    }
    return ossl::make_openssl_credential(chain, key.text, {}, error);
  } catch (const std::bad_alloc&) {
    return ossl::report<SigningCredential>(error, ossl::internal("credential: out of memory"));
  }
}

}  // namespace volley::tls
