// volley/alert.h: TLS alerts (RFC 8446 §6): the registry of alert descriptions TLS 1.3 uses, the
// level each is sent with, and its name as the RFC spells it.
//
// In TLS 1.3 the level on the wire carries no meaning (§6: "the severity is implicit in the type of
// alert being sent"): close_notify and user_canceled are closure alerts, sent as warnings; every
// other alert is an error alert, sent as fatal, after which the connection is dead. A received
// alert with a description not in this list is an error alert too (§6.2).
//
// Threads, allocation, failure: the functions are pure, reentrant, allocate nothing and never fail.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace volley {

// AlertDescription is the second byte of an alert record (RFC 8446 §6). The values are those of
// RFC 8446's enum; codes only older TLS versions used are not listed.
enum class AlertDescription : uint8_t {
  kCloseNotify = 0,
  kUnexpectedMessage = 10,
  kBadRecordMac = 20,
  kRecordOverflow = 22,
  kHandshakeFailure = 40,
  kBadCertificate = 42,
  kUnsupportedCertificate = 43,
  kCertificateRevoked = 44,
  kCertificateExpired = 45,
  kCertificateUnknown = 46,
  kIllegalParameter = 47,
  kUnknownCa = 48,
  kAccessDenied = 49,
  kDecodeError = 50,
  kDecryptError = 51,
  kProtocolVersion = 70,
  kInsufficientSecurity = 71,
  kInternalError = 80,
  kInappropriateFallback = 86,
  kUserCanceled = 90,
  kMissingExtension = 109,
  kUnsupportedExtension = 110,
  kUnrecognizedName = 112,
  kBadCertificateStatusResponse = 113,
  kUnknownPskIdentity = 115,
  kCertificateRequired = 116,
  kNoApplicationProtocol = 120,
};

// AlertLevel is the first byte of an alert record.
enum class AlertLevel : uint8_t {
  kWarning = 1,
  kFatal = 2,
};

// kAlertLen is the length of an alert record's content: level, description (RFC 8446 §6). TLS 1.3
// allows exactly one alert per record (§5.1).
inline constexpr size_t kAlertLen = 2;

// is_known_alert reports whether |code| is one of the descriptions above.
bool is_known_alert(uint8_t code) noexcept;

// is_closure_alert reports whether |alert| closes one direction of the connection rather than
// reporting an error: close_notify and user_canceled (RFC 8446 §6.1).
constexpr bool is_closure_alert(AlertDescription alert) noexcept {
  return alert == AlertDescription::kCloseNotify || alert == AlertDescription::kUserCanceled;
}

// alert_level is the level |alert| is sent with: warning for closure alerts, fatal otherwise.
constexpr AlertLevel alert_level(AlertDescription alert) noexcept {
  return is_closure_alert(alert) ? AlertLevel::kWarning : AlertLevel::kFatal;
}

// alert_name returns the RFC's name of |alert| ("close_notify", "bad_record_mac", ...), or
// "unknown_alert" for a code not in the list.
std::string_view alert_name(AlertDescription alert) noexcept;

}  // namespace volley
