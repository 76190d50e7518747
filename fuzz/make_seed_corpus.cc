// Writes the seed corpora of the fuzz targets (fuzz/corpus/...). Run after changing an input
// format, then commit the files:
//   bazel run //fuzz:make_seed_corpus -- "$PWD/fuzz/corpus"
// The record_reader seeds are realistic streams (plaintext hellos, change_cipher_spec, records
// sealed under fuzz_support's fixed key, truncations) behind the setup bytes of
// record_reader_fuzzer.cc; the record_roundtrip seeds are short programs in the format of
// record_roundtrip_fuzzer.cc. Deterministic: the same files every run.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "fuzz/fuzz_support.h"
#include "volley/aead.h"
#include "volley/record_writer.h"

namespace volley::fuzz {
namespace {

using Buf = std::vector<uint8_t>;

// Setup bytes of record_reader_fuzzer.cc.
constexpr uint8_t kKeysAtStart = 1, kKeysAfterHandshake = 2, kKeysFromInput = 4, kCcsWindow = 8,
                  kOutOfPlace = 1 << 4, kSmallOut = 2 << 4, kCompare = 3 << 4, kSizeLimit = 64,
                  kNearEnd = 128;

void append(Buf& b, const Buf& more) { b.insert(b.end(), more.begin(), more.end()); }

Buf pattern(size_t n, uint8_t seed) {
  Buf b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(seed + 13 * i);
  return b;
}

// Stream writes records the way a peer would, through a RecordWriter.
struct Stream {
  RecordWriter w;
  Buf bytes;

  void handshake(const Buf& msg) {
    Buf out(w.handshake_size(msg.size()));
    const WriteResult r = w.write_handshake(out, msg);
    out.resize(r.written);
    append(bytes, out);
  }
  void alert(AlertDescription a) {
    Buf out(kMaxRecordLen);
    out.resize(w.write_alert(out, a).written);
    append(bytes, out);
  }
  void ccs() {
    Buf out(kRecordHeaderLen + 1);
    out.resize(w.write_change_cipher_spec(out).written);
    append(bytes, out);
  }
  void data(const Buf& content, size_t padding = 0) {
    Buf out(RecordProtection::sealed_size(content.size(), padding));
    const Bytes piece(content);
    SealEntry e{ContentType::kApplicationData, Pieces(&piece, 1), padding, out, 0};
    if (w.protection().seal(e) != RecordStatus::kOk) std::abort();
    append(bytes, out);
  }
};

// sealed_at seals an application_data record of 8 bytes under the fixed key at sequence number
// |seq| with the AEAD alone (RFC 8446 §5.2, §5.3: nonce = iv XOR seq, the header as AAD).
Buf sealed_at(const CipherSuite& cs, uint64_t seq) {
  const TrafficKeys keys = fixed_keys(cs);
  AeadKey key;
  if (key.init(*cs.aead, keys.key()) != Status::kOk) std::abort();
  uint8_t nonce[TrafficKeys::kIvSize];
  std::memcpy(nonce, keys.iv().data(), sizeof(nonce));
  for (int i = 0; i < 8; ++i) nonce[4 + i] ^= static_cast<uint8_t>(seq >> (56 - 8 * i));
  const Buf content = pattern(8, 1);
  const uint8_t type = 23;
  const size_t len = content.size() + 1 + kRecordTagLen;
  Buf rec = {23, 3, 3, 0, static_cast<uint8_t>(len)};
  rec.resize(kRecordHeaderLen + len);
  const Bytes aad(rec.data(), kRecordHeaderLen);
  if (key.seal(MutableBytes(rec.data() + kRecordHeaderLen, len), nonce, aad,
               {Bytes(content), Bytes(&type, 1)}) != Status::kOk) {
    std::abort();
  }
  return rec;
}

// reader_input is a record_reader_fuzzer input: the setup bytes, |extra| (key, limit, sequence,
// output cap, in the order the target reads them), then the stream.
Buf reader_input(uint8_t flags, uint8_t suite, uint8_t span, uint8_t chunk, const Buf& extra,
                 const Buf& stream) {
  Buf b = {flags, suite, 0, span, chunk};
  append(b, extra);
  append(b, stream);
  return b;
}

void reader_corpus(const std::filesystem::path& dir) {
  const Buf hello = pattern(90, 2);  // stands for a ServerHello: a handshake message
  {
    Stream s;
    s.handshake(hello);
    save_seed(dir, "plaintext_hello", reader_input(0, 0, 63, 0, {}, s.bytes));
    s.alert(AlertDescription::kHandshakeFailure);
    save_seed(dir, "plaintext_hello_alert", reader_input(kOutOfPlace, 0, 0, 7, {}, s.bytes));
  }
  {
    Stream s;
    s.handshake(pattern(kMaxPlaintextLen + 100, 3));  // two fragments, one of 2^14 bytes
    save_seed(dir, "plaintext_fragments", reader_input(kCompare, 0, 63, 200, {}, s.bytes));
  }
  {
    Stream s;
    s.ccs();
    s.handshake(hello);
    save_seed(dir, "ccs_then_hello", reader_input(kCcsWindow, 0, 63, 0, {}, s.bytes));
    save_seed(dir, "ccs_window_closed", reader_input(0, 0, 63, 0, {}, s.bytes));
  }
  for (uint8_t suite = 0; suite < 3; ++suite) {
    const CipherSuite& cs = suite_for(suite);
    const std::string tag = "_suite" + std::to_string(suite);
    // A server's first flight as a client sees it: ServerHello, change_cipher_spec, then records
    // under the handshake keys (installed after the ServerHello).
    Stream s;
    s.handshake(hello);
    s.ccs();
    (void)s.w.install_keys(cs, fixed_keys(cs));
    s.handshake(pattern(300, 4));  // EncryptedExtensions .. Finished
    s.data(pattern(40, 5));
    s.data(pattern(0, 0), 7);     // empty application data, padded
    for (int i = 0; i < 35; ++i) s.data(pattern(20 + i, static_cast<uint8_t>(i)));  // > 1 chunk
    s.alert(AlertDescription::kCloseNotify);
    const uint8_t after = kKeysAfterHandshake | kCcsWindow;
    save_seed(dir, "flight" + tag, reader_input(after, suite, 63, 0, {}, s.bytes));
    save_seed(dir, "flight_chunked" + tag, reader_input(after | kOutOfPlace, suite, 3, 5, {}, s.bytes));
    save_seed(dir, "flight_small_out" + tag,
         reader_input(after | kSmallOut, suite, 63, 0, {0x01, 0x00}, s.bytes));
    save_seed(dir, "flight_compare" + tag, reader_input(after | kCompare, suite, 0, 130, {}, s.bytes));
    for (size_t cut : {3u, 101u, 200u, 500u}) {
      Buf t(s.bytes.begin(), s.bytes.begin() + static_cast<ptrdiff_t>(cut));
      save_seed(dir, "flight_cut" + std::to_string(cut) + tag,
           reader_input(after, suite, 63, 0, {}, t));
    }
    Buf tampered = s.bytes;
    tampered[tampered.size() - 3] ^= 1;
    save_seed(dir, "flight_bad_tag" + tag, reader_input(after, suite, 63, 0, {}, tampered));

    // Keys from the start: application data, a large record, a KeyUpdate-like handshake record.
    Stream a;
    (void)a.w.install_keys(cs, fixed_keys(cs));
    a.data(pattern(kMaxPlaintextLen, 6));
    a.data(pattern(10, 7), 200);
    a.handshake(pattern(5, 8));
    a.data(pattern(10, 9));
    save_seed(dir, "protected" + tag, reader_input(kKeysAtStart, suite, 63, 0, {}, a.bytes));
    save_seed(dir, "protected_limit" + tag,
         reader_input(kKeysAtStart | kSizeLimit, suite, 63, 0, {0x01, 0x00}, a.bytes));

    // Sequence numbers near 2^64: three records use the last sequence numbers a key has, then
    // a fourth record (never sealable, so any bytes) must stop the reader with kSequenceExhausted.
    // A RecordProtection refuses to seal AES-GCM records that far (the key's usage limit), so
    // these are sealed with the AEAD directly.
    Buf n;
    for (uint64_t seq = UINT64_MAX - 3; seq < UINT64_MAX; ++seq) append(n, sealed_at(cs, seq));
    append(n, {23, 3, 3, 0, 17});
    append(n, pattern(17, 2));
    save_seed(dir, "near_end" + tag, reader_input(kKeysAtStart | kNearEnd, suite, 63, 0, {2}, n));
  }
  {
    // Keys from the input: the key and iv bytes come right after the setup bytes.
    const CipherSuite& cs = suite_for(2);
    const Buf material = pattern(cs.key_len + TrafficKeys::kIvSize, 0x77);
    TrafficKeys keys;
    (void)keys.assign(Bytes(material.data(), cs.key_len),
                      Bytes(material.data() + cs.key_len, TrafficKeys::kIvSize));
    Stream s;
    (void)s.w.install_keys(cs, keys);
    s.data(pattern(64, 1));
    s.alert(AlertDescription::kUserCanceled);
    save_seed(dir, "keys_from_input", reader_input(kKeysAtStart | kKeysFromInput, 2, 63, 0, material,
                                              s.bytes));
  }
  save_seed(dir, "empty", {});
  save_seed(dir, "garbage_types", reader_input(0, 0, 63, 0, {}, {99, 3, 3, 0, 1, 0, 24, 3, 3, 0, 0}));
}

// Program encodes a record_roundtrip_fuzzer input, in the order that target reads its bytes.
struct Program {
  Buf b;
  // Setup: suite, reader and writer backends, flags, span, chunk; then the optional fields.
  Program(uint8_t suite, uint8_t rb, uint8_t wb, uint8_t flags, uint8_t span, uint8_t chunk)
      : b{suite, rb, wb, flags, span, chunk} {}
  Program& u16(uint16_t v) {
    return bytes({static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)});
  }
  Program& bytes(const Buf& more) { append(b, more); return *this; }
  Program& data(uint16_t len, uint8_t pad_choice = 1) {
    b.push_back(0);
    u16(len).bytes(pattern(len, 0x31));
    b.push_back(pad_choice);
    if (pad_choice % 3 == 2) u16(7);
    if (len > 0) u16(len / 2);
    return *this;
  }
  Program& handshake(uint16_t len) {
    b.push_back(1);
    return u16(static_cast<uint16_t>(len - 1)).bytes(pattern(len, 0x52));
  }
  Program& alert(uint8_t description) { return bytes({2, description}); }
  Program& ccs() { return bytes({3}); }
  // key_change: a handshake message of |len| (1..256) bytes, then new keys; |how| bit 0: a new
  // suite (|suite|), bit 1: an explicit backend.
  Program& key_change(uint8_t len, uint8_t how, uint8_t suite = 0) {
    bytes({4, static_cast<uint8_t>(len - 1)}).bytes(pattern(len, 0x63));
    b.push_back(how);
    if (how & 1) b.push_back(suite);
    return *this;
  }
  Program& batch(const Buf& lens) {
    bytes({5, static_cast<uint8_t>(lens.size() - 1)});
    for (uint8_t len : lens) b.push_back(len), append(b, pattern(len, len));
    return *this;
  }
};

void roundtrip_corpus(const std::filesystem::path& dir) {
  // Flags of record_roundtrip_fuzzer.cc.
  constexpr uint8_t kCcs = 1, kOut = 2, kSmall = 4, kLimit = 16, kPadding = 32, kDamage = 64,
                    kCut = 128;
  Buf lens40;
  for (uint8_t i = 0; i < 40; ++i) lens40.push_back(static_cast<uint8_t>(i * 5));
  for (uint8_t suite = 0; suite < 3; ++suite) {
    const std::string tag = "_suite" + std::to_string(suite);
    // A client's view of a full handshake: ServerHello, change_cipher_spec, the encrypted flight
    // under handshake keys, then application keys, data and a KeyUpdate.
    Program full(suite, 0, 1, kCcs, 63, 0);
    full.bytes({0, 0});  // damage length and pattern, read whether or not damage is on
    full.handshake(90).ccs().key_change(200, 0).handshake(1000).key_change(36, 0).data(100)
        .data(0, 2).batch(lens40).key_change(5, 0).data(3000).alert(0);
    save_seed(dir, "handshake" + tag, full.b);
    Program out(suite, 1, 0, kCcs | kOut, 4, 9);
    out.bytes({0, 0}).bytes(Buf(full.b.begin() + 8, full.b.end()));
    save_seed(dir, "handshake_out_of_place" + tag, out.b);
    // Damaged: the same stream with bytes flipped in its protected part, and cut short.
    const Buf ops(full.b.begin() + 8, full.b.end());
    Program dmg(suite, 2, 0, kCcs | kDamage, 63, 0);
    dmg.bytes({0, 1, 40, 3, 0x11}).bytes(ops);
    save_seed(dir, "damaged" + tag, dmg.b);
    Program dmg_tag(suite, 0, 2, kCcs | kDamage | kOut, 5, 0);
    dmg_tag.bytes({0, 1, 0x55, 0, 0x01}).bytes(ops);
    save_seed(dir, "damaged_one_bit" + tag, dmg_tag.b);
    Program cut(suite, 0, 0, kCcs | kCut, 63, 0);
    cut.bytes({0, 0}).bytes({0, 1, 44}).bytes(ops);
    save_seed(dir, "cut" + tag, cut.b);
  }
  // Suite changes and explicit backends, a record size limit and a padding policy.
  Program change(0, 1, 0, kLimit | kPadding, 63, 0);
  change.u16(500 - 64).bytes({32}).bytes({0, 0});
  change.key_change(20, 3, 1).data(600, 0).handshake(2000).key_change(20, 1, 2).data(499)
      .key_change(20, 2).alert(80).batch({1, 2, 3});
  save_seed(dir, "suite_changes_limit_padding", change.b);
  // Largest records, out of place into a small buffer, one record per call, byte by byte.
  Program large(2, 0, 0, kSmall, 0, 1);
  large.u16(100).bytes({0, 0}).key_change(1, 0).data(16384).handshake(40000).data(16384, 2);
  save_seed(dir, "large_records", large.b);
  save_seed(dir, "empty", {});
}

}  // namespace
}  // namespace volley::fuzz

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_seed_corpus DIR  (writes DIR/record_reader, ...)\n");
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  volley::fuzz::reader_corpus(dir / "record_reader");
  volley::fuzz::roundtrip_corpus(dir / "record_roundtrip");
  return 0;
}
