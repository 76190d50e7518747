// The AEAD front end's argument handling (engine/aead/aead.cc), on every AEAD and the best
// backend: empty pieces with a null data(), and piece lengths whose sum wraps 64 bits.
#include <cstdint>
#include <cstring>
#include <vector>

#include "gtest/gtest.h"
#include "volley/aead.h"

namespace volley {
namespace {

using Buffer = std::vector<uint8_t>;

// Empty pieces may carry a null data(); gathering must skip them (memcpy from null is undefined
// even for 0 bytes: --config=ubsan reports it) and give what the pieces without them give.
TEST(AeadFrontEnd, EmptyNullPiecesAreSkipped) {
  for (const Aead* aead : all_aeads()) {
    SCOPED_TRACE(aead->name);
    AeadKey key;
    ASSERT_EQ(key.init(*aead, Buffer(aead->key_len, 0x42)), Status::kOk);
    const Buffer nonce(12, 1), aad(13, 2), a(37, 3), b(70, 4);
    Buffer whole(a);
    whole.insert(whole.end(), b.begin(), b.end());
    Buffer expected(whole.size() + 16);
    ASSERT_EQ(key.seal(expected, nonce, aad, {Bytes(whole)}), Status::kOk);
    Buffer got(whole.size() + 16);
    ASSERT_EQ(key.seal(got, nonce, aad, {Bytes(), Bytes(a), Bytes(), Bytes(), Bytes(b), Bytes()}),
              Status::kOk);
    EXPECT_EQ(got, expected);
    // Only empty pieces: the tag of the empty message.
    Buffer empty_expected(16), empty_got(16);
    ASSERT_EQ(key.seal(empty_expected, nonce, aad, Pieces()), Status::kOk);
    ASSERT_EQ(key.seal(empty_got, nonce, aad, {Bytes(), Bytes()}), Status::kOk);
    EXPECT_EQ(empty_got, empty_expected);
  }
}

// Piece lengths are summed in 64 bits; pieces that may repeat one buffer can make the sum wrap to
// a small value that matches a short |out|. The front end must refuse with kTooLong before it
// reads any piece (the huge pieces below point at 16 real bytes and are never read). |out| and
// |tag| are static and the backing bytes on the stack, so the pieces lie above the outputs and the
// aliasing check alone would not catch them.
TEST(AeadFrontEnd, WrappingPieceLengthsAreTooLong) {
  static uint8_t out[16], tag[16];
  for (const Aead* aead : all_aeads()) {
    SCOPED_TRACE(aead->name);
    AeadKey key;
    ASSERT_EQ(key.init(*aead, Buffer(aead->key_len, 0x42)), Status::kOk);
    uint8_t backing[16] = {};
    const Buffer nonce(12, 1);
    const Bytes huge(backing, size_t{1} << 63);
    const Bytes small(backing, sizeof(backing));
    std::memset(out, 0, sizeof(out));
    std::memset(tag, 0, sizeof(tag));
    const Bytes pieces[3] = {huge, huge, small};  // 2^63 + 2^63 + 16 = 16 mod 2^64
    EXPECT_EQ(key.seal(out, tag, nonce, {}, Pieces(pieces, 3)), Status::kTooLong);
    EXPECT_EQ(Buffer(out, out + 16), Buffer(16, 0));
    EXPECT_EQ(Buffer(tag, tag + 16), Buffer(16, 0));
  }
}

}  // namespace
}  // namespace volley
