// handshake/pki/openssl_credential.h: the SigningCredential of volley/pki.h on libcrypto. The
// public factories (make_openssl_credential_from_pem, ..._from_pem_files) call
// make_openssl_credential with the default OpensslPolicy; tests call it to load RFC 8448's
// RSA-1024 key.
//
// The credential keeps the chain as DER and the private key as an EVP_PKEY. libcrypto clears the
// key's private parts when the EVP_PKEY is freed (BN_clear_free for RSA and EC, cleared buffers
// for Ed25519), which happens when the last shared_ptr to the credential goes. Signing with one
// EVP_PKEY from several threads at once is safe: each call has its own EVP_MD_CTX, a copy of a
// signing context set up once per scheme when the credential is made (the setup fetches
// algorithms by name, which OpenSSL 3 makes slow); copying only reads the template.
//
// Schemes by key: ECDSA P-256/P-384/P-521 sign with the one scheme of their curve; an
// rsaEncryption key with rsa_pss_rsae_sha256/384/512; an id-RSASSA-PSS key with
// rsa_pss_pss_sha256/384/512; Ed25519 with ed25519. Never RSASSA-PKCS1-v1_5 (RFC 8446 §4.4.3).
#pragma once

#include <memory>
#include <string_view>

#include "handshake/pki/openssl_common.h"
#include "volley/pki.h"

namespace volley::tls::ossl {

// make_openssl_credential parses |chain_pem| (PEM certificates, leaf first; at most 10, each at
// most 64 KiB) and |key_pem| (an unencrypted private key), checks that the key is the leaf's and
// within |policy|, and returns the credential; or null with internal_error in |*error| (if not
// null). On success |*error| gets kTlsOk.
std::shared_ptr<const SigningCredential> make_openssl_credential(std::string_view chain_pem,
                                                                 std::string_view key_pem,
                                                                 const OpensslPolicy& policy,
                                                                 TlsError* error);

}  // namespace volley::tls::ossl
