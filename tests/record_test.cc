// The batched TLS 1.3 record layer: RFC 8448 records byte for byte, round trips at every size
// boundary, mixed and multi-connection batches, tampering, truncation, overflow, reordering,
// replay, KeyUpdate and the limits — for all three suites on every available backend.
#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "gtest/gtest.h"
#include "tests/harness/backend_test.h"
#include "tests/harness/vectors.h"
#include "tests/record_helpers.h"
#include "volley/hkdf.h"
#include "volley/key_schedule.h"
#include "volley/record.h"
#include "volley/record_reader.h"

namespace volley {
namespace {

using test::Buffer;
using test::hex;
using test::init_from_secret;
using test::keys_from_secret;
using test::sealed_count;
using test::set_sequence;
using test::SuiteBackend;
using test::to_hex;

const char* const kServerHandshakeSecret = test::kRfc8448ServerHandshakeSecret;
const char* const kClientAppSecret = test::kRfc8448ClientAppSecret;
const char* const kServerAppSecret = test::kRfc8448ServerAppSecret;

class Rfc8448Records : public test::BackendTest {
 protected:
  void SetUp() override { rfc_ = test::load_rfc8448("[Simple_1RTT_Handshake]"); }

  template <typename Side>
  void init(Side& side, const char* secret, uint64_t seq) {
    ASSERT_EQ(init_from_secret(side, kTlsAes128GcmSha256, hex(secret), backend()), Status::kOk);
    set_sequence(side, seq);
  }

  // Seals |content| as |type| with no padding and checks the record equals |expected|; then opens
  // |expected| and checks it gives back |content|.
  void check(const char* secret, uint64_t seq, ContentType type, const Buffer& content,
             const Buffer& expected) {
    RecordProtection tx;
    init(tx, secret, seq);
    Buffer out(RecordProtection::sealed_size(content.size(), 0));
    const Bytes piece(content);
    SealEntry e{type, Pieces(&piece, 1), 0, out, 0};
    ASSERT_EQ(tx.seal(e), RecordStatus::kOk);
    ASSERT_EQ(e.written, out.size());
    EXPECT_EQ(to_hex(out), to_hex(expected));
    EXPECT_EQ(tx.sequence(), seq + 1);

    RecordReader rx;
    init(rx, secret, seq);
    Buffer stream = expected;
    OpenedRecord rec[2];
    const ReadResult r = rx.read(rec, stream);
    ASSERT_EQ(r.status, RecordStatus::kOk);
    ASSERT_EQ(r.records, 1u);
    EXPECT_EQ(r.consumed, expected.size());
    EXPECT_EQ(rec[0].type, type);
    EXPECT_EQ(to_hex(rec[0].content.data(), rec[0].content.size()), to_hex(content));
    EXPECT_EQ(rx.protection().sequence(), seq + 1);
  }

  test::Rfc8448 rfc_;
};

TEST_P(Rfc8448Records, ApplicationData) {
  // The server's first application-key record is its NewSessionTicket (seq 0), so its data is 1.
  check(kClientAppSecret, 0, ContentType::kApplicationData, rfc_["Client_AppData"],
        rfc_["Record_Client_AppData"]);
  check(kServerAppSecret, 1, ContentType::kApplicationData, rfc_["Server_AppData"],
        rfc_["Record_Server_AppData"]);
}

TEST_P(Rfc8448Records, CloseNotify) {
  const Buffer close_notify = {0x01, 0x00};  // alert level warning, close_notify
  check(kClientAppSecret, 1, ContentType::kAlert, close_notify, rfc_["Record_Client_CloseNotify"]);
  check(kServerAppSecret, 2, ContentType::kAlert, close_notify, rfc_["Record_Server_CloseNotify"]);
}

TEST_P(Rfc8448Records, HandshakeRecords) {
  Buffer server_flight = rfc_["Message_EncryptedExtensions"];
  for (const char* m : {"Message_Server_Certificate", "Message_Server_CertificateVerify",
                        "Message_Server_Finished"}) {
    const Buffer& b = rfc_[m];
    server_flight.insert(server_flight.end(), b.begin(), b.end());
  }
  check(kServerHandshakeSecret, 0, ContentType::kHandshake, server_flight,
        rfc_["Record_ServerHandshakeMessages"]);
}

TEST_P(Rfc8448Records, ApplicationStreamInOneCall) {
  // The server's records after the handshake, back to back: ticket, data, close_notify.
  Buffer stream = rfc_["Record_NewSessionTicket"];
  for (const char* r : {"Record_Server_AppData", "Record_Server_CloseNotify"}) {
    stream.insert(stream.end(), rfc_[r].begin(), rfc_[r].end());
  }
  // The reader returns after each record that is not application_data (the ticket, the alert), so
  // the stream takes two calls: the ticket; then the data and the alert.
  RecordReader rx;
  init(rx, kServerAppSecret, 0);
  OpenedRecord rec[4];
  ReadResult r = rx.read(rec, stream);
  ASSERT_EQ(r.status, RecordStatus::kOk);
  ASSERT_EQ(r.records, 1u);
  EXPECT_EQ(r.consumed, rfc_["Record_NewSessionTicket"].size());
  EXPECT_EQ(rec[0].type, ContentType::kHandshake);
  EXPECT_EQ(rec[0].content[0], 4);  // NewSessionTicket
  r = rx.read(rec, MutableBytes(stream).subspan(r.consumed));
  ASSERT_EQ(r.status, RecordStatus::kOk);
  ASSERT_EQ(r.records, 2u);
  EXPECT_EQ(r.consumed, stream.size() - rfc_["Record_NewSessionTicket"].size());
  EXPECT_EQ(rec[0].type, ContentType::kApplicationData);
  EXPECT_EQ(rec[1].type, ContentType::kAlert);
  EXPECT_EQ(rx.protection().sequence(), 3u);
}

VOLLEY_INSTANTIATE_FOR_EACH_BACKEND(Rfc8448Records, dispatch::Family::kAesGcm);

// ---------------------------------------------------------------------------------------------
// Every suite on every backend.

class RecordLayer : public ::testing::TestWithParam<SuiteBackend> {
 protected:
  // read_all reads |stream| in place to its end into |rec|, one read() call after another; each
  // call must return kOk and stop only after a record that is not application_data, or at the
  // end. Returns the number of records.
  static size_t read_all(RecordReader& rx, std::span<OpenedRecord> rec, Buffer& stream) {
    size_t records = 0;
    size_t pos = 0;
    while (pos < stream.size()) {
      const ReadResult r = rx.read(rec.subspan(records), MutableBytes(stream).subspan(pos));
      EXPECT_EQ(r.status, RecordStatus::kOk);
      if (r.status != RecordStatus::kOk || r.records == 0) break;
      records += r.records;
      pos += r.consumed;
      for (size_t i = records - r.records; i + 1 < records; ++i) {
        EXPECT_EQ(rec[i].type, ContentType::kApplicationData) << "record " << i;
      }
      if (pos < stream.size()) {
        EXPECT_NE(rec[records - 1].type, ContentType::kApplicationData) << "record " << records;
      }
    }
    EXPECT_EQ(pos, stream.size());
    return records;
  }

  const CipherSuite& suite() const { return *GetParam().suite; }

  Buffer secret(uint8_t seed) const {
    Buffer s(suite().hash_len);
    for (size_t i = 0; i < s.size(); ++i) s[i] = static_cast<uint8_t>(seed + 7 * i);
    return s;
  }

  void init_pair(RecordProtection& tx, RecordReader& rx, uint8_t seed = 1) {
    ASSERT_EQ(init_from_secret(tx, suite(), secret(seed), GetParam().backend), Status::kOk);
    ASSERT_EQ(init_from_secret(rx, suite(), secret(seed), GetParam().backend), Status::kOk);
    ASSERT_EQ(tx.backend_name(), GetParam().backend);
    ASSERT_EQ(rx.protection().backend_name(), GetParam().backend);
  }

  static Buffer random_bytes(std::mt19937_64& rng, size_t n) {
    Buffer b(n);
    for (auto& x : b) x = static_cast<uint8_t>(rng());
    return b;
  }

  // seal_one seals |content| into a fresh record buffer.
  static Buffer seal_one(RecordProtection& tx, const Buffer& content, size_t padding = 0,
                         ContentType type = ContentType::kApplicationData) {
    Buffer out(RecordProtection::sealed_size(content.size(), padding));
    const Bytes piece(content);
    SealEntry e{type, Pieces(&piece, 1), padding, out, 0};
    EXPECT_EQ(tx.seal(e), RecordStatus::kOk);
    return out;
  }

  // raw_record seals |inner| (content, type, padding: anything, even over every limit) as a
  // TLSCiphertext record at sequence number |seq| with the AEAD under the record layer, for
  // records volley's sealer refuses to make. Nonce: iv XOR the sequence number (RFC 8446 §5.3).
  Buffer raw_record(uint64_t seq, const Buffer& inner, uint8_t seed = 1) const {
    uint8_t key[32], iv[12];
    EXPECT_EQ(hkdf_expand_label(suite().hash, std::span<uint8_t>(key, suite().key_len),
                                secret(seed), "key", {}),
              Status::kOk);
    EXPECT_EQ(hkdf_expand_label(suite().hash, iv, secret(seed), "iv", {}), Status::kOk);
    for (int i = 0; i < 8; ++i) iv[11 - i] ^= static_cast<uint8_t>(seq >> (8 * i));
    AeadKey k;
    EXPECT_EQ(k.init(*suite().aead, Bytes(key, suite().key_len)), Status::kOk);
    const size_t len = inner.size() + 16;
    Buffer record(5 + len);
    record[0] = 23; record[1] = 3; record[2] = 3;
    record[3] = static_cast<uint8_t>(len >> 8);
    record[4] = static_cast<uint8_t>(len);
    const Bytes piece(inner);
    EXPECT_EQ(k.seal(MutableBytes(record.data() + 5, len), iv, Bytes(record.data(), 5),
                     Pieces(&piece, 1)),
              Status::kOk);
    return record;
  }

  // check_batch_equals_one_at_a_time seals records of |contents| with |paddings| in one
  // seal_batch call — in place or from their own buffer by index, and with |three_pieces| some in
  // three pieces — and checks that they equal the records sealed one at a time and that one open()
  // call returns them all.
  void check_batch_equals_one_at_a_time(const std::vector<Buffer>& contents,
                                        const std::vector<size_t>& paddings, bool three_pieces) {
    const size_t count = contents.size();
    RecordProtection batch_tx, single_tx;
    RecordReader rx;
    init_pair(batch_tx, rx);
    ASSERT_EQ(init_from_secret(single_tx, suite(), secret(1), GetParam().backend), Status::kOk);

    std::vector<Buffer> batch_out(count), single_out(count);
    std::vector<SealEntry> entries(count);
    std::vector<std::array<Bytes, 3>> pieces(count);
    for (size_t i = 0; i < count; ++i) {
      const Buffer& c = contents[i];
      batch_out[i].assign(RecordProtection::sealed_size(c.size(), paddings[i]), 0xee);
      size_t npieces = 1;
      if (i % 4 == 1) {
        // In place: the content already sits where the record carries it.
        std::copy(c.begin(), c.end(), batch_out[i].begin() + 5);
        pieces[i][0] = Bytes(batch_out[i].data() + 5, c.size());
      } else if (three_pieces && i % 4 == 2 && c.size() >= 2) {
        // Three pieces: two disjoint, the middle one in place.
        const size_t a = c.size() / 3, b = c.size() / 2;
        std::copy(c.begin() + a, c.begin() + b, batch_out[i].begin() + 5 + a);
        pieces[i] = {Bytes(c.data(), a), Bytes(batch_out[i].data() + 5 + a, b - a),
                     Bytes(c.data() + b, c.size() - b)};
        npieces = 3;
      } else {
        pieces[i][0] = Bytes(c);
      }
      // Some handshake records among them (never empty: RFC 8446 §5.1); each ends a read().
      entries[i] = {i % 7 == 3 && !c.empty() ? ContentType::kHandshake
                                              : ContentType::kApplicationData,
                    Pieces(pieces[i].data(), npieces), paddings[i], batch_out[i], 0};
      single_out[i] = seal_one(single_tx, c, paddings[i], entries[i].type);
    }
    RecordStatus status;
    ASSERT_EQ(sealed_count(batch_tx.seal_batch(entries), &status), count);
    ASSERT_EQ(status, RecordStatus::kOk);
    Buffer stream;
    for (size_t i = 0; i < count; ++i) {
      ASSERT_EQ(entries[i].written, batch_out[i].size());
      ASSERT_EQ(to_hex(batch_out[i]), to_hex(single_out[i])) << "record " << i;
      stream.insert(stream.end(), batch_out[i].begin(), batch_out[i].end());
    }
    std::vector<OpenedRecord> rec(count + 3);
    ASSERT_EQ(read_all(rx, rec, stream), count);
    for (size_t i = 0; i < count; ++i) {
      EXPECT_EQ(rec[i].type, entries[i].type);
      ASSERT_TRUE(std::equal(contents[i].begin(), contents[i].end(), rec[i].content.begin(),
                             rec[i].content.end()))
          << "record " << i;
    }
  }
};

TEST_P(RecordLayer, RoundTripAtSizeBoundaries) {
  std::vector<size_t> sizes;
  for (size_t base : {size_t{0}, size_t{16}, size_t{32}, size_t{64}, size_t{128}, size_t{256},
                      size_t{1024}, size_t{2048}, size_t{4096}, size_t{8192}, size_t{16384}}) {
    for (int d = -1; d <= 1; ++d) {
      if (base + d <= kMaxPlaintextLen && !(base == 0 && d < 0)) sizes.push_back(base + d);
    }
  }
  for (size_t s : {1, 15, 17, 63, 65, 1350}) sizes.push_back(s);
  std::mt19937_64 rng(42);
  for (int i = 0; i < 20; ++i) sizes.push_back(rng() % (kMaxPlaintextLen + 1));

  RecordProtection tx;
  RecordReader rx;
  init_pair(tx, rx);
  for (size_t size : sizes) {
    for (size_t padding : {size_t{0}, size_t{1}, size_t{31}}) {
      if (size + 1 + padding > kMaxInnerPlaintextLen) continue;
      const Buffer content = random_bytes(rng, size);
      Buffer record = seal_one(tx, content, padding);
      ASSERT_EQ(record.size(), 5 + size + 1 + padding + 16);
      OpenedRecord rec[1];
      const ReadResult r = rx.read(rec, record);
      ASSERT_EQ(r.status, RecordStatus::kOk) << "size " << size << " padding " << padding;
      ASSERT_EQ(r.records, 1u);
      ASSERT_TRUE(std::equal(content.begin(), content.end(), rec[0].content.begin(),
                             rec[0].content.end()))
          << "size " << size << " padding " << padding;
    }
  }
  EXPECT_EQ(tx.sequence(), rx.protection().sequence());
}

// A mixed batch: random sizes, pieces in place or not, padding; sealed in one call it must give
// exactly the records sealed one at a time, and one open() call must return them all.
TEST_P(RecordLayer, MixedBatchEqualsOneAtATime) {
  std::mt19937_64 rng(7);
  constexpr size_t kRecords = 45;  // more than one internal chunk
  std::vector<Buffer> contents;
  std::vector<size_t> paddings;
  for (size_t i = 0; i < kRecords; ++i) {
    const size_t size = i % 5 == 0 ? rng() % 5000 : rng() % 300;
    contents.push_back(random_bytes(rng, size));
    paddings.push_back(i % 3 == 0 ? rng() % 40 : 0);
  }
  check_batch_equals_one_at_a_time(contents, paddings, true);
}

// Full-size records, which a read() opens in several kernel calls (each bounded by bytes, so that
// the content-type scan reads plaintext still in L1), come out as sealed one at a time.
TEST_P(RecordLayer, FullSizeRecordsAcrossKernelCalls) {
  std::mt19937_64 rng(8);
  std::vector<Buffer> contents;
  std::vector<size_t> paddings;
  for (size_t i = 0; i < 40; ++i) {
    contents.push_back(random_bytes(rng, i % 9 == 4 ? 100 : kMaxPlaintextLen));
    paddings.push_back(0);
  }
  check_batch_equals_one_at_a_time(contents, paddings, false);
}

// Runs of records of one size (which a kernel may seal as a run of consecutive sequence numbers),
// longer than one run, broken by a record of another size, by a long one from its own buffer (it
// takes a sequence number out of turn), by padding, and resumed.
TEST_P(RecordLayer, UniformRunsEqualOneAtATime) {
  std::mt19937_64 rng(11);
  for (size_t run_len : {size_t{0}, size_t{63}, size_t{64}, size_t{100}}) {
    std::vector<Buffer> contents;
    std::vector<size_t> paddings;
    for (size_t i = 0; i < 90; ++i) {
      size_t size = run_len;
      size_t padding = 0;
      if (i == 37 || i == 70) size = 3000;
      if (i == 50) size = run_len + 1;
      if (i == 51) padding = 7;
      contents.push_back(random_bytes(rng, size));
      paddings.push_back(padding);
    }
    SCOPED_TRACE("run of " + std::to_string(run_len) + "-byte records");
    check_batch_equals_one_at_a_time(contents, paddings, false);
  }
}

TEST_P(RecordLayer, OpenIntoSeparateBuffer) {
  std::mt19937_64 rng(3);
  RecordProtection tx;
  RecordReader rx;
  init_pair(tx, rx);
  Buffer stream;
  std::vector<Buffer> contents;
  for (int i = 0; i < 5; ++i) {
    contents.push_back(random_bytes(rng, 100 * i + 3));
    const Buffer r = seal_one(tx, contents.back());
    stream.insert(stream.end(), r.begin(), r.end());
  }
  const Buffer original = stream;
  Buffer out(stream.size());
  OpenedRecord rec[8];
  const ReadResult r = rx.read(rec, out, Bytes(stream));
  ASSERT_EQ(r.status, RecordStatus::kOk);
  ASSERT_EQ(r.records, 5u);
  EXPECT_EQ(stream, original);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(Buffer(rec[i].content.begin(), rec[i].content.end()), contents[i]);
    EXPECT_GE(rec[i].content.data(), out.data());
  }
  // Overlapping buffers are refused.
  RecordReader rx2;
  ASSERT_EQ(init_from_secret(rx2, suite(), secret(1), GetParam().backend), Status::kOk);
  EXPECT_EQ(rx2.read(rec, MutableBytes(stream.data() + 1, 10), Bytes(stream)).status,
            RecordStatus::kBadAliasing);
}

// Many connections in one seal_records call: 8 connections of the parameter's suite on the
// parameter's backend and two of each other suite on the best backend, their records interleaved,
// 96 records of the parameter's suite (three full 32-record kernel batches) among 136. Sizes are
// random with runs of one size, some long enough for the framed and zero-copy paths; paddings and
// types (application_data, handshake, alert) vary; some payloads are in place. Every record must
// equal the same record sealed alone by a twin of its connection, and its connection's reader must
// read them all back in order.
TEST_P(RecordLayer, ManyConnectionsInOneCall) {
  std::mt19937_64 rng(11);
  const std::string& backend = GetParam().backend;
  const CipherSuite* others[2] = {&kTlsAes128GcmSha256, &kTlsChaCha20Poly1305Sha256};
  if (&suite() == others[0]) others[0] = &kTlsAes256GcmSha384;
  if (&suite() == others[1]) others[1] = &kTlsAes256GcmSha384;
  constexpr size_t kOwn = 8, kConns = kOwn + 4;
  RecordProtection tx[kConns], twin[kConns];
  RecordReader rx[kConns];
  for (size_t c = 0; c < kConns; ++c) {
    const CipherSuite& s = c < kOwn ? suite() : *others[(c - kOwn) / 2];
    const std::string_view b = c < kOwn ? std::string_view(backend) : std::string_view();
    Buffer sec(s.hash_len, static_cast<uint8_t>(c + 1));
    ASSERT_EQ(init_from_secret(tx[c], s, sec, b), Status::kOk);
    ASSERT_EQ(init_from_secret(twin[c], s, sec, b), Status::kOk);
    ASSERT_EQ(init_from_secret(rx[c], s, sec, b), Status::kOk);
    // Different starting sequence numbers, so a record sealed under another's nonce would show.
    set_sequence(tx[c], 1000 * c);
    set_sequence(twin[c], 1000 * c);
    set_sequence(rx[c], 1000 * c);
  }
  constexpr size_t kOwnRecords = 3 * 32;
  std::vector<size_t> conn_of;
  for (size_t i = 0; i < kOwnRecords; ++i) {
    conn_of.push_back(rng() % kOwn);
    if (i % 3 == 2) conn_of.push_back(kOwn + rng() % 4);
  }
  const size_t n = conn_of.size();
  std::vector<Buffer> contents(n), outs(n);
  std::vector<Bytes> pieces(n);
  std::vector<MultiSealEntry> entries(n);
  size_t size = 0;
  for (size_t i = 0; i < n; ++i) {
    const size_t c = conn_of[i];
    ContentType type = ContentType::kApplicationData;
    if (rng() % 6 == 0) type = ContentType::kHandshake;
    if (rng() % 10 == 0) type = ContentType::kAlert;
    // A new size now and then; otherwise the same size again (runs).
    if (i % 4 == 0) {
      const uint64_t r = rng() % 10;
      size = r == 0 ? 2048 + rng() % 3000 : r == 1 ? 256 + rng() % 800 : rng() % 200;
    }
    size_t len = type == ContentType::kAlert ? kAlertLen : size;
    if (type == ContentType::kHandshake && len == 0) len = 1;  // never empty (RFC 8446 §5.1)
    contents[i] = random_bytes(rng, len);
    const size_t padding = rng() % 3 == 0 ? rng() % 300 : 0;
    outs[i].assign(RecordProtection::sealed_size(len, padding), 0xa5);
    if (rng() % 4 == 0) {  // in place
      std::copy(contents[i].begin(), contents[i].end(), outs[i].begin() + 5);
      pieces[i] = Bytes(outs[i].data() + 5, len);
    } else {
      pieces[i] = Bytes(contents[i]);
    }
    entries[i] = {&tx[c], SealEntry{type, Pieces(&pieces[i], 1), padding, outs[i], 0}};
  }
  RecordStatus status;
  ASSERT_EQ(sealed_count(seal_records(entries), &status), n);
  ASSERT_EQ(status, RecordStatus::kOk);

  std::vector<Buffer> streams(kConns);
  std::vector<std::vector<size_t>> order(kConns);
  for (size_t i = 0; i < n; ++i) {
    const size_t c = conn_of[i];
    const SealEntry& e = entries[i].record;
    ASSERT_EQ(e.written, outs[i].size()) << "record " << i;
    const Buffer alone = seal_one(twin[c], contents[i], e.padding, e.type);
    ASSERT_EQ(to_hex(outs[i]), to_hex(alone)) << "record " << i << " of connection " << c;
    streams[c].insert(streams[c].end(), outs[i].begin(), outs[i].end());
    order[c].push_back(i);
  }
  for (size_t c = 0; c < kConns; ++c) {
    EXPECT_EQ(tx[c].sequence(), twin[c].sequence()) << "connection " << c;
    std::vector<OpenedRecord> rec(order[c].size() + 1);
    ASSERT_EQ(read_all(rx[c], rec, streams[c]), order[c].size()) << "connection " << c;
    for (size_t k = 0; k < order[c].size(); ++k) {
      EXPECT_EQ(rec[k].type, entries[order[c][k]].record.type);
      ASSERT_EQ(Buffer(rec[k].content.begin(), rec[k].content.end()), contents[order[c][k]])
          << "connection " << c << " record " << k;
    }
  }
}

// Builds a stream of |n| records with random contents.
std::vector<Buffer> seal_stream(RecordProtection& tx, size_t n, std::mt19937_64& rng,
                                std::vector<Buffer>* contents) {
  std::vector<Buffer> records;
  for (size_t i = 0; i < n; ++i) {
    Buffer c(20 + rng() % 60);
    for (auto& x : c) x = static_cast<uint8_t>(rng());
    contents->push_back(c);
    Buffer out(RecordProtection::sealed_size(c.size(), 0));
    const Bytes piece(c);
    SealEntry e{ContentType::kApplicationData, Pieces(&piece, 1), 0, out, 0};
    EXPECT_EQ(tx.seal(e), RecordStatus::kOk);
    records.push_back(out);
  }
  return records;
}

Buffer concat(const std::vector<Buffer>& records) {
  Buffer s;
  for (const Buffer& r : records) s.insert(s.end(), r.begin(), r.end());
  return s;
}

TEST_P(RecordLayer, TamperedRecordFailsAndLeavesTheRestIntact) {
  std::mt19937_64 rng(5);
  RecordProtection tx;
  RecordReader unused;
  init_pair(tx, unused);
  std::vector<Buffer> contents;
  const auto records = seal_stream(tx, 6, rng, &contents);
  const Buffer clean = concat(records);
  const size_t bad = 3;
  size_t bad_start = 0;
  for (size_t i = 0; i < bad; ++i) bad_start += records[i].size();

  // Flip every bit position class: header (AAD), body, tag.
  for (size_t offset = 0; offset < records[bad].size(); ++offset) {
    for (uint8_t bit : {uint8_t{0x01}, uint8_t{0x80}}) {
      Buffer stream = clean;
      stream[bad_start + offset] ^= bit;
      RecordReader rx;
      ASSERT_EQ(init_from_secret(rx, suite(), secret(1), GetParam().backend), Status::kOk);
      OpenedRecord rec[8];
      const ReadResult r = rx.read(rec, stream);
      // A changed length field may also make the record run past the end of the stream.
      const bool length_field = offset == 3 || offset == 4;
      if (length_field && r.status == RecordStatus::kNeedMoreData) {
        ASSERT_EQ(r.records, bad);
        continue;
      }
      ASSERT_EQ(r.status, RecordStatus::kAlert) << "offset " << offset;
      // Earlier records are delivered, the sequence number counts only them.
      ASSERT_EQ(r.records, bad) << "offset " << offset;
      EXPECT_EQ(r.consumed, bad_start);
      EXPECT_EQ(rx.protection().sequence(), bad);
      for (size_t i = 0; i < bad; ++i) {
        EXPECT_EQ(Buffer(rec[i].content.begin(), rec[i].content.end()), contents[i]);
      }
      if (offset >= 5) {
        EXPECT_EQ(r.alert, AlertDescription::kBadRecordMac) << "offset " << offset;
        // The failed record's plaintext area is zeroed; later records are untouched ciphertext.
        const size_t body = records[bad].size() - 5 - 16;
        for (size_t k = 0; k < body; ++k) ASSERT_EQ(stream[bad_start + 5 + k], 0) << offset;
        const size_t later = bad_start + records[bad].size();
        ASSERT_TRUE(std::equal(stream.begin() + later, stream.end(), clean.begin() + later))
            << "records after the failed one were modified (offset " << offset << ")";
      }
    }
  }
}

TEST_P(RecordLayer, TruncationNeedsMoreData) {
  std::mt19937_64 rng(9);
  RecordProtection tx;
  RecordReader rx;
  init_pair(tx, rx);
  std::vector<Buffer> contents;
  const auto records = seal_stream(tx, 2, rng, &contents);
  const Buffer full = concat(records);
  for (size_t cut = records[0].size(); cut < full.size(); ++cut) {
    RecordReader r2;
    ASSERT_EQ(init_from_secret(r2, suite(), secret(1), GetParam().backend), Status::kOk);
    Buffer stream(full.begin(), full.begin() + cut);
    OpenedRecord rec[4];
    const ReadResult r = r2.read(rec, stream);
    ASSERT_EQ(r.status, cut == records[0].size() ? RecordStatus::kOk : RecordStatus::kNeedMoreData)
        << "cut " << cut;
    ASSERT_EQ(r.records, 1u);
    EXPECT_EQ(r.consumed, records[0].size());
  }
  // A partial first record consumes nothing.
  Buffer stream(full.begin(), full.begin() + 3);
  OpenedRecord rec[1];
  const ReadResult r = rx.read(rec, stream);
  EXPECT_EQ(r.status, RecordStatus::kNeedMoreData);
  EXPECT_EQ(r.records, 0u);
  EXPECT_EQ(rx.protection().sequence(), 0u);
}

// read() with fewer record slots than records: it returns that many, consumes exactly them, and
// the rest reads on the next call, in place and into a separate buffer.
TEST_P(RecordLayer, ReadStopsAtTheRecordsSpan) {
  std::mt19937_64 rng(31);
  RecordProtection tx;
  RecordReader unused;
  init_pair(tx, unused);
  std::vector<Buffer> contents;
  const auto records = seal_stream(tx, 5, rng, &contents);
  const Buffer clean = concat(records);
  for (bool in_place : {true, false}) {
    RecordReader rx;
    ASSERT_EQ(init_from_secret(rx, suite(), secret(1), GetParam().backend), Status::kOk);
    Buffer stream = clean, out(clean.size(), 0);
    OpenedRecord rec[5];
    auto read = [&](size_t slots, size_t from) {
      const std::span<OpenedRecord> r(rec, slots);
      if (in_place) return rx.read(r, MutableBytes(stream).subspan(from));
      return rx.read(r, MutableBytes(out).subspan(from), Bytes(stream).subspan(from));
    };
    ReadResult r = read(2, 0);
    ASSERT_EQ(r.status, RecordStatus::kOk);
    ASSERT_EQ(r.records, 2u);
    EXPECT_EQ(r.consumed, records[0].size() + records[1].size());
    EXPECT_EQ(rx.protection().sequence(), 2u);
    // The records not returned are untouched ciphertext.
    EXPECT_TRUE(std::equal(stream.begin() + r.consumed, stream.end(), clean.begin() + r.consumed));
    const size_t pos = r.consumed;
    r = read(5, pos);
    ASSERT_EQ(r.status, RecordStatus::kOk);
    ASSERT_EQ(r.records, 3u);
    EXPECT_EQ(pos + r.consumed, clean.size());
    for (size_t i = 0; i < 3; ++i) {
      EXPECT_EQ(Buffer(rec[i].content.begin(), rec[i].content.end()), contents[2 + i]);
    }
  }
}

// read() into a buffer with room for the first record only returns it (kOk); with room for none,
// kOutputTooSmall and nothing consumed, and the reader lives on.
TEST_P(RecordLayer, ReadIntoShortOutput) {
  std::mt19937_64 rng(32);
  RecordProtection tx;
  RecordReader rx;
  init_pair(tx, rx);
  std::vector<Buffer> contents;
  const auto records = seal_stream(tx, 3, rng, &contents);
  const Buffer stream = concat(records);
  Buffer out(stream.size(), 0);
  OpenedRecord rec[4];
  const size_t first = records[0].size();
  ReadResult r = rx.read(rec, MutableBytes(out).first(first + records[1].size() - 1), stream);
  EXPECT_EQ(r.status, RecordStatus::kOk);
  ASSERT_EQ(r.records, 1u);
  EXPECT_EQ(r.consumed, first);
  EXPECT_EQ(Buffer(rec[0].content.begin(), rec[0].content.end()), contents[0]);
  EXPECT_EQ(rx.protection().sequence(), 1u);

  const Bytes rest = Bytes(stream).subspan(first);
  r = rx.read(rec, MutableBytes(out).first(records[1].size() - 1), rest);
  EXPECT_EQ(r.status, RecordStatus::kOutputTooSmall);
  EXPECT_EQ(r.records, 0u);
  EXPECT_EQ(r.consumed, 0u);
  EXPECT_EQ(rx.protection().sequence(), 1u);
  EXPECT_FALSE(rx.failed());
  r = rx.read(rec, out, rest);
  EXPECT_EQ(r.status, RecordStatus::kOk);
  EXPECT_EQ(r.records, 2u);
}

// A record that fails while reading into a separate buffer leaves no plaintext there, neither its
// own nor that of the records after it that were decrypted in the same batch; the stream is not
// modified (RFC 8446 §5.2: nothing unauthenticated is released).
TEST_P(RecordLayer, FailedRecordWipesSeparateOutput) {
  std::mt19937_64 rng(33);
  RecordProtection tx;
  RecordReader unused;
  init_pair(tx, unused);
  std::vector<Buffer> contents;
  const auto records = seal_stream(tx, 6, rng, &contents);
  for (size_t bad : {size_t{0}, size_t{2}, size_t{5}}) {
    Buffer stream = concat(records);
    size_t start = 0;
    for (size_t i = 0; i < bad; ++i) start += records[i].size();
    stream[start + 5 + 3] ^= 0x40;  // a body byte
    const Buffer sent = stream;
    Buffer out(stream.size(), 0xa5);
    RecordReader rx;
    ASSERT_EQ(init_from_secret(rx, suite(), secret(1), GetParam().backend), Status::kOk);
    OpenedRecord rec[8];
    const ReadResult r = rx.read(rec, out, Bytes(stream));
    ASSERT_EQ(r.status, RecordStatus::kAlert);
    EXPECT_EQ(r.alert, AlertDescription::kBadRecordMac);
    ASSERT_EQ(r.records, bad);
    EXPECT_EQ(r.consumed, start);
    EXPECT_EQ(stream, sent);
    for (size_t i = 0; i < bad; ++i) {
      EXPECT_EQ(Buffer(rec[i].content.begin(), rec[i].content.end()), contents[i]);
    }
    // From the failed record on, |out| holds only the marker or zeros, never a content byte run.
    size_t pos = start;
    for (size_t i = bad; i < records.size(); ++i) {
      const Buffer there(out.begin() + pos + 5, out.begin() + pos + 5 + contents[i].size());
      EXPECT_NE(there, contents[i]) << "plaintext of record " << i << " left in the output";
      EXPECT_TRUE(std::all_of(there.begin(), there.end(),
                              [](uint8_t x) { return x == 0 || x == 0xa5; }))
          << "record " << i << " (failed: " << bad << ")";
      pos += records[i].size();
    }
  }
}

// The record size limit (RFC 8449) counts the whole TLSInnerPlaintext, padding included, on both
// sides: exactly at the limit is accepted, one byte over is kRecordTooLarge when sealing and
// record_overflow when reading; 2^14 + 1 is the most TLS 1.3 allows (RFC 8446 §5.2). The limit
// survives a key change (rekey, install_keys).
TEST_P(RecordLayer, RecordSizeLimitBoundaries) {
  for (size_t limit : {size_t{64}, size_t{1000}, kMaxInnerPlaintextLen}) {
    SCOPED_TRACE("limit " + std::to_string(limit));
    RecordProtection tx, big_tx;
    RecordReader rx;
    init_pair(tx, rx);
    ASSERT_EQ(init_from_secret(big_tx, suite(), secret(1), GetParam().backend), Status::kOk);
    ASSERT_EQ(tx.set_record_size_limit(limit), Status::kOk);
    ASSERT_EQ(rx.set_record_size_limit(limit), Status::kOk);
    Buffer out(RecordProtection::sealed_size(limit + 1, 0));
    auto seal = [&](RecordProtection& p, size_t content, size_t padding) {
      const Buffer c(content, 9);
      const Bytes piece(c);
      SealEntry e{ContentType::kApplicationData, Pieces(&piece, 1), padding, out, 0};
      const uint64_t seq = p.sequence();
      const RecordStatus s = p.seal(e);
      EXPECT_EQ(p.sequence(), s == RecordStatus::kOk ? seq + 1 : seq);
      return s;
    };
    // Sending: inner = content + 1 + padding.
    EXPECT_EQ(seal(tx, limit - 1, 0), RecordStatus::kOk);
    EXPECT_EQ(seal(tx, limit - 11, 10), RecordStatus::kOk);
    EXPECT_EQ(seal(tx, limit, 0), RecordStatus::kRecordTooLarge);
    EXPECT_EQ(seal(tx, limit - 1, 1), RecordStatus::kRecordTooLarge);
    EXPECT_EQ(seal(tx, limit - 11, 11), RecordStatus::kRecordTooLarge);

    // Receiving: records of inner length limit and limit + 1, with and without padding.
    auto read_inner = [&](size_t content, size_t padding) {
      RecordReader r2;
      EXPECT_EQ(init_from_secret(r2, suite(), secret(1), GetParam().backend), Status::kOk);
      EXPECT_EQ(r2.set_record_size_limit(limit), Status::kOk);
      Buffer inner(content, 9);
      inner.push_back(23);
      inner.resize(inner.size() + padding, 0);
      Buffer record = raw_record(0, inner);
      OpenedRecord rec[1];
      return r2.read(rec, record);
    };
    EXPECT_EQ(read_inner(limit - 1, 0).status, RecordStatus::kOk);
    EXPECT_EQ(read_inner(limit - 11, 10).status, RecordStatus::kOk);
    for (auto [content, padding] :
         {std::pair{limit, size_t{0}}, std::pair{limit - 11, size_t{11}}}) {
      const ReadResult r = read_inner(content, padding);
      EXPECT_EQ(r.status, RecordStatus::kAlert);
      EXPECT_EQ(r.alert, AlertDescription::kRecordOverflow) << content << " + " << padding;
    }

    // Kept across key changes.
    ASSERT_EQ(tx.rekey(keys_from_secret(suite(), secret(2))), Status::kOk);
    EXPECT_EQ(tx.record_size_limit(), limit);
    EXPECT_EQ(seal(tx, limit, 0), RecordStatus::kRecordTooLarge);
    EXPECT_EQ(seal(tx, limit - 1, 0), RecordStatus::kOk);
    ASSERT_EQ(rx.install_keys(suite(), keys_from_secret(suite(), secret(1))), Status::kOk);
    EXPECT_EQ(rx.protection().record_size_limit(), limit);
    Buffer inner(limit + 1, 9);
    inner.push_back(23);
    Buffer over = raw_record(0, inner);
    OpenedRecord rec[1];
    EXPECT_EQ(rx.read(rec, over).alert, AlertDescription::kRecordOverflow);
  }
}

TEST_P(RecordLayer, ReorderingAndReplayFail) {
  std::mt19937_64 rng(13);
  RecordProtection tx;
  RecordReader rx;
  init_pair(tx, rx);
  std::vector<Buffer> contents;
  auto records = seal_stream(tx, 3, rng, &contents);
  OpenedRecord rec[1];
  // Out of order: record 1 where 0 is expected.
  RecordReader early;
  ASSERT_EQ(init_from_secret(early, suite(), secret(1), GetParam().backend), Status::kOk);
  Buffer second = records[1];
  EXPECT_EQ(early.read(rec, second).alert, AlertDescription::kBadRecordMac);
  EXPECT_EQ(early.protection().sequence(), 0u);
  // Replayed: record 0 twice.
  Buffer first = records[0];
  ASSERT_EQ(rx.read(rec, first).status, RecordStatus::kOk);
  Buffer replay = records[0];
  EXPECT_EQ(rx.read(rec, replay).alert, AlertDescription::kBadRecordMac);
  EXPECT_EQ(rx.protection().sequence(), 1u);
  // The reader is dead after a failure: even the record that was due is refused, unread.
  Buffer due = records[1];
  const ReadResult r = rx.read(rec, due);
  EXPECT_EQ(r.status, RecordStatus::kAlert);
  EXPECT_EQ(r.alert, AlertDescription::kBadRecordMac);
  EXPECT_EQ(r.records, 0u);
  EXPECT_EQ(due, records[1]);
  EXPECT_TRUE(rx.failed());
}

TEST_P(RecordLayer, MalformedHeadersAndOverflow) {
  RecordProtection tx;
  RecordReader rx;
  init_pair(tx, rx);
  const Buffer record = seal_one(tx, Buffer(10, 0x42));
  OpenedRecord rec[1];
  auto open_modified = [&](auto modify) {
    RecordReader r2;
    EXPECT_EQ(init_from_secret(r2, suite(), secret(1), GetParam().backend), Status::kOk);
    Buffer s = record;
    modify(s);
    return r2.read(rec, s);
  };
  // Once keys are in use every record is application_data on the outside (RFC 8446 §5.2): another
  // type, assigned or not, is unexpected (§5).
  for (uint8_t type : {0, 20, 21, 22, 24, 0x97, 0xff}) {
    if (type == 20) continue;  // change_cipher_spec: see the reader's tests
    EXPECT_EQ(open_modified([&](Buffer& s) { s[0] = type; }).alert,
              AlertDescription::kUnexpectedMessage)
        << int{type};
  }
  // legacy_record_version is ignored (RFC 8446 §5.1) but is part of the AAD (§5.2): a changed
  // version fails authentication, it is not a decode error.
  EXPECT_EQ(open_modified([](Buffer& s) { s[1] = 0x02; }).alert, AlertDescription::kBadRecordMac);
  EXPECT_EQ(open_modified([](Buffer& s) { s[2] = 0x01; }).alert, AlertDescription::kBadRecordMac);
  // Length above 2^14 + 256.
  auto too_long = open_modified([](Buffer& s) {
    s[3] = static_cast<uint8_t>((kMaxCiphertextLen + 1) >> 8);
    s[4] = static_cast<uint8_t>(kMaxCiphertextLen + 1);
  });
  EXPECT_EQ(too_long.alert, AlertDescription::kRecordOverflow);
  // Shorter than a tag.
  auto too_short = open_modified([](Buffer& s) { s[3] = 0; s[4] = 15; });
  EXPECT_EQ(too_short.alert, AlertDescription::kBadRecordMac);

  // A ciphertext of 2^14 + 256 bytes is structurally fine but its inner plaintext is over the
  // 2^14 + 1 limit: record_overflow, without decrypting.
  Buffer big(5 + kMaxCiphertextLen, 0);
  big[0] = 23; big[1] = 3; big[2] = 3;
  big[3] = static_cast<uint8_t>(kMaxCiphertextLen >> 8);
  big[4] = static_cast<uint8_t>(kMaxCiphertextLen);
  EXPECT_EQ(rx.read(rec, big).alert, AlertDescription::kRecordOverflow);
}

// Each of the five header bytes changed, to several values, with the exact outcome, in place and
// into a separate buffer. The record has a 57-byte body (40 bytes of content + type + tag) and is
// followed by a second record, so a longer length can still be complete.
//   type (byte 0): anything but application_data is unexpected_message (RFC 8446 §5.2, §5);
//   version (1, 2): ignored as a field (§5.1), but the header is the AAD (§5.2): bad_record_mac;
//   length (3, 4): over 2^14 + 256, or an inner plaintext over the limit: record_overflow (§5.2);
//   shorter than a tag, or any other wrong length that the stream covers: bad_record_mac;
//   longer than the stream: kNeedMoreData.
TEST_P(RecordLayer, HeaderByteTampering) {
  RecordProtection tx;
  RecordReader unused;
  init_pair(tx, unused);
  const Buffer first = seal_one(tx, Buffer(40, 0x42));
  const Buffer second = seal_one(tx, Buffer(40, 0x43));
  ASSERT_EQ(first[4], 0x39);
  ASSERT_EQ(first[3], 0x00);
  struct Case {
    size_t byte;
    uint8_t value;
    bool alone;  // the record without the one after it
    RecordStatus status;
    AlertDescription alert;
  };
  const RecordStatus kA = RecordStatus::kAlert, kMore = RecordStatus::kNeedMoreData;
  const AlertDescription kUnexpected = AlertDescription::kUnexpectedMessage,
                         kMac = AlertDescription::kBadRecordMac,
                         kOverflow = AlertDescription::kRecordOverflow,
                         kNone = AlertDescription::kCloseNotify;
  const Case cases[] = {
      {0, 0x00, false, kA, kUnexpected},    {0, 20, false, kA, kUnexpected},
      {0, 21, false, kA, kUnexpected},      {0, 22, false, kA, kUnexpected},
      {0, 24, false, kA, kUnexpected},      {0, 0xff, false, kA, kUnexpected},
      {1, 0x00, false, kA, kMac},           {1, 0x02, false, kA, kMac},
      {1, 0xff, false, kA, kMac},           {2, 0x01, false, kA, kMac},
      {2, 0x04, false, kA, kMac},           {2, 0x00, false, kA, kMac},
      {3, 0x01, false, kMore, kNone},       // 0x0139: past the stream
      {3, 0x40, false, kA, kOverflow},      // 0x4039: inner plaintext over 2^14 + 1
      {3, 0x41, false, kA, kOverflow},      // 0x4139: over 2^14 + 256
      {3, 0xff, false, kA, kOverflow},      //
      {4, 0x00, false, kA, kMac},           // no room for a tag
      {4, 0x0f, false, kA, kMac},           //
      {4, 0x10, false, kA, kMac},           // a tag and nothing else: fails authentication
      {4, 0x38, false, kA, kMac},           // one short
      {4, 0x3a, false, kA, kMac},           // one long, the next record's first byte
      {4, 0x3a, true, kMore, kNone},        // one long, the stream ends
      {4, 0xff, false, kMore, kNone},       // past the stream
  };
  for (const Case& c : cases) {
    for (bool in_place : {true, false}) {
      SCOPED_TRACE("byte " + std::to_string(c.byte) + " = " + std::to_string(c.value) +
                   (c.alone ? " alone" : "") + (in_place ? " in place" : " separate"));
      Buffer stream = first;
      if (!c.alone) stream.insert(stream.end(), second.begin(), second.end());
      stream[c.byte] = c.value;
      const Buffer sent = stream;
      Buffer out(stream.size(), 0);
      RecordReader rx;
      ASSERT_EQ(init_from_secret(rx, suite(), secret(1), GetParam().backend), Status::kOk);
      OpenedRecord rec[4];
      const ReadResult r = in_place ? rx.read(rec, stream) : rx.read(rec, out, Bytes(stream));
      EXPECT_EQ(r.status, c.status);
      if (c.status == RecordStatus::kAlert) {
        EXPECT_EQ(r.alert, c.alert);
      }
      EXPECT_EQ(r.records, 0u);
      EXPECT_EQ(r.consumed, 0u);
      EXPECT_EQ(rx.protection().sequence(), 0u);
      EXPECT_EQ(rx.failed(), c.status == RecordStatus::kAlert);
      // Refused before decryption, or read into another buffer: the stream is as it came.
      if (!in_place || c.alert != kMac) {
        EXPECT_EQ(stream, sent);
      }
    }
  }
}

// A RecordProtection before init() refuses everything; re-initialised with other keys, it starts
// again at sequence number 0 and the old key's records no longer open.
TEST_P(RecordLayer, UninitialisedAndReinitialised) {
  RecordProtection none;
  const Buffer c(10, 1);
  const Bytes piece(c);
  Buffer out(RecordProtection::sealed_size(10, 0), 0xa5);
  SealEntry e{ContentType::kApplicationData, Pieces(&piece, 1), 0, out, 0};
  EXPECT_EQ(none.seal(e), RecordStatus::kNotInitialized);
  RecordStatus status;
  EXPECT_EQ(sealed_count(none.seal_batch(std::span<SealEntry>(&e, 1)), &status), 0u);
  EXPECT_EQ(status, RecordStatus::kNotInitialized);
  EXPECT_EQ(sealed_count(none.seal_batch({}), &status), 0u);
  EXPECT_EQ(status, RecordStatus::kOk);  // nothing asked, nothing refused
  MultiSealEntry m{&none, e};
  EXPECT_EQ(sealed_count(seal_records(std::span<MultiSealEntry>(&m, 1)), &status), 0u);
  EXPECT_EQ(status, RecordStatus::kNotInitialized);
  EXPECT_TRUE(std::all_of(out.begin(), out.end(), [](uint8_t x) { return x == 0xa5; }));
  EXPECT_EQ(none.advance_sequence(3), Status::kNotInitialized);
  EXPECT_EQ(none.rekey(keys_from_secret(suite(), secret(1))), Status::kNotInitialized);
  EXPECT_EQ(none.records_left(), 0u);
  EXPECT_FALSE(none.key_update_recommended());
  EXPECT_EQ(none.sequence(), 0u);

  // Re-initialised with other keys.
  RecordProtection tx;
  RecordReader rx;
  init_pair(tx, rx);
  std::mt19937_64 rng(41);
  std::vector<Buffer> contents;
  const auto old_records = seal_stream(tx, 3, rng, &contents);
  EXPECT_EQ(tx.sequence(), 3u);
  ASSERT_EQ(init_from_secret(tx, suite(), secret(7), GetParam().backend), Status::kOk);
  EXPECT_EQ(tx.sequence(), 0u);
  const Buffer fresh = seal_one(tx, c);
  RecordProtection other;
  ASSERT_EQ(init_from_secret(other, suite(), secret(7), GetParam().backend), Status::kOk);
  EXPECT_EQ(to_hex(fresh), to_hex(seal_one(other, c)));  // as sealed by a new object
  // The receiver re-initialised likewise: the old key's record 0 fails, the new one opens.
  ASSERT_EQ(init_from_secret(rx, suite(), secret(7), GetParam().backend), Status::kOk);
  EXPECT_EQ(rx.protection().sequence(), 0u);
  RecordReader rx2;
  ASSERT_EQ(init_from_secret(rx2, suite(), secret(7), GetParam().backend), Status::kOk);
  Buffer old0 = old_records[0];
  OpenedRecord rec[1];
  EXPECT_EQ(rx2.read(rec, old0).alert, AlertDescription::kBadRecordMac);
  Buffer copy = fresh;
  ASSERT_EQ(rx.read(rec, copy).status, RecordStatus::kOk);
  EXPECT_EQ(Buffer(rec[0].content.begin(), rec[0].content.end()), c);
}

// RecordStatus::kInvalidContentType promises a refusal for "a type that may not be protected
// (only 21, 22, 23 may), or an empty handshake or alert record (RFC 8446 §5.1, §5.4)", and the
// reader refuses such records with unexpected_message: the sealer must not make them.
TEST_P(RecordLayer, SealRefusesTypesTheReaderRefuses) {
  RecordProtection tx;
  RecordReader rx;
  init_pair(tx, rx);
  const Buffer two = {1, 0};
  struct Case {
    uint8_t type;
    size_t len;
  } cases[] = {{0, 2}, {20, 1}, {24, 2}, {0xff, 2}, {22, 0}, {21, 0}};
  for (const Case& k : cases) {
    // One piece (the fast path) and the same content in two pieces (the general one).
    for (size_t n_pieces : {size_t{1}, size_t{2}}) {
      const Bytes pieces[2] = {Bytes(two.data(), k.len / 2), Bytes(two.data() + k.len / 2,
                                                                   k.len - k.len / 2)};
      const Bytes whole(two.data(), k.len);
      Buffer out(RecordProtection::sealed_size(k.len, 0), 0xa5);
      SealEntry e{static_cast<ContentType>(k.type),
                  n_pieces == 1 ? Pieces(&whole, 1) : Pieces(pieces, 2), 0, out, 0};
      EXPECT_EQ(tx.seal(e), RecordStatus::kInvalidContentType)
          << int{k.type} << "/" << k.len << " in " << n_pieces;
      EXPECT_EQ(tx.sequence(), 0u);
      EXPECT_TRUE(std::all_of(out.begin(), out.end(), [](uint8_t x) { return x == 0xa5; }));
    }
  }
  // What may be sealed: the three types, and an empty application_data record.
  for (uint8_t type : {21, 22, 23}) {
    const Bytes piece(two.data(), 2);
    Buffer out(RecordProtection::sealed_size(2, 0));
    SealEntry e{static_cast<ContentType>(type), Pieces(&piece, 1), 0, out, 0};
    EXPECT_EQ(tx.seal(e), RecordStatus::kOk) << int{type};
  }
  Buffer out(RecordProtection::sealed_size(0, 0));
  SealEntry empty{ContentType::kApplicationData, Pieces(), 0, out, 0};
  EXPECT_EQ(tx.seal(empty), RecordStatus::kOk);
}

TEST_P(RecordLayer, AllZeroInnerPlaintextIsUnexpectedMessage) {
  // Authentic records whose inner plaintext has no content type, built with the AEAD directly.
  for (size_t zeros : {size_t{0}, size_t{1}, size_t{40}}) {
    RecordReader rx;
    ASSERT_EQ(init_from_secret(rx, suite(), secret(1), GetParam().backend), Status::kOk);
    uint8_t key[32], iv[12];
    ASSERT_EQ(hkdf_expand_label(suite().hash, std::span<uint8_t>(key, suite().key_len), secret(1),
                                "key", {}),
              Status::kOk);
    ASSERT_EQ(hkdf_expand_label(suite().hash, iv, secret(1), "iv", {}), Status::kOk);
    AeadKey k;
    ASSERT_EQ(k.init(*suite().aead, Bytes(key, suite().key_len)), Status::kOk);
    Buffer record(5 + zeros + 16, 0);
    record[0] = 23; record[1] = 3; record[2] = 3;
    record[3] = static_cast<uint8_t>((zeros + 16) >> 8);
    record[4] = static_cast<uint8_t>(zeros + 16);
    const Buffer plain(zeros, 0);
    const Bytes piece(plain);
    ASSERT_EQ(k.seal(MutableBytes(record.data() + 5, zeros + 16), iv, Bytes(record.data(), 5),
                     Pieces(&piece, 1)),
              Status::kOk);
    OpenedRecord rec[1];
    const ReadResult r = rx.read(rec, record);
    EXPECT_EQ(r.status, RecordStatus::kAlert);
    EXPECT_EQ(r.alert, AlertDescription::kUnexpectedMessage) << zeros;
    EXPECT_EQ(rx.protection().sequence(), 0u);
  }
}

TEST_P(RecordLayer, KeyUpdate) {
  RecordProtection tx;
  RecordReader rx;
  init_pair(tx, rx);
  std::mt19937_64 rng(17);
  std::vector<Buffer> contents;
  seal_stream(tx, 3, rng, &contents);
  // application_traffic_secret_1 = HKDF-Expand-Label(secret_0, "traffic upd", "", Hash.length)
  // (RFC 8446 §7.2), from the key schedule, checked against HKDF directly.
  Secret current, next;
  ASSERT_EQ(current.assign(secret(1)), Status::kOk);
  ASSERT_EQ(next_application_traffic_secret(suite(), &next, current), Status::kOk);
  Buffer expected_next(suite().hash_len);
  ASSERT_EQ(hkdf_expand_label(suite().hash, expected_next, secret(1), "traffic upd", {}),
            Status::kOk);
  ASSERT_EQ(to_hex(next.bytes().data(), next.size()), to_hex(expected_next));
  TrafficKeys next_keys;
  ASSERT_EQ(traffic_keys(suite(), &next_keys, next), Status::kOk);

  ASSERT_EQ(tx.rekey(next_keys), Status::kOk);
  EXPECT_EQ(tx.sequence(), 0u);
  EXPECT_EQ(tx.backend_name(), GetParam().backend);  // a forced backend stays forced
  const Buffer after = seal_one(tx, Buffer{1, 2, 3});

  // The old key at the same sequence number (0) cannot open it: it fails on the key alone.
  RecordReader old_key;
  ASSERT_EQ(init_from_secret(old_key, suite(), secret(1), GetParam().backend), Status::kOk);
  OpenedRecord rec[1];
  Buffer copy = after;
  EXPECT_EQ(old_key.read(rec, copy).alert, AlertDescription::kBadRecordMac);

  // The receiver installs the same next keys and opens it; so does a fresh one set up from the
  // next secret.
  ASSERT_EQ(rx.install_keys(suite(), next_keys), Status::kOk);
  EXPECT_EQ(rx.protection().backend_name(), GetParam().backend);
  copy = after;
  ASSERT_EQ(rx.read(rec, copy).status, RecordStatus::kOk);
  EXPECT_EQ(Buffer(rec[0].content.begin(), rec[0].content.end()), (Buffer{1, 2, 3}));
  RecordReader fresh;
  ASSERT_EQ(init_from_secret(fresh, suite(), expected_next, GetParam().backend), Status::kOk);
  copy = after;
  ASSERT_EQ(fresh.read(rec, copy).status, RecordStatus::kOk);

  // Chained updates: secret_2 from secret_1, both sides, records still open.
  Secret third;
  ASSERT_EQ(next_application_traffic_secret(suite(), &third, next), Status::kOk);
  TrafficKeys third_keys;
  ASSERT_EQ(traffic_keys(suite(), &third_keys, third), Status::kOk);
  ASSERT_EQ(tx.rekey(third_keys), Status::kOk);
  ASSERT_EQ(rx.install_keys(suite(), third_keys), Status::kOk);
  copy = seal_one(tx, Buffer{4, 5});
  ASSERT_EQ(rx.read(rec, copy).status, RecordStatus::kOk);
  EXPECT_EQ(Buffer(rec[0].content.begin(), rec[0].content.end()), (Buffer{4, 5}));
  EXPECT_EQ(rx.protection().backend_name(), GetParam().backend);

  // A rekey with keys of the wrong size wipes the object: nothing can be sealed afterwards.
  TrafficKeys wrong;
  ASSERT_EQ(wrong.assign(Buffer(suite().key_len == 16 ? 32 : 16, 1), Buffer(12, 2)), Status::kOk);
  EXPECT_EQ(tx.rekey(wrong), Status::kBadKeyLength);
  EXPECT_FALSE(tx.initialized());
  Buffer out(RecordProtection::sealed_size(3, 0));
  const Buffer c(3, 1);
  const Bytes piece(c);
  SealEntry e{ContentType::kApplicationData, Pieces(&piece, 1), 0, out, 0};
  EXPECT_EQ(tx.seal(e), RecordStatus::kNotInitialized);
  EXPECT_EQ(tx.rekey(next_keys), Status::kNotInitialized);
}

// The key usage limit (RFC 8446 §5.5) and the end of the sequence space, on every suite: both
// checks run whatever the suite, with what each suite does there. AES-GCM: 2^24.5 records per key,
// then kKeyUpdateRequired, which it keeps returning up to the last sequence number (batch_sealer's
// refusal() reports exhaustion only at UINT64_MAX: before that the key's limit is what stops it).
// ChaCha20-Poly1305 has no limit below the sequence space: it seals on at 2^24.5 and at
// UINT64_MAX - 1, and stops with kSequenceExhausted at UINT64_MAX, never used (§5.3: the sequence
// number must not wrap). Every refusal writes nothing and keeps the sequence number.
TEST_P(RecordLayer, UsageLimitsAndSequenceExhaustion) {
  constexpr uint64_t kAesLimit = 23726566;  // 2^24.5, rounded down
  const uint64_t limit = suite().aead->max_records_per_key;
  const bool aes = suite().aead->family == dispatch::Family::kAesGcm;
  EXPECT_EQ(limit, aes ? kAesLimit : UINT64_MAX);
  RecordProtection tx;
  RecordReader rx;
  init_pair(tx, rx);
  const Buffer content(5, 1);
  const Bytes piece(content);
  Buffer out(RecordProtection::sealed_size(5, 0));
  // try_seal seals at |seq|: on success the reader (moved to |seq|) must open it; on refusal
  // nothing may be written and the sequence number must stay.
  auto try_seal = [&](uint64_t seq) {
    set_sequence(tx, seq);
    std::fill(out.begin(), out.end(), 0xa5);
    SealEntry e{ContentType::kApplicationData, Pieces(&piece, 1), 0, out, 0};
    const RecordStatus s = tx.seal(e);
    if (s == RecordStatus::kOk) {
      EXPECT_EQ(tx.sequence(), seq + 1);
      RecordReader r2;
      EXPECT_EQ(init_from_secret(r2, suite(), secret(1), GetParam().backend), Status::kOk);
      set_sequence(r2, seq);
      OpenedRecord rec[1];
      Buffer copy = out;
      EXPECT_EQ(r2.read(rec, copy).status, RecordStatus::kOk) << seq;
    } else {
      EXPECT_EQ(tx.sequence(), seq);
      EXPECT_EQ(e.written, 0u);
      EXPECT_TRUE(std::all_of(out.begin(), out.end(), [](uint8_t x) { return x == 0xa5; }))
          << "a refused record wrote to its output at " << seq;
    }
    return s;
  };

  EXPECT_EQ(tx.records_left(), limit);
  EXPECT_FALSE(tx.key_update_recommended());
  set_sequence(tx, limit / 2);
  EXPECT_FALSE(tx.key_update_recommended());
  set_sequence(tx, limit - 2);
  EXPECT_TRUE(tx.key_update_recommended());  // recommended before the limit, not at it
  EXPECT_EQ(tx.records_left(), 2u);

  // At the AES limit: AES-GCM refuses, ChaCha20-Poly1305 seals on.
  EXPECT_EQ(try_seal(kAesLimit - 1), RecordStatus::kOk);
  EXPECT_EQ(tx.records_left(), aes ? 0 : UINT64_MAX - kAesLimit);
  EXPECT_EQ(tx.key_update_recommended(), aes);
  EXPECT_EQ(try_seal(kAesLimit), aes ? RecordStatus::kKeyUpdateRequired : RecordStatus::kOk);
  // The last two sequence numbers.
  EXPECT_EQ(try_seal(UINT64_MAX - 1), aes ? RecordStatus::kKeyUpdateRequired : RecordStatus::kOk);
  set_sequence(tx, UINT64_MAX - 1);
  EXPECT_EQ(tx.records_left(), aes ? 0u : 1u);
  EXPECT_TRUE(tx.key_update_recommended());
  EXPECT_EQ(try_seal(UINT64_MAX), RecordStatus::kSequenceExhausted);
  EXPECT_EQ(tx.records_left(), 0u);
  // Exhaustion comes before every other refusal (refusal()'s order): even a type-0 record.
  SealEntry bad{ContentType::kInvalid, Pieces(&piece, 1), 0, out, 0};
  EXPECT_EQ(tx.seal(bad), RecordStatus::kSequenceExhausted);

  // A batch across the end: the records before it are sealed, then the refusal.
  set_sequence(tx, limit - 2);
  std::vector<Buffer> outs(4, Buffer(RecordProtection::sealed_size(5, 0), 0xa5));
  std::vector<SealEntry> batch;
  for (Buffer& o : outs) batch.push_back({ContentType::kApplicationData, Pieces(&piece, 1), 0, o});
  RecordStatus status;
  EXPECT_EQ(sealed_count(tx.seal_batch(batch), &status), 2u);
  EXPECT_EQ(status, aes ? RecordStatus::kKeyUpdateRequired : RecordStatus::kSequenceExhausted);
  EXPECT_EQ(tx.sequence(), limit);
  EXPECT_TRUE(std::all_of(outs[2].begin(), outs[2].end(), [](uint8_t x) { return x == 0xa5; }));

  // A new key starts again at 0 with the whole allowance.
  ASSERT_EQ(tx.rekey(keys_from_secret(suite(), secret(2))), Status::kOk);
  EXPECT_EQ(tx.sequence(), 0u);
  EXPECT_EQ(tx.records_left(), limit);
  EXPECT_FALSE(tx.key_update_recommended());
}

// The test-only lowered usage limit (record_internal.h) that the soak test relies on: AES-GCM
// keys stop at it, recommend an update a sixteenth before it, and keep it across rekeys; a
// ChaCha20-Poly1305 key has no usage limit to lower.
TEST_P(RecordLayer, LoweredUsageLimit) {
  const bool aes = suite().aead->family == dispatch::Family::kAesGcm;
  RecordProtection tx;
  RecordReader rx;
  init_pair(tx, rx);
  record_internal::RecordProtectionAccess::lower_usage_limit(tx, 1600);
  const uint64_t limit = aes ? 1600 : UINT64_MAX;
  EXPECT_EQ(tx.records_left(), limit);
  set_sequence(tx, 1600 - 101);
  EXPECT_FALSE(tx.key_update_recommended());
  set_sequence(tx, 1600 - 100);
  EXPECT_EQ(tx.key_update_recommended(), aes);
  set_sequence(tx, 1600);
  const Buffer content(5, 1);
  const Bytes piece(content);
  Buffer out(RecordProtection::sealed_size(5, 0));
  SealEntry e{ContentType::kApplicationData, Pieces(&piece, 1), 0, out, 0};
  EXPECT_EQ(tx.seal(e), aes ? RecordStatus::kKeyUpdateRequired : RecordStatus::kOk);
  ASSERT_EQ(tx.rekey(keys_from_secret(suite(), secret(2))), Status::kOk);
  EXPECT_EQ(tx.records_left(), limit);
  record_internal::RecordProtectionAccess::lower_usage_limit(tx, UINT64_MAX);
  EXPECT_EQ(tx.records_left(), suite().aead->max_records_per_key);
}

// The receiving side: a sequence number is never used twice, so the reader stops before
// UINT64_MAX with kSequenceExhausted, having delivered the records before it. It enforces no
// AES usage limit: that is the sender's obligation (RFC 8446 §5.5).
TEST_P(RecordLayer, ReceiveSequenceExhaustion) {
  for (uint64_t first : {UINT64_MAX - 3, UINT64_MAX - 1}) {
    RecordReader rx;
    ASSERT_EQ(init_from_secret(rx, suite(), secret(1), GetParam().backend), Status::kOk);
    set_sequence(rx, first);
    Buffer stream;
    std::vector<Buffer> records;
    for (uint64_t k = 0; k < UINT64_MAX - first + 1; ++k) {
      // The record at UINT64_MAX cannot exist; any bytes of the right shape stand in for it.
      records.push_back(first + k == UINT64_MAX ? records.back()
                                                : raw_record(first + k, {7, 7, 7, 23}));
      stream.insert(stream.end(), records.back().begin(), records.back().end());
    }
    for (bool in_place : {true, false}) {
      RecordReader r2;
      ASSERT_EQ(init_from_secret(r2, suite(), secret(1), GetParam().backend), Status::kOk);
      set_sequence(r2, first);
      Buffer s = stream, out(stream.size());
      OpenedRecord rec[8];
      const ReadResult r = in_place ? r2.read(rec, s) : r2.read(rec, out, Bytes(s));
      EXPECT_EQ(r.status, RecordStatus::kSequenceExhausted);
      ASSERT_EQ(r.records, UINT64_MAX - first);
      EXPECT_EQ(r.consumed, stream.size() - records.back().size());
      for (size_t k = 0; k < r.records; ++k) {
        EXPECT_EQ(Buffer(rec[k].content.begin(), rec[k].content.end()), (Buffer{7, 7, 7}));
      }
      EXPECT_EQ(r2.protection().sequence(), UINT64_MAX);
      // Nothing more, ever, under this key; the last record stays unconsumed.
      Buffer last = records.back();
      const ReadResult again = r2.read(rec, last);
      EXPECT_EQ(again.status, RecordStatus::kSequenceExhausted);
      EXPECT_EQ(again.records, 0u);
      EXPECT_EQ(again.consumed, 0u);
    }
  }
  // Past the AES-GCM sending limit the reader still opens records.
  RecordReader rx;
  ASSERT_EQ(init_from_secret(rx, suite(), secret(1), GetParam().backend), Status::kOk);
  set_sequence(rx, 23726566);
  Buffer rec_at_limit = raw_record(23726566, {1, 23});
  OpenedRecord rec[1];
  EXPECT_EQ(rx.read(rec, rec_at_limit).status, RecordStatus::kOk);
}

TEST_P(RecordLayer, RecordSizeLimitAndPadding) {
  RecordProtection tx;
  RecordReader rx;
  init_pair(tx, rx);
  Buffer out(RecordProtection::sealed_size(kMaxPlaintextLen + 1, 0));
  auto seal_size = [&](size_t content, size_t padding) {
    const Buffer c(content, 7);
    const Bytes piece(c);
    SealEntry e{ContentType::kApplicationData, Pieces(&piece, 1), padding, out, 0};
    return tx.seal(e);
  };
  EXPECT_EQ(seal_size(kMaxPlaintextLen, 0), RecordStatus::kOk);
  EXPECT_EQ(seal_size(kMaxPlaintextLen + 1, 0), RecordStatus::kRecordTooLarge);
  EXPECT_EQ(seal_size(kMaxPlaintextLen, 1), RecordStatus::kRecordTooLarge);
  EXPECT_EQ(seal_size(10, SIZE_MAX - 3), RecordStatus::kRecordTooLarge);

  EXPECT_EQ(tx.set_record_size_limit(63), Status::kInvalidArgument);
  EXPECT_EQ(tx.set_record_size_limit(kMaxInnerPlaintextLen + 1), Status::kInvalidArgument);
  ASSERT_EQ(tx.set_record_size_limit(64), Status::kOk);
  EXPECT_EQ(tx.max_content_len(), 63u);
  const uint64_t seq = tx.sequence();
  EXPECT_EQ(seal_size(64, 0), RecordStatus::kRecordTooLarge);
  EXPECT_EQ(tx.sequence(), seq);  // a refused record takes no sequence number
  EXPECT_EQ(seal_size(63, 0), RecordStatus::kOk);

  // Output too small.
  const Buffer c(10, 7);
  const Bytes piece(c);
  Buffer small(RecordProtection::sealed_size(10, 0) - 1);
  SealEntry e{ContentType::kApplicationData, Pieces(&piece, 1), 0, small, 0};
  EXPECT_EQ(tx.seal(e), RecordStatus::kOutputTooSmall);

  // A receiver with a 64-byte limit refuses a 100-byte inner plaintext.
  RecordProtection big_tx;
  RecordReader small_rx;
  init_pair(big_tx, small_rx, 9);
  ASSERT_EQ(small_rx.set_record_size_limit(64), Status::kOk);
  Buffer record = seal_one(big_tx, Buffer(99, 1));
  OpenedRecord rec[1];
  EXPECT_EQ(small_rx.read(rec, record).alert, AlertDescription::kRecordOverflow);

  // Padding policy: inner plaintext padded to a multiple of 32.
  RecordProtection ptx;
  RecordReader prx;
  init_pair(ptx, prx, 3);
  ptx.set_padding_policy(PaddingPolicy{32});
  EXPECT_EQ(ptx.padding_for(10), 21u);
  EXPECT_EQ(ptx.padding_for(31), 0u);
  const Buffer content(10, 5);
  const Bytes p(content);
  Buffer padded(RecordProtection::sealed_size(10, ptx.padding_for(10)));
  SealEntry pe{ContentType::kApplicationData, Pieces(&p, 1), kPolicyPadding, padded, 0};
  ASSERT_EQ(ptx.seal(pe), RecordStatus::kOk);
  EXPECT_EQ(pe.written, 5u + 32 + 16);
  ASSERT_EQ(prx.read(rec, padded).status, RecordStatus::kOk);
  EXPECT_EQ(Buffer(rec[0].content.begin(), rec[0].content.end()), content);
}

TEST_P(RecordLayer, BadAliasingRefused) {
  RecordProtection tx;
  RecordReader rx;
  init_pair(tx, rx);
  Buffer out(RecordProtection::sealed_size(20, 0));
  // The payload overlaps the record but is not in place.
  const Bytes piece(out.data() + 6, 20);
  SealEntry e{ContentType::kApplicationData, Pieces(&piece, 1), 0, out, 0};
  EXPECT_EQ(tx.seal(e), RecordStatus::kBadAliasing);
  EXPECT_EQ(tx.sequence(), 0u);
}

// An empty payload piece may have a null data(); sealing must skip it (memcpy from null is UB,
// caught by --config=ubsan) and produce the same record as without it.
TEST_P(RecordLayer, EmptyNullPiecesAreSkipped) {
  RecordProtection tx, tx2;
  RecordReader rx, rx2;
  init_pair(tx, rx);
  init_pair(tx2, rx2);
  const Buffer content(100, 7);
  const Bytes pieces[3] = {Bytes(), Bytes(content), Bytes()};
  Buffer out(RecordProtection::sealed_size(content.size(), 0));
  SealEntry e{ContentType::kApplicationData, Pieces(pieces, 3), 0, out, 0};
  ASSERT_EQ(tx.seal(e), RecordStatus::kOk);
  EXPECT_EQ(out, seal_one(tx2, content));
  Buffer empty_out(RecordProtection::sealed_size(0, 0));
  const Bytes none[1] = {Bytes()};
  SealEntry e2{ContentType::kApplicationData, Pieces(none, 1), 0, empty_out, 0};
  ASSERT_EQ(tx.seal(e2), RecordStatus::kOk);
  OpenedRecord rec[2];
  ASSERT_EQ(rx.read(rec, out).status, RecordStatus::kOk);
  ASSERT_EQ(rx.read(rec, empty_out).records, 1u);
  EXPECT_EQ(rec[0].type, ContentType::kApplicationData);
  EXPECT_TRUE(rec[0].content.empty());
}

// A padding policy block larger than any record pads to the record size limit; it must not wrap
// the rounding (which made every kPolicyPadding seal fail with kRecordTooLarge).
TEST_P(RecordLayer, HugePaddingBlockPadsToTheLimit) {
  RecordProtection tx;
  RecordReader rx;
  init_pair(tx, rx);
  ASSERT_EQ(tx.set_record_size_limit(256), Status::kOk);
  tx.set_padding_policy(PaddingPolicy{SIZE_MAX});
  EXPECT_EQ(tx.padding_for(10), 256u - 11);
  tx.set_padding_policy(PaddingPolicy{SIZE_MAX - 1});
  EXPECT_EQ(tx.padding_for(10), 256u - 11);
  const Buffer content(10, 3);
  const Bytes p(content);
  Buffer out(RecordProtection::sealed_size(10, tx.padding_for(10)));
  SealEntry e{ContentType::kApplicationData, Pieces(&p, 1), kPolicyPadding, out, 0};
  ASSERT_EQ(tx.seal(e), RecordStatus::kOk);
  EXPECT_EQ(e.written, 5u + 256 + 16);
  OpenedRecord rec[1];
  ASSERT_EQ(rx.read(rec, out).status, RecordStatus::kOk);
  EXPECT_EQ(Buffer(rec[0].content.begin(), rec[0].content.end()), content);
}

// A payload given in its own buffer takes other paths than one already in place (copied into the
// record, split between the caller's buffer and a gathered tail, or streamed as pieces, by length,
// padding and kernel); every one must produce the in-place record byte for byte. The sizes sit
// around the 256-byte chunks a split is aligned to and the thresholds between the paths; the
// paddings make the gathered tail short, exactly a chunk, and longer than the payload's tail.
TEST_P(RecordLayer, PayloadFromItsOwnBufferEqualsInPlace) {
  std::mt19937_64 rng(99);
  for (size_t size : {size_t{255}, size_t{256}, size_t{257}, size_t{300}, size_t{511},
                      size_t{512}, size_t{513}, size_t{1350}, size_t{2047}, size_t{2048},
                      size_t{2049}, size_t{4096}, size_t{16383}, size_t{16384}}) {
    for (size_t padding : {size_t{0}, size_t{1}, size_t{100}, size_t{254}, size_t{255},
                           size_t{256}, size_t{700}}) {
      if (size + 1 + padding > kMaxInnerPlaintextLen) continue;
      RecordProtection own_tx, place_tx;
      RecordReader rx;
      init_pair(own_tx, rx);
      ASSERT_EQ(init_from_secret(place_tx, suite(), secret(1), GetParam().backend), Status::kOk);
      const Buffer content = random_bytes(rng, size);
      const Buffer own = seal_one(own_tx, content, padding);

      Buffer placed(RecordProtection::sealed_size(size, padding));
      std::copy(content.begin(), content.end(), placed.begin() + 5);
      const Bytes piece(placed.data() + 5, size);
      SealEntry e{ContentType::kApplicationData, Pieces(&piece, 1), padding, placed, 0};
      ASSERT_EQ(place_tx.seal(e), RecordStatus::kOk);
      ASSERT_EQ(to_hex(own), to_hex(placed)) << "size " << size << " padding " << padding;

      OpenedRecord rec[1];
      ASSERT_EQ(rx.read(rec, MutableBytes(placed)).status, RecordStatus::kOk);
      ASSERT_EQ(Buffer(rec[0].content.begin(), rec[0].content.end()), content);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllSuitesAndBackends, RecordLayer,
                         ::testing::ValuesIn(test::all_suite_backends()),
                         test::suite_backend_name);

// Why a batch can stop, at its first, a middle and its last entry, through seal_batch (one
// connection) and seal_records (several): the count sealed, the status, nothing written for the
// refused entry and those after it (outputs hold a marker), the sequence number left at the
// first unsealed record, and the records before it equal to the same records sealed alone and
// readable. kKeyUpdateRequired exists only under AES-GCM's limit; in seal_batch, AES-GCM reaches
// kSequenceExhausted only at entry 0 (the key's limit stops it long before, see refusal()).
enum class Stop { kKeyUpdate, kExhausted, kTooLarge, kTooSmall, kAliasing, kTypeZero, kNoKeys };

class BatchStops : public ::testing::TestWithParam<SuiteBackend> {
 protected:
  static constexpr size_t kEntries = 9;
  static constexpr uint8_t kMarker = 0xa5;

  const CipherSuite& suite() const { return *GetParam().suite; }
  bool aes() const { return suite().aead->family == dispatch::Family::kAesGcm; }

  void init(RecordProtection& rp, uint8_t seed) {
    ASSERT_EQ(init_from_secret(rp, suite(), Buffer(suite().hash_len, seed), GetParam().backend),
              Status::kOk);
  }

  // Records: sizes in runs, one long enough for the framed path, some padding.
  void make_records(std::mt19937_64& rng) {
    contents_.clear();
    outs_.clear();
    paddings_.clear();
    for (size_t i = 0; i < kEntries; ++i) {
      const size_t len = i == 4 ? 700 : i < 4 ? 40 : 1 + rng() % 100;
      Buffer c(len);
      for (auto& x : c) x = static_cast<uint8_t>(rng());
      contents_.push_back(c);
      paddings_.push_back(i % 3 == 2 ? 9 : 0);
      outs_.emplace_back(RecordProtection::sealed_size(len, paddings_.back()) + 3, kMarker);
    }
    pieces_.assign(kEntries, Bytes());
    for (size_t i = 0; i < kEntries; ++i) pieces_[i] = Bytes(contents_[i]);
  }

  SealEntry entry(size_t i) {
    return {ContentType::kApplicationData, Pieces(&pieces_[i], 1), paddings_[i], outs_[i], 0};
  }

  // spoil makes |e| fail for |stop| (the sequence-number stops are set up by the caller).
  void spoil(Stop stop, size_t i, SealEntry& e) {
    switch (stop) {
      case Stop::kTooLarge: e.padding = kMaxInnerPlaintextLen; break;
      case Stop::kTooSmall:
        e.out = MutableBytes(outs_[i]).first(
            RecordProtection::sealed_size(contents_[i].size(), paddings_[i]) - 1);
        break;
      case Stop::kAliasing:
        pieces_[i] = Bytes(outs_[i].data() + 6, contents_[i].size());  // overlaps, not in place
        break;
      case Stop::kTypeZero: e.type = ContentType::kInvalid; break;
      default: break;
    }
  }

  static RecordStatus status_of(Stop stop) {
    switch (stop) {
      case Stop::kKeyUpdate: return RecordStatus::kKeyUpdateRequired;
      case Stop::kExhausted: return RecordStatus::kSequenceExhausted;
      case Stop::kTooLarge: return RecordStatus::kRecordTooLarge;
      case Stop::kTooSmall: return RecordStatus::kOutputTooSmall;
      case Stop::kAliasing: return RecordStatus::kBadAliasing;
      case Stop::kTypeZero: return RecordStatus::kInvalidContentType;
      case Stop::kNoKeys: return RecordStatus::kNotInitialized;
    }
    return RecordStatus::kOk;
  }

  // check_sealed checks record i against the same record sealed alone by |twin| (which must be
  // at record i's sequence number) and reads it back with a reader at that sequence number.
  void check_sealed(size_t i, const SealEntry& e, RecordProtection& twin, uint8_t seed) {
    const uint64_t seq = twin.sequence();
    Buffer alone(RecordProtection::sealed_size(contents_[i].size(), paddings_[i]));
    const Bytes piece(contents_[i]);
    SealEntry a{ContentType::kApplicationData, Pieces(&piece, 1), paddings_[i], alone, 0};
    ASSERT_EQ(twin.seal(a), RecordStatus::kOk);
    ASSERT_EQ(e.written, alone.size()) << "record " << i;
    ASSERT_EQ(to_hex(outs_[i].data(), alone.size()), to_hex(alone)) << "record " << i;
    EXPECT_EQ(outs_[i].back(), kMarker);  // nothing past the record
    RecordReader rx;
    ASSERT_EQ(init_from_secret(rx, suite(), Buffer(suite().hash_len, seed), GetParam().backend),
              Status::kOk);
    set_sequence(rx, seq);
    OpenedRecord rec[1];
    Buffer copy(outs_[i].begin(), outs_[i].begin() + alone.size());
    ASSERT_EQ(rx.read(rec, copy).status, RecordStatus::kOk) << "record " << i;
    EXPECT_EQ(Buffer(rec[0].content.begin(), rec[0].content.end()), contents_[i]);
  }

  void check_untouched(size_t i, const SealEntry& e) {
    EXPECT_EQ(e.written, 0u) << "record " << i;
    EXPECT_TRUE(std::all_of(outs_[i].begin(), outs_[i].end(),
                            [](uint8_t x) { return x == kMarker; }))
        << "record " << i << " was written to after the batch stopped";
  }

  std::vector<Buffer> contents_, outs_;
  std::vector<size_t> paddings_;
  std::vector<Bytes> pieces_;
};

TEST_P(BatchStops, SealBatch) {
  std::mt19937_64 rng(21);
  for (Stop stop : {Stop::kKeyUpdate, Stop::kExhausted, Stop::kTooLarge, Stop::kTooSmall,
                    Stop::kAliasing, Stop::kTypeZero}) {
    for (size_t at : {size_t{0}, kEntries / 2, kEntries - 1}) {
      if (stop == Stop::kKeyUpdate && !aes()) continue;
      if (stop == Stop::kExhausted && aes() && at != 0) continue;
      SCOPED_TRACE("stop " + std::to_string(static_cast<int>(stop)) + " at entry " +
                   std::to_string(at));
      make_records(rng);
      RecordProtection tx, twin;
      init(tx, 1);
      init(twin, 1);
      uint64_t start = 5;
      if (stop == Stop::kKeyUpdate) start = suite().aead->max_records_per_key - at;
      if (stop == Stop::kExhausted) start = UINT64_MAX - at;
      set_sequence(tx, start);
      set_sequence(twin, start);
      std::vector<SealEntry> entries;
      for (size_t i = 0; i < kEntries; ++i) entries.push_back(entry(i));
      spoil(stop, at, entries[at]);
      RecordStatus status;
      EXPECT_EQ(sealed_count(tx.seal_batch(entries), &status), at);
      EXPECT_EQ(status, status_of(stop));
      EXPECT_EQ(tx.sequence(), start + at);
      for (size_t i = 0; i < at; ++i) check_sealed(i, entries[i], twin, 1);
      for (size_t i = at; i < kEntries; ++i) check_untouched(i, entries[i]);
    }
  }
}

TEST_P(BatchStops, SealRecords) {
  // Three connections take the entries in turn; the entry that stops the batch belongs to a
  // fourth, which has no other entry, so its sequence number can sit at any limit.
  std::mt19937_64 rng(22);
  for (Stop stop : {Stop::kKeyUpdate, Stop::kExhausted, Stop::kTooLarge, Stop::kTooSmall,
                    Stop::kAliasing, Stop::kTypeZero, Stop::kNoKeys}) {
    for (size_t at : {size_t{0}, kEntries / 2, kEntries - 1}) {
      if (stop == Stop::kKeyUpdate && !aes()) continue;
      SCOPED_TRACE("stop " + std::to_string(static_cast<int>(stop)) + " at entry " +
                   std::to_string(at));
      make_records(rng);
      RecordProtection tx[4], twin[4];
      for (uint8_t c = 0; c < 4; ++c) {
        if (c == 3 && stop == Stop::kNoKeys) break;  // the fourth stays uninitialised
        init(tx[c], c + 1);
        init(twin[c], c + 1);
        uint64_t start = 100 * c;
        if (c == 3 && stop == Stop::kKeyUpdate) start = suite().aead->max_records_per_key;
        if (c == 3 && stop == Stop::kExhausted) start = UINT64_MAX;
        set_sequence(tx[c], start);
        set_sequence(twin[c], start);
      }
      std::vector<MultiSealEntry> entries;
      for (size_t i = 0; i < kEntries; ++i) {
        entries.push_back({i == at ? &tx[3] : &tx[i % 3], entry(i)});
      }
      spoil(stop, at, entries[at].record);
      RecordStatus status;
      EXPECT_EQ(sealed_count(seal_records(entries), &status), at);
      EXPECT_EQ(status, status_of(stop));
      for (size_t i = 0; i < at; ++i) check_sealed(i, entries[i].record, twin[i % 3], i % 3 + 1);
      for (size_t i = at; i < kEntries; ++i) check_untouched(i, entries[i].record);
      // The sequence numbers stop at each connection's first unsealed record.
      for (size_t c = 0; c < 4; ++c) EXPECT_EQ(tx[c].sequence(), twin[c].sequence()) << c;
    }
  }
  // A null connection is kNotInitialized too.
  make_records(rng);
  RecordProtection tx;
  init(tx, 1);
  std::vector<MultiSealEntry> entries = {{&tx, entry(0)}, {nullptr, entry(1)}, {&tx, entry(2)}};
  RecordStatus status;
  EXPECT_EQ(sealed_count(seal_records(entries), &status), 1u);
  EXPECT_EQ(status, RecordStatus::kNotInitialized);
  EXPECT_EQ(tx.sequence(), 1u);
  check_untouched(1, entries[1].record);
  check_untouched(2, entries[2].record);
}

INSTANTIATE_TEST_SUITE_P(AllSuitesAndBackends, BatchStops,
                         ::testing::ValuesIn(test::all_suite_backends()),
                         test::suite_backend_name);

TEST(RecordLayerSetup, InitErrors) {
  RecordProtection rp;
  TrafficKeys keys;
  ASSERT_EQ(keys.assign(Buffer(32, 0), Buffer(12, 0)), Status::kOk);
  EXPECT_EQ(rp.init(kTlsAes128GcmSha256, keys), Status::kBadKeyLength);
  EXPECT_FALSE(rp.initialized());
  EXPECT_EQ(keys.assign(Buffer(16, 0), Buffer(11, 0)), Status::kBadNonceLength);
  EXPECT_EQ(keys.assign(Buffer(24, 0), Buffer(12, 0)), Status::kBadKeyLength);
  ASSERT_EQ(keys.assign(Buffer(16, 0), Buffer(12, 0)), Status::kOk);
  EXPECT_EQ(rp.init(kTlsAes128GcmSha256, keys, "no-such-backend"), Status::kUnknownBackend);
  EXPECT_FALSE(rp.initialized());
  EXPECT_EQ(rp.rekey(keys), Status::kNotInitialized);
  EXPECT_EQ(rp.advance_sequence(1), Status::kNotInitialized);
  EXPECT_EQ(rp.records_left(), 0u);
  EXPECT_FALSE(rp.key_update_recommended());
  Buffer out(RecordProtection::sealed_size(3, 0));
  const Buffer c(3, 1);
  const Bytes piece(c);
  SealEntry e{ContentType::kApplicationData, Pieces(&piece, 1), 0, out, 0};
  EXPECT_EQ(rp.seal(e), RecordStatus::kNotInitialized);
  RecordStatus status;
  EXPECT_EQ(sealed_count(rp.seal_batch(std::span<SealEntry>(&e, 1)), &status), 0u);
  EXPECT_EQ(status, RecordStatus::kNotInitialized);

  // A failed re-init wipes the key that was there: the object is uninitialised, not left on the
  // old key.
  ASSERT_EQ(rp.init(kTlsAes128GcmSha256, keys), Status::kOk);
  EXPECT_EQ(rp.init(kTlsAes128GcmSha256, keys, "no-such-backend"), Status::kUnknownBackend);
  EXPECT_FALSE(rp.initialized());
  EXPECT_EQ(rp.seal(e), RecordStatus::kNotInitialized);

  // A reader whose keys failed to install is dead rather than back to reading plaintext.
  RecordReader reader;
  EXPECT_EQ(reader.install_keys(kTlsAes128GcmSha256, keys, "no-such-backend"),
            Status::kUnknownBackend);
  EXPECT_TRUE(reader.failed());
  Buffer hello = {22, 3, 3, 0, 1, 1};
  OpenedRecord rec[1];
  const ReadResult r = reader.read(rec, hello);
  EXPECT_EQ(r.status, RecordStatus::kAlert);
  EXPECT_EQ(r.alert, AlertDescription::kInternalError);
  EXPECT_EQ(r.records, 0u);
}

// A sequence number only moves forward through the public API: a rewind would reuse a nonce.
TEST(RecordLayerSetup, SequenceNeverRewinds) {
  RecordProtection rp;
  TrafficKeys keys;
  ASSERT_EQ(keys.assign(Buffer(16, 7), Buffer(12, 9)), Status::kOk);
  ASSERT_EQ(rp.init(kTlsAes128GcmSha256, keys), Status::kOk);
  ASSERT_EQ(rp.advance_sequence(5), Status::kOk);
  EXPECT_EQ(rp.sequence(), 5u);
  EXPECT_EQ(rp.advance_sequence(5), Status::kOk);
  EXPECT_EQ(rp.advance_sequence(4), Status::kInvalidArgument);
  EXPECT_EQ(rp.advance_sequence(0), Status::kInvalidArgument);
  EXPECT_EQ(rp.sequence(), 5u);
  EXPECT_EQ(rp.records_left(), kAes128Gcm.max_records_per_key - 5);
}

}  // namespace
}  // namespace volley
