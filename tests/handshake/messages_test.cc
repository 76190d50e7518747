// The handshake message codecs on RFC 8448's messages (transcripts.vec): each decodes, its fields
// are the trace's, and it re-encodes byte for byte. Then, for every decoder, the mutations of
// codec_checks.h, duplicate extensions, extensions in the wrong message, and each rule the RFC
// states (HelloRetryRequest random, compression, pre_shared_key last, lifetime, ...).
#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "gtest/gtest.h"
#include "handshake/messages/certificate.h"
#include "handshake/messages/certificate_request.h"
#include "handshake/messages/certificate_verify.h"
#include "handshake/messages/client_hello.h"
#include "handshake/messages/encrypted_extensions.h"
#include "handshake/messages/end_of_early_data.h"
#include "handshake/messages/extension_bodies.h"
#include "handshake/messages/finished.h"
#include "handshake/messages/handshake_framer.h"
#include "handshake/messages/key_update.h"
#include "handshake/messages/new_session_ticket.h"
#include "handshake/messages/server_hello.h"
#include "tests/handshake/codec_checks.h"
#include "tests/handshake/rfc8448_messages.h"
#include "volley/sha2.h"

namespace volley::tls {
namespace {

using test::Buf;
using test::extension_fields;
using test::field_of;
using test::LengthField;

const volley::test::Rfc8448Messages& rfc() {
  static const auto* m = new volley::test::Rfc8448Messages(volley::test::load_rfc8448_messages());
  return *m;
}

// body_of checks the 4-byte header of |message| (type and length) and returns the body.
Bytes body_of(const Buf& message, HandshakeType type) {
  EXPECT_GE(message.size(), 4u);
  EXPECT_EQ(message[0], static_cast<uint8_t>(type));
  EXPECT_EQ(size_t{message[1]} << 16 | size_t{message[2]} << 8 | message[3], message.size() - 4);
  return Bytes(message).subspan(4);
}

template <typename T, typename Encode>
Buf encode(const T& v, Encode encode_fn) {
  Buf out;
  WireWriter w(&out);
  EXPECT_TRUE(encode_fn(w, v));
  EXPECT_TRUE(w.ok());
  return out;
}

Buf u16s(std::initializer_list<uint16_t> values) {
  Buf out;
  WireWriter w(&out);
  for (uint16_t v : values) w.u16(v);
  return out;
}

// ---- ClientHello ----

std::vector<LengthField> client_hello_fields(Bytes body, const ClientHello& ch) {
  std::vector<LengthField> f = {field_of(body, ch.legacy_session_id, 1),
                                field_of(body, ch.cipher_suites.bytes, 2),
                                field_of(body, ch.legacy_compression_methods, 1)};
  const size_t block = static_cast<size_t>(ch.legacy_compression_methods.data() +
                                           ch.legacy_compression_methods.size() - body.data());
  const auto ext = extension_fields(body, block, ch.extensions);
  f.insert(f.end(), ext.begin(), ext.end());
  return f;
}

TlsError decode_ch(Bytes b) {
  ClientHello ch;
  return decode_client_hello(&ch, b);
}

TEST(ClientHello, Rfc8448DecodesAndReencodes) {
  for (const Buf* msg : {&rfc().client_hello, &rfc().resumed_client_hello, &rfc().client_hello_2}) {
    const Bytes body = body_of(*msg, HandshakeType::kClientHello);
    ClientHello ch;
    ASSERT_TRUE(decode_client_hello(&ch, body).ok());
    EXPECT_EQ(ch.legacy_version, 0x0303);
    EXPECT_EQ(ch.random.size(), 32u);
    EXPECT_EQ(ch.cipher_suites.to_vector(), std::vector<uint16_t>({0x1301, 0x1303, 0x1302}));
    EXPECT_EQ(Buf(ch.legacy_compression_methods.begin(), ch.legacy_compression_methods.end()),
              Buf{0});
    EXPECT_NE(find_extension(ch.extensions, ExtensionType::kKeyShare), nullptr);
    EXPECT_NE(find_extension(ch.extensions, ExtensionType::kSupportedVersions), nullptr);
    EXPECT_EQ(encode(ch, encode_client_hello), *msg);
    auto fields = client_hello_fields(body, ch);
    if (msg == &rfc().client_hello_2) {
      // server_name's length one more swallows a byte of renegotiation_info; what follows then
      // reads as an unknown extension 0x0100 of 256 bytes, record_size_limit and a padding
      // extension that ends exactly at the list's end: a valid ClientHello, though another one.
      ASSERT_EQ(ch.extensions[0].type, ExtensionType::kServerName);
      fields[4].still_valid_delta = +1;
    }
    test::expect_checks_hold(body, fields, decode_ch);
  }
}

TEST(ClientHello, ResumedOffersPskLast) {
  ClientHello ch;
  ASSERT_TRUE(
      decode_client_hello(&ch, body_of(rfc().resumed_client_hello, HandshakeType::kClientHello))
          .ok());
  ASSERT_FALSE(ch.extensions.empty());
  EXPECT_EQ(ch.extensions.back().type, ExtensionType::kPreSharedKey);
  // pre_shared_key moved to the front: illegal_parameter (RFC 8446 §4.2.11).
  std::rotate(ch.extensions.begin(), ch.extensions.end() - 1, ch.extensions.end());
  const Buf moved = encode(ch, encode_client_hello);
  const TlsError e = decode_ch(Bytes(moved).subspan(4));
  EXPECT_EQ(e.alert, AlertDescription::kIllegalParameter);
  EXPECT_FALSE(e.ok());
}

TEST(ClientHello, FieldRules) {
  ClientHello ch;
  ASSERT_TRUE(decode_client_hello(&ch, body_of(rfc().client_hello, HandshakeType::kClientHello)).ok());
  const Buf suites = u16s({0x1301});
  const Buf none;
  const Buf long_id(33, 7);
  {
    ClientHello bad = ch;
    bad.cipher_suites.bytes = none;
    const Buf m = encode(bad, encode_client_hello);
    EXPECT_EQ(decode_ch(Bytes(m).subspan(4)).alert, AlertDescription::kDecodeError);
  }
  {
    ClientHello bad = ch;
    bad.legacy_compression_methods = none;
    const Buf m = encode(bad, encode_client_hello);
    EXPECT_FALSE(decode_ch(Bytes(m).subspan(4)).ok());
  }
  {
    ClientHello bad = ch;
    bad.legacy_session_id = long_id;
    Buf out;
    WireWriter w(&out);
    EXPECT_FALSE(encode_client_hello(w, bad));
  }
  {
    ClientHello bad = ch;
    bad.random = Bytes(ch.random).first(31);
    Buf out;
    WireWriter w(&out);
    EXPECT_FALSE(encode_client_hello(w, bad));
  }
  {
    ClientHello ok = ch;
    ok.cipher_suites.bytes = suites;
    const Buf m = encode(ok, encode_client_hello);
    ClientHello back;
    ASSERT_TRUE(decode_client_hello(&back, Bytes(m).subspan(4)).ok());
    EXPECT_EQ(back.cipher_suites.size(), 1u);
    EXPECT_EQ(back.cipher_suites[0], 0x1301);
  }
}

// ---- ServerHello / HelloRetryRequest ----

std::vector<LengthField> server_hello_fields(Bytes body, const ServerHello& sh) {
  std::vector<LengthField> f = {field_of(body, sh.legacy_session_id_echo, 1)};
  const size_t block = static_cast<size_t>(sh.legacy_session_id_echo.data() +
                                           sh.legacy_session_id_echo.size() - body.data()) +
                       3;  // cipher_suite, legacy_compression_method
  const auto ext = extension_fields(body, block, sh.extensions);
  f.insert(f.end(), ext.begin(), ext.end());
  return f;
}

TlsError decode_sh(Bytes b) {
  ServerHello sh;
  return decode_server_hello(&sh, b);
}

TEST(ServerHello, Rfc8448DecodesAndReencodes) {
  for (const Buf* msg : {&rfc().server_hello, &rfc().resumed_server_hello}) {
    const Bytes body = body_of(*msg, HandshakeType::kServerHello);
    ServerHello sh;
    ASSERT_TRUE(decode_server_hello(&sh, body).ok());
    EXPECT_FALSE(sh.is_hello_retry_request);
    EXPECT_EQ(sh.cipher_suite, 0x1301);
    const Extension* versions = find_extension(sh.extensions, ExtensionType::kSupportedVersions);
    ASSERT_NE(versions, nullptr);
    uint16_t v = 0;
    ASSERT_TRUE(decode_supported_versions_sh(&v, versions->body).ok());
    EXPECT_EQ(v, kTls13);
    const Extension* share = find_extension(sh.extensions, ExtensionType::kKeyShare);
    ASSERT_NE(share, nullptr);
    KeyShareEntry entry;
    ASSERT_TRUE(decode_key_share_sh(&entry, share->body).ok());
    EXPECT_EQ(entry.group, 0x001d);
    EXPECT_EQ(entry.key_exchange.size(), 32u);
    EXPECT_EQ(encode(sh, encode_server_hello), *msg);
    test::expect_checks_hold(body, server_hello_fields(body, sh), decode_sh);
  }
}

TEST(ServerHello, HelloRetryRequestIsRecognised) {
  // The constant is SHA-256("HelloRetryRequest") (RFC 8446 §4.1.3).
  const char label[] = "HelloRetryRequest";
  std::array<uint8_t, 32> digest;
  sha256(digest, Bytes(reinterpret_cast<const uint8_t*>(label), sizeof(label) - 1));
  EXPECT_TRUE(std::ranges::equal(digest, kHelloRetryRequestRandom));

  const Buf& msg = rfc().hello_retry_request;
  const Bytes body = body_of(msg, HandshakeType::kServerHello);
  ServerHello hrr;
  ASSERT_TRUE(decode_server_hello(&hrr, body).ok());
  EXPECT_TRUE(hrr.is_hello_retry_request);
  const Extension* share = find_extension(hrr.extensions, ExtensionType::kKeyShare);
  ASSERT_NE(share, nullptr);
  uint16_t group = 0;
  ASSERT_TRUE(decode_key_share_hrr(&group, share->body).ok());
  EXPECT_EQ(group, 0x0017);
  const Extension* cookie_ext = find_extension(hrr.extensions, ExtensionType::kCookie);
  ASSERT_NE(cookie_ext, nullptr);
  Bytes cookie;
  ASSERT_TRUE(decode_cookie(&cookie, cookie_ext->body).ok());
  EXPECT_FALSE(cookie.empty());
  EXPECT_EQ(encode(hrr, encode_server_hello), msg);
  test::expect_checks_hold(body, server_hello_fields(body, hrr), decode_sh);

  // The encoder writes the special random whatever .random holds.
  ServerHello from_sh;
  ASSERT_TRUE(decode_server_hello(&from_sh, body_of(rfc().server_hello, HandshakeType::kServerHello)).ok());
  from_sh.is_hello_retry_request = true;
  from_sh.extensions = hrr.extensions;
  ServerHello back;
  const Buf m = encode(from_sh, encode_server_hello);
  ASSERT_TRUE(decode_server_hello(&back, Bytes(m).subspan(4)).ok());
  EXPECT_TRUE(back.is_hello_retry_request);

  // cookie is allowed in a HelloRetryRequest, not in a ServerHello.
  from_sh.is_hello_retry_request = false;
  const Buf not_hrr = encode(from_sh, encode_server_hello);
  EXPECT_EQ(decode_sh(Bytes(not_hrr).subspan(4)).alert, AlertDescription::kIllegalParameter);
}

TEST(ServerHello, CompressionMustBeNull) {
  ServerHello sh;
  ASSERT_TRUE(decode_server_hello(&sh, body_of(rfc().server_hello, HandshakeType::kServerHello)).ok());
  sh.legacy_compression_method = 1;
  const Buf m = encode(sh, encode_server_hello);
  const TlsError e = decode_sh(Bytes(m).subspan(4));
  EXPECT_FALSE(e.ok());
  EXPECT_EQ(e.alert, AlertDescription::kIllegalParameter);
}

// ---- EncryptedExtensions ----

TlsError decode_ee(Bytes b) {
  EncryptedExtensions ee;
  return decode_encrypted_extensions(&ee, b);
}

TEST(EncryptedExtensions, Rfc8448DecodesAndReencodes) {
  for (const Buf* msg : {&rfc().encrypted_extensions, &rfc().resumed_encrypted_extensions}) {
    const Bytes body = body_of(*msg, HandshakeType::kEncryptedExtensions);
    EncryptedExtensions ee;
    ASSERT_TRUE(decode_encrypted_extensions(&ee, body).ok());
    const Extension* limit = find_extension(ee.extensions, ExtensionType::kRecordSizeLimit);
    ASSERT_NE(limit, nullptr);
    uint16_t v = 0;
    ASSERT_TRUE(decode_record_size_limit(&v, limit->body).ok());
    EXPECT_EQ(v, 0x4001);
    EXPECT_EQ(encode(ee, encode_encrypted_extensions), *msg);
    test::expect_checks_hold(body, extension_fields(body, 0, ee.extensions), decode_ee);
  }
  EncryptedExtensions resumed;
  ASSERT_TRUE(decode_encrypted_extensions(
                  &resumed, body_of(rfc().resumed_encrypted_extensions,
                                    HandshakeType::kEncryptedExtensions))
                  .ok());
  const Extension* early = find_extension(resumed.extensions, ExtensionType::kEarlyData);
  ASSERT_NE(early, nullptr);
  EXPECT_TRUE(decode_empty_body(early->body).ok());
}

TEST(EncryptedExtensions, RefusesExtensionsOfOtherMessages) {
  const Buf body = {0x00, 0x00};
  for (ExtensionType t : {ExtensionType::kKeyShare, ExtensionType::kSupportedVersions,
                          ExtensionType::kSignatureAlgorithms, ExtensionType::kPreSharedKey,
                          ExtensionType::kCookie}) {
    EncryptedExtensions ee{{Extension{t, body}}};
    const Buf m = encode(ee, encode_encrypted_extensions);
    EXPECT_EQ(decode_ee(Bytes(m).subspan(4)).alert, AlertDescription::kIllegalParameter)
        << static_cast<int>(t);
  }
  // An unknown type passes: whether it was solicited is the state machine's question.
  EncryptedExtensions unknown{{Extension{static_cast<ExtensionType>(0x1234), body}}};
  const Buf m = encode(unknown, encode_encrypted_extensions);
  EXPECT_TRUE(decode_ee(Bytes(m).subspan(4)).ok());
}

// ---- CertificateRequest ----

TlsError decode_cr(Bytes b) {
  CertificateRequest cr;
  return decode_certificate_request(&cr, b);
}

TEST(CertificateRequest, Rfc8448DecodesAndReencodes) {
  const Buf& msg = rfc().certificate_request;
  const Bytes body = body_of(msg, HandshakeType::kCertificateRequest);
  CertificateRequest cr;
  ASSERT_TRUE(decode_certificate_request(&cr, body).ok());
  EXPECT_TRUE(cr.certificate_request_context.empty());
  const Extension* algs = find_extension(cr.extensions, ExtensionType::kSignatureAlgorithms);
  ASSERT_NE(algs, nullptr);
  U16List schemes;
  ASSERT_TRUE(decode_signature_algorithms(&schemes, algs->body).ok());
  EXPECT_GT(schemes.size(), 0u);
  EXPECT_EQ(encode(cr, encode_certificate_request), msg);
  std::vector<LengthField> f = {field_of(body, cr.certificate_request_context, 1)};
  const auto ext = extension_fields(body, 1 + cr.certificate_request_context.size(), cr.extensions);
  f.insert(f.end(), ext.begin(), ext.end());
  test::expect_checks_hold(body, f, decode_cr);

  // signature_algorithms is required.
  cr.extensions.erase(cr.extensions.begin() + (algs - cr.extensions.data()));
  const Buf without = encode(cr, encode_certificate_request);
  const TlsError e = decode_cr(Bytes(without).subspan(4));
  EXPECT_FALSE(e.ok());
  EXPECT_EQ(e.alert, AlertDescription::kMissingExtension);
}

// ---- Certificate ----

TlsError decode_cert(Bytes b) {
  Certificate c;
  return decode_certificate(&c, b);
}

std::vector<LengthField> certificate_fields(Bytes body, const Certificate& c) {
  std::vector<LengthField> f = {field_of(body, c.certificate_request_context, 1),
                                {1 + c.certificate_request_context.size(), 3}};
  for (const CertificateEntry& e : c.entries) {
    f.push_back(field_of(body, e.cert_data, 3));
    const size_t block = static_cast<size_t>(e.cert_data.data() + e.cert_data.size() - body.data());
    const auto ext = extension_fields(body, block, e.extensions);
    f.insert(f.end(), ext.begin(), ext.end());
  }
  return f;
}

TEST(Certificate, Rfc8448DecodesAndReencodes) {
  const Buf& msg = rfc().certificate;
  const Bytes body = body_of(msg, HandshakeType::kCertificate);
  Certificate c;
  ASSERT_TRUE(decode_certificate(&c, body).ok());
  ASSERT_EQ(c.entries.size(), 1u);
  EXPECT_EQ(c.entries[0].cert_data.size(), 0x1b0u);
  EXPECT_EQ(c.entries[0].cert_data[0], 0x30);  // a DER SEQUENCE
  EXPECT_EQ(encode(c, encode_certificate), msg);
  test::expect_checks_hold(body, certificate_fields(body, c), decode_cert);
}

TEST(Certificate, EntriesAndRules) {
  Certificate c;
  ASSERT_TRUE(decode_certificate(&c, body_of(rfc().certificate, HandshakeType::kCertificate)).ok());
  const Buf ocsp = {1, 0, 0, 1, 0xaa};
  Certificate two;
  two.certificate_request_context = c.certificate_request_context;
  two.entries.push_back(CertificateEntry{c.entries[0].cert_data, {}});
  two.entries.push_back(CertificateEntry{c.entries[0].cert_data,
                                         {Extension{ExtensionType::kStatusRequest, ocsp}}});
  const Buf m = encode(two, encode_certificate);
  const Bytes body = Bytes(m).subspan(4);
  Certificate back;
  ASSERT_TRUE(decode_certificate(&back, body).ok());
  ASSERT_EQ(back.entries.size(), 2u);
  EXPECT_EQ(back.entries[1].extensions, two.entries[1].extensions);
  test::expect_checks_hold(body, certificate_fields(body, back), decode_cert);

  // An empty certificate list is a valid encoding (a client without a certificate).
  const Buf empty_list = encode(Certificate{}, encode_certificate);
  EXPECT_TRUE(decode_cert(Bytes(empty_list).subspan(4)).ok());
  // Empty cert_data is not.
  Certificate empty_cert;
  empty_cert.entries.push_back(CertificateEntry{Bytes(), {}});
  const Buf e = encode(empty_cert, encode_certificate);
  EXPECT_EQ(decode_cert(Bytes(e).subspan(4)).alert, AlertDescription::kDecodeError);
  // key_share in a certificate entry: illegal_parameter.
  Certificate wrong = two;
  wrong.entries[0].extensions = {Extension{ExtensionType::kKeyShare, ocsp}};
  const Buf w = encode(wrong, encode_certificate);
  EXPECT_EQ(decode_cert(Bytes(w).subspan(4)).alert, AlertDescription::kIllegalParameter);
}

// ---- CertificateVerify, Finished, KeyUpdate, EndOfEarlyData ----

TEST(CertificateVerify, Rfc8448DecodesAndReencodes) {
  const Buf& msg = rfc().certificate_verify;
  const Bytes body = body_of(msg, HandshakeType::kCertificateVerify);
  CertificateVerify cv;
  ASSERT_TRUE(decode_certificate_verify(&cv, body).ok());
  EXPECT_EQ(cv.algorithm, 0x0804);  // rsa_pss_rsae_sha256
  EXPECT_EQ(cv.signature.size(), 128u);
  EXPECT_EQ(encode(cv, encode_certificate_verify), msg);
  test::expect_checks_hold(body, {field_of(body, cv.signature, 2)}, [](Bytes b) {
    CertificateVerify x;
    return decode_certificate_verify(&x, b);
  });
}

TEST(Finished, Rfc8448DecodesAndReencodes) {
  const Buf& msg = rfc().server_finished;
  const Bytes body = body_of(msg, HandshakeType::kFinished);
  Finished f;
  ASSERT_TRUE(decode_finished(&f, body, 32).ok());
  EXPECT_EQ(f.verify_data.data(), body.data());
  EXPECT_EQ(encode(f, encode_finished), msg);
  test::expect_checks_hold(body, {}, [](Bytes b) {
    Finished x;
    return decode_finished(&x, b, 32);
  });
  EXPECT_EQ(decode_finished(&f, body, 48).alert, AlertDescription::kDecodeError);
  EXPECT_FALSE(decode_finished(&f, body, 48).ok());
}

TEST(KeyUpdate, BothValuesAndNoOther) {
  for (KeyUpdateRequest r :
       {KeyUpdateRequest::kUpdateNotRequested, KeyUpdateRequest::kUpdateRequested}) {
    const Buf m = encode(KeyUpdate{r}, encode_key_update);
    EXPECT_EQ(m, Buf({24, 0, 0, 1, static_cast<uint8_t>(r)}));
    KeyUpdate back;
    ASSERT_TRUE(decode_key_update(&back, Bytes(m).subspan(4)).ok());
    EXPECT_EQ(back.request_update, r);
    test::expect_checks_hold(Bytes(m).subspan(4), {}, [](Bytes b) {
      KeyUpdate x;
      return decode_key_update(&x, b);
    });
  }
  KeyUpdate ku;
  const Buf two = {2};
  EXPECT_EQ(decode_key_update(&ku, two).alert, AlertDescription::kIllegalParameter);
  Buf out;
  WireWriter w(&out);
  EXPECT_FALSE(encode_key_update(w, KeyUpdate{static_cast<KeyUpdateRequest>(2)}));
}

TEST(EndOfEarlyData, EmptyBodyOnly) {
  const Buf m = encode(EndOfEarlyData{}, encode_end_of_early_data);
  EXPECT_EQ(m, Buf({5, 0, 0, 0}));
  EndOfEarlyData e;
  EXPECT_TRUE(decode_end_of_early_data(&e, Bytes(m).subspan(4)).ok());
  test::expect_trailing_byte_fails(Bytes(m).subspan(4), [](Bytes b) {
    EndOfEarlyData x;
    return decode_end_of_early_data(&x, b);
  });
}

// ---- NewSessionTicket ----

TlsError decode_nst(Bytes b) {
  NewSessionTicket nst;
  return decode_new_session_ticket(&nst, b);
}

TEST(NewSessionTicket, Rfc8448DecodesAndReencodes) {
  const Buf& msg = rfc().new_session_ticket;
  const Bytes body = body_of(msg, HandshakeType::kNewSessionTicket);
  NewSessionTicket nst;
  ASSERT_TRUE(decode_new_session_ticket(&nst, body).ok());
  EXPECT_EQ(nst.ticket_lifetime, 30u);
  EXPECT_EQ(nst.ticket_age_add, 0xfad6aac5u);
  EXPECT_EQ(nst.ticket_nonce.size(), 2u);
  EXPECT_EQ(nst.ticket.size(), 0xb2u);
  const Extension* early = find_extension(nst.extensions, ExtensionType::kEarlyData);
  ASSERT_NE(early, nullptr);
  uint32_t max_early = 0;
  ASSERT_TRUE(decode_early_data_nst(&max_early, early->body).ok());
  EXPECT_EQ(max_early, 1024u);
  EXPECT_EQ(encode(nst, encode_new_session_ticket), msg);
  const size_t block = static_cast<size_t>(nst.ticket.data() + nst.ticket.size() - body.data());
  std::vector<LengthField> f = {field_of(body, nst.ticket_nonce, 1), field_of(body, nst.ticket, 2)};
  const auto ext = extension_fields(body, block, nst.extensions);
  f.insert(f.end(), ext.begin(), ext.end());
  test::expect_checks_hold(body, f, decode_nst);

  NewSessionTicket rule = nst;
  rule.ticket_lifetime = kMaxTicketLifetime;
  Buf m = encode(rule, encode_new_session_ticket);
  EXPECT_TRUE(decode_nst(Bytes(m).subspan(4)).ok());
  rule.ticket_lifetime = kMaxTicketLifetime + 1;
  m = encode(rule, encode_new_session_ticket);
  EXPECT_EQ(decode_nst(Bytes(m).subspan(4)).alert, AlertDescription::kIllegalParameter);
  rule = nst;
  rule.ticket = Bytes();
  m = encode(rule, encode_new_session_ticket);
  EXPECT_EQ(decode_nst(Bytes(m).subspan(4)).alert, AlertDescription::kDecodeError);
}

// ---- Every message with extensions: a duplicate is illegal_parameter ----

TEST(Messages, DuplicateExtensionsFail) {
  const auto dup_first = [](std::vector<Extension>& exts) {
    ASSERT_FALSE(exts.empty());
    exts.push_back(exts.front());
  };
  const auto check = [](const Buf& m, const test::DecodeFn& decode) {
    const TlsError e = decode(Bytes(m).subspan(4));
    EXPECT_FALSE(e.ok());
    EXPECT_EQ(e.alert, AlertDescription::kIllegalParameter);
  };
  {
    ClientHello x;
    ASSERT_TRUE(decode_client_hello(&x, body_of(rfc().client_hello, HandshakeType::kClientHello)).ok());
    dup_first(x.extensions);
    check(encode(x, encode_client_hello), decode_ch);
  }
  {
    ServerHello x;
    ASSERT_TRUE(decode_server_hello(&x, body_of(rfc().server_hello, HandshakeType::kServerHello)).ok());
    dup_first(x.extensions);
    check(encode(x, encode_server_hello), decode_sh);
  }
  {
    ServerHello x;
    ASSERT_TRUE(
        decode_server_hello(&x, body_of(rfc().hello_retry_request, HandshakeType::kServerHello)).ok());
    dup_first(x.extensions);
    check(encode(x, encode_server_hello), decode_sh);
  }
  {
    EncryptedExtensions x;
    ASSERT_TRUE(decode_encrypted_extensions(
                    &x, body_of(rfc().encrypted_extensions, HandshakeType::kEncryptedExtensions))
                    .ok());
    dup_first(x.extensions);
    check(encode(x, encode_encrypted_extensions), decode_ee);
  }
  {
    CertificateRequest x;
    ASSERT_TRUE(decode_certificate_request(
                    &x, body_of(rfc().certificate_request, HandshakeType::kCertificateRequest))
                    .ok());
    dup_first(x.extensions);
    check(encode(x, encode_certificate_request), decode_cr);
  }
  {
    NewSessionTicket x;
    ASSERT_TRUE(decode_new_session_ticket(
                    &x, body_of(rfc().new_session_ticket, HandshakeType::kNewSessionTicket))
                    .ok());
    dup_first(x.extensions);
    check(encode(x, encode_new_session_ticket), decode_nst);
  }
  {
    const Buf body = {1};
    Certificate x;
    x.entries.push_back(CertificateEntry{body, {Extension{ExtensionType::kStatusRequest, body},
                                                Extension{ExtensionType::kStatusRequest, body}}});
    check(encode(x, encode_certificate), decode_cert);
  }
}

// Encoders report a value that cannot be encoded.
TEST(Messages, OversizedFieldsDoNotEncode) {
  const Buf big(70000, 1);
  Buf out;
  WireWriter w(&out);
  EXPECT_FALSE(encode_certificate_verify(w, CertificateVerify{0x0804, big}));
  Buf out2;
  WireWriter w2(&out2);
  EXPECT_FALSE(encode_encrypted_extensions(
      w2, EncryptedExtensions{{Extension{ExtensionType::kPadding, big}}}));
}

}  // namespace
}  // namespace volley::tls
