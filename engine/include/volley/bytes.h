// volley/bytes.h: the views of byte ranges that volley's functions take and return.
#pragma once

#include <cstdint>
#include <span>

namespace volley {

// Bytes is a read-only view of a byte range and MutableBytes a writable one; neither owns what it
// views. Pieces is a list of ranges read in order as one message (a record's payload and its
// content type byte, say, so that neither is copied to join them).
using Bytes = std::span<const uint8_t>;
using MutableBytes = std::span<uint8_t>;
using Pieces = std::span<const Bytes>;

}  // namespace volley
