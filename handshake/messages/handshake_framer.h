// handshake/messages/handshake_framer.h: handshake messages out of handshake records (RFC 8446
// §4, §5.1). A message may span records and a record may hold several messages; the framer joins
// the records' content and hands out whole messages, each as its type, body and full bytes (header
// included, as the transcript hashes it).
//
//   HandshakeFramer framer;
//   if (TlsError e = framer.add(record.content); !e.ok()) return e;
//   for (;;) {
//     HandshakeMessage m;
//     bool got = false;
//     if (TlsError e = framer.next(&m, &got); !e.ok()) return e;
//     if (!got) break;            // the rest of a message is in a later record
//     ... decode m.body according to m.type ...
//   }
//   // before installing the next keys of this direction:
//   if (TlsError e = framer.check_key_change(); !e.ok()) return e;
//
// Rules, checked as soon as a message's 4-byte header is in hand, before its body is buffered:
//   - an unknown type, or message_hash (254, which only exists inside the transcript), is
//     unexpected_message;
//   - a declared length over kMaxMessageLen (64 KiB), or over kMaxCertificateLen (256 KiB) for a
//     Certificate, is decode_error: no such message is valid in volley, and refusing it at the
//     header bounds the memory a peer can make us hold.
// The framer buffers at most kMaxBuffered bytes: the largest message plus one record. A caller
// that drains next() after every add() never reaches that; one that does not gets internal_error.
// After any failure the framer is dead and returns the same failure from every call.
//
// Secrets: handshake messages carry key shares and tickets, so buffered bytes are wiped when they
// are released (on the next add/next after a message was handed out), when the buffer moves, and
// when the framer is dropped. Threads: one at a time. Nothing throws except bad_alloc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "volley/bytes.h"
#include "volley/tls_error.h"

namespace volley::tls {

// HandshakeType is the msg_type of a handshake message (RFC 8446 §4, §4.4.1 for message_hash).
enum class HandshakeType : uint8_t {
  kClientHello = 1,
  kServerHello = 2,
  kNewSessionTicket = 4,
  kEndOfEarlyData = 5,
  kEncryptedExtensions = 8,
  kCertificate = 11,
  kCertificateRequest = 13,
  kCertificateVerify = 15,
  kFinished = 20,
  kKeyUpdate = 24,
  kMessageHash = 254,
};

// kHandshakeHeaderLen is the msg_type byte and the u24 length.
inline constexpr size_t kHandshakeHeaderLen = 4;
inline constexpr size_t kMaxMessageLen = size_t{64} << 10;
inline constexpr size_t kMaxCertificateLen = size_t{256} << 10;

// is_wire_handshake_type reports whether |type| is a message that may be sent (every type above but
// message_hash).
bool is_wire_handshake_type(uint8_t type) noexcept;

// max_message_len is the largest body the framer accepts for a message of |type|.
constexpr size_t max_message_len(HandshakeType type) noexcept {
  return type == HandshakeType::kCertificate ? kMaxCertificateLen : kMaxMessageLen;
}

// HandshakeMessage views one message inside the framer's buffer.
struct HandshakeMessage {
  HandshakeType type = HandshakeType::kClientHello;
  Bytes body;     // after the 4-byte header
  Bytes message;  // header + body: what the transcript hashes
};

class HandshakeFramer {
 public:
  // kMaxBuffered: a whole Certificate and the record (2^14 bytes of content) that completes it.
  static constexpr size_t kMaxBuffered = kHandshakeHeaderLen + kMaxCertificateLen + (size_t{1} << 14);

  HandshakeFramer() noexcept = default;
  ~HandshakeFramer();
  HandshakeFramer(const HandshakeFramer&) = delete;
  HandshakeFramer& operator=(const HandshakeFramer&) = delete;
  HandshakeFramer(HandshakeFramer&& other) noexcept;
  HandshakeFramer& operator=(HandshakeFramer&& other) noexcept;

  // add appends the content of one handshake record. Every header it completes is checked first
  // (see the rules above); on failure nothing of |record_content| is kept. |record_content| is
  // copied: it need not outlive the call. Invalidates the views of earlier next() results.
  [[nodiscard]] TlsError add(Bytes record_content);

  // next hands out the next whole message, if there is one: *got is true and *m views it, valid
  // until the next call to add() or next(). Otherwise *got is false and *m is untouched. Fails only
  // when the framer is dead.
  [[nodiscard]] TlsError next(HandshakeMessage* m, bool* got) noexcept;

  // check_key_change is called before the keys of this direction change (after the peer's
  // Finished, a KeyUpdate, EndOfEarlyData): any buffered byte is unexpected_message, since
  // handshake messages must not span a key change (RFC 8446 §5.1). A message handed out by next()
  // no longer counts.
  [[nodiscard]] TlsError check_key_change() noexcept;

  // empty reports whether no byte is waiting (a partial message or messages not yet handed out).
  bool empty() const noexcept { return begin_ == end_; }

 private:
  TlsError fail(TlsError e) noexcept;
  void release_consumed() noexcept;
  bool reserve(size_t total);
  void wipe_all() noexcept;

  std::unique_ptr<uint8_t[]> buf_;
  size_t cap_ = 0;
  // [begin_, end_) is buffered and not yet handed out; headers from begin_ up to scan_ have been
  // checked (scan_ is the offset of the first unchecked header, possibly beyond end_).
  size_t begin_ = 0;
  size_t end_ = 0;
  size_t scan_ = 0;
  TlsError dead_ = kTlsOk;
};

}  // namespace volley::tls
