#include "handshake/pki/openssl_verifier.h"

#include <arpa/inet.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <new>
#include <string_view>
#include <system_error>
#include <vector>

#include "handshake/pki/certificate_cache.h"
#include "handshake/pki/signature_scheme.h"

namespace volley::tls::ossl {
namespace {

constexpr AlertDescription kBadCertificate = AlertDescription::kBadCertificate;

// is_ip_literal reports whether |host| is an IPv4 or IPv6 address in text form, and if so leaves
// it NUL-terminated in |buf| for X509_VERIFY_PARAM_set1_ip_asc.
bool is_ip_literal(std::string_view host, char (&buf)[INET6_ADDRSTRLEN]) noexcept {
  if (host.empty() || host.size() >= sizeof(buf)) return false;
  std::memcpy(buf, host.data(), host.size());
  buf[host.size()] = '\0';
  unsigned char addr[sizeof(struct in6_addr)];
  return inet_pton(AF_INET, buf, addr) == 1 || inet_pton(AF_INET6, buf, addr) == 1;
}

class OpensslVerifier final : public CertificateVerifier {
 public:
  OpensslVerifier(X509StorePtr store, const OpensslPolicy& policy,
                  std::vector<std::vector<uint8_t>> ca_names)
      : store_(std::move(store)), policy_(policy), ca_der_(std::move(ca_names)) {
    for (const std::vector<uint8_t>& name : ca_der_) ca_names_.emplace_back(name);
  }

  TlsError verify_chain(std::span<const Bytes> chain, std::string_view host, CertificateRole role,
                        VerifyTime now) const override;
  TlsError verify_signature(Bytes leaf_der, SignatureScheme scheme, Bytes content,
                            Bytes signature) const override;
  std::span<const SignatureScheme> supported_schemes() const override {
    return kCertificateVerifySchemes;
  }
  std::span<const Bytes> certificate_authorities() const override { return ca_names_; }

 private:
  // set_up_context applies purpose, time, host, depth and security level to a fresh context.
  TlsError set_up_context(X509_STORE_CTX* ctx, std::string_view host, CertificateRole role,
                          VerifyTime now) const noexcept;

  X509StorePtr store_;
  OpensslPolicy policy_;
  // Parsed peer certificates (volley/pki.h, "Certificate cache"); locks itself.
  mutable CertificateCache cache_;
  // The trusted certificates' subjects (DER), and views of them: certificate_authorities().
  std::vector<std::vector<uint8_t>> ca_der_;
  std::vector<Bytes> ca_names_;
};

TlsError OpensslVerifier::verify_chain(std::span<const Bytes> chain, std::string_view host,
                                       CertificateRole role, VerifyTime now) const {
  const ErrorQueueScope clear_errors;
  if (chain.empty()) return tls_fail(kBadCertificate, "certificate chain: empty");
  if (chain.size() > kMaxChainLength) {
    return tls_fail(kBadCertificate, "certificate chain: more than 10 certificates");
  }
  for (const Bytes& der : chain) {
    if (der.empty() || der.size() > kMaxCertificateSize) {
      return tls_fail(kBadCertificate, "certificate chain: certificate empty or over 64 KiB");
    }
  }
  const X509Ptr leaf = cache_.get(chain[0]);
  if (leaf == nullptr) return tls_fail(kBadCertificate, "certificate: leaf does not parse");
  X509StackPtr untrusted(sk_X509_new_null());
  if (untrusted == nullptr) return tls_fail(AlertDescription::kInternalError, "out of memory");
  for (const Bytes& der : chain.subspan(1)) {
    X509Ptr cert = cache_.get(der);
    if (cert == nullptr) {
      return tls_fail(kBadCertificate, "certificate: intermediate does not parse");
    }
    if (sk_X509_push(untrusted.get(), cert.get()) <= 0) {
      return tls_fail(AlertDescription::kInternalError, "out of memory");
    }
    (void)cert.release();  // the stack owns it now
  }
  const TlsError key_ok = check_key_policy(X509_get0_pubkey(leaf.get()), policy_,
                                           AlertDescription::kUnsupportedCertificate);
  if (!key_ok.ok()) return key_ok;

  const X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (ctx == nullptr ||
      X509_STORE_CTX_init(ctx.get(), store_.get(), leaf.get(), untrusted.get()) != 1) {
    return tls_fail(AlertDescription::kInternalError, "certificate chain: cannot set up");
  }
  const TlsError setup = set_up_context(ctx.get(), host, role, now);
  if (!setup.ok()) return setup;
  const int verified = X509_verify_cert(ctx.get());
  if (verified == 1) return kTlsOk;
  if (verified < 0) {
    return tls_fail(AlertDescription::kInternalError, "certificate chain: verifier failed");
  }
  return alert_for_verify_error(X509_STORE_CTX_get_error(ctx.get()));
}

TlsError OpensslVerifier::set_up_context(X509_STORE_CTX* ctx, std::string_view host,
                                         CertificateRole role, VerifyTime now) const noexcept {
  const int purpose =
      role == CertificateRole::kServer ? X509_PURPOSE_SSL_SERVER : X509_PURPOSE_SSL_CLIENT;
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx);
  if (X509_STORE_CTX_set_purpose(ctx, purpose) != 1) {
    return tls_fail(AlertDescription::kInternalError, "certificate chain: cannot set purpose");
  }
  X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(now.time_since_epoch().count()));
  X509_VERIFY_PARAM_set_depth(param, static_cast<int>(kMaxChainLength));
  X509_VERIFY_PARAM_set_auth_level(param, policy_.min_rsa_bits >= 2048 ? 2 : 1);
  if (host.empty()) return kTlsOk;
  char ip[INET6_ADDRSTRLEN];
  if (is_ip_literal(host, ip)) {
    if (X509_VERIFY_PARAM_set1_ip_asc(param, ip) != 1) {
      return tls_fail(AlertDescription::kInternalError, "certificate chain: cannot set address");
    }
    return kTlsOk;
  }
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  // set1_host refuses a name with an embedded NUL: no certificate can be for such a name.
  if (X509_VERIFY_PARAM_set1_host(param, host.data(), host.size()) != 1) {
    return tls_fail(kBadCertificate, "certificate: host name is not a valid name");
  }
  return kTlsOk;
}

TlsError OpensslVerifier::verify_signature(Bytes leaf_der, SignatureScheme scheme, Bytes content,
                                           Bytes signature) const {
  const ErrorQueueScope clear_errors;
  if (!allowed_in_certificate_verify(scheme)) {
    return tls_fail(AlertDescription::kIllegalParameter,
                    "CertificateVerify: signature scheme not allowed in TLS 1.3");
  }
  // verify_chain has just put the leaf in the cache: this is the lookup, not a second parse.
  const X509Ptr leaf = cache_.get(leaf_der);
  if (leaf == nullptr) return tls_fail(kBadCertificate, "certificate: leaf does not parse");
  EVP_PKEY* key = X509_get0_pubkey(leaf.get());  // owned by |leaf|
  if (key == nullptr) return tls_fail(kBadCertificate, "certificate: leaf key does not parse");
  const TlsError key_ok = check_key_policy(key, policy_, AlertDescription::kUnsupportedCertificate);
  if (!key_ok.ok()) return key_ok;
  const TlsError fits =
      check_scheme_fits_key(scheme, key_kind(key), AlertDescription::kIllegalParameter);
  if (!fits.ok()) return fits;

  const EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (ctx == nullptr || !init_digest(ctx.get(), DigestOp::kVerify, scheme, key)) {
    return tls_fail(AlertDescription::kInternalError, "CertificateVerify: cannot set up verifier");
  }
  // 0 is a wrong signature, a negative value a malformed one (a bad DER ECDSA signature): to the
  // peer both are a signature that does not verify.
  if (EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), content.data(),
                       content.size()) != 1) {
    return tls_fail(AlertDescription::kDecryptError, "CertificateVerify: bad signature");
  }
  return kTlsOk;
}

}  // namespace

TlsError alert_for_verify_error(int error) noexcept {
  switch (error) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return tls_fail(AlertDescription::kCertificateExpired,
                      "certificate: expired or not yet valid");
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_CERT_UNTRUSTED:
    case X509_V_ERR_CERT_REJECTED:
      return tls_fail(AlertDescription::kUnknownCa, "certificate: no chain to a trusted CA");
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
      return tls_fail(AlertDescription::kBadCertificate,
                      "certificate: not valid for the host name");
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
    case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
    case X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY:
    case X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD:
    case X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD:
    case X509_V_ERR_INVALID_CA:
    case X509_V_ERR_PATH_LENGTH_EXCEEDED:
    case X509_V_ERR_INVALID_EXTENSION:
    case X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION:
      return tls_fail(AlertDescription::kBadCertificate, "certificate: invalid in the chain");
    case X509_V_ERR_INVALID_PURPOSE:
    case X509_V_ERR_EE_KEY_TOO_SMALL:
    case X509_V_ERR_CA_KEY_TOO_SMALL:
    case X509_V_ERR_CA_MD_TOO_WEAK:
    case X509_V_ERR_UNSUPPORTED_SIGNATURE_ALGORITHM:
      return tls_fail(AlertDescription::kUnsupportedCertificate,
                      "certificate: purpose, key or algorithm not accepted");
    case X509_V_ERR_CERT_REVOKED:
      return tls_fail(AlertDescription::kCertificateRevoked, "certificate: revoked");
    case X509_V_ERR_OUT_OF_MEM: return tls_fail(AlertDescription::kInternalError, "out of memory");
    default:
      return tls_fail(AlertDescription::kCertificateUnknown, "certificate: chain not accepted");
  }
}

namespace {

// load_roots fills |store| with the trusted roots of |source|.
TlsError load_roots(X509_STORE* store, CaSource source, const std::string& path) {
  switch (source) {
    case CaSource::kFile:
      if (X509_STORE_load_file(store, path.c_str()) != 1) {
        return tls_fail(AlertDescription::kInternalError,
                        "CA file: cannot read, or no certificate in it");
      }
      return kTlsOk;
    case CaSource::kDir: {
      // X509_STORE_load_path only registers the directory; look first so a typo fails here.
      std::error_code ec;
      if (!std::filesystem::is_directory(path, ec) ||
          X509_STORE_load_path(store, path.c_str()) != 1) {
        return tls_fail(AlertDescription::kInternalError, "CA directory: not a directory");
      }
      return kTlsOk;
    }
    case CaSource::kSystem:
      if (X509_STORE_set_default_paths(store) != 1) {
        return tls_fail(AlertDescription::kInternalError, "system CA store: cannot load");
      }
      return kTlsOk;
  }
  return tls_fail(AlertDescription::kInternalError, "CA store: unknown source");
}

// kMaxCaNamesSize bounds the names certificate_authorities carries: its u16 list length, less
// the extension's own framing in a CertificateRequest.
constexpr size_t kMaxCaNamesSize = 0xffff - 16;

// ca_names returns the DER subjects of the certificates |store| holds (a CA file's, the system
// file's; a hashed directory is only looked into on demand and gives none), without duplicates,
// in the store's order. All of them or none: a longer list than certificate_authorities can
// carry gives none, since a partial list would tell a client that a CA left out is not trusted.
std::vector<std::vector<uint8_t>> ca_names(X509_STORE* store) {
  std::vector<std::vector<uint8_t>> out;
  size_t total = 0;
  STACK_OF(X509_OBJECT)* objects = X509_STORE_get0_objects(store);
  for (int i = 0; objects != nullptr && i < sk_X509_OBJECT_num(objects); ++i) {
    X509* cert = X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objects, i));
    if (cert == nullptr) continue;  // a CRL
    unsigned char* der = nullptr;
    const int len = i2d_X509_NAME(X509_get_subject_name(cert), &der);
    if (len <= 0) continue;
    std::vector<uint8_t> name(der, der + len);
    OPENSSL_free(der);
    if (std::find(out.begin(), out.end(), name) != out.end()) continue;
    total += 2 + name.size();
    if (total > kMaxCaNamesSize) return {};
    out.push_back(std::move(name));
  }
  return out;
}

}  // namespace

std::shared_ptr<const CertificateVerifier> make_openssl_verifier(CaSource source,
                                                                 const std::string& path,
                                                                 const OpensslPolicy& policy,
                                                                 TlsError* error) {
  const ErrorQueueScope clear_errors;
  try {  // std::filesystem::path and make_shared allocate
    X509StorePtr store(X509_STORE_new());
    if (store == nullptr) {
      return report<CertificateVerifier>(
          error, tls_fail(AlertDescription::kInternalError, "CA store: out of memory"));
    }
    const TlsError loaded = load_roots(store.get(), source, path);
    if (!loaded.ok()) return report<CertificateVerifier>(error, loaded);
    std::vector<std::vector<uint8_t>> names = ca_names(store.get());
    auto verifier =
        std::make_shared<const OpensslVerifier>(std::move(store), policy, std::move(names));
    if (error != nullptr) *error = kTlsOk;
    return verifier;
  } catch (const std::bad_alloc&) {
    return report<CertificateVerifier>(
        error, tls_fail(AlertDescription::kInternalError, "verifier: out of memory"));
  }
}

}  // namespace volley::tls::ossl

namespace volley::tls {

CertificateVerifier::~CertificateVerifier() = default;

std::span<const Bytes> CertificateVerifier::certificate_authorities() const { return {}; }

std::shared_ptr<const CertificateVerifier> make_openssl_verifier_from_ca_file(
    const std::string& pem_path, TlsError* error) {
  return ossl::make_openssl_verifier(ossl::CaSource::kFile, pem_path, {}, error);
}

std::shared_ptr<const CertificateVerifier> make_openssl_verifier_from_ca_dir(
    const std::string& dir_path, TlsError* error) {
  return ossl::make_openssl_verifier(ossl::CaSource::kDir, dir_path, {}, error);
}

std::shared_ptr<const CertificateVerifier> make_openssl_verifier_system(TlsError* error) {
  return ossl::make_openssl_verifier(ossl::CaSource::kSystem, {}, {}, error);
}

}  // namespace volley::tls
