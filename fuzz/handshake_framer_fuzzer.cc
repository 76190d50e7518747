// handshake_framer_fuzzer: a handshake stream cut into records at fuzz-chosen sizes
// (fuzz/handshake_fuzz_format.h) goes through a HandshakeFramer, drained after every record or
// every other one. The result must be what a one-pass reading of the whole stream gives: the same
// messages, byte for byte and in order, each inside its type's limit; a failure exactly when that
// reading meets a bad header (with its alert), or internal_error when lazy draining fills the
// buffer; a dead framer stays dead; check_key_change passes exactly when nothing is left.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz/fuzz_support.h"
#include "fuzz/handshake_fuzz_format.h"
#include "handshake/messages/handshake_framer.h"

namespace volley::fuzz {
namespace {

using tls::HandshakeFramer;
using tls::HandshakeMessage;
using tls::TlsError;

// Reference is the one-pass reading: whole messages up to the first bad header or the end.
struct Reference {
  std::vector<Bytes> messages;
  bool bad_header = false;
  AlertDescription alert = AlertDescription::kInternalError;
  size_t whole_len = 0;  // bytes in whole messages
};

Reference read_whole(Bytes s) {
  Reference ref;
  size_t at = 0;
  while (s.size() - at >= tls::kHandshakeHeaderLen) {
    const uint8_t type = s[at];
    const size_t len = size_t{s[at + 1]} << 16 | size_t{s[at + 2]} << 8 | s[at + 3];
    if (!tls::is_wire_handshake_type(type)) {
      ref.bad_header = true;
      ref.alert = AlertDescription::kUnexpectedMessage;
      break;
    }
    if (len > tls::max_message_len(static_cast<tls::HandshakeType>(type))) {
      ref.bad_header = true;
      ref.alert = AlertDescription::kDecodeError;
      break;
    }
    if (s.size() - at - tls::kHandshakeHeaderLen < len) break;
    ref.messages.push_back(s.subspan(at, tls::kHandshakeHeaderLen + len));
    at += tls::kHandshakeHeaderLen + len;
  }
  ref.whole_len = at;
  return ref;
}

}  // namespace
}  // namespace volley::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace volley;        // NOLINT
  using namespace volley::fuzz;  // NOLINT
  Input in(Bytes(data, size));
  const uint8_t options = in.byte();
  std::vector<size_t> sizes(in.byte());
  for (size_t& s : sizes) s = in.u16() % kMaxRecordChoice;
  if (std::all_of(sizes.begin(), sizes.end(), [](size_t s) { return s == 0; })) {
    sizes.push_back(kMaxRecordChoice);  // progress: not every record may be empty
  }
  const Bytes stream = in.rest();
  const Reference ref = read_whole(stream);

  HandshakeFramer f;
  size_t got = 0;  // messages handed out so far
  TlsError failure = tls::kTlsOk;
  auto drain = [&]() {
    for (;;) {
      HandshakeMessage m;
      bool more = false;
      const TlsError e = f.next(&m, &more);
      VOLLEY_FUZZ_CHECK(e.ok(), "next() failed on a live framer");
      if (!more) return;
      VOLLEY_FUZZ_CHECK(got < ref.messages.size(), "a message the one-pass reading does not have");
      const Bytes want = ref.messages[got++];
      VOLLEY_FUZZ_CHECK(m.message.size() == want.size() &&
                            std::equal(want.begin(), want.end(), m.message.begin()),
                        "message differs from the one-pass reading");
      VOLLEY_FUZZ_CHECK(m.body.size() + tls::kHandshakeHeaderLen == m.message.size() &&
                            m.body.data() == m.message.data() + tls::kHandshakeHeaderLen &&
                            static_cast<uint8_t>(m.type) == m.message[0],
                        "message views inconsistent");
    }
  };

  size_t at = 0, record = 0;
  while (at < stream.size() && failure.ok()) {
    const size_t n = std::min(sizes[record % sizes.size()], stream.size() - at);
    failure = f.add(stream.subspan(at, n));
    at += n;
    ++record;
    if (failure.ok() && (!(options & kDrainLazily) || record % 2 == 0)) drain();
  }
  if (failure.ok()) drain();

  if (!failure.ok()) {
    const bool full = failure.alert == AlertDescription::kInternalError;
    VOLLEY_FUZZ_CHECK(ref.bad_header || full, "framer failed where the stream is valid");
    VOLLEY_FUZZ_CHECK(full || failure.alert == ref.alert, "framer failed with another alert");
    VOLLEY_FUZZ_CHECK(!full || (options & kDrainLazily), "buffer full although drained");
    HandshakeMessage m;
    bool more = true;
    const TlsError again = f.next(&m, &more);
    VOLLEY_FUZZ_CHECK(!again.ok() && again.alert == failure.alert && !more, "dead framer revived");
    VOLLEY_FUZZ_CHECK(!f.check_key_change().ok(), "dead framer passed a key change");
    return 0;
  }
  VOLLEY_FUZZ_CHECK(!ref.bad_header, "framer accepted a bad header");
  VOLLEY_FUZZ_CHECK(got == ref.messages.size(), "framer lost messages");
  const bool whole = ref.whole_len == stream.size();
  VOLLEY_FUZZ_CHECK(f.empty() == whole, "framer holds bytes it should not, or lost some");
  VOLLEY_FUZZ_CHECK(f.check_key_change().ok() == whole, "check_key_change wrong");
  return 0;
}
