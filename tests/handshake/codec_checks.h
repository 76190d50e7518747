// What every decoder test of tests/handshake/ checks on a valid encoding: every truncation fails,
// every length field bumped by one either way fails, a trailing byte fails. A decoder is given as
// a function of the body; a length field as its offset and width in the body.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "gtest/gtest.h"
#include "handshake/messages/extensions.h"
#include "volley/bytes.h"
#include "volley/tls_error.h"

namespace volley::tls::test {

using Buf = std::vector<uint8_t>;
using DecodeFn = std::function<TlsError(Bytes)>;

struct LengthField {
  size_t offset;
  size_t width;
  // still_valid_delta is 0, or the bump (+1 or -1) after which the bytes happen to read as another
  // valid encoding, which the test then asserts (see the HelloRetryRequest ClientHello test).
  int still_valid_delta = 0;
};

// field_of locates the length prefix of |view|, a vector decoded out of |whole| with a prefix of
// |width| bytes.
inline LengthField field_of(Bytes whole, Bytes view, size_t width) {
  return LengthField{static_cast<size_t>(view.data() - whole.data()) - width, width, 0};
}

// extension_fields are the length fields of an extension list whose u16 prefix is at
// |block_offset| of |whole|: the list's own and each body's.
inline std::vector<LengthField> extension_fields(Bytes whole, size_t block_offset,
                                                 const std::vector<Extension>& extensions) {
  std::vector<LengthField> fields = {{block_offset, 2, 0}};
  for (const Extension& e : extensions) fields.push_back(field_of(whole, e.body, 2));
  return fields;
}

inline void expect_truncations_fail(Bytes body, const DecodeFn& decode) {
  for (size_t n = 0; n < body.size(); ++n) {
    // A copy of exactly n bytes, so that ASan sees any read past the end.
    const Buf cut(body.begin(), body.begin() + static_cast<ptrdiff_t>(n));
    EXPECT_FALSE(decode(cut).ok()) << "truncated to " << n << " of " << body.size() << " bytes";
  }
}

inline void expect_trailing_byte_fails(Bytes body, const DecodeFn& decode) {
  Buf longer(body.begin(), body.end());
  longer.push_back(0);
  const TlsError e = decode(longer);
  EXPECT_FALSE(e.ok());
  EXPECT_EQ(e.alert, AlertDescription::kDecodeError) << (e.reason ? e.reason : "");
}

inline void expect_length_bumps_fail(Bytes body, const std::vector<LengthField>& fields,
                                     const DecodeFn& decode) {
  ASSERT_TRUE(decode(body).ok());
  for (const LengthField& f : fields) {
    ASSERT_LE(f.offset + f.width, body.size());
    uint64_t len = 0;
    for (size_t i = 0; i < f.width; ++i) len = len << 8 | body[f.offset + i];
    for (const int delta : {-1, +1}) {
      Buf bumped(body.begin(), body.end());
      const uint64_t v = len + static_cast<uint64_t>(delta);
      for (size_t i = 0; i < f.width; ++i) {
        bumped[f.offset + i] = static_cast<uint8_t>(v >> (8 * (f.width - 1 - i)));
      }
      EXPECT_EQ(decode(bumped).ok(), delta == f.still_valid_delta)
          << "length at offset " << f.offset << " (" << len << ") bumped by " << delta;
    }
  }
}

// expect_checks_hold runs all three.
inline void expect_checks_hold(Bytes body, const std::vector<LengthField>& fields,
                               const DecodeFn& decode) {
  expect_truncations_fail(body, decode);
  expect_trailing_byte_fails(body, decode);
  expect_length_bumps_fail(body, fields, decode);
}

}  // namespace volley::tls::test
