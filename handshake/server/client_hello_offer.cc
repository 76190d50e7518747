#include "handshake/server/client_hello_offer.h"

#include <algorithm>

#include "handshake/messages/extensions.h"

namespace volley::tls {
namespace {

TlsError illegal(const char* reason) {
  return tls_fail(AlertDescription::kIllegalParameter, reason);
}
TlsError missing(const char* reason) {
  return tls_fail(AlertDescription::kMissingExtension, reason);
}

bool offers_tls13(const U16List& versions) {
  for (size_t i = 0; i < versions.size(); ++i) {
    if (versions[i] == kTls13) return true;
  }
  return false;
}

bool contains(const U16List& list, uint16_t value) {
  for (size_t i = 0; i < list.size(); ++i) {
    if (list[i] == value) return true;
  }
  return false;
}

// may_change: the extensions a second ClientHello may add, drop or alter (§4.1.2).
bool may_change(ExtensionType type) {
  return type == ExtensionType::kKeyShare || type == ExtensionType::kEarlyData ||
         type == ExtensionType::kCookie || type == ExtensionType::kPreSharedKey ||
         type == ExtensionType::kPadding;
}

bool same_bytes(Bytes a, Bytes b) { return std::equal(a.begin(), a.end(), b.begin(), b.end()); }

}  // namespace

TlsError check_second_client_hello(const ClientHello& first, const ClientHello& second) {
  if (first.legacy_version != second.legacy_version || !same_bytes(first.random, second.random) ||
      !same_bytes(first.legacy_session_id, second.legacy_session_id) ||
      !same_bytes(first.cipher_suites.bytes, second.cipher_suites.bytes) ||
      !same_bytes(first.legacy_compression_methods, second.legacy_compression_methods)) {
    return illegal("ClientHello2: changed beyond what a HelloRetryRequest allows");
  }
  auto a = first.extensions.begin(), b = second.extensions.begin();
  for (;;) {
    while (a != first.extensions.end() && may_change(a->type)) ++a;
    while (b != second.extensions.end() && may_change(b->type)) ++b;
    if (a == first.extensions.end() || b == second.extensions.end()) break;
    if (a->type != b->type || !same_bytes(a->body, b->body)) {
      return illegal("ClientHello2: an extension changed beyond what a HelloRetryRequest allows");
    }
    ++a;
    ++b;
  }
  if (a != first.extensions.end() || b != second.extensions.end()) {
    return illegal("ClientHello2: an extension added or dropped");
  }
  return kTlsOk;
}

TlsError decode_client_hello_offer(ClientHelloOffer* out, const ClientHello& ch) {
  ClientHelloOffer o;
  o.cipher_suites = ch.cipher_suites;
  bool has_versions = false, has_groups = false, has_shares = false, has_schemes = false;
  TlsError e;
  for (size_t i = 0; i < ch.extensions.size(); ++i) {
    const Extension& x = ch.extensions[i];
    if (!extension_allowed(x.type, ExtensionContext::kClientHello)) {
      return illegal("ClientHello: an extension that does not belong in a ClientHello");
    }
    switch (x.type) {
      case ExtensionType::kSupportedVersions: {
        U16List versions;
        e = decode_supported_versions_ch(&versions, x.body);
        if (e.ok() && !offers_tls13(versions)) {
          return tls_fail(AlertDescription::kProtocolVersion, "ClientHello: TLS 1.3 not offered");
        }
        has_versions = true;
        break;
      }
      case ExtensionType::kSupportedGroups:
        e = decode_supported_groups(&o.groups, x.body);
        has_groups = true;
        break;
      case ExtensionType::kKeyShare:
        e = decode_key_share_ch(&o.shares, x.body);
        has_shares = true;
        break;
      case ExtensionType::kSignatureAlgorithms:
        e = decode_signature_algorithms(&o.signature_schemes, x.body);
        has_schemes = true;
        break;
      case ExtensionType::kServerName:
        e = decode_server_name_ch(&o.server_name, x.body);
        o.has_server_name = true;
        break;
      case ExtensionType::kApplicationLayerProtocolNegotiation:
        e = decode_alpn_ch(&o.alpn, x.body);
        o.has_alpn = true;
        break;
      case ExtensionType::kRecordSizeLimit:
        e = decode_record_size_limit(&o.record_size_limit, x.body);
        o.has_record_size_limit = true;
        break;
      case ExtensionType::kCookie:
        e = decode_cookie(&o.cookie, x.body);
        break;
      case ExtensionType::kPreSharedKey:
        if (i + 1 != ch.extensions.size()) {
          return illegal("ClientHello: pre_shared_key is not the last extension");
        }
        e = decode_pre_shared_key_ch(&o.psks, x.body);
        o.binders_len = pre_shared_key_binders_len(o.psks);
        o.has_pre_shared_key = true;
        break;
      case ExtensionType::kPskKeyExchangeModes:
        e = decode_psk_key_exchange_modes(&o.psk_modes, x.body);
        o.has_psk_modes = true;
        break;
      default:
        break;
    }
    if (!e.ok()) return e;
  }
  if (!has_versions) {
    // A TLS 1.2-or-older ClientHello: TLS 1.2 comes with the legacy work.
    return tls_fail(AlertDescription::kProtocolVersion, "ClientHello: no supported_versions");
  }
  if (ch.legacy_compression_methods.size() != 1 || ch.legacy_compression_methods[0] != 0) {
    return illegal("ClientHello: compression methods other than null");
  }
  if (o.has_pre_shared_key && !o.has_psk_modes) {
    return missing("ClientHello: pre_shared_key without psk_key_exchange_modes");
  }
  if (has_groups != has_shares) {
    return missing("ClientHello: key_share and supported_groups must come together");
  }
  if (!has_groups) return missing("ClientHello: no supported_groups (PSK-only is not offered)");
  if (!has_schemes) return missing("ClientHello: no signature_algorithms");
  for (const KeyShareEntry& s : o.shares) {
    if (!contains(o.groups, s.group)) {
      return illegal("ClientHello: a key share for a group not in supported_groups");
    }
  }
  *out = o;
  return kTlsOk;
}

}  // namespace volley::tls
