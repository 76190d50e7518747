// Writes the seed corpora of handshake_messages_fuzzer and handshake_framer_fuzzer
// (fuzz/corpus/handshake_messages, fuzz/corpus/handshake_framer) from RFC 8448's messages in
// transcripts.vec, in the formats of handshake_fuzz_format.h. Run after changing a format, then
// commit the files:
//   VOLLEY_VECTORS_DIR=$PWD/../shared/vectors bazel run //fuzz:make_handshake_seeds -- DIR
// with DIR the absolute path of fuzz/corpus.
// Deterministic: the same files every run.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "fuzz/fuzz_support.h"
#include "fuzz/handshake_fuzz_format.h"
#include "handshake/messages/certificate.h"
#include "handshake/messages/certificate_request.h"
#include "handshake/messages/client_hello.h"
#include "handshake/messages/encrypted_extensions.h"
#include "handshake/messages/handshake_framer.h"
#include "handshake/messages/new_session_ticket.h"
#include "handshake/messages/server_hello.h"
#include "tests/handshake/rfc8448_messages.h"

namespace volley::fuzz {
namespace {

using Buf = std::vector<uint8_t>;
using tls::ExtensionContext;
using tls::HandshakeType;

Buf seed(Decoder d, Bytes body) {
  // Reserved first: GCC 12 sees a one-byte vector grow by insert() as out of bounds.
  Buf b;
  b.reserve(1 + body.size());
  b.push_back(static_cast<uint8_t>(d));
  b.insert(b.end(), body.begin(), body.end());
  return b;
}

// The decoder and extension context of a whole message.
struct Kind {
  Decoder decoder;
  ExtensionContext context;
};

Kind kind_of(const Buf& message) {
  switch (static_cast<HandshakeType>(message[0])) {
    case HandshakeType::kClientHello:
      return {Decoder::kClientHello, ExtensionContext::kClientHello};
    case HandshakeType::kServerHello: {
      const bool hrr = message.size() >= 4 + 2 + tls::kRandomLen &&
                       std::equal(message.begin() + 6, message.begin() + 6 + tls::kRandomLen,
                                  tls::kHelloRetryRequestRandom);
      return {Decoder::kServerHello,
              hrr ? ExtensionContext::kHelloRetryRequest : ExtensionContext::kServerHello};
    }
    case HandshakeType::kEncryptedExtensions:
      return {Decoder::kEncryptedExtensions, ExtensionContext::kEncryptedExtensions};
    case HandshakeType::kCertificateRequest:
      return {Decoder::kCertificateRequest, ExtensionContext::kCertificateRequest};
    case HandshakeType::kCertificate:
      return {Decoder::kCertificate, ExtensionContext::kCertificate};
    case HandshakeType::kCertificateVerify:
      return {Decoder::kCertificateVerify, ExtensionContext::kCertificate};
    case HandshakeType::kFinished:
      return {Decoder::kFinished32, ExtensionContext::kCertificate};
    default:
      return {Decoder::kNewSessionTicket, ExtensionContext::kNewSessionTicket};
  }
}

// extensions_of decodes the extension list of |message| for the body seeds (nothing for
// messages without one).
std::vector<tls::Extension> extensions_of(const Buf& message) {
  const Bytes body = Bytes(message).subspan(4);
  switch (static_cast<HandshakeType>(message[0])) {
    case HandshakeType::kClientHello: {
      tls::ClientHello v;
      return tls::decode_client_hello(&v, body).ok() ? v.extensions : decltype(v.extensions){};
    }
    case HandshakeType::kServerHello: {
      tls::ServerHello v;
      return tls::decode_server_hello(&v, body).ok() ? v.extensions : decltype(v.extensions){};
    }
    case HandshakeType::kEncryptedExtensions: {
      tls::EncryptedExtensions v;
      return tls::decode_encrypted_extensions(&v, body).ok() ? v.extensions
                                                            : decltype(v.extensions){};
    }
    case HandshakeType::kCertificateRequest: {
      tls::CertificateRequest v;
      return tls::decode_certificate_request(&v, body).ok() ? v.extensions
                                                           : decltype(v.extensions){};
    }
    case HandshakeType::kNewSessionTicket: {
      tls::NewSessionTicket v;
      return tls::decode_new_session_ticket(&v, body).ok() ? v.extensions
                                                          : decltype(v.extensions){};
    }
    default:
      return {};
  }
}

void write_message_seeds(const std::filesystem::path& dir, const test::Rfc8448Messages& m) {
  int bodies = 0;
  std::vector<bool> done(kDecoderCount + 1, false);
  for (const test::Rfc8448Message& msg : m.all()) {
    const Kind k = kind_of(msg.bytes);
    save_seed(dir, msg.name, seed(k.decoder, Bytes(msg.bytes).subspan(4)));
    // Each typed extension body once (the first message that carries one of that decoder).
    for (const tls::Extension& e : extensions_of(msg.bytes)) {
      const Decoder d = body_decoder(e.type, k.context);
      if (d == Decoder::kCount || done[static_cast<size_t>(d)]) continue;
      done[static_cast<size_t>(d)] = true;
      const std::string name =
          "extension_" + std::to_string(static_cast<int>(e.type)) + "_of_" + msg.name;
      save_seed(dir, name, seed(d, e.body));
      ++bodies;
    }
  }
  const Buf ee_block(m.encrypted_extensions.begin() + 6, m.encrypted_extensions.end());
  save_seed(dir, "extension_list", seed(Decoder::kExtensionList, ee_block));
  save_seed(dir, "key_update", seed(Decoder::kKeyUpdate, Buf{1}));
  save_seed(dir, "end_of_early_data", seed(Decoder::kEndOfEarlyData, Buf{}));
  save_seed(dir, "finished48", seed(Decoder::kFinished48, Buf(48, 0xf1)));
  save_seed(dir, "alpn_ch", seed(Decoder::kAlpnCh, Buf{0, 12, 2, 'h', '2', 8, 'h', 't', 't', 'p', '/',
                                                  '1', '.', '1'}));
  save_seed(dir, "alpn_ee", seed(Decoder::kAlpnEe, Buf{0, 3, 2, 'h', '2'}));
  // certificate_authorities (RFC 8448's CertificateRequest has none): two names, the second
  // the DER of "CN=ca".
  save_seed(dir, "certificate_authorities",
            seed(Decoder::kCertificateAuthorities,
                 Buf{0, 21, 0, 2, 0x30, 0, 0, 15, 0x30, 13, 0x31, 11, 0x30, 9, 0x06, 3, 0x55, 4, 3,
                     0x0c, 2, 'c', 'a'}));
  std::printf("handshake_messages: %zu messages, %d extension bodies, 7 more\n", m.all().size(),
              bodies);
}

// framer_seed: options, record sizes, stream.
Buf framer_seed(uint8_t options, const std::vector<uint16_t>& sizes, const Buf& stream) {
  Buf b;
  b.reserve(2 + 2 * sizes.size() + stream.size());
  b.push_back(options);
  b.push_back(static_cast<uint8_t>(sizes.size()));
  for (uint16_t s : sizes) {
    b.push_back(static_cast<uint8_t>(s >> 8));
    b.push_back(static_cast<uint8_t>(s));
  }
  b.insert(b.end(), stream.begin(), stream.end());
  return b;
}

void write_framer_seeds(const std::filesystem::path& dir, const test::Rfc8448Messages& m) {
  const Buf flight = m.server_flight();
  const std::vector<std::vector<uint16_t>> splits = {{}, {1}, {7, 300}, {100, 0, 3}, {1023}};
  int n = 0;
  for (const auto& sizes : splits) {
    for (uint8_t options : {uint8_t{0}, kDrainLazily}) {
      save_seed(dir, "server_flight_" + std::to_string(n++), framer_seed(options, sizes, flight));
    }
  }
  Buf resumed = m.resumed_server_hello;
  resumed.insert(resumed.end(), m.resumed_encrypted_extensions.begin(),
                 m.resumed_encrypted_extensions.end());
  resumed.insert(resumed.end(), m.server_finished.begin(), m.server_finished.end());
  save_seed(dir, "resumed_flight", framer_seed(0, {50}, resumed));
  save_seed(dir, "client_hello", framer_seed(0, {64}, m.client_hello));
  Buf post = m.new_session_ticket;
  post.insert(post.end(), {24, 0, 0, 1, 1, 5, 0, 0, 0});  // KeyUpdate, EndOfEarlyData
  save_seed(dir, "post_handshake", framer_seed(kDrainLazily, {5, 9}, post));
  Buf unknown = m.server_finished;
  unknown.insert(unknown.end(), {99, 0, 0, 0});
  save_seed(dir, "unknown_type", framer_seed(0, {10}, unknown));
  save_seed(dir, "oversize_header", framer_seed(0, {2}, Buf{8, 1, 0, 1}));
  Buf partial(m.certificate.begin(), m.certificate.end() - 10);
  save_seed(dir, "partial_certificate", framer_seed(0, {200}, partial));
  std::printf("handshake_framer: %d splits of the server flight, 6 more\n", n);
}

}  // namespace
}  // namespace volley::fuzz

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_handshake_seeds CORPUS_DIR\n");
    return 2;
  }
  const std::filesystem::path root = argv[1];
  const auto m = volley::test::load_rfc8448_messages();
  std::filesystem::remove_all(root / "handshake_messages");
  std::filesystem::remove_all(root / "handshake_framer");
  volley::fuzz::write_message_seeds(root / "handshake_messages", m);
  volley::fuzz::write_framer_seeds(root / "handshake_framer", m);
  return 0;
}
