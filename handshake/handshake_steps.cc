#include "handshake/handshake_steps.h"

#include <algorithm>

#include "handshake/messages/certificate.h"
#include "handshake/messages/certificate_verify.h"
#include "handshake/messages/finished.h"
#include "handshake/messages/key_update.h"
#include "handshake/pki/signature_scheme.h"
#include "handshake/wire/wire_writer.h"

namespace volley::tls {
TlsError install_traffic_secret(ConnectionCore& core, const CipherSuite& suite,
                                Direction direction, const Secret& secret) {
  TrafficKeys keys;
  if (traffic_keys(suite, &keys, secret) != Status::kOk) {
    return tls_internal("traffic key derivation failed");
  }
  return direction == Direction::kRead ? core.install_read_keys(suite, keys)
                                       : core.install_write_keys(suite, keys);
}

TlsError derive_handshake_secrets(KeySchedule& schedule, const CipherSuite& suite, Bytes ecdhe,
                                  Bytes hello_hash, Secret* client, Secret* server, Bytes psk) {
  if (schedule.init(suite, psk) != Status::kOk || schedule.enter_handshake(ecdhe) != Status::kOk ||
      schedule.client_handshake_traffic_secret(client, hello_hash) != Status::kOk ||
      schedule.server_handshake_traffic_secret(server, hello_hash) != Status::kOk) {
    return tls_internal("handshake secrets");
  }
  return kTlsOk;
}

TlsError derive_application_secrets(KeySchedule& schedule, Bytes finished_hash, Secret* client,
                                    Secret* server) {
  if (schedule.enter_master() != Status::kOk ||
      schedule.client_application_traffic_secret(client, finished_hash) != Status::kOk ||
      schedule.server_application_traffic_secret(server, finished_hash) != Status::kOk) {
    return tls_internal("application secrets");
  }
  return kTlsOk;
}

TlsError append_finished(std::vector<uint8_t>* out, const CipherSuite& suite,
                         const Secret& base_key, Bytes transcript_hash) {
  uint8_t verify_data[Secret::kMaxSize];
  const std::span<uint8_t> v(verify_data, suite.hash_len);
  if (finished_verify_data(suite, v, base_key, transcript_hash) != Status::kOk) {
    return tls_internal("Finished computation failed");
  }
  WireWriter w(out);
  const bool ok = encode_finished(w, Finished{Bytes(v)}) && w.ok();
  return ok ? kTlsOk : tls_internal("Finished encoding failed");
}

TlsError check_finished(const CipherSuite& suite, const Secret& base_key, Bytes transcript_hash,
                        const HandshakeMessage& message) {
  Finished f;
  const TlsError e = decode_finished(&f, message.body, suite.hash_len);
  if (!e.ok()) return e;
  switch (verify_finished(suite, base_key, transcript_hash, f.verify_data)) {
    case Status::kOk:
      return kTlsOk;
    case Status::kAuthFailed:
      return tls_fail(AlertDescription::kDecryptError, "Finished: verify_data does not match");
    default:
      return tls_internal("Finished check failed");
  }
}

TlsError append_certificate(std::vector<uint8_t>* out, std::span<const Bytes> chain) {
  Certificate c;
  for (Bytes cert : chain) c.entries.push_back(CertificateEntry{cert, {}});
  WireWriter w(out);
  return encode_certificate(w, c) && w.ok() ? kTlsOk : tls_internal("Certificate encoding failed");
}

TlsError append_certificate_verify(std::vector<uint8_t>* out, const SigningCredential& credential,
                                   SignatureScheme scheme, CertificateRole role,
                                   Bytes transcript_hash) {
  CertificateVerifyContent content;
  TlsError e = certificate_verify_content(&content, role, transcript_hash);
  if (!e.ok()) return e;
  std::vector<uint8_t> signature;
  e = credential.sign(&signature, scheme, content.bytes());
  if (!e.ok()) return e;
  WireWriter w(out);
  const CertificateVerify cv{static_cast<uint16_t>(scheme), signature};
  return encode_certificate_verify(w, cv) && w.ok() ? kTlsOk
                                                     : tls_internal("CertificateVerify encoding failed");
}

TlsError check_certificate_verify(SignatureScheme* used, const CertificateVerifier& verifier,
                                  Bytes leaf, CertificateRole signer,
                                  std::span<const SignatureScheme> offered, Bytes transcript_hash,
                                  const HandshakeMessage& message) {
  CertificateVerify cv;
  TlsError e = decode_certificate_verify(&cv, message.body);
  if (!e.ok()) return e;
  const auto scheme = static_cast<SignatureScheme>(cv.algorithm);
  if (std::find(offered.begin(), offered.end(), scheme) == offered.end()) {
    return tls_fail(AlertDescription::kIllegalParameter,
                    "CertificateVerify: a signature scheme that was not offered");
  }
  CertificateVerifyContent content;
  e = certificate_verify_content(&content, signer, transcript_hash);
  if (!e.ok()) return e;
  e = verifier.verify_signature(leaf, scheme, content.bytes(), cv.signature);
  if (!e.ok()) return e;
  *used = scheme;
  return kTlsOk;
}

TlsError advance_traffic_secret(ConnectionCore& core, const CipherSuite& suite,
                                Direction direction, Secret* secret) {
  if (next_application_traffic_secret(suite, secret, *secret) != Status::kOk) {
    return tls_internal("KeyUpdate: next application traffic secret");
  }
  return install_traffic_secret(core, suite, direction, *secret);
}

TlsError on_key_update(ConnectionCore& core, const CipherSuite& suite, Secret* read,
                       const HandshakeMessage& message) {
  KeyUpdate ku;
  TlsError e = decode_key_update(&ku, message.body);
  if (!e.ok()) return e;
  e = core.key_update_received(ku.request_update);
  if (!e.ok()) return e;
  return advance_traffic_secret(core, suite, Direction::kRead, read);
}

}  // namespace volley::tls
