// HandshakeFramer: RFC 8448's server flight split into records at every byte position (and in
// three pieces, and a byte per record) comes back message by message, header included; several
// messages in one record; a partial or undrained message at a key change is unexpected_message;
// unknown types and oversize lengths are refused at the header, before the body is buffered;
// the buffer bound; a dead framer stays dead.
#include <cstdint>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "handshake/messages/handshake_framer.h"
#include "tests/handshake/rfc8448_messages.h"

namespace volley::tls {
namespace {

using Buf = std::vector<uint8_t>;

const volley::test::Rfc8448Messages& rfc() {
  static const auto* m = new volley::test::Rfc8448Messages(volley::test::load_rfc8448_messages());
  return *m;
}

std::vector<Buf> server_messages() {
  const auto& m = rfc();
  return {m.server_hello, m.encrypted_extensions, m.certificate, m.certificate_verify,
          m.server_finished};
}

// drain takes every whole message out of |f|, copying each (views die at the next call).
std::vector<Buf> drain(HandshakeFramer& f) {
  std::vector<Buf> out;
  for (;;) {
    HandshakeMessage m;
    bool got = false;
    EXPECT_TRUE(f.next(&m, &got).ok());
    if (!got) return out;
    EXPECT_EQ(m.message.size(), m.body.size() + 4);
    EXPECT_EQ(m.body.data(), m.message.data() + 4);
    EXPECT_EQ(static_cast<uint8_t>(m.type), m.message[0]);
    out.emplace_back(m.message.begin(), m.message.end());
  }
}

// feed adds |stream| cut at |cuts| (increasing offsets) and drains after each record.
std::vector<Buf> feed(const Buf& stream, const std::vector<size_t>& cuts) {
  HandshakeFramer f;
  std::vector<Buf> got;
  size_t at = 0;
  std::vector<size_t> ends = cuts;
  ends.push_back(stream.size());
  for (size_t end : ends) {
    const TlsError e = f.add(Bytes(stream).subspan(at, end - at));
    EXPECT_TRUE(e.ok()) << (e.reason ? e.reason : "");
    at = end;
    for (Buf& m : drain(f)) got.push_back(std::move(m));
  }
  EXPECT_TRUE(f.empty());
  EXPECT_TRUE(f.check_key_change().ok());
  return got;
}

TEST(HandshakeFramer, WholeFlightInOneRecord) {
  EXPECT_EQ(feed(rfc().server_flight(), {}), server_messages());
}

TEST(HandshakeFramer, SplitAtEveryBytePosition) {
  const Buf stream = rfc().server_flight();
  for (size_t cut = 0; cut <= stream.size(); ++cut) {
    ASSERT_EQ(feed(stream, {cut}), server_messages()) << "cut at " << cut;
  }
}

TEST(HandshakeFramer, ThreePiecesAndOneBytePerRecord) {
  const Buf stream = rfc().server_flight();
  for (size_t a = 0; a < stream.size(); a += 7) {
    for (size_t b = a; b < stream.size(); b += 13) {
      ASSERT_EQ(feed(stream, {a, b}), server_messages()) << a << " " << b;
    }
  }
  std::vector<size_t> every;
  for (size_t i = 1; i < stream.size(); ++i) every.push_back(i);
  EXPECT_EQ(feed(stream, every), server_messages());
}

TEST(HandshakeFramer, PartialMessageAtKeyChange) {
  const Buf& ee = rfc().encrypted_extensions;
  for (size_t n = 1; n < ee.size(); ++n) {
    HandshakeFramer f;
    ASSERT_TRUE(f.add(Bytes(ee).first(n)).ok());
    EXPECT_TRUE(drain(f).empty());
    EXPECT_FALSE(f.empty());
    const TlsError e = f.check_key_change();
    EXPECT_FALSE(e.ok());
    EXPECT_EQ(e.alert, AlertDescription::kUnexpectedMessage);
    // Dead from now on.
    EXPECT_EQ(f.add(Bytes(ee).subspan(n)).alert, AlertDescription::kUnexpectedMessage);
  }
}

TEST(HandshakeFramer, UndrainedMessageAtKeyChange) {
  // Finished and the next message in one record: the next one may not wait across the key change.
  Buf two = rfc().server_finished;
  two.insert(two.end(), {24, 0, 0, 1, 0});  // a KeyUpdate
  HandshakeFramer f;
  ASSERT_TRUE(f.add(two).ok());
  HandshakeMessage m;
  bool got = false;
  ASSERT_TRUE(f.next(&m, &got).ok());
  ASSERT_TRUE(got);
  EXPECT_EQ(m.type, HandshakeType::kFinished);
  EXPECT_EQ(f.check_key_change().alert, AlertDescription::kUnexpectedMessage);
}

TEST(HandshakeFramer, UnknownTypeIsUnexpectedMessage) {
  for (uint8_t type : {0, 3, 6, 200, 254, 255}) {
    HandshakeFramer f;
    const Buf msg = {type, 0, 0, 0};
    const TlsError e = f.add(msg);
    EXPECT_EQ(e.alert, AlertDescription::kUnexpectedMessage) << int{type};
    EXPECT_FALSE(e.ok());
    EXPECT_TRUE(f.empty());
  }
  // The bad header may come after good messages in the same record: nothing of it is kept.
  Buf stream = rfc().server_finished;
  stream.insert(stream.end(), {99, 0, 0, 0});
  HandshakeFramer f;
  EXPECT_FALSE(f.add(stream).ok());
  HandshakeMessage m;
  bool got = true;
  EXPECT_FALSE(f.next(&m, &got).ok());
  EXPECT_FALSE(got);
}

TEST(HandshakeFramer, OversizeLengthRefusedAtTheHeader) {
  struct Case {
    uint8_t type;
    size_t len;
    bool ok;
  };
  for (const Case& c : {Case{8, kMaxMessageLen, true}, Case{8, kMaxMessageLen + 1, false},
                        Case{1, 0xffffff, false}, Case{11, kMaxCertificateLen, true},
                        Case{11, kMaxCertificateLen + 1, false}}) {
    // Only the header arrives, split over two records: the length is judged as soon as it is
    // whole, long before any body.
    const Buf header = {c.type, static_cast<uint8_t>(c.len >> 16), static_cast<uint8_t>(c.len >> 8),
                        static_cast<uint8_t>(c.len)};
    HandshakeFramer f;
    ASSERT_TRUE(f.add(Bytes(header).first(2)).ok());
    const TlsError e = f.add(Bytes(header).subspan(2));
    EXPECT_EQ(e.ok(), c.ok) << int{c.type} << " " << c.len;
    if (!c.ok) {
      EXPECT_EQ(e.alert, AlertDescription::kDecodeError);
    }
  }
  // The largest Certificate, in records of 2^14 bytes, comes through.
  Buf cert = {11, static_cast<uint8_t>(kMaxCertificateLen >> 16), 0, 0};
  cert.resize(4 + kMaxCertificateLen, 0x5a);
  HandshakeFramer f;
  size_t messages = 0;
  for (size_t at = 0; at < cert.size(); at += 1 << 14) {
    ASSERT_TRUE(f.add(Bytes(cert).subspan(at, std::min<size_t>(1 << 14, cert.size() - at))).ok());
    messages += drain(f).size();
  }
  EXPECT_EQ(messages, 1u);
}

TEST(HandshakeFramer, BufferIsBounded) {
  // A caller that never drains: small whole messages pile up until the bound.
  Buf record;
  while (record.size() + 5 <= (1 << 14)) record.insert(record.end(), {24, 0, 0, 1, 0});
  HandshakeFramer f;
  TlsError e = kTlsOk;
  size_t added = 0;
  while (e.ok() && added < 2 * HandshakeFramer::kMaxBuffered) {
    e = f.add(record);
    added += record.size();
  }
  EXPECT_FALSE(e.ok());
  EXPECT_EQ(e.alert, AlertDescription::kInternalError);
  EXPECT_LE(added, HandshakeFramer::kMaxBuffered + record.size());
}

TEST(HandshakeFramer, MovePreservesState) {
  const Buf& ee = rfc().encrypted_extensions;
  HandshakeFramer a;
  ASSERT_TRUE(a.add(Bytes(ee).first(5)).ok());
  HandshakeFramer b(std::move(a));
  ASSERT_TRUE(b.add(Bytes(ee).subspan(5)).ok());
  HandshakeFramer c;
  c = std::move(b);
  const auto got = drain(c);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], ee);
}

TEST(HandshakeFramer, EmptyRecordAddsNothing) {
  HandshakeFramer f;
  EXPECT_TRUE(f.add(Bytes()).ok());
  EXPECT_TRUE(f.empty());
  EXPECT_TRUE(drain(f).empty());
}

}  // namespace
}  // namespace volley::tls
