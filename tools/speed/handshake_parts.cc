#include "tools/speed/handshake_parts.h"

#include <algorithm>
#include <span>

#include "handshake/groups/key_share.h"
#include "handshake/transcript.h"
#include "volley/key_schedule.h"

namespace volley::speed {
namespace {

using tls::CertificateRole;
using tls::SignatureScheme;

constexpr SignatureScheme kScheme = SignatureScheme::kEcdsaSecp256r1Sha256;
constexpr size_t kMessageHeader = 4;  // msg_type and a 24-bit length (RFC 8446 §4)

// hash_one_side is what each state machine hashes in a full handshake (handshake/client/
// tls13_client.cc, handshake/server/tls13_server.cc): the transcript of every message with five
// hashes taken out of it (after ServerHello, Certificate, CertificateVerify and the server's
// Finished, and once more for the client's Finished), the key schedule through both handshake and
// both application traffic secrets, four traffic keys and two Finished MACs (one made, one
// checked). |m| holds the messages in order; the last MAC goes to |out|.
bool hash_one_side(const CipherSuite& suite, const std::vector<std::vector<uint8_t>>& m,
                   std::span<uint8_t> out) {
  static constexpr uint8_t kEcdhe[32] = {0x42};
  tls::Transcript t;
  t.start(suite.hash);
  uint8_t h[tls::Transcript::kMaxHashSize];
  KeySchedule ks;
  Secret c_hs, s_hs, c_ap, s_ap;
  TrafficKeys keys;
  t.add(m[0]);
  t.add(m[1]);
  const Bytes hello_hash = t.hash(h);
  bool ok = ks.init(suite) == Status::kOk && ks.enter_handshake(Bytes(kEcdhe)) == Status::kOk &&
            ks.client_handshake_traffic_secret(&c_hs, hello_hash) == Status::kOk &&
            ks.server_handshake_traffic_secret(&s_hs, hello_hash) == Status::kOk &&
            traffic_keys(suite, &keys, c_hs) == Status::kOk &&
            traffic_keys(suite, &keys, s_hs) == Status::kOk;
  t.add(m[2]);
  (void)t.hash(h);  // what the CertificateVerify signs
  t.add(m[3]);
  ok = ok && finished_verify_data(suite, out, s_hs, t.hash(h)) == Status::kOk;
  t.add(m[4]);
  const Bytes finished_hash = t.hash(h);
  ok = ok && ks.enter_master() == Status::kOk &&
       ks.client_application_traffic_secret(&c_ap, finished_hash) == Status::kOk &&
       ks.server_application_traffic_secret(&s_ap, finished_hash) == Status::kOk &&
       traffic_keys(suite, &keys, s_ap) == Status::kOk &&
       finished_verify_data(suite, out, c_hs, t.hash(h)) == Status::kOk;
  t.add(m[5]);
  return ok && traffic_keys(suite, &keys, c_ap) == Status::kOk;
}

}  // namespace

bool read_shape(const WireTally& client_sent, const WireTally& server_sent, size_t signature_size,
                const CipherSuite& suite, HandshakeShape* out, std::string* error) {
  HandshakeShape s;
  s.suite = &suite;
  s.client_hello = client_sent.plaintext_handshake;
  s.server_hello = server_sent.plaintext_handshake;
  s.finished = kMessageHeader + suite.hash_len;
  // CertificateVerify: the header, the scheme, a 16-bit length and the DER signature.
  s.certificate_verify = kMessageHeader + 2 + 2 + signature_size;
  // Each protected record's inner plaintext ends with its content type byte.
  const size_t client_inner = client_sent.protected_inner - client_sent.protected_records;
  const size_t server_inner = server_sent.protected_inner - server_sent.protected_records;
  const size_t known = s.certificate_verify + s.finished;
  if (client_sent.malformed || server_sent.malformed || s.client_hello == 0 ||
      s.server_hello == 0 || client_inner != s.finished || server_inner <= known) {
    *error = "could not read the handshake's message sizes off its records";
    return false;
  }
  s.extensions_and_certificate = server_inner - known;
  *out = s;
  return true;
}

bool HandshakeParts::init(const HandshakePki& pki, const VolleyPair& pair, std::string* error) {
  pki_ = pki;
  now_ = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  // A CertificateVerify over some transcript hash: the cost does not depend on its value.
  const uint8_t transcript_hash[32] = {1, 2, 3};
  if (!tls::certificate_verify_content(&content_, CertificateRole::kServer, Bytes(transcript_hash))
           .ok() ||
      !pki_.credential->sign(&signature_, kScheme, content_.bytes()).ok()) {
    *error = "ECDSA P-256: signing the CertificateVerify content failed";
    return false;
  }
  // The verify part must be able to fail: a changed signature has to be refused.
  std::vector<uint8_t> tampered = signature_;
  tampered.back() ^= 1;
  if (pki_.verifier
          ->verify_signature(pki_.credential->chain()[0], kScheme, content_.bytes(), tampered)
          .ok()) {
    *error = "ECDSA P-256: a tampered signature verified";
    return false;
  }
  WireTally client_sent, server_sent;
  if (!pair.check(error, &client_sent, &server_sent) ||
      !read_shape(client_sent, server_sent, signature_.size(), kTlsAes128GcmSha256, &shape_,
                  error)) {
    return false;
  }
  const size_t sizes[] = {
      shape_.client_hello,       shape_.server_hello, shape_.extensions_and_certificate,
      shape_.certificate_verify, shape_.finished,     shape_.finished};
  messages_.clear();
  for (size_t n : sizes) messages_.emplace_back(n, uint8_t{0x16});
  const struct {
    const char* name;
    bool ok;
  } once[] = {{"X25519", x25519()},
              {"ECDSA P-256 sign", sign()},
              {"ECDSA P-256 verify", verify()},
              {"chain verification", chain()},
              {"hashing", hashing()}};
  for (const auto& part : once) {
    if (!part.ok) {
      *error = std::string(part.name) + " failed";
      return false;
    }
  }
  return true;
}

bool HandshakeParts::x25519() const {
  std::unique_ptr<tls::KeyShare> client, server;
  Secret client_secret, server_secret;
  if (!tls::generate_key_share(&client, tls::NamedGroup::kX25519).ok() ||
      !tls::generate_key_share(&server, tls::NamedGroup::kX25519).ok() ||
      !server->shared_secret(&server_secret, client->key_exchange()).ok() ||
      !client->shared_secret(&client_secret, server->key_exchange()).ok()) {
    return false;
  }
  const Bytes a = client_secret.bytes(), b = server_secret.bytes();
  return a.size() == 32 && std::equal(a.begin(), a.end(), b.begin(), b.end());
}

bool HandshakeParts::sign() const {
  std::vector<uint8_t> signature;
  return pki_.credential->sign(&signature, kScheme, content_.bytes()).ok();
}

bool HandshakeParts::verify() const {
  return pki_.verifier
      ->verify_signature(pki_.credential->chain()[0], kScheme, content_.bytes(), signature_)
      .ok();
}

bool HandshakeParts::chain() const {
  return pki_.verifier
      ->verify_chain(pki_.credential->chain(), "localhost", CertificateRole::kServer, now_)
      .ok();
}

bool HandshakeParts::hashing() {
  const std::span<uint8_t> out(sink_, shape_.suite->hash_len);
  return hash_one_side(*shape_.suite, messages_, out) &&
         hash_one_side(*shape_.suite, messages_, out);
}

}  // namespace volley::speed
