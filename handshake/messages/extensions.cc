#include "handshake/messages/extensions.h"

#include <bitset>

#include "handshake/wire/wire_reader.h"

namespace volley::tls {
namespace {

using C = ExtensionContext;

// Bit per context, in ExtensionContext order.
constexpr uint8_t bit(C c) { return static_cast<uint8_t>(1u << static_cast<unsigned>(c)); }
constexpr uint8_t kCH = bit(C::kClientHello), kSH = bit(C::kServerHello),
                  kHRR = bit(C::kHelloRetryRequest), kEE = bit(C::kEncryptedExtensions),
                  kCT = bit(C::kCertificate), kCR = bit(C::kCertificateRequest),
                  kNST = bit(C::kNewSessionTicket);
// Unknown extensions: where a receiver ignores what it does not know.
constexpr uint8_t kUnknownAllowed = kCH | kCR | kNST;

// contexts_of is RFC 8446 §4.2's table (the "TLS 1.3" column), one row per extension; 0 means
// "not known".
constexpr uint8_t contexts_of(ExtensionType type) noexcept {
  switch (type) {
    case ExtensionType::kServerName:
    case ExtensionType::kMaxFragmentLength:
    case ExtensionType::kSupportedGroups:
    case ExtensionType::kUseSrtp:
    case ExtensionType::kHeartbeat:
    case ExtensionType::kApplicationLayerProtocolNegotiation:
    case ExtensionType::kClientCertificateType:
    case ExtensionType::kServerCertificateType:
    case ExtensionType::kRecordSizeLimit:
      return kCH | kEE;
    case ExtensionType::kStatusRequest:
    case ExtensionType::kSignedCertificateTimestamp:
      return kCH | kCR | kCT;
    case ExtensionType::kSignatureAlgorithms:
    case ExtensionType::kCertificateAuthorities:
    case ExtensionType::kSignatureAlgorithmsCert:
      return kCH | kCR;
    case ExtensionType::kPadding:
    case ExtensionType::kPskKeyExchangeModes:
    case ExtensionType::kPostHandshakeAuth:
    case ExtensionType::kRenegotiationInfo:
      return kCH;
    case ExtensionType::kKeyShare:
    case ExtensionType::kSupportedVersions:
      return kCH | kSH | kHRR;
    case ExtensionType::kPreSharedKey:
      return kCH | kSH;
    case ExtensionType::kEarlyData:
      return kCH | kEE | kNST;
    case ExtensionType::kCookie:
      return kCH | kHRR;
    case ExtensionType::kOidFilters:
      return kCR;
  }
  return 0;
}

}  // namespace

bool is_known_extension(ExtensionType type) noexcept { return contexts_of(type) != 0; }

bool extension_allowed(ExtensionType type, ExtensionContext context) noexcept {
  const uint8_t rows = contexts_of(type);
  return ((rows != 0 ? rows : kUnknownAllowed) & bit(context)) != 0;
}

TlsError check_extensions_allowed(const std::vector<Extension>& extensions,
                                  ExtensionContext context) noexcept {
  for (const Extension& e : extensions) {
    if (is_known_extension(e.type) && !extension_allowed(e.type, context)) {
      return tls_fail(AlertDescription::kIllegalParameter,
                      "extensions: extension not allowed in this message");
    }
  }
  return kTlsOk;
}

TlsError decode_extensions(std::vector<Extension>* out, Bytes block) {
  out->clear();
  // One bit per type value: a linear search per entry would be quadratic in a 64 KiB list of
  // empty extensions.
  std::bitset<65536> seen;
  WireReader r(block);
  while (!r.empty()) {
    uint16_t type = 0;
    Bytes body;
    if (!r.u16(&type) || !r.vec16(&body)) {
      out->clear();
      return tls_fail(AlertDescription::kDecodeError, "extensions: truncated extension");
    }
    if (seen.test(type)) {
      out->clear();
      return tls_fail(AlertDescription::kIllegalParameter, "extensions: duplicate extension");
    }
    seen.set(type);
    out->push_back(Extension{static_cast<ExtensionType>(type), body});
  }
  return kTlsOk;
}

void encode_extensions(WireWriter& w, const std::vector<Extension>& extensions) {
  const size_t list = w.begin_vec16();
  for (const Extension& e : extensions) {
    w.u16(static_cast<uint16_t>(e.type));
    w.vec16(e.body);
  }
  w.end_vec(list);
}

const Extension* find_extension(const std::vector<Extension>& extensions,
                                ExtensionType type) noexcept {
  for (const Extension& e : extensions) {
    if (e.type == type) return &e;
  }
  return nullptr;
}

}  // namespace volley::tls
