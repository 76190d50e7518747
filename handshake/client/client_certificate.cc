// The client's side of client authentication (RFC 8446 §4.3.2, §4.4.2): reading a
// CertificateRequest during the handshake and answering it in the final flight. Part of
// Tls13Client (tls13_client.h), in its own file.
#include <algorithm>

#include "handshake/client/tls13_client.h"
#include "handshake/handshake_steps.h"
#include "handshake/messages/certificate.h"
#include "handshake/messages/certificate_authorities.h"
#include "handshake/messages/certificate_request.h"
#include "handshake/messages/extension_bodies.h"
#include "handshake/wire/wire_writer.h"

namespace volley::tls {

TlsError Tls13Client::on_certificate_request(const HandshakeMessage& m) {
  if (certificate_requested_) return tls_unexpected("a second CertificateRequest");
  CertificateRequest cr;
  TlsError e = decode_certificate_request(&cr, m.body);
  if (!e.ok()) return e;
  // §4.3.2: the context is empty unless the request is post-handshake.
  if (!cr.certificate_request_context.empty()) {
    return tls_illegal("CertificateRequest: a request context during the handshake");
  }
  U16List offered;
  e = decode_signature_algorithms(&offered,
                                  find_extension(cr.extensions, ExtensionType::kSignatureAlgorithms)
                                      ->body);  // present: the decoder checked
  if (!e.ok()) return e;
  if (const Extension* cas =
          find_extension(cr.extensions, ExtensionType::kCertificateAuthorities)) {
    // Checked so that a malformed one fails here, then not used: volley holds one credential.
    std::vector<Bytes> names;
    e = decode_certificate_authorities(&names, cas->body);
    if (!e.ok()) return e;
  }
  if (const Extension* cert_algs =
          find_extension(cr.extensions, ExtensionType::kSignatureAlgorithmsCert)) {
    U16List unused;
    e = decode_signature_algorithms(&unused, cert_algs->body);
    if (!e.ok()) return e;
  }
  // The first of the server's schemes our key signs with: the server's preference decides, as
  // the client's does for the server's own CertificateVerify.
  const SigningCredential* credential = config_.credential();
  client_signs_ = false;
  if (credential != nullptr && !credential->chain().empty()) {
    const auto ours = credential->schemes();
    for (size_t i = 0; i < offered.size() && !client_signs_; ++i) {
      const auto s = static_cast<SignatureScheme>(offered[i]);
      if (std::find(ours.begin(), ours.end(), s) != ours.end()) {
        client_scheme_ = s;
        client_signs_ = true;
      }
    }
  }
  certificate_requested_ = true;
  transcript_.add(m.message);
  return kTlsOk;
}

TlsError Tls13Client::append_client_authentication(std::vector<uint8_t>* flight) {
  uint8_t h[Transcript::kMaxHashSize];
  size_t at = flight->size();
  // An empty request context, as on_certificate_request required.
  TlsError e = append_certificate(
      flight, client_signs_ ? config_.credential()->chain() : std::span<const Bytes>());
  if (!e.ok()) return e;
  transcript_.add(Bytes(*flight).subspan(at));
  if (!client_signs_) return kTlsOk;
  at = flight->size();
  e = append_certificate_verify(flight, *config_.credential(), client_scheme_,
                                CertificateRole::kClient, transcript_.hash(h));
  if (!e.ok()) return e;
  transcript_.add(Bytes(*flight).subspan(at));
  return kTlsOk;
}

}  // namespace volley::tls
