#include "handshake/messages/handshake_framer.h"

#include <cstring>
#include <utility>

#include "engine/common/secure_memory.h"

namespace volley::tls {

bool is_wire_handshake_type(uint8_t type) noexcept {
  switch (static_cast<HandshakeType>(type)) {
    case HandshakeType::kClientHello:
    case HandshakeType::kServerHello:
    case HandshakeType::kNewSessionTicket:
    case HandshakeType::kEndOfEarlyData:
    case HandshakeType::kEncryptedExtensions:
    case HandshakeType::kCertificate:
    case HandshakeType::kCertificateRequest:
    case HandshakeType::kCertificateVerify:
    case HandshakeType::kFinished:
    case HandshakeType::kKeyUpdate:
      return true;
    case HandshakeType::kMessageHash:
      return false;
  }
  return false;
}

HandshakeFramer::~HandshakeFramer() { wipe_all(); }

HandshakeFramer::HandshakeFramer(HandshakeFramer&& other) noexcept
    : buf_(std::move(other.buf_)),
      cap_(std::exchange(other.cap_, 0)),
      begin_(std::exchange(other.begin_, 0)),
      end_(std::exchange(other.end_, 0)),
      scan_(std::exchange(other.scan_, 0)),
      dead_(std::exchange(other.dead_, kTlsOk)) {}

HandshakeFramer& HandshakeFramer::operator=(HandshakeFramer&& other) noexcept {
  if (this != &other) {
    wipe_all();
    buf_ = std::move(other.buf_);
    cap_ = std::exchange(other.cap_, 0);
    begin_ = std::exchange(other.begin_, 0);
    end_ = std::exchange(other.end_, 0);
    scan_ = std::exchange(other.scan_, 0);
    dead_ = std::exchange(other.dead_, kTlsOk);
  }
  return *this;
}

void HandshakeFramer::wipe_all() noexcept {
  if (buf_) secure_wipe(buf_.get(), end_);
  begin_ = end_ = scan_ = 0;
}

TlsError HandshakeFramer::fail(TlsError e) noexcept {
  wipe_all();
  dead_ = e;
  return e;
}

// release_consumed wipes the messages already handed out and moves what is left to the front.
void HandshakeFramer::release_consumed() noexcept {
  if (begin_ == 0) return;
  const size_t left = end_ - begin_;
  if (left != 0) std::memmove(buf_.get(), buf_.get() + begin_, left);
  secure_wipe(buf_.get() + left, end_ - left);
  scan_ -= begin_;
  end_ = left;
  begin_ = 0;
}

// reserve makes room for |total| bytes. The buffer moves by copy-and-wipe rather than realloc, so
// no copy of a message is left behind unwiped.
bool HandshakeFramer::reserve(size_t total) {
  if (total <= cap_) return true;
  if (total > kMaxBuffered) return false;
  size_t cap = cap_ < 1024 ? 1024 : cap_;
  while (cap < total) cap *= 2;
  if (cap > kMaxBuffered) cap = kMaxBuffered;
  std::unique_ptr<uint8_t[]> grown(new uint8_t[cap]);
  if (end_ != 0) {
    std::memcpy(grown.get(), buf_.get(), end_);
    secure_wipe(buf_.get(), end_);
  }
  buf_ = std::move(grown);
  cap_ = cap;
  return true;
}

TlsError HandshakeFramer::add(Bytes record_content) {
  if (!dead_.ok()) return dead_;
  release_consumed();
  // Check every header the new bytes complete, reading across the buffered bytes and the record
  // as one stream, before keeping anything.
  const size_t total = end_ + record_content.size();
  auto byte_at = [&](size_t i) -> uint8_t {
    return i < end_ ? buf_[i] : record_content[i - end_];
  };
  size_t scan = scan_;
  while (scan < total && total - scan >= kHandshakeHeaderLen) {
    const uint8_t type = byte_at(scan);
    if (!is_wire_handshake_type(type)) {
      return fail(tls_fail(AlertDescription::kUnexpectedMessage,
                           "handshake: unknown or unexpected handshake message type"));
    }
    const size_t len = size_t{byte_at(scan + 1)} << 16 | size_t{byte_at(scan + 2)} << 8 |
                       byte_at(scan + 3);
    if (len > max_message_len(static_cast<HandshakeType>(type))) {
      return fail(tls_fail(AlertDescription::kDecodeError, "handshake: message too long"));
    }
    scan += kHandshakeHeaderLen + len;
  }
  if (!reserve(total)) {
    return fail(tls_fail(AlertDescription::kInternalError,
                         "handshake: framer buffer full (next() not drained)"));
  }
  if (!record_content.empty()) {
    std::memcpy(buf_.get() + end_, record_content.data(), record_content.size());
  }
  end_ = total;
  scan_ = scan;
  return kTlsOk;
}

TlsError HandshakeFramer::next(HandshakeMessage* m, bool* got) noexcept {
  *got = false;
  if (!dead_.ok()) return dead_;
  release_consumed();
  const size_t avail = end_ - begin_;
  if (avail < kHandshakeHeaderLen) return kTlsOk;
  const uint8_t* p = buf_.get() + begin_;
  // The header was checked by add().
  const size_t len = size_t{p[1]} << 16 | size_t{p[2]} << 8 | p[3];
  if (avail - kHandshakeHeaderLen < len) return kTlsOk;
  m->type = static_cast<HandshakeType>(p[0]);
  m->message = Bytes(p, kHandshakeHeaderLen + len);
  m->body = m->message.subspan(kHandshakeHeaderLen);
  begin_ += kHandshakeHeaderLen + len;
  *got = true;
  return kTlsOk;
}

TlsError HandshakeFramer::check_key_change() noexcept {
  if (!dead_.ok()) return dead_;
  if (!empty()) {
    return fail(tls_fail(AlertDescription::kUnexpectedMessage,
                         "handshake: message spans a key change"));
  }
  return kTlsOk;
}

}  // namespace volley::tls
