// volley/tls_error.h: how every part of the handshake reports a failure — the alert RFC 8446 §6
// names for it and a short reason for people (logs, `volley client`'s exit message).
//
// Decoders, the PKI interface and the state machines all return a TlsError; the connection turns
// the first one into its terminal state (the alert is sent, the reason is kept for the caller).
// Reasons are string literals with static storage: a TlsError never owns memory and is trivially
// copyable, so returning one costs two registers.
#pragma once

#include "volley/alert.h"

namespace volley::tls {

struct TlsError {
  // alert is meaningful only when reason is not null.
  AlertDescription alert = AlertDescription::kInternalError;
  // reason is null for success; otherwise a static string such as "ClientHello: truncated
  // cipher_suites".
  const char* reason = nullptr;

  constexpr bool ok() const noexcept { return reason == nullptr; }
};

inline constexpr TlsError kTlsOk{};

// tls_fail builds a failure: `return tls_fail(AlertDescription::kDecodeError, "...");`.
constexpr TlsError tls_fail(AlertDescription alert, const char* reason) noexcept {
  return TlsError{alert, reason};
}

}  // namespace volley::tls
