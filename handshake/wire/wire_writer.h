// handshake/wire/wire_writer.h: the encoding side of wire_reader.h: appends TLS presentation-
// language data (RFC 8446 §3) to a std::vector<uint8_t>, patching vector lengths when a vector is
// closed.
//
//   std::vector<uint8_t> out;
//   WireWriter w(&out);
//   const size_t list = w.begin_vec16();   // room for a u16 length
//   w.u16(0x001d);
//   w.end_vec(list);                       // the length is now 2
//   if (!w.ok()) ...                       // a vector outgrew its prefix, or begin/end mismatched
//
// The writer appends after whatever |out| already holds and never removes bytes. Errors are
// sticky: after the first one ok() stays false and the bytes written are not a valid encoding
// (the caller discards them). Vectors nest up to kMaxDepth deep. Threads: one at a time.
// Allocation: only |out|'s growth. Nothing throws except std::vector's bad_alloc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "volley/bytes.h"

namespace volley::tls {

class WireWriter {
 public:
  // kMaxDepth is deeper than anything TLS 1.3 nests (ClientHello > extensions > pre_shared_key >
  // identities > identity is 4).
  static constexpr size_t kMaxDepth = 8;

  explicit WireWriter(std::vector<uint8_t>* out) noexcept : out_(out) {}
  WireWriter(const WireWriter&) = delete;
  WireWriter& operator=(const WireWriter&) = delete;

  void u8(uint8_t v) { out_->push_back(v); }
  void u16(uint16_t v) { uint_be(2, v); }
  // u24 writes the low 24 bits of |v|; a larger value is an error.
  void u24(uint32_t v) {
    if (v >> 24) ok_ = false;
    uint_be(3, v);
  }
  void u32(uint32_t v) { uint_be(4, v); }
  void bytes(Bytes b) { out_->insert(out_->end(), b.begin(), b.end()); }

  // begin_vec8/16/24 reserve a length prefix of 1, 2 or 3 bytes and return the mark to close the
  // vector with: end_vec(mark) writes the number of bytes appended since. Vectors close in the
  // reverse order they were opened; anything else, a length over the prefix's range or nesting
  // deeper than kMaxDepth makes ok() false.
  [[nodiscard]] size_t begin_vec8() { return begin_vec(1); }
  [[nodiscard]] size_t begin_vec16() { return begin_vec(2); }
  [[nodiscard]] size_t begin_vec24() { return begin_vec(3); }
  void end_vec(size_t mark) noexcept;

  // vec8/16/24 write a whole vector at once: the length of |b|, then |b|.
  void vec8(Bytes b) { end_vec_after(begin_vec8(), b); }
  void vec16(Bytes b) { end_vec_after(begin_vec16(), b); }
  void vec24(Bytes b) { end_vec_after(begin_vec24(), b); }

  // ok is false once any error happened; vectors left open do not count (see all_closed).
  bool ok() const noexcept { return ok_; }
  // all_closed is true when every vector begun has been ended.
  bool all_closed() const noexcept { return depth_ == 0; }
  // fail marks the output invalid: an encoder met a value it cannot encode.
  void fail() noexcept { ok_ = false; }

 private:
  size_t begin_vec(uint8_t width);
  void end_vec_after(size_t mark, Bytes b) {
    bytes(b);
    end_vec(mark);
  }
  void uint_be(size_t width, uint32_t v) {
    for (size_t i = width; i-- > 0;) out_->push_back(static_cast<uint8_t>(v >> (8 * i)));
  }

  std::vector<uint8_t>* out_;
  // The open vectors: where each prefix starts and how wide it is.
  size_t open_at_[kMaxDepth] = {};
  uint8_t open_width_[kMaxDepth] = {};
  size_t depth_ = 0;
  bool ok_ = true;
};

}  // namespace volley::tls
