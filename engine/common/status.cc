#include "volley/status.h"

namespace volley {

std::string_view status_name(Status s) {
  switch (s) {
    case Status::kOk: return "ok";
    case Status::kAuthFailed: return "authentication failed";
    case Status::kBadKeyLength: return "bad key length";
    case Status::kBadNonceLength: return "bad nonce length (only 96-bit nonces are supported)";
    case Status::kBadInputLength: return "bad input length";
    case Status::kBadOutputLength: return "bad output length";
    case Status::kBadAliasing: return "input and output overlap without being in place";
    case Status::kTooLong: return "message too long";
    case Status::kNotInitialized: return "not initialized";
    case Status::kUnknownBackend: return "unknown backend";
    case Status::kBackendUnavailable: return "backend not available on this CPU";
    case Status::kInvalidArgument: return "invalid argument";
    case Status::kInvalidPublicValue: return "invalid public value";
    case Status::kRandomFailure: return "random source failed";
  }
  return "unknown status";
}

}  // namespace volley
