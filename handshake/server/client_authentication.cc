// The server's side of client authentication (RFC 8446 §4.3.2, §4.4.2-§4.4.3): the
// CertificateRequest in the server's flight, then the client's Certificate and CertificateVerify
// before its Finished. Part of Tls13Server (tls13_server.h), in its own file.
#include <vector>

#include "handshake/extension_builder.h"
#include "handshake/handshake_steps.h"
#include "handshake/messages/certificate.h"
#include "handshake/messages/certificate_authorities.h"
#include "handshake/messages/certificate_request.h"
#include "handshake/messages/extension_bodies.h"
#include "handshake/server/tls13_server.h"
#include "handshake/wire/wire_writer.h"

namespace volley::tls {

TlsError Tls13Server::append_certificate_request(std::vector<uint8_t>* flight) {
  ExtensionBuilder ext;
  {
    std::vector<uint16_t> schemes;
    for (SignatureScheme s : config_.signature_schemes()) {
      schemes.push_back(static_cast<uint16_t>(s));
    }
    if (schemes.empty()) return tls_internal("client_auth: no signature scheme to offer");
    WireWriter w = ext.add(ExtensionType::kSignatureAlgorithms);
    encode_signature_algorithms(w, schemes);
  }
  const std::span<const Bytes> cas = config_.verifier()->certificate_authorities();
  if (!cas.empty()) {
    WireWriter w = ext.add(ExtensionType::kCertificateAuthorities);
    encode_certificate_authorities(w, cas);
  }
  CertificateRequest cr;  // empty context: the only kind during the handshake (§4.3.2)
  cr.extensions = ext.list();
  core_.rewrite_extensions(ExtensionContext::kCertificateRequest, &cr.extensions);
  WireWriter w(flight);
  if (!encode_certificate_request(w, cr) || !w.ok()) {
    return tls_internal("CertificateRequest encoding failed");
  }
  return kTlsOk;
}

TlsError Tls13Server::on_client_certificate(const HandshakeMessage& m) {
  Certificate c;
  TlsError e = decode_certificate(&c, m.body);
  if (!e.ok()) return e;
  // §4.4.2: the context echoes the CertificateRequest's, which was empty.
  if (!c.certificate_request_context.empty()) {
    return tls_illegal("client Certificate: not the CertificateRequest's context");
  }
  Negotiated& n = core_.mutable_negotiated();
  n.peer_certificates.clear();
  if (c.entries.empty()) {
    // §4.4.2.4: a server that needs a certificate MAY abort with certificate_required; volley's
    // does when the config requires one.
    if (config_.client_auth() == ClientAuth::kRequired) {
      return tls_fail(AlertDescription::kCertificateRequired, "the client sent no certificate");
    }
    transcript_.add(m.message);
    state_ = State::kWaitFinished;
    return kTlsOk;
  }
  std::vector<Bytes> chain;
  chain.reserve(c.entries.size());
  for (const CertificateEntry& entry : c.entries) chain.push_back(entry.cert_data);
  e = config_.verifier()->verify_chain(chain, "", CertificateRole::kClient, config_.verify_time());
  if (!e.ok()) return e;
  for (Bytes cert : chain) n.peer_certificates.emplace_back(cert.begin(), cert.end());
  transcript_.add(m.message);
  state_ = State::kWaitClientCertificateVerify;
  return kTlsOk;
}

TlsError Tls13Server::on_client_certificate_verify(const HandshakeMessage& m) {
  uint8_t h[Transcript::kMaxHashSize];
  Negotiated& n = core_.mutable_negotiated();
  // Against the schemes this server offered in its CertificateRequest (§4.4.3).
  const TlsError e = check_certificate_verify(
      &n.peer_signature_scheme, *config_.verifier(), n.peer_certificates.front(),
      CertificateRole::kClient, config_.signature_schemes(), transcript_.hash(h), m);
  if (!e.ok()) return e;
  transcript_.add(m.message);
  state_ = State::kWaitFinished;
  return kTlsOk;
}

}  // namespace volley::tls
