// volley/status.h: the result codes of volley's hot-path functions. No exceptions are thrown on
// the hot path; every failure is one of these values.
#pragma once

#include <cstdint>
#include <string_view>

namespace volley {

enum class Status : uint8_t {
  kOk = 0,
  kAuthFailed,           // the tag did not verify; output was wiped
  kBadKeyLength,         // key size does not match the algorithm
  kBadNonceLength,       // only 96-bit nonces are supported
  kBadInputLength,       // e.g. sealed input shorter than a tag
  kBadOutputLength,      // output or tag buffer of the wrong size
  kBadAliasing,          // input and output overlap without being exactly in place
  kTooLong,              // message longer than the algorithm allows for one nonce
  kNotInitialized,       // the key or context was never set up
  kUnknownBackend,       // no backend by that name
  kBackendUnavailable,   // backend not built for or not supported by this CPU
  kInvalidArgument,      // any other malformed argument
  kInvalidPublicValue,   // e.g. an X25519 shared secret of all zeros (RFC 8446 §7.4.2)
  kRandomFailure,        // the OS random source failed
};

// status_name returns a short English description of |s| ("ok", "authentication failed", ...).
std::string_view status_name(Status s);

}  // namespace volley
