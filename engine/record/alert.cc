// Names of the TLS 1.3 alerts (RFC 8446 §6).
#include "volley/alert.h"

namespace volley {

std::string_view alert_name(AlertDescription alert) noexcept {
  switch (alert) {
    case AlertDescription::kCloseNotify: return "close_notify";
    case AlertDescription::kUnexpectedMessage: return "unexpected_message";
    case AlertDescription::kBadRecordMac: return "bad_record_mac";
    case AlertDescription::kRecordOverflow: return "record_overflow";
    case AlertDescription::kHandshakeFailure: return "handshake_failure";
    case AlertDescription::kBadCertificate: return "bad_certificate";
    case AlertDescription::kUnsupportedCertificate: return "unsupported_certificate";
    case AlertDescription::kCertificateRevoked: return "certificate_revoked";
    case AlertDescription::kCertificateExpired: return "certificate_expired";
    case AlertDescription::kCertificateUnknown: return "certificate_unknown";
    case AlertDescription::kIllegalParameter: return "illegal_parameter";
    case AlertDescription::kUnknownCa: return "unknown_ca";
    case AlertDescription::kAccessDenied: return "access_denied";
    case AlertDescription::kDecodeError: return "decode_error";
    case AlertDescription::kDecryptError: return "decrypt_error";
    case AlertDescription::kProtocolVersion: return "protocol_version";
    case AlertDescription::kInsufficientSecurity: return "insufficient_security";
    case AlertDescription::kInternalError: return "internal_error";
    case AlertDescription::kInappropriateFallback: return "inappropriate_fallback";
    case AlertDescription::kUserCanceled: return "user_canceled";
    case AlertDescription::kMissingExtension: return "missing_extension";
    case AlertDescription::kUnsupportedExtension: return "unsupported_extension";
    case AlertDescription::kUnrecognizedName: return "unrecognized_name";
    case AlertDescription::kBadCertificateStatusResponse: return "bad_certificate_status_response";
    case AlertDescription::kUnknownPskIdentity: return "unknown_psk_identity";
    case AlertDescription::kCertificateRequired: return "certificate_required";
    case AlertDescription::kNoApplicationProtocol: return "no_application_protocol";
  }
  return "unknown_alert";
}

bool is_known_alert(uint8_t code) noexcept {
  return alert_name(static_cast<AlertDescription>(code)) != "unknown_alert";
}

}  // namespace volley
