// The record framing layer: RecordReader across key changes (client Finished or KeyUpdate followed
// by records under the next key in one buffer, in place and into a separate buffer, on every
// backend), plaintext records before keys, the change_cipher_spec rules, RecordWriter's records
// (RFC 8448 byte for byte), and the alert registry.
#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/record_helpers.h"
#include "volley/alert.h"
#include "volley/key_schedule.h"
#include "volley/record.h"
#include "volley/record_reader.h"
#include "volley/record_writer.h"
#include "volley/sha2.h"
#include "volley/x25519.h"

namespace volley {
namespace {

using test::Buffer;
using test::hex;
using test::init_from_secret;
using test::keys_from_secret;
using test::to_hex;

Buffer concat(std::initializer_list<const Buffer*> parts) {
  Buffer out;
  for (const Buffer* p : parts) out.insert(out.end(), p->begin(), p->end());
  return out;
}

Buffer content_of(const OpenedRecord& r) { return Buffer(r.content.begin(), r.content.end()); }

// plaintext_record frames |content| as a TLSPlaintext record of |type| by hand.
Buffer plaintext_record(uint8_t type, const Buffer& content, uint16_t version = 0x0303) {
  Buffer r = {type, static_cast<uint8_t>(version >> 8), static_cast<uint8_t>(version),
              static_cast<uint8_t>(content.size() >> 8), static_cast<uint8_t>(content.size())};
  r.insert(r.end(), content.begin(), content.end());
  return r;
}

const Buffer kCcs = {20, 3, 3, 0, 1, 1};

// ---------------------------------------------------------------------------------------------
// Key changes inside one buffer, every suite on every backend.

class KeyChange : public ::testing::TestWithParam<test::SuiteBackend> {
 protected:
  const CipherSuite& suite() const { return *GetParam().suite; }
  const std::string& backend() const { return GetParam().backend; }

  Buffer secret(uint8_t seed) const {
    Buffer s(suite().hash_len);
    for (size_t i = 0; i < s.size(); ++i) s[i] = static_cast<uint8_t>(seed * 31 + 5 * i);
    return s;
  }

  static Buffer seal(RecordProtection& tx, ContentType type, const Buffer& content,
                     size_t padding = 0) {
    Buffer out(RecordProtection::sealed_size(content.size(), padding));
    const Bytes piece(content);
    SealEntry e{type, Pieces(&piece, 1), padding, out, 0};
    EXPECT_EQ(tx.seal(e), RecordStatus::kOk);
    return out;
  }

  // Sender: |before| records of application data under key A, then one handshake record under A
  // (the key change: Finished or KeyUpdate), then |after| application records under key B, all in
  // one buffer. Paddings and sizes vary so that runs of one shape and mixed ones both occur.
  struct Stream {
    Buffer bytes;
    std::vector<Buffer> contents;  // in order, the handshake record's included
    size_t change_index;           // index of the handshake record
    size_t change_end;             // offset just past it
  };

  Stream make_stream(size_t before, size_t after, std::mt19937_64& rng) {
    RecordProtection a, b;
    EXPECT_EQ(init_from_secret(a, suite(), secret(1), backend()), Status::kOk);
    EXPECT_EQ(init_from_secret(b, suite(), secret(2), backend()), Status::kOk);
    Stream s;
    auto add = [&](RecordProtection& tx, ContentType type) {
      Buffer c(rng() % 3 == 0 ? 64 : rng() % 700 + 1);
      for (auto& x : c) x = static_cast<uint8_t>(rng());
      const size_t padding = rng() % 4 == 0 ? rng() % 50 : 0;
      const Buffer r = seal(tx, type, c, padding);
      s.bytes.insert(s.bytes.end(), r.begin(), r.end());
      s.contents.push_back(c);
    };
    for (size_t i = 0; i < before; ++i) add(a, ContentType::kApplicationData);
    add(a, ContentType::kHandshake);
    s.change_index = before;
    s.change_end = s.bytes.size();
    for (size_t i = 0; i < after; ++i) add(b, ContentType::kApplicationData);
    return s;
  }

  // check_key_change reads |s| with a reader on key A, in place or into a separate buffer: the
  // first calls return the records up to and including the handshake record and stop there,
  // spending exactly those sequence numbers and leaving every later byte as it was; after the
  // reader installs key B, the rest comes out.
  void check_key_change(const Stream& s, bool in_place) {
    RecordReader rx;
    ASSERT_EQ(init_from_secret(rx, suite(), secret(1), backend()), Status::kOk);
    Buffer stream = s.bytes;
    Buffer out(in_place ? 0 : stream.size(), 0xee);
    std::vector<OpenedRecord> rec(s.contents.size() + 8);
    size_t pos = 0;
    size_t got = 0;
    auto read_from = [&](size_t from) {
      std::span<OpenedRecord> slots = std::span<OpenedRecord>(rec).subspan(got);
      if (in_place) return rx.read(slots, MutableBytes(stream).subspan(from));
      return rx.read(slots, MutableBytes(out).subspan(from), Bytes(stream).subspan(from));
    };
    // Up to the key change: possibly several calls (32 records per kernel batch, any number per
    // call), the last of which ends on the handshake record.
    while (got <= s.change_index) {
      const ReadResult r = read_from(pos);
      ASSERT_EQ(r.status, RecordStatus::kOk) << "record " << got;
      ASSERT_GT(r.records, 0u);
      got += r.records;
      pos += r.consumed;
    }
    ASSERT_EQ(got, s.change_index + 1) << "the read ran past the key change";
    EXPECT_EQ(rec[s.change_index].type, ContentType::kHandshake);
    EXPECT_EQ(pos, s.change_end);
    EXPECT_EQ(rx.protection().sequence(), s.change_index + 1);
    // Nothing after the key change was altered: the ciphertext is intact in place; in the separate
    // buffer past the change there is only the 0xee filler or the zeros that wiped what the old
    // key decrypted, no plaintext.
    EXPECT_TRUE(std::equal(stream.begin() + s.change_end, stream.end(),
                           s.bytes.begin() + s.change_end))
        << "records under the next key were modified";
    if (!in_place) {
      EXPECT_TRUE(std::all_of(out.begin() + s.change_end, out.end(),
                              [](uint8_t x) { return x == 0xee || x == 0; }))
          << "unauthenticated plaintext was left in the output buffer";
    }

    ASSERT_EQ(rx.install_keys(suite(), keys_from_secret(suite(), secret(2))), Status::kOk);
    EXPECT_EQ(rx.protection().backend_name(), backend());
    EXPECT_EQ(rx.protection().sequence(), 0u);
    while (pos < stream.size()) {
      const ReadResult r = read_from(pos);
      ASSERT_EQ(r.status, RecordStatus::kOk) << "record " << got;
      ASSERT_GT(r.records, 0u);
      got += r.records;
      pos += r.consumed;
    }
    ASSERT_EQ(got, s.contents.size());
    EXPECT_EQ(rx.protection().sequence(), s.contents.size() - s.change_index - 1);
    for (size_t i = 0; i < s.contents.size(); ++i) {
      EXPECT_EQ(content_of(rec[i]), s.contents[i]) << "record " << i;
      if (i != s.change_index) {
        EXPECT_EQ(rec[i].type, ContentType::kApplicationData) << i;
      }
    }
  }
};

// The common case: the client's Finished and its first request in one segment.
TEST_P(KeyChange, FinishedThenApplicationData) {
  std::mt19937_64 rng(1);
  for (size_t after : {size_t{1}, size_t{3}, size_t{31}, size_t{32}, size_t{40}}) {
    SCOPED_TRACE("records after: " + std::to_string(after));
    const Stream s = make_stream(0, after, rng);
    check_key_change(s, true);
    check_key_change(s, false);
  }
}

// A KeyUpdate among application records, at every position of a kernel batch and past it.
TEST_P(KeyChange, KeyUpdateAtEveryBatchPosition) {
  std::mt19937_64 rng(2);
  for (size_t before : {size_t{1}, size_t{5}, size_t{30}, size_t{31}, size_t{32}, size_t{33},
                        size_t{63}, size_t{64}, size_t{70}}) {
    SCOPED_TRACE("records before: " + std::to_string(before));
    const Stream s = make_stream(before, 9, rng);
    check_key_change(s, true);
    check_key_change(s, false);
  }
}

// A failure after the key change record is not reached while the reader is on the old key: it is
// the next key's business. The record that fails under the next key gives its alert then.
TEST_P(KeyChange, TamperingAfterTheChangeIsFoundUnderTheNextKey) {
  std::mt19937_64 rng(3);
  Stream s = make_stream(2, 4, rng);
  s.bytes[s.change_end + 10] ^= 1;  // inside the first record under the next key
  RecordReader rx;
  ASSERT_EQ(init_from_secret(rx, suite(), secret(1), backend()), Status::kOk);
  std::vector<OpenedRecord> rec(16);
  ReadResult r = rx.read(rec, s.bytes);
  ASSERT_EQ(r.status, RecordStatus::kOk);
  ASSERT_EQ(r.records, 3u);
  ASSERT_EQ(rx.install_keys(suite(), keys_from_secret(suite(), secret(2))), Status::kOk);
  r = rx.read(rec, MutableBytes(s.bytes).subspan(r.consumed));
  EXPECT_EQ(r.status, RecordStatus::kAlert);
  EXPECT_EQ(r.alert, AlertDescription::kBadRecordMac);
  EXPECT_EQ(r.records, 0u);
}

INSTANTIATE_TEST_SUITE_P(AllSuitesAndBackends, KeyChange,
                         ::testing::ValuesIn(test::all_suite_backends()),
                         test::suite_backend_name);

// RFC 8448 §3 byte for byte: the client's Finished (client handshake key) and its application
// data (client application key), back to back in one buffer, read by the server.
class Rfc8448KeyChange : public test::BackendTest {};

TEST_P(Rfc8448KeyChange, ClientFinishedThenApplicationData) {
  const test::Rfc8448 rfc = test::load_rfc8448("[Simple_1RTT_Handshake]");
  const Buffer& finished = rfc["Record_ClientFinished"];
  const Buffer& data = rfc["Record_Client_AppData"];
  for (bool in_place : {true, false}) {
    Buffer stream = concat({&finished, &data});
    const Buffer original = stream;
    Buffer out(stream.size());
    RecordReader server;
    ASSERT_EQ(init_from_secret(server, kTlsAes128GcmSha256,
                               hex(test::kRfc8448ClientHandshakeSecret), backend()),
              Status::kOk);
    OpenedRecord rec[4];
    auto read = [&](size_t from) {
      if (in_place) return server.read(rec, MutableBytes(stream).subspan(from));
      return server.read(rec, MutableBytes(out).subspan(from), Bytes(stream).subspan(from));
    };
    ReadResult r = read(0);
    ASSERT_EQ(r.status, RecordStatus::kOk);
    ASSERT_EQ(r.records, 1u);
    EXPECT_EQ(r.consumed, finished.size());
    EXPECT_EQ(rec[0].type, ContentType::kHandshake);
    ASSERT_FALSE(rec[0].content.empty());
    EXPECT_EQ(rec[0].content[0], 20);  // Finished
    EXPECT_TRUE(std::equal(stream.begin() + finished.size(), stream.end(),
                           original.begin() + finished.size()));
    ASSERT_EQ(server.install_keys(kTlsAes128GcmSha256,
                                  keys_from_secret(kTlsAes128GcmSha256,
                                                   hex(test::kRfc8448ClientAppSecret))),
              Status::kOk);
    r = read(finished.size());
    ASSERT_EQ(r.status, RecordStatus::kOk);
    ASSERT_EQ(r.records, 1u);
    EXPECT_EQ(r.consumed, data.size());
    EXPECT_EQ(rec[0].type, ContentType::kApplicationData);
    EXPECT_EQ(to_hex(rec[0].content.data(), rec[0].content.size()),
              to_hex(rfc["Client_AppData"]));
  }
}

VOLLEY_INSTANTIATE_FOR_EACH_BACKEND(Rfc8448KeyChange, dispatch::Family::kAesGcm);

// ---------------------------------------------------------------------------------------------
// Plaintext records before keys.

TEST(RecordReaderPlaintext, HandshakeAndAlertPassThrough) {
  const test::Rfc8448 rfc = test::load_rfc8448("[Simple_1RTT_Handshake]");
  // The ClientHello record of RFC 8448 carries legacy_record_version 0x0301; it is ignored.
  Buffer hello = rfc["Record_ClientHello_1"];
  ASSERT_EQ(hello[2], 0x01);
  RecordReader server;
  OpenedRecord rec[2];
  ReadResult r = server.read(rec, hello);
  ASSERT_EQ(r.status, RecordStatus::kOk);
  ASSERT_EQ(r.records, 1u);
  EXPECT_EQ(r.consumed, hello.size());
  EXPECT_EQ(rec[0].type, ContentType::kHandshake);
  EXPECT_EQ(rec[0].content.data(), hello.data() + 5);  // in place: not copied
  EXPECT_EQ(rec[0].content.size(), hello.size() - 5);

  // ServerHello then a plaintext alert: one record per call (the caller acts on each first).
  const Buffer alert = plaintext_record(21, {2, 40});
  Buffer stream = concat({&rfc["Record_ServerHello"], &alert});
  RecordReader client;
  r = client.read(rec, stream);
  ASSERT_EQ(r.records, 1u);
  EXPECT_EQ(to_hex(rec[0].content.data(), rec[0].content.size()),
            to_hex(rfc["Message_ServerHello"]));
  r = client.read(rec, MutableBytes(stream).subspan(r.consumed));
  ASSERT_EQ(r.status, RecordStatus::kOk);
  ASSERT_EQ(r.records, 1u);
  EXPECT_EQ(rec[0].type, ContentType::kAlert);
  EXPECT_EQ(content_of(rec[0]), (Buffer{2, 40}));

  // Into a separate buffer: the content is copied to offset + 5, the stream is untouched.
  Buffer out(hello.size());
  RecordReader copy;
  r = copy.read(rec, out, Bytes(hello));
  ASSERT_EQ(r.records, 1u);
  EXPECT_EQ(rec[0].content.data(), out.data() + 5);
  EXPECT_EQ(to_hex(rec[0].content.data(), rec[0].content.size()),
            to_hex(hello.data() + 5, hello.size() - 5));
  // An output buffer too small for the first record says so rather than returning nothing.
  RecordReader small;
  Buffer tiny(hello.size() - 1);
  r = small.read(rec, tiny, Bytes(hello));
  EXPECT_EQ(r.status, RecordStatus::kOutputTooSmall);
  EXPECT_EQ(r.consumed, 0u);
}

TEST(RecordReaderPlaintext, SizeAndTypeRules) {
  auto read_one = [](Buffer stream) {
    RecordReader reader;
    OpenedRecord rec[1];
    return reader.read(rec, stream);
  };
  // 2^14 bytes of handshake is the most one record carries; one more is record_overflow.
  EXPECT_EQ(read_one(plaintext_record(22, Buffer(kMaxPlaintextLen, 1))).status, RecordStatus::kOk);
  Buffer over = plaintext_record(22, Buffer(kMaxPlaintextLen + 1, 1));
  EXPECT_EQ(read_one(over).alert, AlertDescription::kRecordOverflow);
  over.resize(5);  // the header alone already says it
  EXPECT_EQ(read_one(over).alert, AlertDescription::kRecordOverflow);
  // Empty handshake and alert records are unexpected_message; an alert of other than 2 bytes is
  // decode_error (RFC 8446 §5.1, §6).
  EXPECT_EQ(read_one(plaintext_record(22, {})).alert, AlertDescription::kUnexpectedMessage);
  EXPECT_EQ(read_one(plaintext_record(21, {})).alert, AlertDescription::kUnexpectedMessage);
  EXPECT_EQ(read_one(plaintext_record(21, {2})).alert, AlertDescription::kDecodeError);
  EXPECT_EQ(read_one(plaintext_record(21, {2, 10, 2})).alert, AlertDescription::kDecodeError);
  // application_data before keys, change_cipher_spec outside its window, unassigned types.
  for (uint8_t type : {0, 1, 19, 20, 23, 24, 0x80, 0xff}) {
    const ReadResult r = read_one(plaintext_record(type, {1}));
    EXPECT_EQ(r.status, RecordStatus::kAlert) << int{type};
    EXPECT_EQ(r.alert, AlertDescription::kUnexpectedMessage) << int{type};
  }
  // Any legacy_record_version.
  for (uint16_t v : {0x0000, 0x0300, 0x0301, 0x0302, 0x0303, 0x0304, 0xfefd, 0xffff}) {
    EXPECT_EQ(read_one(plaintext_record(22, {1, 0, 0, 0}, v)).status, RecordStatus::kOk) << v;
  }
  // Truncation anywhere consumes nothing and asks for more.
  const Buffer full = plaintext_record(22, Buffer(40, 9));
  for (size_t cut = 1; cut < full.size(); ++cut) {
    const ReadResult r = read_one(Buffer(full.begin(), full.begin() + cut));
    EXPECT_EQ(r.status, RecordStatus::kNeedMoreData) << cut;
    EXPECT_EQ(r.consumed, 0u);
  }
  EXPECT_EQ(read_one({}).status, RecordStatus::kOk);
}

TEST(RecordReaderPlaintext, PlaintextAfterKeysIsUnexpected) {
  RecordReader reader;
  ASSERT_EQ(reader.install_keys(kTlsAes128GcmSha256,
                                keys_from_secret(kTlsAes128GcmSha256, Buffer(32, 3))),
            Status::kOk);
  for (uint8_t type : {21, 22}) {
    RecordReader r2;
    ASSERT_EQ(r2.install_keys(kTlsAes128GcmSha256,
                              keys_from_secret(kTlsAes128GcmSha256, Buffer(32, 3))),
              Status::kOk);
    Buffer record = plaintext_record(type, {2, 40});
    OpenedRecord rec[1];
    EXPECT_EQ(r2.read(rec, record).alert, AlertDescription::kUnexpectedMessage) << int{type};
  }
}

// ---------------------------------------------------------------------------------------------
// change_cipher_spec (RFC 8446 §5, Appendix D.4).

TEST(RecordReaderCcs, DroppedOnceInsideTheWindow) {
  const test::Rfc8448 rfc = test::load_rfc8448("[Simple_1RTT_Handshake]");
  // The server's first flight in middlebox compatibility mode: ServerHello, change_cipher_spec,
  // then the protected handshake records, in one buffer.
  Buffer stream =
      concat({&rfc["Record_ServerHello"], &kCcs, &rfc["Record_ServerHandshakeMessages"]});
  RecordReader client;
  client.allow_change_cipher_spec(true);
  OpenedRecord rec[4];
  ReadResult r = client.read(rec, stream);
  ASSERT_EQ(r.records, 1u);  // ServerHello
  size_t pos = r.consumed;
  ASSERT_EQ(client.install_keys(kTlsAes128GcmSha256,
                                keys_from_secret(kTlsAes128GcmSha256,
                                                 hex(test::kRfc8448ServerHandshakeSecret))),
            Status::kOk);
  r = client.read(rec, MutableBytes(stream).subspan(pos));
  ASSERT_EQ(r.status, RecordStatus::kOk);
  ASSERT_EQ(r.records, 1u);  // the change_cipher_spec was dropped, the flight opened
  EXPECT_EQ(r.consumed, kCcs.size() + rfc["Record_ServerHandshakeMessages"].size());
  EXPECT_EQ(rec[0].type, ContentType::kHandshake);
  EXPECT_EQ(rec[0].content[0], 8);  // EncryptedExtensions first

  // A second change_cipher_spec, even inside the window, is unexpected_message.
  Buffer again = kCcs;
  r = client.read(rec, again);
  EXPECT_EQ(r.status, RecordStatus::kAlert);
  EXPECT_EQ(r.alert, AlertDescription::kUnexpectedMessage);
}

TEST(RecordReaderCcs, RefusedOutsideTheWindowOrMalformed) {
  auto read_with = [](bool window, Buffer stream) {
    RecordReader reader;
    reader.allow_change_cipher_spec(window);
    OpenedRecord rec[1];
    return reader.read(rec, stream);
  };
  // Before the first ClientHello or after the peer's Finished (window closed).
  EXPECT_EQ(read_with(false, kCcs).alert, AlertDescription::kUnexpectedMessage);
  // Inside it: exactly the byte 0x01, nothing more, nothing less.
  const ReadResult ok = read_with(true, kCcs);
  EXPECT_EQ(ok.status, RecordStatus::kOk);
  EXPECT_EQ(ok.records, 0u);
  EXPECT_EQ(ok.consumed, kCcs.size());
  EXPECT_EQ(read_with(true, {20, 3, 3, 0, 1, 2}).alert, AlertDescription::kUnexpectedMessage);
  EXPECT_EQ(read_with(true, {20, 3, 3, 0, 1, 0}).alert, AlertDescription::kUnexpectedMessage);
  EXPECT_EQ(read_with(true, {20, 3, 3, 0, 2, 1, 1}).alert, AlertDescription::kUnexpectedMessage);
  EXPECT_EQ(read_with(true, {20, 3, 3, 0, 0}).alert, AlertDescription::kUnexpectedMessage);
  // A partial one waits.
  EXPECT_EQ(read_with(true, {20, 3, 3, 0, 1}).status, RecordStatus::kNeedMoreData);

  // The window closes again (peer Finished received).
  RecordReader reader;
  reader.allow_change_cipher_spec(true);
  reader.allow_change_cipher_spec(false);
  Buffer ccs = kCcs;
  OpenedRecord rec[1];
  EXPECT_EQ(reader.read(rec, ccs).alert, AlertDescription::kUnexpectedMessage);
}

// A protected record whose inner type is change_cipher_spec, or any type but 21, 22, 23, is
// unexpected_message: built with the AEAD underneath, since the sealer refuses such types.
TEST(RecordReaderCcs, ProtectedInnerTypesOtherThanAlertHandshakeDataRefused) {
  const TrafficKeys keys = keys_from_secret(kTlsChaCha20Poly1305Sha256, Buffer(32, 8));
  AeadKey aead;
  ASSERT_EQ(aead.init(kChaCha20Poly1305, keys.key()), Status::kOk);
  for (uint8_t type : {1, 19, 20, 24, 0xff}) {
    const Buffer inner = {0x01, type};  // content 0x01, then the type
    Buffer record = {23, 3, 3, 0, static_cast<uint8_t>(inner.size() + 16)};
    record.resize(5 + inner.size() + 16);
    const Bytes piece(inner);
    ASSERT_EQ(aead.seal(MutableBytes(record.data() + 5, inner.size() + 16), keys.iv(),
                        Bytes(record.data(), 5), Pieces(&piece, 1)),
              Status::kOk);
    RecordReader reader;
    reader.allow_change_cipher_spec(true);
    ASSERT_EQ(reader.install_keys(kTlsChaCha20Poly1305Sha256, keys), Status::kOk);
    OpenedRecord rec[1];
    const ReadResult r = reader.read(rec, record);
    EXPECT_EQ(r.status, RecordStatus::kAlert) << int{type};
    EXPECT_EQ(r.alert, AlertDescription::kUnexpectedMessage) << int{type};
    EXPECT_EQ(reader.protection().sequence(), 0u);
    // No refused plaintext is left behind.
    EXPECT_TRUE(std::all_of(record.begin() + 5, record.begin() + 5 + inner.size(),
                            [](uint8_t x) { return x == 0; }));
  }
}

// ---------------------------------------------------------------------------------------------
// RecordWriter.

TEST(RecordWriter, PlaintextRecordsMatchRfc8448) {
  const test::Rfc8448 rfc = test::load_rfc8448("[Simple_1RTT_Handshake]");
  const Buffer& hello_record = rfc["Record_ClientHello_1"];
  const Buffer hello(hello_record.begin() + 5, hello_record.end());
  RecordWriter client;
  client.set_plaintext_version(0x0301);
  Buffer out(client.handshake_size(hello.size()));
  WriteResult w = client.write_handshake(out, hello);
  ASSERT_EQ(w.status, RecordStatus::kOk);
  EXPECT_EQ(to_hex(out.data(), w.written), to_hex(hello_record));

  RecordWriter server;
  const Buffer& sh = rfc["Message_ServerHello"];
  out.assign(server.handshake_size(sh.size()), 0);
  w = server.write_handshake(out, sh);
  ASSERT_EQ(w.status, RecordStatus::kOk);
  EXPECT_EQ(to_hex(out.data(), w.written), to_hex(rfc["Record_ServerHello"]));

  // The server's protected flight: one record, as RFC 8448 has it.
  ASSERT_EQ(server.install_keys(kTlsAes128GcmSha256,
                                keys_from_secret(kTlsAes128GcmSha256,
                                                 hex(test::kRfc8448ServerHandshakeSecret))),
            Status::kOk);
  Buffer flight;
  for (const char* m : {"Message_EncryptedExtensions", "Message_Server_Certificate",
                        "Message_Server_CertificateVerify", "Message_Server_Finished"}) {
    flight.insert(flight.end(), rfc[m].begin(), rfc[m].end());
  }
  out.assign(server.handshake_size(flight.size()), 0);
  w = server.write_handshake(out, flight);
  ASSERT_EQ(w.status, RecordStatus::kOk);
  EXPECT_EQ(to_hex(out.data(), w.written), to_hex(rfc["Record_ServerHandshakeMessages"]));

  // close_notify under the application key: RFC 8448's record (sequence 2 on the server side).
  ASSERT_EQ(server.install_keys(kTlsAes128GcmSha256,
                                keys_from_secret(kTlsAes128GcmSha256,
                                                 hex(test::kRfc8448ServerAppSecret))),
            Status::kOk);
  ASSERT_EQ(server.protection().advance_sequence(2), Status::kOk);
  out.assign(64, 0);
  w = server.write_alert(out, AlertDescription::kCloseNotify);
  ASSERT_EQ(w.status, RecordStatus::kOk);
  EXPECT_EQ(to_hex(out.data(), w.written), to_hex(rfc["Record_Server_CloseNotify"]));
}

TEST(RecordWriter, LongMessagesAreSplitAndReadBack) {
  std::mt19937_64 rng(4);
  Buffer message(40000);
  for (auto& x : message) x = static_cast<uint8_t>(rng());
  for (bool protect : {false, true}) {
    RecordWriter writer;
    RecordReader reader;
    if (protect) {
      const TrafficKeys keys = keys_from_secret(kTlsAes256GcmSha384, Buffer(48, 6));
      ASSERT_EQ(writer.install_keys(kTlsAes256GcmSha384, keys), Status::kOk);
      ASSERT_EQ(reader.install_keys(kTlsAes256GcmSha384, keys), Status::kOk);
      // The peer's record_size_limit (RFC 8449) bounds protected fragments.
      ASSERT_EQ(writer.protection().set_record_size_limit(1000), Status::kOk);
      writer.protection().set_padding_policy(PaddingPolicy{64});
    }
    Buffer out(writer.handshake_size(message.size()));
    // Whole or nothing: one byte short writes nothing and spends no sequence number.
    WriteResult w = writer.write_handshake(MutableBytes(out).first(out.size() - 1), message);
    EXPECT_EQ(w.status, RecordStatus::kOutputTooSmall);
    EXPECT_EQ(w.written, 0u);
    EXPECT_EQ(writer.protection().sequence(), 0u);
    w = writer.write_handshake(out, message);
    ASSERT_EQ(w.status, RecordStatus::kOk);
    ASSERT_EQ(w.written, out.size());
    const size_t fragment = protect ? 999 : kMaxPlaintextLen;
    const size_t records = (message.size() + fragment - 1) / fragment;
    Buffer joined;
    size_t pos = 0;
    OpenedRecord rec[1];
    for (size_t i = 0; i < records; ++i) {
      const ReadResult r = reader.read(rec, MutableBytes(out).subspan(pos));
      ASSERT_EQ(r.status, RecordStatus::kOk) << i;
      ASSERT_EQ(r.records, 1u) << i;
      EXPECT_EQ(rec[0].type, ContentType::kHandshake);
      EXPECT_LE(rec[0].content.size(), fragment);
      joined.insert(joined.end(), rec[0].content.begin(), rec[0].content.end());
      pos += r.consumed;
    }
    EXPECT_EQ(pos, out.size());
    EXPECT_EQ(joined, message);
  }
}

TEST(RecordWriter, AlertsAndChangeCipherSpec) {
  RecordWriter writer;
  Buffer out(64);
  WriteResult w = writer.write_alert(out, AlertDescription::kHandshakeFailure);
  ASSERT_EQ(w.status, RecordStatus::kOk);
  EXPECT_EQ(to_hex(out.data(), w.written), "15030300020228");
  w = writer.write_alert(out, AlertDescription::kCloseNotify);
  EXPECT_EQ(to_hex(out.data(), w.written), "1503030002" "0100");  // closure alerts: warning
  w = writer.write_change_cipher_spec(out);
  ASSERT_EQ(w.status, RecordStatus::kOk);
  EXPECT_EQ(to_hex(out.data(), w.written), to_hex(kCcs));
  EXPECT_EQ(writer.write_change_cipher_spec(MutableBytes(out).first(5)).status,
            RecordStatus::kOutputTooSmall);
  EXPECT_EQ(writer.write_handshake(out, {}).status, RecordStatus::kInvalidContentType);
  // A message overlapping the output is refused.
  EXPECT_EQ(writer.write_handshake(out, Bytes(out).subspan(2, 10)).status,
            RecordStatus::kBadAliasing);

  // Protected: the reader gets the alert back with its type.
  const TrafficKeys keys = keys_from_secret(kTlsAes128GcmSha256, Buffer(32, 2));
  ASSERT_EQ(writer.install_keys(kTlsAes128GcmSha256, keys), Status::kOk);
  w = writer.write_alert(out, AlertDescription::kDecryptError);
  ASSERT_EQ(w.status, RecordStatus::kOk);
  EXPECT_EQ(w.written, RecordProtection::sealed_size(2, 0));
  RecordReader reader;
  ASSERT_EQ(reader.install_keys(kTlsAes128GcmSha256, keys), Status::kOk);
  OpenedRecord rec[1];
  const ReadResult r = reader.read(rec, MutableBytes(out).first(w.written));
  ASSERT_EQ(r.records, 1u);
  EXPECT_EQ(rec[0].type, ContentType::kAlert);
  EXPECT_EQ(content_of(rec[0]), (Buffer{2, 51}));
}

// ---------------------------------------------------------------------------------------------
// RFC 8448 §4 (resumed 0-RTT handshake) and §5 (HelloRetryRequest): every protected record of
// those sections of transcripts.vec, sealed by RecordProtection and by RecordWriter byte for byte
// and read back by RecordReader, with secrets derived by volley's key schedule from the file's
// messages and checked against the values the RFC prints (record_helpers.h).

Buffer body_of(const Buffer& record) { return Buffer(record.begin() + 5, record.end()); }

Buffer sha256_of(std::initializer_list<const Buffer*> parts) {
  const Buffer all = concat(parts);
  Buffer h(32);
  sha256(std::span<uint8_t, 32>(h.data(), 32), all);
  return h;
}

std::string hex_of(const Secret& s) { return to_hex(s.bytes().data(), s.size()); }

// split_records cuts a buffer of back-to-back records at their header lengths.
std::vector<Buffer> split_records(const Buffer& stream) {
  std::vector<Buffer> out;
  for (size_t pos = 0; pos + 5 <= stream.size();) {
    const size_t len = 5 + (size_t{stream[pos + 3]} << 8 | stream[pos + 4]);
    out.emplace_back(stream.begin() + pos, stream.begin() + pos + len);
    pos += len;
  }
  return out;
}

class Rfc8448MoreRecords : public test::BackendTest {
 protected:
  // check seals |content| as |type| at sequence number |seq| of |secret| with RecordProtection
  // and (handshake and alert records) with RecordWriter, compares both with |expected|, then reads
  // |expected| back in place and into a separate buffer.
  void check(const char* what, const std::string& secret, uint64_t seq, ContentType type,
             const Buffer& content, const Buffer& expected) {
    SCOPED_TRACE(std::string(what) + " at sequence number " + std::to_string(seq));
    const CipherSuite& suite = kTlsAes128GcmSha256;
    const TrafficKeys keys = keys_from_secret(suite, hex(secret));
    RecordProtection tx;
    ASSERT_EQ(tx.init(suite, keys, backend()), Status::kOk);
    test::set_sequence(tx, seq);
    Buffer out(RecordProtection::sealed_size(content.size(), 0));
    const Bytes piece(content);
    SealEntry e{type, Pieces(&piece, 1), 0, out, 0};
    ASSERT_EQ(tx.seal(e), RecordStatus::kOk);
    EXPECT_EQ(to_hex(out), to_hex(expected));

    if (type != ContentType::kApplicationData) {
      RecordWriter writer;
      ASSERT_EQ(writer.install_keys(suite, keys, backend()), Status::kOk);
      test::set_sequence(writer.protection(), seq);
      Buffer wout(expected.size() + 8, 0xee);
      const WriteResult w =
          type == ContentType::kHandshake
              ? writer.write_handshake(wout, content)
              : writer.write_alert(wout, static_cast<AlertDescription>(content[1]));
      ASSERT_EQ(w.status, RecordStatus::kOk);
      EXPECT_EQ(to_hex(wout.data(), w.written), to_hex(expected));
      EXPECT_EQ(writer.protection().sequence(), seq + 1);
    }

    for (bool in_place : {true, false}) {
      RecordReader rx;
      ASSERT_EQ(rx.install_keys(suite, keys, backend()), Status::kOk);
      test::set_sequence(rx, seq);
      Buffer stream = expected;
      Buffer sep(expected.size());
      OpenedRecord rec[2];
      const ReadResult r = in_place ? rx.read(rec, stream) : rx.read(rec, sep, Bytes(stream));
      ASSERT_EQ(r.status, RecordStatus::kOk) << "in place " << in_place;
      ASSERT_EQ(r.records, 1u);
      EXPECT_EQ(r.consumed, expected.size());
      EXPECT_EQ(rec[0].type, type);
      EXPECT_EQ(to_hex(content_of(rec[0])), to_hex(content));
      EXPECT_EQ(rx.protection().sequence(), seq + 1);
    }
  }
};

// RFC 8448 §4: a client resumes with the ticket of §3 and sends 0-RTT data.
TEST_P(Rfc8448MoreRecords, Resumed0Rtt) {
  const test::Rfc8448 rfc = test::load_rfc8448("[Resumed_0RTT_Handshake]");
  const CipherSuite& suite = kTlsAes128GcmSha256;
  const Buffer client_hello = body_of(rfc["Record_ClientHello_1"]);  // binders included
  const Buffer& server_hello = rfc["Message_ServerHello"];

  // (EC)DHE: the X25519 private keys follow the 32-byte randoms in the RNG pools; the peer's key
  // shares are the last 32 bytes of each hello's key_share (RFC 8446 §4.2.8).
  const Buffer& client_pool = rfc["Client_RNG_Pool"];
  const Buffer& server_pool = rfc["Server_RNG_Pool"];
  const Buffer client_priv(client_pool.begin() + 32, client_pool.begin() + 64);
  const Buffer server_priv(server_pool.begin() + 32, server_pool.begin() + 64);
  const Buffer share_tag = {0x00, 0x33, 0x00, 0x26, 0x00, 0x24, 0x00, 0x1d, 0x00, 0x20};
  const auto at = std::search(client_hello.begin(), client_hello.end(), share_tag.begin(),
                              share_tag.end());
  ASSERT_NE(at, client_hello.end());
  const Buffer client_pub(at + share_tag.size(), at + share_tag.size() + 32);
  const Buffer server_pub(server_hello.end() - 6 - 32, server_hello.end() - 6);
  uint8_t shared[32], shared2[32];
  ASSERT_EQ(x25519(shared, client_priv.data(), server_pub.data()), Status::kOk);
  ASSERT_EQ(x25519(shared2, server_priv.data(), client_pub.data()), Status::kOk);
  ASSERT_EQ(to_hex(shared, 32), test::kRfc8448ResumedEcdhe);
  ASSERT_EQ(to_hex(shared2, 32), test::kRfc8448ResumedEcdhe);

  // RFC 8446 §7.1: Early Secret from the PSK; c e traffic over ClientHello; the handshake secrets
  // over ClientHello..ServerHello.
  KeySchedule ks;
  ASSERT_EQ(ks.init(suite, hex(test::kRfc8448ResumedPsk)), Status::kOk);
  Secret early, c_hs, s_hs;
  ASSERT_EQ(ks.client_early_traffic_secret(&early, sha256_of({&client_hello})), Status::kOk);
  EXPECT_EQ(hex_of(early), test::kRfc8448ClientEarlySecret);
  ASSERT_EQ(ks.enter_handshake(Bytes(shared, 32)), Status::kOk);
  const Buffer hello_hash = sha256_of({&client_hello, &server_hello});
  ASSERT_EQ(ks.client_handshake_traffic_secret(&c_hs, hello_hash), Status::kOk);
  ASSERT_EQ(ks.server_handshake_traffic_secret(&s_hs, hello_hash), Status::kOk);
  EXPECT_EQ(hex_of(c_hs), test::kRfc8448ResumedClientHandshakeSecret);
  EXPECT_EQ(hex_of(s_hs), test::kRfc8448ResumedServerHandshakeSecret);

  // Early data: the first record under client_early_traffic_secret, sequence number 0.
  check("early data", test::kRfc8448ClientEarlySecret, 0, ContentType::kApplicationData,
        rfc["Client_EarlyAppData"], rfc["Record_Client_EarlyAppData"]);
  // The server's flight (EncryptedExtensions, Finished): server handshake key, 0. The file's
  // EncryptedExtensions are not the RFC's, and its record carries the Finished computed over them
  // (RFC 8446 §4.4.4), not Message_Server_Finished (the RFC's): derive it.
  const Buffer& ee = rfc["Message_EncryptedExtensions"];
  Buffer server_finished = {20, 0, 0, 32};
  server_finished.resize(36);
  ASSERT_EQ(finished_verify_data(suite, std::span<uint8_t>(server_finished).subspan(4), s_hs,
                                 sha256_of({&client_hello, &server_hello, &ee})),
            Status::kOk);
  EXPECT_NE(to_hex(server_finished), to_hex(rfc["Message_Server_Finished"]));
  check("server flight", test::kRfc8448ResumedServerHandshakeSecret, 0, ContentType::kHandshake,
        concat({&ee, &server_finished}), rfc["Record_ServerHandshakeMessages"]);
  // Record_ClientFinished is two records: EndOfEarlyData, the second record under the early key
  // (sequence number 1, RFC 8446 §4.5), then Finished, the first under the client handshake key.
  const std::vector<Buffer> flight = split_records(rfc["Record_ClientFinished"]);
  ASSERT_EQ(flight.size(), 2u);
  check("EndOfEarlyData", test::kRfc8448ClientEarlySecret, 1, ContentType::kHandshake,
        Buffer{5, 0, 0, 0}, flight[0]);
  check("client Finished", test::kRfc8448ResumedClientHandshakeSecret, 0, ContentType::kHandshake,
        hex(test::kRfc8448ResumedClientFinished), flight[1]);
  // Application data, then close_notify: 0 and 1 under each side's application key (the server
  // sends no NewSessionTicket in this connection).
  check("client data", test::kRfc8448ResumedClientAppSecret, 0, ContentType::kApplicationData,
        rfc["Client_AppData"], rfc["Record_Client_AppData"]);
  check("server data", test::kRfc8448ResumedServerAppSecret, 0, ContentType::kApplicationData,
        rfc["Server_AppData"], rfc["Record_Server_AppData"]);
  check("client close_notify", test::kRfc8448ResumedClientAppSecret, 1, ContentType::kAlert,
        Buffer{1, 0}, rfc["Record_Client_CloseNotify"]);
  check("server close_notify", test::kRfc8448ResumedServerAppSecret, 1, ContentType::kAlert,
        Buffer{1, 0}, rfc["Record_Server_CloseNotify"]);

  // The server reads the client's whole flight from one buffer: early data and EndOfEarlyData
  // under the early key (the read stops after the handshake record), then, after the key change,
  // Finished under the client handshake key.
  Buffer stream = concat({&rfc["Record_Client_EarlyAppData"], &rfc["Record_ClientFinished"]});
  RecordReader server;
  ASSERT_EQ(server.install_keys(
                suite, keys_from_secret(suite, hex(test::kRfc8448ClientEarlySecret)), backend()),
            Status::kOk);
  OpenedRecord rec[4];
  ReadResult r = server.read(rec, stream);
  ASSERT_EQ(r.status, RecordStatus::kOk);
  ASSERT_EQ(r.records, 2u);
  EXPECT_EQ(content_of(rec[0]), rfc["Client_EarlyAppData"]);
  EXPECT_EQ(rec[1].type, ContentType::kHandshake);
  EXPECT_EQ(content_of(rec[1]), (Buffer{5, 0, 0, 0}));
  ASSERT_EQ(server.install_keys(
                suite, keys_from_secret(suite, hex(test::kRfc8448ResumedClientHandshakeSecret))),
            Status::kOk);
  r = server.read(rec, MutableBytes(stream).subspan(r.consumed));
  ASSERT_EQ(r.status, RecordStatus::kOk);
  ASSERT_EQ(r.records, 1u);
  EXPECT_EQ(to_hex(content_of(rec[0])), test::kRfc8448ResumedClientFinished);
}

// RFC 8448 §5: the server asks for a P-256 share with a HelloRetryRequest. The transcript starts
// with message_hash (RFC 8446 §4.4.1) in place of the first ClientHello.
TEST_P(Rfc8448MoreRecords, HelloRetryRequest) {
  const test::Rfc8448 rfc = test::load_rfc8448("[HelloRetryRequest_Handshake]");
  const CipherSuite& suite = kTlsAes128GcmSha256;
  const Buffer ch1 = body_of(rfc["Record_ClientHello_1"]);
  const Buffer hrr = body_of(rfc["Record_HelloRetryRequest"]);
  const Buffer ch2 = body_of(rfc["Record_ClientHello_2"]);
  const Buffer& sh = rfc["Message_ServerHello"];
  Buffer message_hash = {254, 0, 0, 32};
  const Buffer ch1_hash = sha256_of({&ch1});
  message_hash.insert(message_hash.end(), ch1_hash.begin(), ch1_hash.end());

  KeySchedule ks;
  ASSERT_EQ(ks.init(suite), Status::kOk);
  ASSERT_EQ(ks.enter_handshake(hex(test::kRfc8448HrrEcdhe)), Status::kOk);
  const Buffer hello_hash = sha256_of({&message_hash, &hrr, &ch2, &sh});
  Secret c_hs, s_hs, c_ap, s_ap;
  ASSERT_EQ(ks.client_handshake_traffic_secret(&c_hs, hello_hash), Status::kOk);
  ASSERT_EQ(ks.server_handshake_traffic_secret(&s_hs, hello_hash), Status::kOk);
  EXPECT_EQ(hex_of(c_hs), test::kRfc8448HrrClientHandshakeSecret);
  EXPECT_EQ(hex_of(s_hs), test::kRfc8448HrrServerHandshakeSecret);
  const Buffer server_flight =
      concat({&rfc["Message_EncryptedExtensions"], &rfc["Message_Server_Certificate"],
              &rfc["Message_Server_CertificateVerify"], &rfc["Message_Server_Finished"]});
  const Buffer finished_hash = sha256_of({&message_hash, &hrr, &ch2, &sh, &server_flight});
  ASSERT_EQ(ks.enter_master(), Status::kOk);
  ASSERT_EQ(ks.client_application_traffic_secret(&c_ap, finished_hash), Status::kOk);
  ASSERT_EQ(ks.server_application_traffic_secret(&s_ap, finished_hash), Status::kOk);
  EXPECT_EQ(hex_of(c_ap), test::kRfc8448HrrClientAppSecret);
  EXPECT_EQ(hex_of(s_ap), test::kRfc8448HrrServerAppSecret);

  // The client's Finished (RFC 8446 §4.4.4) over ClientHello..server Finished.
  Buffer client_finished = {20, 0, 0, 32};
  client_finished.resize(36);
  ASSERT_EQ(finished_verify_data(suite, std::span<uint8_t>(client_finished).subspan(4), c_hs,
                                 finished_hash),
            Status::kOk);

  check("server flight", test::kRfc8448HrrServerHandshakeSecret, 0, ContentType::kHandshake,
        server_flight, rfc["Record_ServerHandshakeMessages"]);
  check("client Finished", test::kRfc8448HrrClientHandshakeSecret, 0, ContentType::kHandshake,
        client_finished, rfc["Record_ClientFinished"]);
  // Each side's first application record is its close_notify: sequence number 0.
  check("client close_notify", test::kRfc8448HrrClientAppSecret, 0, ContentType::kAlert,
        Buffer{1, 0}, rfc["Record_Client_CloseNotify"]);
  check("server close_notify", test::kRfc8448HrrServerAppSecret, 0, ContentType::kAlert,
        Buffer{1, 0}, rfc["Record_Server_CloseNotify"]);
}

VOLLEY_INSTANTIATE_FOR_EACH_BACKEND(Rfc8448MoreRecords, dispatch::Family::kAesGcm);

// ---------------------------------------------------------------------------------------------
// volley/alert.h

TEST(Alerts, RegistryNamesAndLevels) {
  struct Expected {
    uint8_t code;
    const char* name;
  };
  // RFC 8446 §6 (TLS 1.3's enum), in order.
  const Expected all[] = {
      {0, "close_notify"},        {10, "unexpected_message"},
      {20, "bad_record_mac"},     {22, "record_overflow"},
      {40, "handshake_failure"},  {42, "bad_certificate"},
      {43, "unsupported_certificate"}, {44, "certificate_revoked"},
      {45, "certificate_expired"}, {46, "certificate_unknown"},
      {47, "illegal_parameter"},  {48, "unknown_ca"},
      {49, "access_denied"},      {50, "decode_error"},
      {51, "decrypt_error"},      {70, "protocol_version"},
      {71, "insufficient_security"}, {80, "internal_error"},
      {86, "inappropriate_fallback"}, {90, "user_canceled"},
      {109, "missing_extension"}, {110, "unsupported_extension"},
      {112, "unrecognized_name"}, {113, "bad_certificate_status_response"},
      {115, "unknown_psk_identity"}, {116, "certificate_required"},
      {120, "no_application_protocol"},
  };
  size_t known = 0;
  for (int code = 0; code < 256; ++code) {
    const auto a = static_cast<AlertDescription>(code);
    const auto it = std::find_if(std::begin(all), std::end(all),
                                 [&](const Expected& e) { return e.code == code; });
    if (it == std::end(all)) {
      EXPECT_FALSE(is_known_alert(static_cast<uint8_t>(code))) << code;
      EXPECT_EQ(alert_name(a), "unknown_alert") << code;
      continue;
    }
    ++known;
    EXPECT_TRUE(is_known_alert(static_cast<uint8_t>(code)));
    EXPECT_EQ(alert_name(a), it->name);
    const bool closure = code == 0 || code == 90;
    EXPECT_EQ(is_closure_alert(a), closure) << code;
    EXPECT_EQ(alert_level(a), closure ? AlertLevel::kWarning : AlertLevel::kFatal) << code;
  }
  EXPECT_EQ(known, std::size(all));
}

}  // namespace
}  // namespace volley
