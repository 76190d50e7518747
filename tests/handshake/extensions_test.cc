// The extension list (framing, duplicates, RFC 8446 §4.2's table) and every typed extension body:
// the bodies of RFC 8448's hellos decode, hold the trace's values and re-encode byte for byte;
// then the mutations of codec_checks.h and each body's own rules.
#include <cstdint>
#include <vector>

#include "gtest/gtest.h"
#include "handshake/messages/client_hello.h"
#include "handshake/messages/extension_bodies.h"
#include "handshake/messages/extensions.h"
#include "tests/handshake/codec_checks.h"
#include "tests/handshake/rfc8448_messages.h"

namespace volley::tls {
namespace {

using test::Buf;
using test::LengthField;

// body_encoding runs a body encoder into a fresh buffer.
template <typename F>
Buf body_encoding(F write) {
  Buf out;
  WireWriter w(&out);
  write(w);
  EXPECT_TRUE(w.ok());
  EXPECT_TRUE(w.all_closed());
  return out;
}

Buf as_buf(Bytes b) { return Buf(b.begin(), b.end()); }

// The ClientHello of RFC 8448's simple 1-RTT handshake, and that of its resumption.
struct Hellos {
  volley::test::Rfc8448Messages m = volley::test::load_rfc8448_messages();
  ClientHello first, resumed;
  Hellos() {
    EXPECT_TRUE(decode_client_hello(&first, Bytes(m.client_hello).subspan(4)).ok());
    EXPECT_TRUE(decode_client_hello(&resumed, Bytes(m.resumed_client_hello).subspan(4)).ok());
  }
  Bytes body(ExtensionType t, bool from_resumed = false) const {
    const Extension* e = find_extension(from_resumed ? resumed.extensions : first.extensions, t);
    EXPECT_NE(e, nullptr) << static_cast<int>(t);
    return e ? e->body : Bytes();
  }
};

const Hellos& hellos() {
  static const Hellos* h = new Hellos();
  return *h;
}

// ---- The list ----

TEST(Extensions, ListRoundTrip) {
  const Buf a = {1, 2, 3};
  const std::vector<Extension> list = {{ExtensionType::kServerName, a},
                                       {ExtensionType::kEarlyData, Bytes()},
                                       {static_cast<ExtensionType>(0xfafa), a}};
  Buf out;
  WireWriter w(&out);
  encode_extensions(w, list);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(out, Buf({0, 18, 0, 0, 0, 3, 1, 2, 3, 0, 42, 0, 0, 0xfa, 0xfa, 0, 3, 1, 2, 3}));
  std::vector<Extension> back;
  ASSERT_TRUE(decode_extensions(&back, Bytes(out).subspan(2)).ok());
  EXPECT_EQ(back, list);
  EXPECT_EQ(find_extension(back, ExtensionType::kEarlyData), &back[1]);
  EXPECT_EQ(find_extension(back, ExtensionType::kKeyShare), nullptr);
  const auto decode = [](Bytes b) {
    std::vector<Extension> x;
    return decode_extensions(&x, b);
  };
  // Every prefix that cuts an entry fails; whole entries are a shorter valid list.
  const Bytes block = Bytes(out).subspan(2);
  for (size_t n = 0; n <= block.size(); ++n) {
    const Buf cut(block.begin(), block.begin() + static_cast<ptrdiff_t>(n));
    EXPECT_EQ(decode(cut).ok(), n == 0 || n == 7 || n == 11 || n == 18) << n;
  }
  test::expect_length_bumps_fail(block, {{2, 2}, {9, 2}, {13, 2}}, decode);
}

TEST(Extensions, DuplicateIsIllegalParameter) {
  const Buf block = {0, 42, 0, 0, 0, 0, 0, 0, 0, 42, 0, 0};
  std::vector<Extension> out;
  const TlsError e = decode_extensions(&out, block);
  EXPECT_FALSE(e.ok());
  EXPECT_EQ(e.alert, AlertDescription::kIllegalParameter);
  EXPECT_TRUE(out.empty());
}

TEST(Extensions, Rfc8446Table) {
  using C = ExtensionContext;
  using T = ExtensionType;
  struct Row {
    T type;
    std::vector<C> allowed;
  };
  const std::vector<Row> rows = {
      {T::kServerName, {C::kClientHello, C::kEncryptedExtensions}},
      {T::kMaxFragmentLength, {C::kClientHello, C::kEncryptedExtensions}},
      {T::kStatusRequest, {C::kClientHello, C::kCertificateRequest, C::kCertificate}},
      {T::kSupportedGroups, {C::kClientHello, C::kEncryptedExtensions}},
      {T::kSignatureAlgorithms, {C::kClientHello, C::kCertificateRequest}},
      {T::kUseSrtp, {C::kClientHello, C::kEncryptedExtensions}},
      {T::kHeartbeat, {C::kClientHello, C::kEncryptedExtensions}},
      {T::kApplicationLayerProtocolNegotiation, {C::kClientHello, C::kEncryptedExtensions}},
      {T::kSignedCertificateTimestamp,
       {C::kClientHello, C::kCertificateRequest, C::kCertificate}},
      {T::kClientCertificateType, {C::kClientHello, C::kEncryptedExtensions}},
      {T::kServerCertificateType, {C::kClientHello, C::kEncryptedExtensions}},
      {T::kPadding, {C::kClientHello}},
      {T::kRecordSizeLimit, {C::kClientHello, C::kEncryptedExtensions}},
      {T::kKeyShare, {C::kClientHello, C::kServerHello, C::kHelloRetryRequest}},
      {T::kPreSharedKey, {C::kClientHello, C::kServerHello}},
      {T::kPskKeyExchangeModes, {C::kClientHello}},
      {T::kEarlyData, {C::kClientHello, C::kEncryptedExtensions, C::kNewSessionTicket}},
      {T::kCookie, {C::kClientHello, C::kHelloRetryRequest}},
      {T::kSupportedVersions, {C::kClientHello, C::kServerHello, C::kHelloRetryRequest}},
      {T::kCertificateAuthorities, {C::kClientHello, C::kCertificateRequest}},
      {T::kOidFilters, {C::kCertificateRequest}},
      {T::kPostHandshakeAuth, {C::kClientHello}},
      {T::kSignatureAlgorithmsCert, {C::kClientHello, C::kCertificateRequest}},
      {T::kRenegotiationInfo, {C::kClientHello}},
      // Unknown: ignored where the receiver must ignore what it does not know.
      {static_cast<T>(0x1234), {C::kClientHello, C::kCertificateRequest, C::kNewSessionTicket}},
  };
  const C all[] = {C::kClientHello,         C::kServerHello, C::kHelloRetryRequest,
                   C::kEncryptedExtensions, C::kCertificate, C::kCertificateRequest,
                   C::kNewSessionTicket};
  for (const Row& row : rows) {
    EXPECT_EQ(is_known_extension(row.type), static_cast<uint16_t>(row.type) != 0x1234);
    for (C c : all) {
      const bool expected = std::find(row.allowed.begin(), row.allowed.end(), c) != row.allowed.end();
      EXPECT_EQ(extension_allowed(row.type, c), expected)
          << "type " << static_cast<int>(row.type) << " context " << static_cast<int>(c);
    }
  }
}

// ---- Bodies from RFC 8448's ClientHellos ----

TEST(ExtensionBodies, ServerName) {
  const Bytes body = hellos().body(ExtensionType::kServerName);
  Bytes host;
  ASSERT_TRUE(decode_server_name_ch(&host, body).ok());
  EXPECT_EQ(std::string(host.begin(), host.end()), "server");
  EXPECT_EQ(body_encoding([&](WireWriter& w) { encode_server_name_ch(w, host); }), as_buf(body));
  const auto decode = [](Bytes b) {
    Bytes x;
    return decode_server_name_ch(&x, b);
  };
  test::expect_checks_hold(body, {{0, 2}, {3, 2}}, decode);
  // Another name type, an empty name, two names.
  EXPECT_EQ(decode(Buf({0, 4, 1, 0, 1, 'a'})).alert, AlertDescription::kIllegalParameter);
  EXPECT_EQ(decode(Buf({0, 3, 0, 0, 0})).alert, AlertDescription::kDecodeError);
  EXPECT_FALSE(decode(Buf({0, 8, 0, 0, 1, 'a', 0, 0, 1, 'b'})).ok());
  EXPECT_FALSE(decode(Buf()).ok());
}

TEST(ExtensionBodies, EmptyBody) {
  EXPECT_TRUE(decode_empty_body(Bytes()).ok());
  const Buf one = {0};
  EXPECT_EQ(decode_empty_body(one).alert, AlertDescription::kDecodeError);
}

TEST(ExtensionBodies, SupportedVersions) {
  const Bytes body = hellos().body(ExtensionType::kSupportedVersions);
  U16List versions;
  ASSERT_TRUE(decode_supported_versions_ch(&versions, body).ok());
  EXPECT_EQ(versions.to_vector(), std::vector<uint16_t>({kTls13}));
  const auto v = versions.to_vector();
  EXPECT_EQ(body_encoding([&](WireWriter& w) { encode_supported_versions_ch(w, v); }),
            as_buf(body));
  const auto decode = [](Bytes b) {
    U16List x;
    return decode_supported_versions_ch(&x, b);
  };
  test::expect_checks_hold(body, {{0, 1}}, decode);
  EXPECT_FALSE(decode(Buf({0})).ok());           // empty list
  EXPECT_FALSE(decode(Buf({3, 3, 4, 3})).ok());  // odd length

  const Buf sh = body_encoding([](WireWriter& w) { encode_supported_versions_sh(w, kTls13); });
  EXPECT_EQ(sh, Buf({3, 4}));
  uint16_t one = 0;
  ASSERT_TRUE(decode_supported_versions_sh(&one, sh).ok());
  EXPECT_EQ(one, kTls13);
  test::expect_checks_hold(sh, {}, [](Bytes b) {
    uint16_t x;
    return decode_supported_versions_sh(&x, b);
  });
}

TEST(ExtensionBodies, SupportedGroupsAndSignatureAlgorithms) {
  struct Case {
    ExtensionType type;
    TlsError (*decode)(U16List*, Bytes);
    void (*encode)(WireWriter&, std::span<const uint16_t>);
  };
  for (const Case& c :
       {Case{ExtensionType::kSupportedGroups, decode_supported_groups, encode_supported_groups},
        Case{ExtensionType::kSignatureAlgorithms, decode_signature_algorithms,
             encode_signature_algorithms}}) {
    const Bytes body = hellos().body(c.type);
    U16List list;
    ASSERT_TRUE(c.decode(&list, body).ok());
    EXPECT_GT(list.size(), 1u);
    const auto v = list.to_vector();
    EXPECT_EQ(body_encoding([&](WireWriter& w) { c.encode(w, v); }), as_buf(body));
    const auto decode = [&](Bytes b) {
      U16List x;
      return c.decode(&x, b);
    };
    test::expect_checks_hold(body, {{0, 2}}, decode);
    EXPECT_EQ(decode(Buf({0, 0})).alert, AlertDescription::kDecodeError);
    EXPECT_EQ(decode(Buf({0, 3, 0, 0x1d, 0})).alert, AlertDescription::kDecodeError);
  }
  U16List groups;
  ASSERT_TRUE(decode_supported_groups(&groups, hellos().body(ExtensionType::kSupportedGroups)).ok());
  EXPECT_EQ(groups[0], 0x001d);  // x25519 first
}

TEST(ExtensionBodies, KeyShareClientHello) {
  const Bytes body = hellos().body(ExtensionType::kKeyShare);
  std::vector<KeyShareEntry> shares;
  ASSERT_TRUE(decode_key_share_ch(&shares, body).ok());
  ASSERT_EQ(shares.size(), 1u);
  EXPECT_EQ(shares[0].group, 0x001d);
  EXPECT_EQ(shares[0].key_exchange.size(), 32u);
  EXPECT_EQ(body_encoding([&](WireWriter& w) { encode_key_share_ch(w, shares); }), as_buf(body));
  const auto decode = [](Bytes b) {
    std::vector<KeyShareEntry> x;
    return decode_key_share_ch(&x, b);
  };
  test::expect_checks_hold(body, {{0, 2}, {4, 2}}, decode);

  // Two shares (the second group's key made up): every length of both entries.
  const Buf p256(65, 4);
  std::vector<KeyShareEntry> two = {shares[0], KeyShareEntry{0x0017, p256}};
  const Buf both = body_encoding([&](WireWriter& w) { encode_key_share_ch(w, two); });
  test::expect_checks_hold(both, {{0, 2}, {4, 2}, {40, 2}}, decode);
  // Same group twice: illegal_parameter. Empty key_exchange: decode_error.
  two[1].group = 0x001d;
  const Buf dup = body_encoding([&](WireWriter& w) { encode_key_share_ch(w, two); });
  EXPECT_EQ(decode(dup).alert, AlertDescription::kIllegalParameter);
  EXPECT_EQ(decode(Buf({0, 4, 0, 0x1d, 0, 0})).alert, AlertDescription::kDecodeError);
  // An empty list is valid (the client asks for a HelloRetryRequest).
  EXPECT_TRUE(decode(Buf({0, 0})).ok());
}

TEST(ExtensionBodies, KeyShareServerAndRetry) {
  const Buf key(32, 9);
  const KeyShareEntry share{0x001d, key};
  const Buf sh = body_encoding([&](WireWriter& w) { encode_key_share_sh(w, share); });
  KeyShareEntry back;
  ASSERT_TRUE(decode_key_share_sh(&back, sh).ok());
  EXPECT_EQ(back.group, 0x001d);
  EXPECT_EQ(as_buf(back.key_exchange), key);
  test::expect_checks_hold(sh, {{2, 2}}, [](Bytes b) {
    KeyShareEntry x;
    return decode_key_share_sh(&x, b);
  });
  const Buf hrr = body_encoding([](WireWriter& w) { encode_key_share_hrr(w, 0x0017); });
  uint16_t group = 0;
  ASSERT_TRUE(decode_key_share_hrr(&group, hrr).ok());
  EXPECT_EQ(group, 0x0017);
  test::expect_checks_hold(hrr, {}, [](Bytes b) {
    uint16_t x;
    return decode_key_share_hrr(&x, b);
  });
}

TEST(ExtensionBodies, Alpn) {
  const Buf h2 = {'h', '2'}, http11 = {'h', 't', 't', 'p', '/', '1', '.', '1'};
  const std::vector<Bytes> names = {h2, http11};
  const Buf ch = body_encoding([&](WireWriter& w) { encode_alpn(w, names); });
  std::vector<Bytes> back;
  ASSERT_TRUE(decode_alpn_ch(&back, ch).ok());
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(as_buf(back[1]), http11);
  const auto decode_ch = [](Bytes b) {
    std::vector<Bytes> x;
    return decode_alpn_ch(&x, b);
  };
  test::expect_checks_hold(ch, {{0, 2}, {2, 1}, {5, 1}}, decode_ch);
  EXPECT_FALSE(decode_ch(Buf({0, 0})).ok());        // empty list
  EXPECT_FALSE(decode_ch(Buf({0, 1, 0})).ok());     // empty name

  const Buf ee = body_encoding([&](WireWriter& w) { encode_alpn_ee(w, h2); });
  Bytes one;
  ASSERT_TRUE(decode_alpn_ee(&one, ee).ok());
  EXPECT_EQ(as_buf(one), h2);
  const auto decode_ee = [](Bytes b) {
    Bytes x;
    return decode_alpn_ee(&x, b);
  };
  test::expect_checks_hold(ee, {{0, 2}, {2, 1}}, decode_ee);
  EXPECT_EQ(decode_ee(ch).alert, AlertDescription::kDecodeError);  // two names
}

TEST(ExtensionBodies, RecordSizeLimit) {
  const Bytes body = hellos().body(ExtensionType::kRecordSizeLimit);
  uint16_t limit = 0;
  ASSERT_TRUE(decode_record_size_limit(&limit, body).ok());
  EXPECT_EQ(limit, 0x4001);
  EXPECT_EQ(body_encoding([&](WireWriter& w) { encode_record_size_limit(w, limit); }),
            as_buf(body));
  test::expect_checks_hold(body, {}, [](Bytes b) {
    uint16_t x;
    return decode_record_size_limit(&x, b);
  });
  EXPECT_TRUE(decode_record_size_limit(&limit, Buf({0, 64})).ok());
  EXPECT_EQ(decode_record_size_limit(&limit, Buf({0, 63})).alert,
            AlertDescription::kIllegalParameter);
}

TEST(ExtensionBodies, Cookie) {
  const auto& m = hellos().m;
  ClientHello ch2;
  ASSERT_TRUE(decode_client_hello(&ch2, Bytes(m.client_hello_2).subspan(4)).ok());
  const Extension* e = find_extension(ch2.extensions, ExtensionType::kCookie);
  ASSERT_NE(e, nullptr);
  Bytes cookie;
  ASSERT_TRUE(decode_cookie(&cookie, e->body).ok());
  EXPECT_EQ(body_encoding([&](WireWriter& w) { encode_cookie(w, cookie); }), as_buf(e->body));
  const auto decode = [](Bytes b) {
    Bytes x;
    return decode_cookie(&x, b);
  };
  test::expect_checks_hold(e->body, {{0, 2}}, decode);
  EXPECT_EQ(decode(Buf({0, 0})).alert, AlertDescription::kDecodeError);
}

TEST(ExtensionBodies, PskKeyExchangeModes) {
  const Bytes body = hellos().body(ExtensionType::kPskKeyExchangeModes);
  Bytes modes;
  ASSERT_TRUE(decode_psk_key_exchange_modes(&modes, body).ok());
  ASSERT_EQ(modes.size(), 1u);
  EXPECT_EQ(modes[0], static_cast<uint8_t>(PskKeyExchangeMode::kPskDheKe));
  EXPECT_EQ(body_encoding([&](WireWriter& w) { encode_psk_key_exchange_modes(w, modes); }),
            as_buf(body));
  const auto decode = [](Bytes b) {
    Bytes x;
    return decode_psk_key_exchange_modes(&x, b);
  };
  test::expect_checks_hold(body, {{0, 1}}, decode);
  EXPECT_FALSE(decode(Buf({0})).ok());
}

TEST(ExtensionBodies, EarlyDataTicket) {
  const Buf body = body_encoding([](WireWriter& w) { encode_early_data_nst(w, 0x4000); });
  EXPECT_EQ(body, Buf({0, 0, 0x40, 0}));
  uint32_t max = 0;
  ASSERT_TRUE(decode_early_data_nst(&max, body).ok());
  EXPECT_EQ(max, 0x4000u);
  test::expect_checks_hold(body, {}, [](Bytes b) {
    uint32_t x;
    return decode_early_data_nst(&x, b);
  });
}

TEST(ExtensionBodies, PreSharedKey) {
  const Bytes body = hellos().body(ExtensionType::kPreSharedKey, /*from_resumed=*/true);
  OfferedPsks psks;
  ASSERT_TRUE(decode_pre_shared_key_ch(&psks, body).ok());
  ASSERT_EQ(psks.identities.size(), 1u);
  ASSERT_EQ(psks.binders.size(), 1u);
  EXPECT_EQ(psks.identities[0].identity.size(), 0xb2u);  // the ticket
  EXPECT_EQ(psks.binders[0].size(), 32u);
  EXPECT_EQ(pre_shared_key_binders_len(psks), 2u + 1 + 32);
  EXPECT_EQ(body_encoding([&](WireWriter& w) { encode_pre_shared_key_ch(w, psks); }),
            as_buf(body));
  const auto decode = [](Bytes b) {
    OfferedPsks x;
    return decode_pre_shared_key_ch(&x, b);
  };
  const size_t binders_at = 2 + 2 + 0xb2 + 4;
  test::expect_checks_hold(body, {{0, 2}, {2, 2}, {binders_at, 2}, {binders_at + 2, 1}}, decode);

  // Counts must match; a binder shorter than 32 bytes and an empty identity fail.
  OfferedPsks bad = psks;
  bad.binders.push_back(psks.binders[0]);
  EXPECT_FALSE(decode(body_encoding([&](WireWriter& w) { encode_pre_shared_key_ch(w, bad); })).ok());
  bad = psks;
  bad.binders[0] = psks.binders[0].first(31);
  EXPECT_FALSE(decode(body_encoding([&](WireWriter& w) { encode_pre_shared_key_ch(w, bad); })).ok());
  bad = psks;
  bad.identities[0].identity = Bytes();
  EXPECT_FALSE(decode(body_encoding([&](WireWriter& w) { encode_pre_shared_key_ch(w, bad); })).ok());
  EXPECT_FALSE(decode(Buf({0, 0, 0, 0})).ok());

  const Buf sh = body_encoding([](WireWriter& w) { encode_pre_shared_key_sh(w, 0); });
  uint16_t selected = 9;
  ASSERT_TRUE(decode_pre_shared_key_sh(&selected, sh).ok());
  EXPECT_EQ(selected, 0);
  test::expect_checks_hold(sh, {}, [](Bytes b) {
    uint16_t x;
    return decode_pre_shared_key_sh(&x, b);
  });
}

}  // namespace
}  // namespace volley::tls
