// handshake/pki/openssl_verifier.h: the CertificateVerifier of volley/pki.h on libcrypto's
// X509_STORE. The public factories (make_openssl_verifier_from_ca_file, ..._from_ca_dir,
// ..._system) call make_openssl_verifier with the default OpensslPolicy; tests call it directly to
// loosen the policy (RFC 8448's RSA-1024 certificate).
//
// How a chain is checked: the DER certificates are parsed, or found in the verifier's
// CertificateCache (certificate_cache.h) (size limits first: more than 10
// certificates or one over 64 KiB is bad_certificate), the leaf's key is held to the policy, then
// X509_verify_cert runs on a fresh X509_STORE_CTX over the shared store with the role's purpose
// (X509_PURPOSE_SSL_SERVER / _SSL_CLIENT), the verification time (X509_VERIFY_PARAM_set_time),
// the host (X509_VERIFY_PARAM_set1_host, no partial wildcards; set1_ip_asc for an IP literal),
// a depth limit and security level 2 (level 1 when the policy allows RSA below 2048 bits). Its
// error is mapped to an alert as volley/pki.h lists.
//
// Threads: the X509_STORE is filled before the verifier is returned and only read afterwards
// (X509_STORE locks its own lookups, e.g. a hashed directory's cache), and every call builds its
// own context, so calls may run concurrently.
#pragma once

#include <memory>
#include <string>

#include "handshake/pki/openssl_common.h"
#include "volley/pki.h"

namespace volley::tls::ossl {

// CaSource is where a verifier's trusted roots come from.
enum class CaSource : uint8_t {
  kFile,    // PEM file (X509_STORE_load_file)
  kDir,     // hashed directory (X509_STORE_load_path)
  kSystem,  // OpenSSL's default paths (X509_STORE_set_default_paths); |path| is ignored
};

// make_openssl_verifier builds a verifier trusting |source| at |path|, or returns null and writes
// internal_error to |*error| (if not null). On success |*error| gets kTlsOk.
std::shared_ptr<const CertificateVerifier> make_openssl_verifier(CaSource source,
                                                                 const std::string& path,
                                                                 const OpensslPolicy& policy,
                                                                 TlsError* error);

// alert_for_verify_error maps an X509_V_ERR_* code from X509_verify_cert to the TlsError sent for
// it (volley/pki.h lists the mapping).
TlsError alert_for_verify_error(int x509_verify_error) noexcept;

}  // namespace volley::tls::ossl
