// handshake_messages_fuzzer: hostile bytes into every handshake message and extension body
// decoder (fuzz/handshake_fuzz_format.h), and a round trip for whatever decodes: encoding the
// decoded struct must give back the input exactly (every decoder accepts one encoding of each
// value, so decode(encode(x)) == x and encode(decode(b)) == b are the same check), and the
// re-encoding must decode again to the same bytes. For each decoded message, the bodies of the
// extensions it carries go through their typed decoders the same way.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "fuzz/fuzz_support.h"
#include "fuzz/handshake_fuzz_format.h"
#include "handshake/messages/certificate.h"
#include "handshake/messages/certificate_authorities.h"
#include "handshake/messages/certificate_request.h"
#include "handshake/messages/certificate_verify.h"
#include "handshake/messages/client_hello.h"
#include "handshake/messages/encrypted_extensions.h"
#include "handshake/messages/end_of_early_data.h"
#include "handshake/messages/extension_bodies.h"
#include "handshake/messages/extensions.h"
#include "handshake/messages/finished.h"
#include "handshake/messages/handshake_framer.h"
#include "handshake/messages/key_update.h"
#include "handshake/messages/new_session_ticket.h"
#include "volley/session.h"
#include "handshake/messages/server_hello.h"

namespace volley::fuzz {
namespace {

using namespace volley::tls;  // NOLINT: the codecs under test
using Buf = std::vector<uint8_t>;

// Round trip of an extension body (no header). |codec(in, &out)| decodes |in|; if that succeeds
// it encodes the result into |out| and returns true.
template <typename Codec>
void body_round_trip(Bytes body, Codec codec) {
  Buf out;
  if (!codec(body, &out)) return;
  VOLLEY_FUZZ_CHECK(std::ranges::equal(out, body), "extension body: re-encoding differs");
  Buf again;
  VOLLEY_FUZZ_CHECK(codec(Bytes(out), &again), "extension body: re-encoding does not decode");
  VOLLEY_FUZZ_CHECK(again == out, "extension body: second re-encoding differs");
}

// Round trip of a message: |codec(body, &out)| as above, |out| getting the whole message.
template <typename Codec>
void message_round_trip(Bytes body, HandshakeType type, Codec codec) {
  Buf out;
  if (!codec(body, &out)) return;
  VOLLEY_FUZZ_CHECK(out.size() == body.size() + kHandshakeHeaderLen &&
                        out[0] == static_cast<uint8_t>(type) &&
                        (size_t{out[1]} << 16 | size_t{out[2]} << 8 | out[3]) == body.size() &&
                        std::ranges::equal(Bytes(out).subspan(kHandshakeHeaderLen), body),
                    "message: re-encoding differs");
  Buf again;
  VOLLEY_FUZZ_CHECK(codec(Bytes(out).subspan(kHandshakeHeaderLen), &again),
                    "message: re-encoding does not decode");
  VOLLEY_FUZZ_CHECK(again == out, "message: second re-encoding differs");
}

// written runs |write| into *out and checks the writer accepted it.
template <typename Write>
bool written(Buf* out, Write write) {
  WireWriter w(out);
  const bool ok = write(w);
  VOLLEY_FUZZ_CHECK(ok && w.ok() && w.all_closed(), "encoder refused a decoded value");
  return true;
}

// body_codec is the round trip of one extension body codec: |decode| into a T, |encode| it back.
template <typename T, typename Decode, typename Encode>
void body_codec(Bytes b, Decode decode, Encode encode) {
  body_round_trip(b, [&](Bytes in, Buf* out) {
    T v{};
    return decode(&v, in).ok() && written(out, [&](WireWriter& w) {
             encode(w, v);
             return true;
           });
  });
}

// The U16List bodies encode from values.
template <void (*Encode)(WireWriter&, std::span<const uint16_t>)>
void encode_u16s(WireWriter& w, const U16List& v) {
  Encode(w, v.to_vector());
}

TlsError decode_pre_shared_key_ch_checked(OfferedPsks* v, Bytes in) {
  const TlsError e = decode_pre_shared_key_ch(v, in);
  VOLLEY_FUZZ_CHECK(!e.ok() || pre_shared_key_binders_len(*v) <= in.size(),
                    "pre_shared_key: binders longer than the body");
  return e;
}

// decode_body runs one extension body codec.
void decode_body(Decoder d, Bytes b) {
  switch (d) {
    case Decoder::kServerNameCh:
      return body_codec<Bytes>(b, decode_server_name_ch, encode_server_name_ch);
    case Decoder::kEmptyBody:
      return body_round_trip(b, [](Bytes in, Buf*) { return decode_empty_body(in).ok(); });
    case Decoder::kSupportedVersionsCh:
      return body_codec<U16List>(b, decode_supported_versions_ch,
                                 encode_u16s<encode_supported_versions_ch>);
    case Decoder::kSupportedVersionsSh:
      return body_codec<uint16_t>(b, decode_supported_versions_sh, encode_supported_versions_sh);
    case Decoder::kSupportedGroups:
      return body_codec<U16List>(b, decode_supported_groups, encode_u16s<encode_supported_groups>);
    case Decoder::kSignatureAlgorithms:
      return body_codec<U16List>(b, decode_signature_algorithms,
                                 encode_u16s<encode_signature_algorithms>);
    case Decoder::kKeyShareCh:
      return body_codec<std::vector<KeyShareEntry>>(b, decode_key_share_ch, encode_key_share_ch);
    case Decoder::kKeyShareSh:
      return body_codec<KeyShareEntry>(b, decode_key_share_sh, encode_key_share_sh);
    case Decoder::kKeyShareHrr:
      return body_codec<uint16_t>(b, decode_key_share_hrr, encode_key_share_hrr);
    case Decoder::kAlpnCh:
      return body_codec<std::vector<Bytes>>(b, decode_alpn_ch, encode_alpn);
    case Decoder::kAlpnEe:
      return body_codec<Bytes>(b, decode_alpn_ee, encode_alpn_ee);
    case Decoder::kRecordSizeLimit:
      return body_codec<uint16_t>(b, decode_record_size_limit, encode_record_size_limit);
    case Decoder::kCookie:
      return body_codec<Bytes>(b, decode_cookie, encode_cookie);
    case Decoder::kPskKeyExchangeModes:
      return body_codec<Bytes>(b, decode_psk_key_exchange_modes, encode_psk_key_exchange_modes);
    case Decoder::kEarlyDataNst:
      return body_codec<uint32_t>(b, decode_early_data_nst, encode_early_data_nst);
    case Decoder::kPreSharedKeyCh:
      return body_codec<OfferedPsks>(b, decode_pre_shared_key_ch_checked, encode_pre_shared_key_ch);
    case Decoder::kPreSharedKeySh:
      return body_codec<uint16_t>(b, decode_pre_shared_key_sh, encode_pre_shared_key_sh);
    case Decoder::kCertificateAuthorities:
      return body_codec<std::vector<Bytes>>(b, decode_certificate_authorities,
                                            encode_certificate_authorities);
    default:
      return;
  }
}

void decode_bodies(const std::vector<Extension>& extensions, ExtensionContext context) {
  for (const Extension& e : extensions) {
    VOLLEY_FUZZ_CHECK(extension_allowed(e.type, context) || !is_known_extension(e.type),
                      "a decoder let through an extension its message may not carry");
    decode_body(body_decoder(e.type, context), e.body);
  }
}

// message_codec is the round trip of one message codec; |inspect| looks at what decoded (checks
// the decoder's promises, runs the extension bodies).
template <typename T, typename Decode, typename Encode, typename Inspect>
void message_codec(Bytes b, HandshakeType type, Decode decode, Encode encode, Inspect inspect) {
  message_round_trip(b, type, [&](Bytes in, Buf* out) {
    T v{};
    if (!decode(&v, in).ok()) return false;
    inspect(v);
    return written(out, [&](WireWriter& w) { return encode(w, v); });
  });
}

// with_extensions is the inspect hook of a message whose only promise is its extension list.
auto with_extensions(ExtensionContext context) {
  return [context](const auto& v) { decode_bodies(v.extensions, context); };
}

void decode_message(Decoder d, Bytes b) {
  const auto nothing = [](const auto&) {};
  switch (d) {
    case Decoder::kClientHello:
      return message_codec<ClientHello>(
          b, HandshakeType::kClientHello, decode_client_hello, encode_client_hello,
          [](const ClientHello& v) {
            VOLLEY_FUZZ_CHECK(v.random.size() == kRandomLen && v.cipher_suites.size() > 0,
                              "ClientHello: accepted a bad field");
            decode_bodies(v.extensions, ExtensionContext::kClientHello);
          });
    case Decoder::kServerHello:
      return message_codec<ServerHello>(
          b, HandshakeType::kServerHello, decode_server_hello, encode_server_hello,
          [](const ServerHello& v) {
            VOLLEY_FUZZ_CHECK(v.is_hello_retry_request ==
                                  std::ranges::equal(v.random, kHelloRetryRequestRandom),
                              "ServerHello: HelloRetryRequest flag does not match the random");
            decode_bodies(v.extensions, v.is_hello_retry_request
                                            ? ExtensionContext::kHelloRetryRequest
                                            : ExtensionContext::kServerHello);
          });
    case Decoder::kEncryptedExtensions:
      return message_codec<EncryptedExtensions>(
          b, HandshakeType::kEncryptedExtensions, decode_encrypted_extensions,
          encode_encrypted_extensions, with_extensions(ExtensionContext::kEncryptedExtensions));
    case Decoder::kCertificateRequest:
      return message_codec<CertificateRequest>(
          b, HandshakeType::kCertificateRequest, decode_certificate_request,
          encode_certificate_request, with_extensions(ExtensionContext::kCertificateRequest));
    case Decoder::kCertificate:
      return message_codec<Certificate>(
          b, HandshakeType::kCertificate, decode_certificate, encode_certificate,
          [](const Certificate& v) {
            for (const CertificateEntry& e : v.entries) {
              VOLLEY_FUZZ_CHECK(!e.cert_data.empty(), "Certificate: accepted empty cert_data");
              decode_bodies(e.extensions, ExtensionContext::kCertificate);
            }
          });
    case Decoder::kCertificateVerify:
      return message_codec<CertificateVerify>(b, HandshakeType::kCertificateVerify,
                                              decode_certificate_verify,
                                              encode_certificate_verify, nothing);
    case Decoder::kFinished32:
    case Decoder::kFinished48: {
      const size_t hash_len = d == Decoder::kFinished32 ? 32 : 48;
      return message_codec<Finished>(
          b, HandshakeType::kFinished,
          [hash_len](Finished* v, Bytes in) { return decode_finished(v, in, hash_len); },
          encode_finished, nothing);
    }
    case Decoder::kKeyUpdate:
      return message_codec<KeyUpdate>(b, HandshakeType::kKeyUpdate, decode_key_update,
                                      encode_key_update, nothing);
    case Decoder::kNewSessionTicket:
      return message_codec<NewSessionTicket>(
          b, HandshakeType::kNewSessionTicket, decode_new_session_ticket,
          encode_new_session_ticket, [](const NewSessionTicket& v) {
            VOLLEY_FUZZ_CHECK(v.ticket_lifetime <= kMaxTicketLifetime && !v.ticket.empty(),
                              "NewSessionTicket: accepted a bad field");
            decode_bodies(v.extensions, ExtensionContext::kNewSessionTicket);
          });
    case Decoder::kEndOfEarlyData:
      return message_codec<EndOfEarlyData>(b, HandshakeType::kEndOfEarlyData,
                                           decode_end_of_early_data, encode_end_of_early_data,
                                           nothing);
    case Decoder::kExtensionList:
      return body_round_trip(b, [](Bytes in, Buf* out) {
        std::vector<Extension> v;
        // A list's content longer than its u16 prefix allows has no encoding to compare with.
        if (in.size() > 0xffff || !decode_extensions(&v, in).ok()) return false;
        // encode_extensions writes the u16 prefix; the input is the list's content.
        Buf whole;
        written(&whole, [&](WireWriter& w) {
          encode_extensions(w, v);
          return true;
        });
        out->assign(whole.begin() + 2, whole.end());
        return true;
      });
    default:
      return decode_body(d, b);
  }
}

// session_codecs runs the two session encodings (volley/session.h) on the same bytes: whatever
// decodes must encode back to exactly the input (both are canonical).
void session_codecs(Bytes in) {
  tls::ServerSessionState state;
  if (tls::decode_server_session_state(&state, in)) {
    std::vector<uint8_t> again;
    VOLLEY_FUZZ_CHECK(tls::encode_server_session_state(&again, state) &&
                          std::equal(again.begin(), again.end(), in.begin(), in.end()),
                      "server session state: no round trip");
  }
  tls::ClientSession session;
  if (tls::decode_client_session(&session, in)) {
    std::vector<uint8_t> again;
    VOLLEY_FUZZ_CHECK(tls::encode_client_session(&again, session) &&
                          std::equal(again.begin(), again.end(), in.begin(), in.end()),
                      "client session: no round trip");
  }
}

}  // namespace
}  // namespace volley::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const auto d = static_cast<volley::fuzz::Decoder>(data[0] % volley::fuzz::kDecoderCount);
  volley::fuzz::decode_message(d, volley::Bytes(data + 1, size - 1));
  volley::fuzz::session_codecs(volley::Bytes(data + 1, size - 1));
  return 0;
}
