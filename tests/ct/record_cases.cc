// The record layer: a batch of records sealed with secret keys, IV and content, then read back in
// one call with their ciphertext and tags secret, so that the kernels' multi-record paths (the
// AeadKey calls above are one message each), the tag compare of record_open.cc and the
// content-type scan over the secret zero padding all run as a connection runs them. Every
// content-type backend is forced in turn for the scan; the AEAD backend is named per connection.
#include <algorithm>
#include <string>
#include <vector>

#include "tests/ct/ct.h"
#include "volley/cipher_suite.h"
#include "volley/key_schedule.h"
#include "volley/record.h"
#include "volley/record_reader.h"

namespace volley::ct {
namespace {

// (content length, padding length) of each record: empty and short contents, padding none, one
// byte, and longer than the content, and records long enough for every kernel's bulk loop.
struct Shape {
  size_t content;
  size_t padding;
};
constexpr Shape kShapes[] = {{0, 1}, {1, 0}, {17, 3}, {63, 1}, {64, 0}, {255, 200}, {1350, 0},
                             {4096 + 7, 16}};
constexpr size_t kRecords = sizeof(kShapes) / sizeof(kShapes[0]);

Status keys_for(const CipherSuite& suite, TrafficKeys* keys) {
  const Buffer key = pattern(suite.aead->key_len, 70), iv = pattern(12, 71);
  secret(key);
  secret(iv);
  return keys->assign(key, iv);
}

// seal_all seals every shape into one stream; the stream goes on the wire, so it is public.
bool seal_all(const CipherSuite& suite, std::string_view backend, Buffer* stream) {
  TrafficKeys keys;
  RecordProtection tx;
  if (keys_for(suite, &keys) != Status::kOk || tx.init(suite, keys, backend) != Status::kOk ||
      tx.backend_name() != backend) {
    return false;
  }
  std::vector<Buffer> contents, outs;
  std::vector<Bytes> pieces(kRecords);
  std::vector<SealEntry> entries(kRecords);
  for (size_t i = 0; i < kRecords; ++i) {
    contents.push_back(pattern(kShapes[i].content, 80 + static_cast<uint32_t>(i)));
    outs.emplace_back(RecordProtection::sealed_size(kShapes[i].content, kShapes[i].padding));
    secret(contents[i]);
    pieces[i] = Bytes(contents[i]);
    entries[i] = {ContentType::kApplicationData, Pieces(&pieces[i], 1), kShapes[i].padding,
                  outs[i], 0};
  }
  if (tx.seal_batch(entries).sealed != kRecords) return false;
  stream->clear();
  for (Buffer& out : outs) {
    reveal(out);
    stream->insert(stream->end(), out.begin(), out.end());
  }
  return true;
}

// read_all opens |stream| in one read call, with each record's ciphertext and tag secret (the
// 5-byte headers, lengths, are public), in place or into a separate buffer. Returns whether every
// record came back whole, or, with |forge|, whether the last one was refused.
bool read_all(const CipherSuite& suite, std::string_view backend, Buffer stream, bool in_place,
              bool forge) {
  TrafficKeys keys;
  RecordReader rx;
  if (keys_for(suite, &keys) != Status::kOk ||
      rx.install_keys(suite, keys, backend) != Status::kOk ||
      rx.protection().backend_name() != backend) {
    return false;
  }
  if (forge) stream[stream.size() - 1] ^= 1;  // the last record's last tag byte
  for (size_t pos = 0; pos < stream.size();) {
    const size_t len = size_t{stream[pos + 3]} << 8 | stream[pos + 4];
    secret(stream.data() + pos + kRecordHeaderLen, len);
    pos += kRecordHeaderLen + len;
  }
  OpenedRecord rec[kRecords + 1];
  Buffer out(stream.size());
  const ReadResult r = in_place ? rx.read(rec, stream) : rx.read(rec, out, stream);
  // The status, the record count and each record's type and length are declassified by
  // record_open.cc: public once the tags were checked.
  const size_t want = forge ? kRecords - 1 : kRecords;
  if (r.records != want) return false;
  if (forge && (r.status != RecordStatus::kAlert || r.alert != AlertDescription::kBadRecordMac)) {
    return false;
  }
  for (size_t i = 0; i < want; ++i) {
    const Buffer content = pattern(kShapes[i].content, 80 + static_cast<uint32_t>(i));
    reveal(rec[i].content.data(), rec[i].content.size());  // to compare it here
    if (rec[i].type != ContentType::kApplicationData ||
        !std::equal(content.begin(), content.end(), rec[i].content.begin(),
                    rec[i].content.end())) {
      return false;
    }
  }
  return true;
}

}  // namespace

int check_records() {
  int wrong = 0;
  for (const CipherSuite* suite :
       {&kTlsAes128GcmSha256, &kTlsAes256GcmSha384, &kTlsChaCha20Poly1305Sha256}) {
    for_each_backend(suite->aead->family, [&](const dispatch::Backend& b) {
      Tally t(std::string("records-") + std::string(suite->aead->name), b.name);
      Buffer stream;
      t.expect(seal_all(*suite, b.name, &stream), "seal_batch");
      for_each_backend(dispatch::Family::kContentType, [&](const dispatch::Backend& scan) {
        for (bool in_place : {false, true}) {
          bool ok = false;
          const bool ran = forced(dispatch::Family::kContentType, scan, [&] {
            ok = read_all(*suite, b.name, stream, in_place, false) &&
                 read_all(*suite, b.name, stream, in_place, true);
          });
          t.expect(ran && ok, "read with the " + std::string(scan.name) + " scan" +
                                  (in_place ? ", in place" : ""));
        }
      });
      wrong += t.wrong();
    });
  }
  return wrong;
}

}  // namespace volley::ct
