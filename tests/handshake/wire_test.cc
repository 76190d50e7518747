// WireReader and WireWriter: every integer width, vectors, short input that leaves the reader
// where it was, length patching, overflow, nesting errors, appending to a non-empty vector.
#include <cstdint>
#include <vector>

#include "gtest/gtest.h"
#include "handshake/wire/wire_reader.h"
#include "handshake/wire/wire_writer.h"

namespace volley::tls {
namespace {

using Buf = std::vector<uint8_t>;

TEST(WireReader, ReadsBigEndianIntegers) {
  const Buf in = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a};
  WireReader r(in);
  uint8_t a = 0;
  uint16_t b = 0;
  uint32_t c = 0, d = 0;
  ASSERT_TRUE(r.u8(&a));
  ASSERT_TRUE(r.u16(&b));
  ASSERT_TRUE(r.u24(&c));
  ASSERT_TRUE(r.u32(&d));
  EXPECT_EQ(a, 0x01);
  EXPECT_EQ(b, 0x0203);
  EXPECT_EQ(c, 0x040506u);
  EXPECT_EQ(d, 0x0708090au);
  EXPECT_TRUE(r.empty());
  EXPECT_FALSE(r.u8(&a));
}

TEST(WireReader, ShortInputFailsWithoutConsuming) {
  const Buf in = {0xaa, 0xbb, 0xcc};
  WireReader r(in);
  uint32_t v = 7;
  EXPECT_FALSE(r.u32(&v));
  EXPECT_EQ(v, 7u);
  EXPECT_EQ(r.remaining(), 3u);
  Bytes b;
  EXPECT_FALSE(r.bytes(4, &b));
  EXPECT_EQ(r.remaining(), 3u);
  ASSERT_TRUE(r.bytes(3, &b));
  EXPECT_EQ(b.data(), in.data());
  EXPECT_TRUE(r.empty());
}

TEST(WireReader, VectorsOfEveryPrefixWidth) {
  const Buf in = {2, 'h', 'i', 0, 1, 'x', 0, 0, 2, 'a', 'b', 0};
  WireReader r(in);
  Bytes a, b, c, d;
  ASSERT_TRUE(r.vec8(&a));
  ASSERT_TRUE(r.vec16(&b));
  ASSERT_TRUE(r.vec24(&c));
  ASSERT_TRUE(r.vec8(&d));
  EXPECT_EQ(Buf(a.begin(), a.end()), Buf({'h', 'i'}));
  EXPECT_EQ(Buf(b.begin(), b.end()), Buf({'x'}));
  EXPECT_EQ(Buf(c.begin(), c.end()), Buf({'a', 'b'}));
  EXPECT_TRUE(d.empty());
  EXPECT_TRUE(r.empty());
}

TEST(WireReader, VectorLongerThanInputFailsWithoutConsuming) {
  for (const Buf& in : {Buf{3, 1, 2}, Buf{}}) {
    WireReader r(in);
    Bytes v;
    EXPECT_FALSE(r.vec8(&v));
    EXPECT_EQ(r.remaining(), in.size());
  }
  const Buf in = {0x00, 0x03, 1, 2};
  WireReader r(in);
  Bytes v;
  EXPECT_FALSE(r.vec16(&v));
  EXPECT_EQ(r.remaining(), 4u);
  EXPECT_FALSE(r.vec24(&v));
  EXPECT_EQ(r.remaining(), 4u);
  const Buf huge = {0xff, 0xff, 0xff};
  WireReader h(huge);
  EXPECT_FALSE(h.vec24(&v));
  EXPECT_EQ(h.remaining(), 3u);
}

TEST(WireWriter, WritesIntegersAndAppends) {
  Buf out = {0xee};
  WireWriter w(&out);
  w.u8(1);
  w.u16(0x0203);
  w.u24(0x040506);
  w.u32(0x0708090a);
  w.bytes(Buf{0xb});
  EXPECT_TRUE(w.ok());
  EXPECT_EQ(out, Buf({0xee, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}));
}

TEST(WireWriter, U24OverflowFails) {
  Buf out;
  WireWriter w(&out);
  w.u24(0x1000000);
  EXPECT_FALSE(w.ok());
}

TEST(WireWriter, NestedVectorsPatchTheirLengths) {
  Buf out = {0x99};  // bytes already there stay
  WireWriter w(&out);
  const size_t outer = w.begin_vec24();
  const size_t inner = w.begin_vec16();
  w.vec8(Buf{1, 2, 3});
  w.end_vec(inner);
  w.u8(0xff);
  w.end_vec(outer);
  EXPECT_TRUE(w.ok());
  EXPECT_TRUE(w.all_closed());
  EXPECT_EQ(out, Buf({0x99, 0, 0, 7, 0, 4, 3, 1, 2, 3, 0xff}));

  // What the writer wrote, the reader reads back.
  WireReader r(Bytes(out).subspan(1));
  Bytes o, i, v;
  ASSERT_TRUE(r.vec24(&o));
  WireReader ro(o);
  ASSERT_TRUE(ro.vec16(&i));
  WireReader ri(i);
  ASSERT_TRUE(ri.vec8(&v));
  EXPECT_EQ(v.size(), 3u);
}

TEST(WireWriter, LengthOverflowFails) {
  {
    Buf out;
    WireWriter w(&out);
    w.vec8(Buf(255, 0));
    EXPECT_TRUE(w.ok());
    w.vec8(Buf(256, 0));
    EXPECT_FALSE(w.ok());
  }
  {
    Buf out;
    WireWriter w(&out);
    w.vec16(Buf(65535, 0));
    EXPECT_TRUE(w.ok());
    w.vec16(Buf(65536, 0));
    EXPECT_FALSE(w.ok());
  }
  {
    Buf out;
    WireWriter w(&out);
    w.vec24(Buf(1 << 24, 0));
    EXPECT_FALSE(w.ok());
  }
}

TEST(WireWriter, MismatchedOrMissingEndFails) {
  {
    Buf out;
    WireWriter w(&out);
    const size_t a = w.begin_vec8();
    const size_t b = w.begin_vec8();
    w.end_vec(a);  // b is still open
    EXPECT_FALSE(w.ok());
    (void)b;
  }
  {
    Buf out;
    WireWriter w(&out);
    w.end_vec(0);  // nothing open
    EXPECT_FALSE(w.ok());
  }
  {
    Buf out;
    WireWriter w(&out);
    (void)w.begin_vec16();
    EXPECT_TRUE(w.ok());
    EXPECT_FALSE(w.all_closed());
  }
}

TEST(WireWriter, NestingDeeperThanTheLimitFails) {
  Buf out;
  WireWriter w(&out);
  size_t marks[WireWriter::kMaxDepth + 1];
  for (size_t& m : marks) m = w.begin_vec8();
  EXPECT_FALSE(w.ok());
  for (size_t i = WireWriter::kMaxDepth + 1; i-- > 0;) w.end_vec(marks[i]);
  EXPECT_FALSE(w.ok());
}

TEST(WireWriter, FailIsSticky) {
  Buf out;
  WireWriter w(&out);
  w.fail();
  w.u8(1);
  EXPECT_FALSE(w.ok());
}

}  // namespace
}  // namespace volley::tls
