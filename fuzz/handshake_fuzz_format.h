// The input formats of the handshake fuzz targets, shared by the targets and the seed writer
// (make_handshake_seeds.cc).
//
// handshake_messages_fuzzer: one selector byte (taken modulo kDecoderCount) naming the decoder,
// then the bytes it decodes: a message body (after the 4-byte header) or an extension body.
//
// handshake_framer_fuzzer: one byte of options (kDrainLazily: drain next() only after every
// other record), one byte n, n big-endian u16 record sizes used in turn (taken modulo 1024, where
// 0 is an empty record), then the handshake stream. If every size is 0, records are
// kMaxRecordChoice bytes.
#pragma once

#include <cstdint>

#include "handshake/messages/extensions.h"

namespace volley::fuzz {

enum class Decoder : uint8_t {
  kClientHello,
  kServerHello,
  kEncryptedExtensions,
  kCertificateRequest,
  kCertificate,
  kCertificateVerify,
  kFinished32,
  kFinished48,
  kKeyUpdate,
  kNewSessionTicket,
  kEndOfEarlyData,
  kExtensionList,
  kServerNameCh,
  kEmptyBody,
  kSupportedVersionsCh,
  kSupportedVersionsSh,
  kSupportedGroups,
  kSignatureAlgorithms,
  kKeyShareCh,
  kKeyShareSh,
  kKeyShareHrr,
  kAlpnCh,
  kAlpnEe,
  kRecordSizeLimit,
  kCookie,
  kPskKeyExchangeModes,
  kEarlyDataNst,
  kPreSharedKeyCh,
  kPreSharedKeySh,
  kCertificateAuthorities,  // appended: the older seeds' selector bytes keep their decoder
  kCount,
};
inline constexpr uint8_t kDecoderCount = static_cast<uint8_t>(Decoder::kCount);

// body_decoder names the typed decoder of an extension of type |t| in a message of context |c|,
// or kCount for an extension without one here.
inline Decoder body_decoder(tls::ExtensionType t, tls::ExtensionContext c) {
  using T = tls::ExtensionType;
  using C = tls::ExtensionContext;
  const bool ch = c == C::kClientHello;
  switch (t) {
    case T::kServerName:
      return ch ? Decoder::kServerNameCh : Decoder::kEmptyBody;
    case T::kSupportedVersions:
      return ch ? Decoder::kSupportedVersionsCh : Decoder::kSupportedVersionsSh;
    case T::kSupportedGroups:
      return Decoder::kSupportedGroups;
    case T::kSignatureAlgorithms:
    case T::kSignatureAlgorithmsCert:
      return Decoder::kSignatureAlgorithms;
    case T::kKeyShare:
      return ch ? Decoder::kKeyShareCh
                : c == C::kServerHello ? Decoder::kKeyShareSh : Decoder::kKeyShareHrr;
    case T::kApplicationLayerProtocolNegotiation:
      return ch ? Decoder::kAlpnCh : Decoder::kAlpnEe;
    case T::kRecordSizeLimit:
      return Decoder::kRecordSizeLimit;
    case T::kCookie:
      return Decoder::kCookie;
    case T::kPskKeyExchangeModes:
      return Decoder::kPskKeyExchangeModes;
    case T::kEarlyData:
      return c == C::kNewSessionTicket ? Decoder::kEarlyDataNst : Decoder::kEmptyBody;
    case T::kPreSharedKey:
      return ch ? Decoder::kPreSharedKeyCh : Decoder::kPreSharedKeySh;
    case T::kPostHandshakeAuth:
      return Decoder::kEmptyBody;
    case T::kCertificateAuthorities:
      return Decoder::kCertificateAuthorities;
    default:
      return Decoder::kCount;
  }
}

inline constexpr uint8_t kDrainLazily = 1;
inline constexpr unsigned kMaxRecordChoice = 1024;

}  // namespace volley::fuzz
