// volley/pki.h: certificates and signatures for the TLS 1.3 handshake, behind two interfaces that
// the state machines call and that an application may implement itself (a hardware key, a
// platform trust store): CertificateVerifier checks a peer's certificate chain and its
// CertificateVerify signature; SigningCredential holds our chain and signs our CertificateVerify.
// volley ships implementations of both on OpenSSL 3's libcrypto (the make_openssl_* factories).
//
//   volley::tls::TlsError err;
//   auto verifier = volley::tls::make_openssl_verifier_from_ca_file("ca.pem", &err);
//   if (!verifier) { ... err.reason ... }
//   err = verifier->verify_chain(chain, "example.com", CertificateRole::kServer, now);
//   err = verifier->verify_signature(chain[0], scheme, content, signature);
//
// Policy of the libcrypto implementations (RFC 8446 §4.2.3, §4.4.2.4, §4.4.3):
// - CertificateVerify accepts only ecdsa_secp256r1_sha256, ecdsa_secp384r1_sha384,
//   ecdsa_secp521r1_sha512, rsa_pss_rsae_sha256/384/512, rsa_pss_pss_sha256/384/512 and ed25519.
//   RSASSA-PKCS1-v1_5 is refused there (§4.4.3) but accepted in the signatures of certificates.
// - An ECDSA scheme must name the curve of the key (§4.2.3): a P-384 key cannot use
//   ecdsa_secp256r1_sha256. rsa_pss_rsae_* need an rsaEncryption key, rsa_pss_pss_* an
//   id-RSASSA-PSS key. RSA-PSS uses MGF1 with the scheme's hash and a salt as long as the hash.
// - RSA keys below 2048 bits are refused; leaf keys of any other type than RSA, RSA-PSS, ECDSA
//   P-256/P-384/P-521 and Ed25519 are refused.
// - A chain (leaf first) longer than 10 certificates, or a certificate longer than 64 KiB, is
//   refused before anything is parsed.
//
// Certificate cache of the libcrypto verifier: each verifier keeps the certificates it has parsed
// (OpenSSL 3 decodes a certificate's public key through its slow provider decoders), so a client
// reconnecting to the same server, or a server seeing the same client chains, parses each one once,
// and the leaf is parsed once per handshake instead of once per call. It caches parses, never
// trust: verify_chain runs the whole chain verification (signatures, validity at |now|, host,
// purpose) on every call, and verify_signature checks every signature.
// - Key: the certificate's DER bytes (a hash picks the candidates, a full compare decides).
// - Bound: 256 certificates and 1 MiB of DER per verifier, whichever is reached first; the least
//   recently used certificate is evicted. A DER that does not parse is never cached.
// - Threads: one mutex per verifier guards the index; parsing on a miss runs outside it, and a
//   cached certificate may be used by concurrent calls (libcrypto fills its lazy fields under the
//   certificate's own lock). Memory: out of memory while caching falls back to an uncached parse.
//
// Alerts (RFC 8446 §6.2), returned as TlsError{alert, reason}:
// - bad_certificate: a certificate that does not parse (DER with trailing bytes included), an empty
//   or oversized chain, a certificate signature that does not verify, and a name that does not
//   match the host (the certificate is not one for this peer; OpenSSL's libssl sends the same).
// - unsupported_certificate: a key type, curve or size outside the policy above, or a certificate
//   whose key usage / extended key usage does not allow the role (X509_V_ERR_INVALID_PURPOSE).
// - certificate_expired: the verification time is outside a certificate's validity (expired or not
//   yet valid).
// - unknown_ca: no chain to a trusted certificate (unknown or missing issuer, a self-signed leaf).
// - certificate_revoked: a revocation the store knows of.
// - certificate_unknown: any other chain failure.
// - illegal_parameter: a CertificateVerify scheme that is not allowed, or that does not fit the
//   leaf's key.
// - decrypt_error: a CertificateVerify signature that does not verify (§4.4.3).
// - internal_error: our own failure (out of memory, an unreadable CA file or key, a scheme the
//   credential cannot sign with).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "volley/bytes.h"
#include "volley/tls_error.h"

namespace volley::tls {

// SignatureScheme is a TLS 1.3 SignatureScheme code point (RFC 8446 §4.2.3). The list names every
// scheme TLS 1.3 defines, including those this library refuses (PKCS#1 v1.5 in CertificateVerify,
// Ed448) so that a peer's list can be decoded and printed.
enum class SignatureScheme : uint16_t {
  kRsaPkcs1Sha256 = 0x0401,
  kRsaPkcs1Sha384 = 0x0501,
  kRsaPkcs1Sha512 = 0x0601,
  kEcdsaSecp256r1Sha256 = 0x0403,
  kEcdsaSecp384r1Sha384 = 0x0503,
  kEcdsaSecp521r1Sha512 = 0x0603,
  kRsaPssRsaeSha256 = 0x0804,
  kRsaPssRsaeSha384 = 0x0805,
  kRsaPssRsaeSha512 = 0x0806,
  kEd25519 = 0x0807,
  kEd448 = 0x0808,
  kRsaPssPssSha256 = 0x0809,
  kRsaPssPssSha384 = 0x080a,
  kRsaPssPssSha512 = 0x080b,
  kRsaPkcs1Sha1 = 0x0201,
  kEcdsaSha1 = 0x0203,
};

// signature_scheme_name returns the RFC's name of |scheme| ("rsa_pss_rsae_sha256", ...), or
// "unknown_signature_scheme" for a code point not listed above. Pure; never fails.
std::string_view signature_scheme_name(SignatureScheme scheme) noexcept;

// CertificateRole says whose certificate it is: the server's (checked by a client, for the
// serverAuth purpose and its host name) or the client's (checked by a server, for clientAuth). It
// also selects the CertificateVerify context string of RFC 8446 §4.4.3. The libcrypto verifier
// checks kServer chains for the SSL server purpose (extendedKeyUsage serverAuth when the leaf has
// an extendedKeyUsage) and the host, kClient chains for the SSL client purpose (clientAuth; a
// serverAuth-only leaf is unsupported_certificate) and no name; keyUsage, when present, must allow
// digitalSignature.
enum class CertificateRole : uint8_t { kServer, kClient };

// VerifyTime is the time a chain is verified at: the caller passes the clock (tests pin it).
using VerifyTime = std::chrono::sys_seconds;

// CertificateVerifier checks what a peer proves about itself.
//
// Threads: every method is const and may be called concurrently from any number of threads on one
// object; one verifier is meant to be shared by all connections (hold it in a shared_ptr).
// Failure: methods return kTlsOk or a TlsError carrying the alert to send (see the list above).
class CertificateVerifier {
 public:
  virtual ~CertificateVerifier();

  // verify_chain checks |chain| (DER certificates, leaf first, as the Certificate message carries
  // them; the others are untrusted intermediates in any order) against the trusted roots at time
  // |now|, for |role|'s purpose. |host| is a DNS name (matched against subjectAltName, no partial
  // wildcards) or an IPv4/IPv6 literal (matched against iPAddress entries); empty means no name
  // check (a server checking a client). Nothing in |chain| is kept after the call.
  virtual TlsError verify_chain(std::span<const Bytes> chain, std::string_view host,
                                CertificateRole role, VerifyTime now) const = 0;

  // verify_signature checks a CertificateVerify: |signature| over |content| (the bytes of RFC 8446
  // §4.4.3: 64 spaces, context string, 0, transcript hash; see handshake/pki/signature_scheme.h)
  // with the public key of |leaf_der| under |scheme|. It does not verify the chain: call
  // verify_chain first. illegal_parameter for a scheme outside supported_schemes() or not fitting
  // the key, decrypt_error for a signature that does not verify.
  virtual TlsError verify_signature(Bytes leaf_der, SignatureScheme scheme, Bytes content,
                                    Bytes signature) const = 0;

  // supported_schemes lists the schemes verify_signature accepts, in preference order: what the
  // signature_algorithms extension advertises. The span lives as long as the verifier.
  virtual std::span<const SignatureScheme> supported_schemes() const = 0;

  // certificate_authorities lists the DER distinguished names (X.501 Name) of the trusted roots,
  // which a server asking for a client certificate sends in certificate_authorities (RFC 8446
  // §4.2.4) so that a client holding several certificates can pick one. Empty: the verifier does
  // not know them, or does not want them sent (the CertificateRequest then carries no
  // certificate_authorities). The span lives as long as the verifier. The default is empty, so an
  // application's own verifier need not implement it.
  virtual std::span<const Bytes> certificate_authorities() const;
};

// CertificateNames is what an application reads to know who a verified peer is (the server
// looking at a client's leaf, typically): the subject and the subjectAltName entries.
struct CertificateNames {
  // subject is the subject name on one line, RFC 2253 style, most specific first
  // ("CN=volley test client,O=Example"); special characters escaped, non-ASCII as UTF-8.
  std::string subject;
  std::vector<std::string> dns;    // dNSName entries, as written
  std::vector<std::string> ip;     // iPAddress entries, in text form (inet_ntop)
  std::vector<std::string> email;  // rfc822Name entries, as written
};

// certificate_names reads the subject and the DNS, IP and email subjectAltNames of |der| (one DER
// certificate, as in Negotiated::peer_certificates) into |*out|. It only parses: it does not
// verify anything (call it on a chain the handshake verified). bad_certificate if |der| does not
// parse (or has trailing bytes), internal_error when out of memory; |*out| is unchanged on error.
// Thread-safe; leaves nothing on OpenSSL's error queue.
TlsError certificate_names(CertificateNames* out, Bytes der);

// SigningCredential is our certificate chain and the private key of its leaf.
//
// Threads: every method is const and may be called concurrently on one object; a credential may
// be shared by all connections. Secrets: the private key stays inside the credential and is wiped
// when the credential is destroyed.
class SigningCredential {
 public:
  virtual ~SigningCredential();

  // chain returns the DER certificates, leaf first, as the Certificate message sends them. The
  // span and the bytes live as long as the credential.
  virtual std::span<const Bytes> chain() const = 0;

  // schemes lists the schemes this key can sign with, in our preference order. Lives as long as
  // the credential.
  virtual std::span<const SignatureScheme> schemes() const = 0;

  // sign replaces |*signature| with the signature of |content| under |scheme|. Errors:
  // internal_error for a scheme not in schemes() or a failure of the signer; |*signature| is left
  // unchanged on error.
  virtual TlsError sign(std::vector<uint8_t>* signature, SignatureScheme scheme,
                        Bytes content) const = 0;
};

// The libcrypto implementations. Each factory returns a new immutable object, or null and writes
// the reason to |*error| (when |error| is not null; on success it gets kTlsOk). Factory errors
// are internal_error (a missing or unreadable file, no certificate in it, a key that does not
// match the certificate, a key outside the policy). Files are read once, during the call.
// The factories leave nothing on OpenSSL's error queue, and no exception escapes them.

// make_openssl_verifier_from_ca_file trusts the PEM certificates in |pem_path| (one or more).
std::shared_ptr<const CertificateVerifier> make_openssl_verifier_from_ca_file(
    const std::string& pem_path, TlsError* error);

// make_openssl_verifier_from_ca_dir trusts the certificates of the OpenSSL hashed directory
// |dir_path| (`openssl rehash`), looked up when a chain needs them.
std::shared_ptr<const CertificateVerifier> make_openssl_verifier_from_ca_dir(
    const std::string& dir_path, TlsError* error);

// make_openssl_verifier_system trusts OpenSSL's default locations (its OPENSSLDIR certs, or
// SSL_CERT_FILE / SSL_CERT_DIR when set).
std::shared_ptr<const CertificateVerifier> make_openssl_verifier_system(TlsError* error = nullptr);

// make_openssl_credential_from_pem_files reads the chain (PEM certificates, leaf first) and the
// leaf's unencrypted private key (PEM: PKCS#8 or the traditional RSA/EC forms). The file contents
// holding the key are wiped after parsing. An encrypted key is refused, never prompted for.
std::shared_ptr<const SigningCredential> make_openssl_credential_from_pem_files(
    const std::string& chain_pem, const std::string& key_pem, TlsError* error);

// make_openssl_credential_from_pem is the same from PEM text in memory; |key_pem| remains the
// caller's to wipe.
std::shared_ptr<const SigningCredential> make_openssl_credential_from_pem(
    std::string_view chain_pem, std::string_view key_pem, TlsError* error);

}  // namespace volley::tls
