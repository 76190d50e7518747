#include "handshake/wire/wire_writer.h"

namespace volley::tls {

size_t WireWriter::begin_vec(uint8_t width) {
  const size_t mark = out_->size();
  if (depth_ == kMaxDepth) {
    ok_ = false;
  } else {
    open_at_[depth_] = mark;
    open_width_[depth_] = width;
    ++depth_;
  }
  out_->insert(out_->end(), width, 0);
  return mark;
}

void WireWriter::end_vec(size_t mark) noexcept {
  if (depth_ == 0 || open_at_[depth_ - 1] != mark) {
    ok_ = false;
    return;
  }
  --depth_;
  const size_t width = open_width_[depth_];
  const size_t len = out_->size() - mark - width;
  if (len >> (8 * width)) {
    ok_ = false;
    return;
  }
  for (size_t i = 0; i < width; ++i) {
    (*out_)[mark + i] = static_cast<uint8_t>(len >> (8 * (width - 1 - i)));
  }
}

}  // namespace volley::tls
