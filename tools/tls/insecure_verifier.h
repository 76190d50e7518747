// tools/tls/insecure_verifier.h: `volley client --insecure`: a verifier that accepts any chain
// for any name, for testing against servers with self-signed certificates. The CertificateVerify
// signature is still checked (by the wrapped verifier), so the server must hold the key of the
// certificate it sent; only who vouches for that certificate goes unchecked.
#pragma once

#include <memory>

#include "volley/pki.h"

namespace volley::tool {

class InsecureVerifier final : public tls::CertificateVerifier {
 public:
  explicit InsecureVerifier(std::shared_ptr<const tls::CertificateVerifier> inner)
      : inner_(std::move(inner)) {}
  tls::TlsError verify_chain(std::span<const Bytes>, std::string_view, tls::CertificateRole,
                             tls::VerifyTime) const override {
    return tls::kTlsOk;
  }
  tls::TlsError verify_signature(Bytes leaf_der, tls::SignatureScheme scheme, Bytes content,
                                 Bytes signature) const override {
    return inner_->verify_signature(leaf_der, scheme, content, signature);
  }
  std::span<const tls::SignatureScheme> supported_schemes() const override {
    return inner_->supported_schemes();
  }

 private:
  std::shared_ptr<const tls::CertificateVerifier> inner_;
};

}  // namespace volley::tool
