// handshake/handshake_steps.h: the steps both state machines take in the same way — installing
// traffic keys from a traffic secret, the Finished message, the CertificateVerify signature and
// its check, KeyUpdate — so that each is written once.
#pragma once

#include <cstdint>
#include <vector>

#include "handshake/connection_core.h"
#include "handshake/messages/handshake_framer.h"
#include "handshake/transcript.h"
#include "volley/key_schedule.h"
#include "volley/pki.h"

namespace volley::tls {

// The failures every state machine reports, by their RFC 8446 §6 alert.
inline TlsError tls_unexpected(const char* reason) {
  return tls_fail(AlertDescription::kUnexpectedMessage, reason);
}
inline TlsError tls_illegal(const char* reason) {
  return tls_fail(AlertDescription::kIllegalParameter, reason);
}
inline TlsError tls_unsupported_extension(const char* reason) {
  return tls_fail(AlertDescription::kUnsupportedExtension, reason);
}
inline TlsError tls_internal(const char* reason) {
  return tls_fail(AlertDescription::kInternalError, reason);
}

enum class Direction : uint8_t { kRead, kWrite };

// install_traffic_secret derives the key and iv of |secret| (RFC 8446 §7.3) and installs them
// for |direction| of |core|'s records.
[[nodiscard]] TlsError install_traffic_secret(ConnectionCore& core, const CipherSuite& suite,
                                              Direction direction, const Secret& secret);

// derive_handshake_secrets starts |schedule| for |suite| with |psk| (empty: none), enters the
// Handshake Secret with the (EC)DHE shared secret (empty for psk_ke) and derives both handshake
// traffic secrets over the transcript through ServerHello (RFC 8446 §7.1).
[[nodiscard]] TlsError derive_handshake_secrets(KeySchedule& schedule, const CipherSuite& suite,
                                                Bytes ecdhe, Bytes hello_hash, Secret* client,
                                                Secret* server, Bytes psk = {});

// derive_application_secrets enters the Master Secret and derives both application traffic
// secrets over the transcript through the server Finished.
[[nodiscard]] TlsError derive_application_secrets(KeySchedule& schedule, Bytes finished_hash,
                                                  Secret* client, Secret* server);

// append_finished appends a Finished message (RFC 8446 §4.4.4) keyed by |base_key| (the sender's
// handshake traffic secret) over |transcript_hash| to |out|.
[[nodiscard]] TlsError append_finished(std::vector<uint8_t>* out, const CipherSuite& suite,
                                       const Secret& base_key, Bytes transcript_hash);

// check_finished decodes a received Finished and compares it, in constant time, with the one
// |base_key| gives over |transcript_hash| (the transcript before the Finished). A wrong length is
// decode_error, a wrong value decrypt_error (§4.4.4).
[[nodiscard]] TlsError check_finished(const CipherSuite& suite, const Secret& base_key,
                                      Bytes transcript_hash, const HandshakeMessage& message);

// append_certificate appends a Certificate message carrying |chain| (DER, leaf first) with an
// empty request context and no entry extensions.
[[nodiscard]] TlsError append_certificate(std::vector<uint8_t>* out, std::span<const Bytes> chain);

// append_certificate_verify signs the transcript through the Certificate with |credential| as
// |role| and appends the CertificateVerify message.
[[nodiscard]] TlsError append_certificate_verify(std::vector<uint8_t>* out,
                                                 const SigningCredential& credential,
                                                 SignatureScheme scheme, CertificateRole role,
                                                 Bytes transcript_hash);

// check_certificate_verify decodes a received CertificateVerify and checks its signature by
// |leaf| over the transcript through the Certificate. |offered| is what this side sent in
// signature_algorithms: another scheme is illegal_parameter (§4.4.3). Returns the scheme used.
[[nodiscard]] TlsError check_certificate_verify(SignatureScheme* used,
                                                const CertificateVerifier& verifier, Bytes leaf,
                                                CertificateRole signer,
                                                std::span<const SignatureScheme> offered,
                                                Bytes transcript_hash,
                                                const HandshakeMessage& message);

// advance_traffic_secret moves the application traffic |secret| of |direction| to its next
// generation (RFC 8446 §7.2) and installs its keys; the old secret is overwritten.
[[nodiscard]] TlsError advance_traffic_secret(ConnectionCore& core, const CipherSuite& suite,
                                              Direction direction, Secret* secret);

// on_key_update handles a KeyUpdate received once connected (RFC 8446 §4.6.3): the core counts it
// (the flood limit) and, for update_requested, owes the peer one KeyUpdate of its own, sent at the
// end of the receive() call (ConnectionCore::key_update_received); the receive secret |read|
// moves to the next generation. The core's framer then checks that the KeyUpdate ended its record
// (§5.1).
[[nodiscard]] TlsError on_key_update(ConnectionCore& core, const CipherSuite& suite, Secret* read,
                                     const HandshakeMessage& message);

}  // namespace volley::tls
