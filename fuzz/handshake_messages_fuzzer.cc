// handshake_messages_fuzzer: hostile bytes into every handshake message and extension body
// decoder (fuzz/handshake_fuzz_format.h), and a round trip for whatever decodes: encoding the
// decoded struct must give back the input exactly (every decoder accepts one encoding of each
// value, so decode(encode(x)) == x and encode(decode(b)) == b are the same check), and the
// re-encoding must decode again to the same bytes. For each decoded message, the bodies of the
// extensions it carries go through their typed decoders the same way.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz/fuzz_support.h"
#include "fuzz/handshake_fuzz_format.h"
#include "handshake/messages/certificate.h"
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

// decode_body runs one extension body codec.
void decode_body(Decoder d, Bytes b) {
  switch (d) {
    case Decoder::kServerNameCh:
      return body_round_trip(b, [](Bytes in, Buf* out) {
        Bytes host;
        return decode_server_name_ch(&host, in).ok() &&
               written(out, [&](WireWriter& w) { encode_server_name_ch(w, host); return true; });
      });
    case Decoder::kEmptyBody:
      return body_round_trip(b, [](Bytes in, Buf*) { return decode_empty_body(in).ok(); });
    case Decoder::kSupportedVersionsCh:
      return body_round_trip(b, [](Bytes in, Buf* out) {
        U16List v;
        return decode_supported_versions_ch(&v, in).ok() && written(out, [&](WireWriter& w) {
                 encode_supported_versions_ch(w, v.to_vector());
                 return true;
               });
      });
    case Decoder::kSupportedVersionsSh:
      return body_round_trip(b, [](Bytes in, Buf* out) {
        uint16_t v;
        return decode_supported_versions_sh(&v, in).ok() &&
               written(out, [&](WireWriter& w) { encode_supported_versions_sh(w, v); return true; });
      });
    case Decoder::kSupportedGroups:
      return body_round_trip(b, [](Bytes in, Buf* out) {
        U16List v;
        return decode_supported_groups(&v, in).ok() && written(out, [&](WireWriter& w) {
                 encode_supported_groups(w, v.to_vector());
                 return true;
               });
      });
    case Decoder::kSignatureAlgorithms:
      return body_round_trip(b, [](Bytes in, Buf* out) {
        U16List v;
        return decode_signature_algorithms(&v, in).ok() && written(out, [&](WireWriter& w) {
                 encode_signature_algorithms(w, v.to_vector());
                 return true;
               });
      });
    case Decoder::kKeyShareCh:
      return body_round_trip(b, [](Bytes in, Buf* out) {
        std::vector<KeyShareEntry> v;
        return decode_key_share_ch(&v, in).ok() &&
               written(out, [&](WireWriter& w) { encode_key_share_ch(w, v); return true; });
      });
    case Decoder::kKeyShareSh:
      return body_round_trip(b, [](Bytes in, Buf* out) {
        KeyShareEntry v;
        return decode_key_share_sh(&v, in).ok() &&
               written(out, [&](WireWriter& w) { encode_key_share_sh(w, v); return true; });
      });
    case Decoder::kKeyShareHrr:
      return body_round_trip(b, [](Bytes in, Buf* out) {
        uint16_t v;
        return decode_key_share_hrr(&v, in).ok() &&
               written(out, [&](WireWriter& w) { encode_key_share_hrr(w, v); return true; });
      });
    case Decoder::kAlpnCh:
      return body_round_trip(b, [](Bytes in, Buf* out) {
        std::vector<Bytes> v;
        return decode_alpn_ch(&v, in).ok() &&
               written(out, [&](WireWriter& w) { encode_alpn(w, v); return true; });
      });
    case Decoder::kAlpnEe:
      return body_round_trip(b, [](Bytes in, Buf* out) {
        Bytes v;
        return decode_alpn_ee(&v, in).ok() &&
               written(out, [&](WireWriter& w) { encode_alpn_ee(w, v); return true; });
      });
    case Decoder::kRecordSizeLimit:
      return body_round_trip(b, [](Bytes in, Buf* out) {
        uint16_t v;
        return decode_record_size_limit(&v, in).ok() &&
               written(out, [&](WireWriter& w) { encode_record_size_limit(w, v); return true; });
      });
    case Decoder::kCookie:
      return body_round_trip(b, [](Bytes in, Buf* out) {
        Bytes v;
        return decode_cookie(&v, in).ok() &&
               written(out, [&](WireWriter& w) { encode_cookie(w, v); return true; });
      });
    case Decoder::kPskKeyExchangeModes:
      return body_round_trip(b, [](Bytes in, Buf* out) {
        Bytes v;
        return decode_psk_key_exchange_modes(&v, in).ok() &&
               written(out, [&](WireWriter& w) { encode_psk_key_exchange_modes(w, v); return true; });
      });
    case Decoder::kEarlyDataNst:
      return body_round_trip(b, [](Bytes in, Buf* out) {
        uint32_t v;
        return decode_early_data_nst(&v, in).ok() &&
               written(out, [&](WireWriter& w) { encode_early_data_nst(w, v); return true; });
      });
    case Decoder::kPreSharedKeyCh:
      return body_round_trip(b, [](Bytes in, Buf* out) {
        OfferedPsks v;
        if (!decode_pre_shared_key_ch(&v, in).ok()) return false;
        VOLLEY_FUZZ_CHECK(pre_shared_key_binders_len(v) <= in.size(), "binders longer than body");
        return written(out, [&](WireWriter& w) { encode_pre_shared_key_ch(w, v); return true; });
      });
    case Decoder::kPreSharedKeySh:
      return body_round_trip(b, [](Bytes in, Buf* out) {
        uint16_t v;
        return decode_pre_shared_key_sh(&v, in).ok() &&
               written(out, [&](WireWriter& w) { encode_pre_shared_key_sh(w, v); return true; });
      });
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

void decode_message(Decoder d, Bytes b) {
  switch (d) {
    case Decoder::kClientHello:
      return message_round_trip(b, HandshakeType::kClientHello, [](Bytes in, Buf* out) {
        ClientHello v;
        if (!decode_client_hello(&v, in).ok()) return false;
        VOLLEY_FUZZ_CHECK(v.random.size() == kRandomLen && v.cipher_suites.size() > 0,
                          "ClientHello: accepted a bad field");
        decode_bodies(v.extensions, ExtensionContext::kClientHello);
        return written(out, [&](WireWriter& w) { return encode_client_hello(w, v); });
      });
    case Decoder::kServerHello:
      return message_round_trip(b, HandshakeType::kServerHello, [](Bytes in, Buf* out) {
        ServerHello v;
        if (!decode_server_hello(&v, in).ok()) return false;
        VOLLEY_FUZZ_CHECK(v.is_hello_retry_request ==
                              std::ranges::equal(v.random, kHelloRetryRequestRandom),
                          "ServerHello: HelloRetryRequest flag does not match the random");
        decode_bodies(v.extensions, v.is_hello_retry_request
                                        ? ExtensionContext::kHelloRetryRequest
                                        : ExtensionContext::kServerHello);
        return written(out, [&](WireWriter& w) { return encode_server_hello(w, v); });
      });
    case Decoder::kEncryptedExtensions:
      return message_round_trip(b, HandshakeType::kEncryptedExtensions, [](Bytes in, Buf* out) {
        EncryptedExtensions v;
        if (!decode_encrypted_extensions(&v, in).ok()) return false;
        decode_bodies(v.extensions, ExtensionContext::kEncryptedExtensions);
        return written(out, [&](WireWriter& w) { return encode_encrypted_extensions(w, v); });
      });
    case Decoder::kCertificateRequest:
      return message_round_trip(b, HandshakeType::kCertificateRequest, [](Bytes in, Buf* out) {
        CertificateRequest v;
        if (!decode_certificate_request(&v, in).ok()) return false;
        decode_bodies(v.extensions, ExtensionContext::kCertificateRequest);
        return written(out, [&](WireWriter& w) { return encode_certificate_request(w, v); });
      });
    case Decoder::kCertificate:
      return message_round_trip(b, HandshakeType::kCertificate, [](Bytes in, Buf* out) {
        Certificate v;
        if (!decode_certificate(&v, in).ok()) return false;
        for (const CertificateEntry& e : v.entries) {
          VOLLEY_FUZZ_CHECK(!e.cert_data.empty(), "Certificate: accepted empty cert_data");
          decode_bodies(e.extensions, ExtensionContext::kCertificate);
        }
        return written(out, [&](WireWriter& w) { return encode_certificate(w, v); });
      });
    case Decoder::kCertificateVerify:
      return message_round_trip(b, HandshakeType::kCertificateVerify, [](Bytes in, Buf* out) {
        CertificateVerify v;
        return decode_certificate_verify(&v, in).ok() &&
               written(out, [&](WireWriter& w) { return encode_certificate_verify(w, v); });
      });
    case Decoder::kFinished32:
    case Decoder::kFinished48: {
      const size_t hash_len = d == Decoder::kFinished32 ? 32 : 48;
      return message_round_trip(b, HandshakeType::kFinished, [hash_len](Bytes in, Buf* out) {
        Finished v;
        return decode_finished(&v, in, hash_len).ok() &&
               written(out, [&](WireWriter& w) { return encode_finished(w, v); });
      });
    }
    case Decoder::kKeyUpdate:
      return message_round_trip(b, HandshakeType::kKeyUpdate, [](Bytes in, Buf* out) {
        KeyUpdate v;
        return decode_key_update(&v, in).ok() &&
               written(out, [&](WireWriter& w) { return encode_key_update(w, v); });
      });
    case Decoder::kNewSessionTicket:
      return message_round_trip(b, HandshakeType::kNewSessionTicket, [](Bytes in, Buf* out) {
        NewSessionTicket v;
        if (!decode_new_session_ticket(&v, in).ok()) return false;
        VOLLEY_FUZZ_CHECK(v.ticket_lifetime <= kMaxTicketLifetime && !v.ticket.empty(),
                          "NewSessionTicket: accepted a bad field");
        decode_bodies(v.extensions, ExtensionContext::kNewSessionTicket);
        return written(out, [&](WireWriter& w) { return encode_new_session_ticket(w, v); });
      });
    case Decoder::kEndOfEarlyData:
      return message_round_trip(b, HandshakeType::kEndOfEarlyData, [](Bytes in, Buf* out) {
        EndOfEarlyData v;
        return decode_end_of_early_data(&v, in).ok() &&
               written(out, [&](WireWriter& w) { return encode_end_of_early_data(w, v); });
      });
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

}  // namespace
}  // namespace volley::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const auto d = static_cast<volley::fuzz::Decoder>(data[0] % volley::fuzz::kDecoderCount);
  volley::fuzz::decode_message(d, volley::Bytes(data + 1, size - 1));
  return 0;
}
