// Fuzz target: records volley seals itself, read back by a RecordReader, intact or damaged.
//
// Random bytes almost never carry a valid tag, so record_reader_fuzzer rarely gets past
// bad_record_mac. Here the input is a program: a RecordWriter (and its RecordProtection, for
// application data) writes fuzz-chosen records (types, sizes, contents, padding,
// change_cipher_spec, key changes: new keys, maybe a new suite, installed on both sides after the
// same handshake record, as after a Finished or a KeyUpdate), and then the stream may be damaged
// in a fuzz-chosen byte range of its protected part, or cut short. The reader must give back:
//   - intact: exactly the records written (types, contents, count), the whole stream consumed;
//   - cut short: exactly the records that end before the cut, and kNeedMoreData inside a record;
//   - damaged: records equal to those written, in order, then either the rest identical (the
//     damage fell on bytes RFC 8446 ignores: a change_cipher_spec record's version) or a failure
//     with an alert (or a record made longer than the stream, kNeedMoreData) — never different
//     content.
// Writer and reader use AEAD backends chosen separately, so every kernel's records are opened by
// every other kernel.
//
// Input: 0 suite, 1 reader backend, 2 writer backend, 3 flags (bit 0 CCS window, bits 1-2 read
// mode, bit 3 key changes take keys from the input, bit 4 record size limit, bit 5 padding policy,
// bit 6 damage, bit 7 cut), 4 records per read() call, 5 delivery chunk, then the optional bytes
// (output cap, size limit, padding block), damage (u24 offset in the protected part, length,
// XOR pattern) and cut (u24), then operations (see Builder::run) to the end of the input.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "fuzz/fuzz_support.h"
#include "fuzz/reader_driver.h"
#include "volley/record_reader.h"
#include "volley/record_writer.h"

namespace volley::fuzz {
namespace {

// Stream size beyond which no more records are written: large records fit, and the driver's
// per-call copies stay cheap enough for thousands of runs a second.
constexpr size_t kMaxStream = size_t{1} << 16;
constexpr size_t kMaxOps = 48;

// KeyChange is a key change both sides make after the record expected[after].
struct KeyChange {
  size_t after;
  const CipherSuite* suite;
  std::string_view reader_backend;  // empty: keep the current one (rekey within the suite)
  TrafficKeys keys;
};

struct Program {
  std::vector<uint8_t> stream;
  std::vector<Opened> expected;
  std::vector<size_t> ends;        // where expected[i] ends in the stream
  std::vector<size_t> boundaries;  // where every record ends, change_cipher_spec ones too
  std::vector<KeyChange> changes;
  size_t protected_from = SIZE_MAX;  // offset of the first byte written under keys
};

class Builder {
 public:
  Builder(Input& in, uint8_t reader_backend, uint8_t writer_backend, bool ccs_window,
          bool keys_from_input)
      : in_(in), rb_(reader_backend), wb_(writer_backend), ccs_left_(ccs_window),
        keys_from_input_(keys_from_input) {}

  RecordWriter& writer() { return writer_; }
  Program& program() { return p_; }

  // run interprets the operations: each is one byte (mod 6) and its arguments.
  void run(const CipherSuite& first_suite) {
    suite_ = &first_suite;
    for (size_t op = 0; op < kMaxOps && !in_.empty() && p_.stream.size() < kMaxStream; ++op) {
      switch (in_.byte() % 6) {
        case 0: application_data(); break;
        case 1: handshake(1 + in_.u16() % (3 * kMaxPlaintextLen / 2)); break;
        case 2: alert(); break;
        case 3: change_cipher_spec(); break;
        case 4: key_change(); break;
        case 5: application_data_batch(); break;
      }
    }
  }

 private:
  // content takes |n| content bytes from the input, then a pattern when the input runs out.
  std::vector<uint8_t> content(size_t n) {
    std::vector<uint8_t> c(n);
    const Bytes b = in_.bytes(n);
    if (!b.empty()) std::memcpy(c.data(), b.data(), b.size());
    for (size_t i = b.size(); i < n; ++i) c[i] = static_cast<uint8_t>(i * 7 + 1);
    return c;
  }

  // grow reserves |n| more bytes of stream and returns them.
  MutableBytes grow(size_t n) {
    const size_t old = p_.stream.size();
    p_.stream.resize(old + n);
    return MutableBytes(p_.stream.data() + old, n);
  }

  // written records the records now in stream[from, from + n) (their headers say where each ends)
  // and trims what grow() reserved beyond them.
  void written(size_t from, size_t n) {
    VOLLEY_FUZZ_CHECK(from + n <= p_.stream.size(), "writer wrote past its output");
    p_.stream.resize(from + n);
    if (writer_.keys_installed() && p_.protected_from == SIZE_MAX) p_.protected_from = from;
    for (size_t at = from; at < from + n;) {
      VOLLEY_FUZZ_CHECK(from + n - at >= kRecordHeaderLen, "writer wrote a partial header");
      const size_t len = size_t{p_.stream[at + 3]} << 8 | p_.stream[at + 4];
      at += kRecordHeaderLen + len;
      VOLLEY_FUZZ_CHECK(at <= from + n, "writer wrote a partial record");
      p_.boundaries.push_back(at);
      if (p_.stream[at - len - kRecordHeaderLen] != 20) p_.ends.push_back(at);
    }
  }

  void expect(ContentType type, const uint8_t* data, size_t len) {
    p_.expected.push_back({type, std::vector<uint8_t>(data, data + len)});
  }

  size_t max_content() const {
    return writer_.keys_installed() ? writer_.protection().max_content_len() : kMaxPlaintextLen;
  }

  // padding chooses an explicit padding for |len| bytes of content, or the policy's.
  size_t padding(size_t len) {
    const size_t room = writer_.protection().record_size_limit() - 1 - len;
    switch (in_.byte() % 3) {
      case 0: return kPolicyPadding;
      case 1: return 0;
      default: return in_.u16() % (room + 1);
    }
  }

  void application_data() {
    const uint16_t want = in_.u16();
    if (!writer_.keys_installed()) return;  // TLS has no plaintext application_data
    const size_t len = want % (max_content() + 1);
    const std::vector<uint8_t> c = content(len);
    const size_t pad = padding(len);
    const size_t from = p_.stream.size();
    const size_t size = RecordProtection::sealed_size(
        len, pad == kPolicyPadding ? writer_.protection().padding_for(len) : pad);
    // Two pieces split at a fuzz-chosen point: the gather path of the kernels.
    const size_t split = len == 0 ? 0 : in_.u16() % (len + 1);
    const Bytes pieces[2] = {Bytes(c.data(), split), Bytes(c.data() + split, len - split)};
    SealEntry e{ContentType::kApplicationData, Pieces(pieces, 2), pad, grow(size), 0};
    VOLLEY_FUZZ_CHECK(writer_.protection().seal(e) == RecordStatus::kOk,
                      "seal refused a record within the limits");
    VOLLEY_FUZZ_CHECK(e.written == size, "sealed record of an unexpected size");
    written(from, e.written);
    expect(ContentType::kApplicationData, c.data(), len);
  }

  void application_data_batch() {
    const size_t count = 1 + in_.byte() % 40;  // beyond one kernel chunk (32)
    if (!writer_.keys_installed()) return;
    std::vector<std::vector<uint8_t>> contents;
    std::vector<Bytes> pieces(count);
    std::vector<SealEntry> entries(count);
    size_t total = 0;
    for (size_t i = 0; i < count; ++i) {
      contents.push_back(content(in_.byte() % (max_content() + 1)));
      const size_t pad = writer_.protection().padding_for(contents[i].size());
      total += RecordProtection::sealed_size(contents[i].size(), pad);
    }
    const size_t from = p_.stream.size();
    grow(total);
    size_t at = from;
    for (size_t i = 0; i < count; ++i) {
      pieces[i] = Bytes(contents[i]);
      const size_t size = RecordProtection::sealed_size(
          contents[i].size(), writer_.protection().padding_for(contents[i].size()));
      entries[i] = {ContentType::kApplicationData, Pieces(&pieces[i], 1), kPolicyPadding,
                    MutableBytes(p_.stream.data() + at, size), 0};
      at += size;
    }
    VOLLEY_FUZZ_CHECK(writer_.protection().seal_batch(entries).sealed == count,
                      "seal_batch refused records within the limits");
    written(from, total);
    for (const auto& c : contents) expect(ContentType::kApplicationData, c.data(), c.size());
  }

  void handshake(size_t len) {
    const std::vector<uint8_t> c = content(len);
    const size_t from = p_.stream.size();
    const WriteResult w = writer_.write_handshake(grow(writer_.handshake_size(len)), c);
    VOLLEY_FUZZ_CHECK(w.status == RecordStatus::kOk, "write_handshake failed");
    // Fragments of at most max_content() bytes (the writer's contract), each a record.
    const size_t max = max_content();
    for (size_t off = 0; off < len; off += max) {
      expect(ContentType::kHandshake, c.data() + off, len - off < max ? len - off : max);
    }
    written(from, w.written);
  }

  void alert() {
    const auto description = static_cast<AlertDescription>(in_.byte());
    const size_t from = p_.stream.size();
    const WriteResult w = writer_.write_alert(grow(kMaxRecordLen), description);
    VOLLEY_FUZZ_CHECK(w.status == RecordStatus::kOk, "write_alert failed");
    const uint8_t body[2] = {static_cast<uint8_t>(alert_level(description)),
                             static_cast<uint8_t>(description)};
    expect(ContentType::kAlert, body, 2);
    written(from, w.written);
  }

  // change_cipher_spec writes the one record the reader's window lets through, if it is open.
  void change_cipher_spec() {
    if (!ccs_left_) return;
    ccs_left_ = false;
    const size_t from = p_.stream.size();
    const WriteResult w = writer_.write_change_cipher_spec(grow(kRecordHeaderLen + 1));
    VOLLEY_FUZZ_CHECK(w.status == RecordStatus::kOk, "write_change_cipher_spec failed");
    written(from, w.written);
  }

  // key_change writes a handshake message (a Finished, a KeyUpdate) and then moves both sides to
  // new keys: the writer now, the reader when it has returned that message's last record.
  void key_change() {
    handshake(1 + in_.byte());
    const uint8_t how = in_.byte();
    const CipherSuite& suite = how & 1 ? suite_for(in_.byte()) : *suite_;
    // Explicit backends on a first install, a new suite, or when asked: init(); otherwise an
    // empty backend: rekey() on the backend already in use.
    const bool explicit_backend = !writer_.keys_installed() || &suite != suite_ || (how & 2);
    KeyChange kc{p_.expected.size() - 1, &suite, {}, {}};
    kc.keys = keys_from_input_ ? keys_from_bytes(suite, in_) : fixed_keys(suite, ++generation_);
    std::string_view wb;
    if (explicit_backend) {
      wb = backend_for(suite, wb_);
      kc.reader_backend = backend_for(suite, rb_);
    }
    VOLLEY_FUZZ_CHECK(writer_.install_keys(suite, kc.keys, wb) == Status::kOk,
                      "writer install_keys failed");
    suite_ = &suite;
    p_.changes.push_back(kc);
  }

  Input& in_;
  uint8_t rb_, wb_;
  bool ccs_left_;
  bool keys_from_input_;
  uint8_t generation_ = 0;
  const CipherSuite* suite_ = nullptr;
  RecordWriter writer_;
  Program p_;
};

bool starts_with(const std::vector<Opened>& all, const std::vector<Opened>& prefix) {
  if (prefix.size() > all.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (!(prefix[i] == all[i])) return false;
  }
  return true;
}

}  // namespace
}  // namespace volley::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace volley;
  using namespace volley::fuzz;
  Input in(Bytes(data, size));
  const CipherSuite& suite = suite_for(in.byte());
  const uint8_t rb = in.byte();
  const uint8_t wb = in.byte();
  const uint8_t flags = in.byte();
  DriveOptions opt;
  opt.span = 1 + in.byte() % 64;
  opt.chunk = step_for(in.byte());
  switch (flags >> 1 & 3) {
    case 0: opt.mode = ReadMode::kInPlace; break;
    case 1: opt.mode = ReadMode::kOutOfPlace; break;
    // Out of place into a buffer of at least one largest record: never kOutputTooSmall, but runs
    // that stop early on a full |out|.
    default: opt.mode = ReadMode::kSmallOut; opt.out_cap = kMaxRecordLen + in.u16(); break;
  }
  Builder b(in, rb, wb, flags & 1, flags & 8);
  RecordReader reader;
  reader.allow_change_cipher_spec(flags & 1);
  if (flags & 16) {
    const size_t limit = 64 + in.u16() % (kMaxInnerPlaintextLen - 64 + 1);
    VOLLEY_FUZZ_CHECK(b.writer().protection().set_record_size_limit(limit) == Status::kOk &&
                          reader.set_record_size_limit(limit) == Status::kOk,
                      "set_record_size_limit refused a valid limit");
  }
  if (flags & 32) b.writer().protection().set_padding_policy({in.byte()});
  // Damage and cut are chosen before the operations, which run to the end of the input.
  const uint32_t damage_at = flags & 64 ? in.u24() : 0;
  const size_t damage_len = 1 + in.byte() % 16;
  const uint8_t damage_xor = in.byte();
  const uint32_t cut_at = flags & 128 ? in.u24() : 0;
  b.run(suite);
  Program& p = b.program();

  // Damage: XOR a range of the protected part with non-zero bytes (each changes its byte).
  bool damaged = false;
  if ((flags & 64) && p.protected_from < p.stream.size()) {
    const size_t at = p.protected_from + damage_at % (p.stream.size() - p.protected_from);
    for (size_t i = at; i < at + damage_len && i < p.stream.size(); ++i) {
      const uint8_t x = static_cast<uint8_t>(damage_xor ^ (i - at) * 0x3b);
      p.stream[i] ^= x == 0 ? 0x80 : x;
    }
    damaged = true;
  }
  const size_t cut = flags & 128 ? cut_at % (p.stream.size() + 1) : p.stream.size();

  size_t next_change = 0;
  const AfterCall after = [&](RecordReader& r, const Transcript& t) {
    // The reader returns after every handshake record, so a key change point is always the last
    // record of a call.
    if (next_change < p.changes.size() && t.records.size() == p.changes[next_change].after + 1 &&
        starts_with(p.expected, t.records)) {
      const KeyChange& kc = p.changes[next_change++];
      VOLLEY_FUZZ_CHECK(r.install_keys(*kc.suite, kc.keys, kc.reader_backend) == Status::kOk,
                        "reader install_keys failed");
    }
  };
  const Transcript t = drive(reader, Bytes(p.stream.data(), cut), opt, after);
  debug_print(damaged ? "record_roundtrip_fuzzer (damaged)" : "record_roundtrip_fuzzer", t);
  if (std::getenv("VOLLEY_FUZZ_DEBUG") != nullptr) {
    std::fprintf(stderr, "  written: %zu records, %zu bytes, cut at %zu\n", p.expected.size(),
                 p.stream.size(), cut);
  }

  VOLLEY_FUZZ_CHECK(starts_with(p.expected, t.records),
                    "the reader returned a record that was not written");
  if (!damaged) {
    // Exactly the records that end before the cut, up to the last record boundary before it.
    size_t whole = 0;
    while (whole < p.ends.size() && p.ends[whole] <= cut) ++whole;
    size_t boundary = 0;
    for (size_t e : p.boundaries) boundary = e <= cut ? e : boundary;
    VOLLEY_FUZZ_CHECK(t.records.size() == whole, "intact stream: records missing");
    VOLLEY_FUZZ_CHECK(t.consumed == boundary, "intact stream: not consumed up to the last record");
    VOLLEY_FUZZ_CHECK(t.status == (boundary == cut ? RecordStatus::kOk
                                                    : RecordStatus::kNeedMoreData),
                      "intact stream: wrong final status");
  } else if (t.status == RecordStatus::kOk && t.consumed == cut) {
    // The damage fell on ignored bytes: every record, as written.
    size_t whole = 0;
    while (whole < p.ends.size() && p.ends[whole] <= cut) ++whole;
    VOLLEY_FUZZ_CHECK(t.records.size() == whole, "damaged stream: records lost without an alert");
  } else {
    VOLLEY_FUZZ_CHECK(t.status == RecordStatus::kAlert ||
                          (t.status == RecordStatus::kNeedMoreData && t.consumed < cut),
                      "damaged stream: neither read back nor refused with an alert");
  }
  return 0;
}
