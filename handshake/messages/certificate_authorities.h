// handshake/messages/certificate_authorities.h: the body of the certificate_authorities extension
// (RFC 8446 §4.2.4), which a server puts in its CertificateRequest to name the CAs it trusts for
// client certificates:
//
//   opaque DistinguishedName<1..2^16-1>;              (a DER X.501 Name)
//   struct { DistinguishedName authorities<3..2^16-1>; } CertificateAuthoritiesExtension;
//
// In its own file (not extension_bodies.h) because only mutual TLS uses it. The decoder checks
// the lengths and nothing about the names' DER (the peer only compares them); the views point
// into the body. Threads: pure functions. Nothing throws except bad_alloc.
#pragma once

#include <span>
#include <vector>

#include "handshake/wire/wire_writer.h"
#include "volley/bytes.h"
#include "volley/tls_error.h"

namespace volley::tls {

// encode_certificate_authorities writes the body for |names| (DER Names, each non-empty). An
// empty |names| or a list over 2^16-1 bytes makes the writer fail (ok() false): the caller sends
// no extension rather than an empty one.
void encode_certificate_authorities(WireWriter& w, std::span<const Bytes> names);

// decode_certificate_authorities fills |*names| (replacing what it held) with views of the names.
// A list shorter than 3 bytes, an empty name, a name cut short or bytes after the list are
// decode_error.
[[nodiscard]] TlsError decode_certificate_authorities(std::vector<Bytes>* names, Bytes body);

}  // namespace volley::tls
