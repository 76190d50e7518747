// handshake/wire/wire_reader.h: a bounds-checked reader of TLS presentation-language data (RFC 8446
// §3): big-endian integers and vectors with a 1-, 2- or 3-byte length prefix.
//
// Every read returns false on short input and then leaves the reader where it was (nothing is
// consumed, the output is not written), so a decoder can name the field that was cut short. The
// views it hands out point into the input: they are valid as long as the input is. No allocation,
// no exceptions; a WireReader is a value (two words) and may be copied to look ahead.
#pragma once

#include <cstddef>
#include <cstdint>

#include "volley/bytes.h"

namespace volley::tls {

class WireReader {
 public:
  constexpr WireReader() noexcept = default;
  constexpr explicit WireReader(Bytes in) noexcept : in_(in) {}

  [[nodiscard]] bool u8(uint8_t* v) noexcept { return uint_be(1, v); }
  [[nodiscard]] bool u16(uint16_t* v) noexcept { return uint_be(2, v); }
  // u24 reads a 3-byte integer (handshake and certificate lengths) into the low bits of |v|.
  [[nodiscard]] bool u24(uint32_t* v) noexcept { return uint_be(3, v); }
  [[nodiscard]] bool u32(uint32_t* v) noexcept { return uint_be(4, v); }

  // bytes takes the next |n| bytes.
  [[nodiscard]] bool bytes(size_t n, Bytes* out) noexcept {
    if (n > in_.size()) return false;
    *out = in_.first(n);
    in_ = in_.subspan(n);
    return true;
  }

  // vec8, vec16 and vec24 take a vector: a length of that many bytes, then as many bytes as it
  // says. On failure (the length or the content cut short) nothing is consumed.
  [[nodiscard]] bool vec8(Bytes* out) noexcept { return vec(1, out); }
  [[nodiscard]] bool vec16(Bytes* out) noexcept { return vec(2, out); }
  [[nodiscard]] bool vec24(Bytes* out) noexcept { return vec(3, out); }

  bool empty() const noexcept { return in_.empty(); }
  size_t remaining() const noexcept { return in_.size(); }
  // rest is what has not been read yet.
  Bytes rest() const noexcept { return in_; }

 private:
  template <typename T>
  bool uint_be(size_t width, T* v) noexcept {
    if (width > in_.size()) return false;
    T x = 0;
    for (size_t i = 0; i < width; ++i) x = static_cast<T>(x << 8 | in_[i]);
    *v = x;
    in_ = in_.subspan(width);
    return true;
  }

  bool vec(size_t width, Bytes* out) noexcept {
    if (width > in_.size()) return false;
    size_t len = 0;
    for (size_t i = 0; i < width; ++i) len = len << 8 | in_[i];
    if (len > in_.size() - width) return false;
    *out = in_.subspan(width, len);
    in_ = in_.subspan(width + len);
    return true;
  }

  Bytes in_;
};

}  // namespace volley::tls
