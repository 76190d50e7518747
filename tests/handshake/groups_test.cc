// Key shares (handshake/groups/key_share.h): X25519 against RFC 8448 §3's keys and shared secret,
// secp256r1 against RFC 5903 §8.1 and against libcrypto's own ECDH (EVP_PKEY_derive) both ways,
// secp384r1 against libcrypto, and every refusal: bad points, all-zero X25519 results, scalars out
// of range, wrong lengths.
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "handshake/groups/key_share.h"
#include "tests/harness/vectors.h"

namespace volley::tls {
namespace {

using test::hex;
using test::to_hex;
using Vec = std::vector<uint8_t>;

std::string hexs(Bytes b) { return to_hex(b.data(), b.size()); }

void expect_fail(TlsError e, AlertDescription alert) {
  EXPECT_FALSE(e.ok());
  EXPECT_EQ(e.alert, alert) << (e.reason ? e.reason : "ok");
}

std::unique_ptr<KeyShare> from_private(NamedGroup group, const Vec& key) {
  std::unique_ptr<KeyShare> share;
  const TlsError e = key_share_from_private(&share, group, key);
  EXPECT_TRUE(e.ok()) << e.reason;
  return share;
}

TEST(NamedGroup, NamesSizesSupport) {
  EXPECT_EQ(named_group_name(NamedGroup::kX25519), "x25519");
  EXPECT_EQ(named_group_name(NamedGroup::kSecp256r1), "secp256r1");
  EXPECT_EQ(named_group_name(NamedGroup::kSecp384r1), "secp384r1");
  EXPECT_EQ(named_group_name(static_cast<NamedGroup>(0x0100)), "unknown_group");
  EXPECT_EQ(private_key_size(NamedGroup::kX25519), 32u);
  EXPECT_EQ(private_key_size(NamedGroup::kSecp256r1), 32u);
  EXPECT_EQ(private_key_size(NamedGroup::kSecp384r1), 48u);
  EXPECT_EQ(private_key_size(static_cast<NamedGroup>(0x0100)), 0u);
  EXPECT_TRUE(group_supported(NamedGroup::kX25519));
  EXPECT_TRUE(group_supported(NamedGroup::kSecp256r1));
  EXPECT_FALSE(group_supported(static_cast<NamedGroup>(0x001e)));  // x448
  std::unique_ptr<KeyShare> share;
  expect_fail(generate_key_share(&share, static_cast<NamedGroup>(0x001e)),
              AlertDescription::kInternalError);
  expect_fail(key_share_from_private(&share, static_cast<NamedGroup>(0x001e), Vec(32, 1)),
              AlertDescription::kInternalError);
  EXPECT_EQ(share, nullptr);
}

// RFC 8448 §3: the client's and the server's X25519 keys (the last 32 bytes of each side's RNG
// pool in transcripts.vec: random, then private key), the public values of the key_share
// extensions, and the ECDHE shared secret printed in the RFC.
TEST(X25519KeyShare, Rfc8448) {
  const auto blocks = test::read_file_test_file(test::vector_path("rfc8448/transcripts.vec"));
  const test::FileTestCase* s1 = nullptr;
  for (const auto& b : blocks) {
    if (b.has_flag("[Simple_1RTT_Handshake]")) s1 = &b;
  }
  ASSERT_NE(s1, nullptr);
  const Vec client_pool = s1->bytes("Client_RNG_Pool");
  const Vec server_pool = s1->bytes("Server_RNG_Pool");
  const Vec client_private(client_pool.begin() + 32, client_pool.begin() + 64);
  const Vec server_private(server_pool.begin() + 32, server_pool.begin() + 64);
  EXPECT_EQ(to_hex(client_private),
            "49af42ba7f7994852d713ef2784bcbcaa7911de26adc5642cb634540e7ea5005");
  EXPECT_EQ(to_hex(server_private),
            "b1580eeadf6dd589b8ef4f2d5652578cc810e9980191ec8d058308cea216a21e");

  const auto client = from_private(NamedGroup::kX25519, client_private);
  const auto server = from_private(NamedGroup::kX25519, server_private);
  ASSERT_TRUE(client && server);
  EXPECT_EQ(client->group(), NamedGroup::kX25519);
  EXPECT_EQ(hexs(client->key_exchange()),
            "99381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf2c");
  EXPECT_EQ(hexs(server->key_exchange()),
            "c9828876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f");

  // The public values are those the hellos carry.
  const std::string client_hello = to_hex(s1->bytes("Record_ClientHello_1"));
  const std::string server_hello = to_hex(s1->bytes("Message_ServerHello"));
  EXPECT_NE(client_hello.find(hexs(client->key_exchange())), std::string::npos);
  EXPECT_NE(server_hello.find(hexs(server->key_exchange())), std::string::npos);

  const char* kEcdhe = "8bd4054fb55b9d63fdfbacf9f04b9f0d35e6d63f537563efd46272900f89492d";
  Secret a, b;
  ASSERT_TRUE(client->shared_secret(&a, server->key_exchange()).ok());
  ASSERT_TRUE(server->shared_secret(&b, client->key_exchange()).ok());
  EXPECT_EQ(hexs(a.bytes()), kEcdhe);
  EXPECT_EQ(hexs(b.bytes()), kEcdhe);
}

TEST(X25519KeyShare, RefusesBadPeerValues) {
  const auto share = from_private(NamedGroup::kX25519, Vec(32, 7));
  ASSERT_NE(share, nullptr);
  Secret out;
  ASSERT_EQ(out.assign(Vec(32, 0xee)), Status::kOk);
  // Small-order points give the all-zero shared secret (RFC 8446 §7.4.2).
  Vec one(32, 0);
  one[0] = 1;
  for (const Vec& peer : {Vec(32, 0), one}) {
    expect_fail(share->shared_secret(&out, peer), AlertDescription::kIllegalParameter);
  }
  expect_fail(share->shared_secret(&out, Vec(31, 9)), AlertDescription::kIllegalParameter);
  expect_fail(share->shared_secret(&out, Vec(33, 9)), AlertDescription::kIllegalParameter);
  expect_fail(share->shared_secret(&out, {}), AlertDescription::kIllegalParameter);
  EXPECT_EQ(to_hex(out.bytes().data(), out.size()), to_hex(Vec(32, 0xee))) << "out unchanged";

  std::unique_ptr<KeyShare> bad;
  expect_fail(key_share_from_private(&bad, NamedGroup::kX25519, Vec(31, 1)),
              AlertDescription::kInternalError);
  EXPECT_EQ(bad, nullptr);
}

// RFC 5903 §8.1: ECDH on P-256 with fixed scalars.
TEST(EcKeyShare, Rfc5903P256) {
  const auto i =
      from_private(NamedGroup::kSecp256r1,
                   hex("c88f01f510d9ac3f70a292daa2316de544e9aab8afe84049c62a9c57862d1433"));
  const auto r =
      from_private(NamedGroup::kSecp256r1,
                   hex("c6ef9c5d78ae012a011164acb397ce2088685d8f06bf9be0b283ab46476bee53"));
  ASSERT_TRUE(i && r);
  EXPECT_EQ(i->group(), NamedGroup::kSecp256r1);
  EXPECT_EQ(hexs(i->key_exchange()),
            "04dad0b65394221cf9b051e1feca5787d098dfe637fc90b9ef945d0c3772581180"
            "5271a0461cdb8252d61f1c456fa3e59ab1f45b33accf5f58389e0577b8990bb3");
  EXPECT_EQ(hexs(r->key_exchange()),
            "04d12dfb5289c8d4f81208b70270398c342296970a0bccb74c736fc7554494bf63"
            "56fbf3ca366cc23e8157854c13c58d6aac23f046ada30f8353e74f33039872ab");
  Secret a, b;
  ASSERT_TRUE(i->shared_secret(&a, r->key_exchange()).ok());
  ASSERT_TRUE(r->shared_secret(&b, i->key_exchange()).ok());
  EXPECT_EQ(hexs(a.bytes()), "d6840f6b42f6edafd13116e0e12565202fef8e9ece7dce03812464d04b9442de");
  EXPECT_EQ(hexs(b.bytes()), hexs(a.bytes()));
}

// libcrypto as the independent peer: its key with our share's public value, our share with its
// public value, both through EVP_PKEY_derive on its side.
struct OsslPeer {
  EVP_PKEY* key = nullptr;
  ~OsslPeer() { EVP_PKEY_free(key); }

  Vec public_value() const {
    Vec out(200);
    size_t len = 0;
    EXPECT_EQ(EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, out.data(),
                                              out.size(), &len),
              1);
    out.resize(len);
    return out;
  }

  // derive is libcrypto's ECDH of |key| with the point |peer| of curve |curve|.
  Vec derive(const char* curve, Bytes peer) const {
    OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, curve, 0);
    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, peer.data(), peer.size());
    OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX* fctx = EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr);
    EVP_PKEY* peer_key = nullptr;
    EXPECT_EQ(EVP_PKEY_fromdata_init(fctx), 1);
    EXPECT_EQ(EVP_PKEY_fromdata(fctx, &peer_key, EVP_PKEY_PUBLIC_KEY, params), 1);
    EVP_PKEY_CTX* dctx = EVP_PKEY_CTX_new(key, nullptr);
    size_t len = 0;
    EXPECT_EQ(EVP_PKEY_derive_init(dctx), 1);
    EXPECT_EQ(EVP_PKEY_derive_set_peer(dctx, peer_key), 1);
    EXPECT_EQ(EVP_PKEY_derive(dctx, nullptr, &len), 1);
    Vec out(len);
    EXPECT_EQ(EVP_PKEY_derive(dctx, out.data(), &len), 1);
    out.resize(len);
    EVP_PKEY_CTX_free(dctx);
    EVP_PKEY_free(peer_key);
    EVP_PKEY_CTX_free(fctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    return out;
  }
};

class EcAgainstOpenssl : public ::testing::TestWithParam<NamedGroup> {};

TEST_P(EcAgainstOpenssl, RoundTripBothWays) {
  const NamedGroup group = GetParam();
  const char* curve = group == NamedGroup::kSecp256r1 ? "P-256" : "P-384";
  const size_t field = private_key_size(group);
  for (int i = 0; i < 20; ++i) {
    std::unique_ptr<KeyShare> ours;
    ASSERT_TRUE(generate_key_share(&ours, group).ok());
    ASSERT_EQ(ours->group(), group);
    ASSERT_EQ(ours->key_exchange().size(), 1 + 2 * field);
    EXPECT_EQ(ours->key_exchange()[0], 0x04);

    OsslPeer theirs;
    theirs.key = EVP_EC_gen(curve);
    ASSERT_NE(theirs.key, nullptr);
    const Vec their_public = theirs.public_value();
    ASSERT_EQ(their_public.size(), 1 + 2 * field);

    Secret ours_secret;
    const TlsError e = ours->shared_secret(&ours_secret, their_public);
    ASSERT_TRUE(e.ok()) << e.reason;
    const Vec theirs_secret = theirs.derive(curve, ours->key_exchange());
    ASSERT_EQ(ours_secret.size(), field);
    EXPECT_EQ(hexs(ours_secret.bytes()), to_hex(theirs_secret));
  }
  // Two of ours agree, and generated keys differ.
  std::unique_ptr<KeyShare> a, b;
  ASSERT_TRUE(generate_key_share(&a, group).ok());
  ASSERT_TRUE(generate_key_share(&b, group).ok());
  EXPECT_NE(hexs(a->key_exchange()), hexs(b->key_exchange()));
  Secret sa, sb;
  ASSERT_TRUE(a->shared_secret(&sa, b->key_exchange()).ok());
  ASSERT_TRUE(b->shared_secret(&sb, a->key_exchange()).ok());
  EXPECT_EQ(hexs(sa.bytes()), hexs(sb.bytes()));
  EXPECT_EQ(ERR_peek_error(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Groups, EcAgainstOpenssl,
                         ::testing::Values(NamedGroup::kSecp256r1, NamedGroup::kSecp384r1));

TEST(EcKeyShare, RefusesBadPoints) {
  std::unique_ptr<KeyShare> share;
  ASSERT_TRUE(generate_key_share(&share, NamedGroup::kSecp256r1).ok());
  std::unique_ptr<KeyShare> peer;
  ASSERT_TRUE(generate_key_share(&peer, NamedGroup::kSecp256r1).ok());
  const Vec good(peer->key_exchange().begin(), peer->key_exchange().end());
  const Vec p = hex("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff");

  Vec off_curve = good;
  off_curve.back() ^= 1;
  Vec compressed(good.begin(), good.begin() + 33);
  compressed[0] = 0x02 | (good.back() & 1);
  Vec hybrid = good;
  hybrid[0] = 0x06 | (good.back() & 1);
  Vec x_is_p = good;  // x = p: not a field element (the curve check alone would not say why)
  std::copy(p.begin(), p.end(), x_is_p.begin() + 1);
  Vec zeros(65, 0);
  zeros[0] = 0x04;
  Vec infinity{0x00};
  Vec long_point = good;
  long_point.push_back(0);

  Secret out;
  ASSERT_EQ(out.assign(Vec(32, 0xee)), Status::kOk);
  for (const Vec* bad :
       {&off_curve, &compressed, &hybrid, &x_is_p, &zeros, &infinity, &long_point}) {
    expect_fail(share->shared_secret(&out, *bad), AlertDescription::kIllegalParameter);
  }
  expect_fail(share->shared_secret(&out, {}), AlertDescription::kIllegalParameter);
  // A P-384 point offered to a P-256 share.
  std::unique_ptr<KeyShare> p384;
  ASSERT_TRUE(generate_key_share(&p384, NamedGroup::kSecp384r1).ok());
  expect_fail(share->shared_secret(&out, p384->key_exchange()),
              AlertDescription::kIllegalParameter);
  EXPECT_EQ(to_hex(out.bytes().data(), out.size()), to_hex(Vec(32, 0xee))) << "out unchanged";
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST(EcKeyShare, RefusesScalarsOutOfRange) {
  const Vec order = hex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
  Vec order_minus_1 = order;
  order_minus_1.back() -= 1;
  Vec order_plus_1 = order;
  order_plus_1.back() += 1;
  std::unique_ptr<KeyShare> share;
  for (const Vec& bad : {Vec(32, 0), order, order_plus_1, Vec(32, 0xff), Vec(31, 1), Vec(33, 1)}) {
    expect_fail(key_share_from_private(&share, NamedGroup::kSecp256r1, bad),
                AlertDescription::kInternalError);
    EXPECT_EQ(share, nullptr);
  }
  Vec one(32, 0);
  one.back() = 1;
  ASSERT_TRUE(key_share_from_private(&share, NamedGroup::kSecp256r1, one).ok());
  // 1*G is the generator.
  EXPECT_EQ(hexs(share->key_exchange()),
            "046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"
            "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5");
  ASSERT_TRUE(key_share_from_private(&share, NamedGroup::kSecp256r1, order_minus_1).ok());
  EXPECT_EQ(ERR_peek_error(), 0u);
}

// draw_key_share takes private_key_size() bytes per draw from its source, rejects an EC scalar
// outside [1, order - 1] and draws again (no reduction, so no bias), and gives up after eight
// rejections or a failing source.
struct Script {
  std::vector<Vec> draws;  // served one per call, in order
  size_t calls = 0;
  static bool next(void* self, MutableBytes out) {
    auto* s = static_cast<Script*>(self);
    if (s->calls == s->draws.size() || s->draws[s->calls].size() != out.size()) return false;
    std::copy(s->draws[s->calls].begin(), s->draws[s->calls].end(), out.begin());
    ++s->calls;
    return true;
  }
};

TEST(DrawKeyShare, RejectsScalarsOutOfRangeAndDrawsAgain) {
  const Vec order = hex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
  Vec good(32, 0);
  good.back() = 7;
  Script script{{Vec(32, 0), order, Vec(32, 0xff), good}};
  std::unique_ptr<KeyShare> share;
  ASSERT_TRUE(draw_key_share(&share, NamedGroup::kSecp256r1, &Script::next, &script).ok());
  EXPECT_EQ(script.calls, 4u);
  EXPECT_EQ(hexs(share->key_exchange()),
            hexs(from_private(NamedGroup::kSecp256r1, good)->key_exchange()));

  // X25519 takes every 32-byte string: one draw, all zeros included.
  Script x{{Vec(32, 0)}};
  ASSERT_TRUE(draw_key_share(&share, NamedGroup::kX25519, &Script::next, &x).ok());
  EXPECT_EQ(x.calls, 1u);

  // secp384r1 draws 48 bytes.
  Vec good48(48, 0);
  good48.back() = 1;
  Script p384{{good48}};
  ASSERT_TRUE(draw_key_share(&share, NamedGroup::kSecp384r1, &Script::next, &p384).ok());

  std::unique_ptr<KeyShare> none;
  Script zeros{std::vector<Vec>(9, Vec(32, 0))};
  expect_fail(draw_key_share(&none, NamedGroup::kSecp256r1, &Script::next, &zeros),
              AlertDescription::kInternalError);
  EXPECT_EQ(zeros.calls, 8u);
  Script dry{{}};
  expect_fail(draw_key_share(&none, NamedGroup::kX25519, &Script::next, &dry),
              AlertDescription::kInternalError);
  EXPECT_EQ(none, nullptr);
  EXPECT_EQ(ERR_peek_error(), 0u);
}

}  // namespace
}  // namespace volley::tls
