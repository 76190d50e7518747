// handshake/messages/extensions.h: the extension list every hello and several other messages
// carry (RFC 8446 §4.2), and the table of which message may carry which extension.
//
// decode_extensions only frames the list (type, body): the typed bodies are read by
// extension_bodies.h when the state machine wants them. The views point into the input.
// Threads: the functions are pure. Nothing throws except bad_alloc.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "handshake/wire/wire_writer.h"
#include "volley/bytes.h"
#include "volley/tls_error.h"

namespace volley::tls {

// ExtensionType: the IANA registry values volley knows (RFC 8446 §4.2, RFC 8449, RFC 5746).
enum class ExtensionType : uint16_t {
  kServerName = 0,
  kMaxFragmentLength = 1,
  kStatusRequest = 5,
  kSupportedGroups = 10,
  kSignatureAlgorithms = 13,
  kUseSrtp = 14,
  kHeartbeat = 15,
  kApplicationLayerProtocolNegotiation = 16,
  kSignedCertificateTimestamp = 18,
  kClientCertificateType = 19,
  kServerCertificateType = 20,
  kPadding = 21,
  kRecordSizeLimit = 28,
  kPreSharedKey = 41,
  kEarlyData = 42,
  kSupportedVersions = 43,
  kCookie = 44,
  kPskKeyExchangeModes = 45,
  kCertificateAuthorities = 47,
  kOidFilters = 48,
  kPostHandshakeAuth = 49,
  kSignatureAlgorithmsCert = 50,
  kKeyShare = 51,
  kRenegotiationInfo = 0xff01,
};

// Extension is one entry of a list: its type (possibly a value not listed above) and a view of
// its body.
struct Extension {
  ExtensionType type;
  Bytes body;

  friend bool operator==(const Extension& a, const Extension& b) noexcept {
    return a.type == b.type && std::ranges::equal(a.body, b.body);
  }
};

// ExtensionContext names the messages of RFC 8446 §4.2's table.
enum class ExtensionContext {
  kClientHello,
  kServerHello,
  kHelloRetryRequest,
  kEncryptedExtensions,
  kCertificate,
  kCertificateRequest,
  kNewSessionTicket,
};

// decode_extensions reads the content of an extension list (what follows its u16 length) into
// *out, replacing what it held. A truncated entry is decode_error; a type that appears twice is
// illegal_parameter (§4.2: "There MUST NOT be more than one extension of the same type").
[[nodiscard]] TlsError decode_extensions(std::vector<Extension>* out, Bytes block);

// encode_extensions writes the whole list, u16 length prefix included. An oversized list or body
// makes the writer fail (ok() false).
void encode_extensions(WireWriter& w, const std::vector<Extension>& extensions);

// find_extension returns the entry of |type| in |extensions|, or null.
const Extension* find_extension(const std::vector<Extension>& extensions,
                                ExtensionType type) noexcept;

// is_known_extension reports whether |type| is one of the values of ExtensionType.
bool is_known_extension(ExtensionType type) noexcept;

// extension_allowed reports whether |type| may appear in the message |context| (RFC 8446 §4.2's
// table; record_size_limit from RFC 8449 §5: ClientHello and EncryptedExtensions;
// renegotiation_info only in a ClientHello, where TLS 1.2 clients put it). For an unknown type it
// is true where the receiver must ignore what it does not know (ClientHello §4.1.2,
// CertificateRequest §4.3.2, NewSessionTicket §4.6.1) and false where the peer could only be
// answering an extension we never sent. The message decoders refuse a known extension in a
// message that may not carry it with illegal_parameter (§4.2), and leave unknown ones to the
// state machine.
bool extension_allowed(ExtensionType type, ExtensionContext context) noexcept;

// check_extensions_allowed is that rule over a whole list: illegal_parameter for the first known
// extension |context| may not carry.
[[nodiscard]] TlsError check_extensions_allowed(const std::vector<Extension>& extensions,
                                                ExtensionContext context) noexcept;

}  // namespace volley::tls
