// The checked read loop of volley's fuzz targets (see reader_driver.h).
#include "fuzz/reader_driver.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "fuzz/fuzz_support.h"

namespace volley::fuzz {
namespace {

// Heap is an exactly sized heap copy of some bytes: AddressSanitizer then reports any access past
// its end, which a view into a larger buffer would hide. new[] of 0 bytes still returns a
// distinct pointer, so an empty window is a valid (empty) span.
struct Heap {
  explicit Heap(size_t n) : size(n), data(new uint8_t[n == 0 ? 1 : n]) {}
  size_t size;
  std::unique_ptr<uint8_t[]> data;
  MutableBytes span() { return MutableBytes(data.get(), size); }
};

bool inside(const uint8_t* p, size_t len, const uint8_t* base, size_t base_len) {
  // Compared as integers: pointers into different objects may not be ordered with <.
  const auto a = reinterpret_cast<uintptr_t>(p);
  const auto b = reinterpret_cast<uintptr_t>(base);
  return a >= b && len <= base_len && a - b <= base_len - len;
}

bool valid_type(ContentType t) {
  return t == ContentType::kAlert || t == ContentType::kHandshake ||
         t == ContentType::kApplicationData;
}

}  // namespace

Transcript drive(RecordReader& reader, Bytes stream, const DriveOptions& opt,
                 const AfterCall& after) {
  VOLLEY_FUZZ_CHECK(opt.span >= 1, "harness: span must be at least 1");
  // The stream as the reader has modified it so far (in place, decrypted records).
  std::vector<uint8_t> work(stream.begin(), stream.end());
  std::vector<OpenedRecord> slots(opt.span);
  Transcript t;
  size_t pos = 0;    // consumed so far
  size_t avail = 0;  // delivered so far
  // Every call copies the unread bytes (see Heap), so tiny chunks of a long stream cost
  // quadratic time: libFuzzer ran 69 inputs a second. Chunks of at least 1/256 of the stream keep
  // a run to a few hundred deliveries, still cutting headers and bodies at every offset.
  const size_t chunk = opt.chunk == 0 ? 0 : std::max(opt.chunk, stream.size() / 256);
  auto deliver = [&] {
    avail = chunk == 0 || stream.size() - avail < chunk ? stream.size() : avail + chunk;
  };
  deliver();

  // Every iteration consumes a byte, delivers a chunk or ends the run; anything more is a hang.
  const size_t max_calls = 2 * stream.size() + 16;
  for (size_t calls = 0;; ++calls) {
    VOLLEY_FUZZ_CHECK(calls <= max_calls, "read loop made no progress");
    const size_t window = avail - pos;
    if (window == 0) {
      if (avail == stream.size()) break;
      deliver();
      continue;
    }
    Heap in(window);
    std::memcpy(in.data.get(), work.data() + pos, window);
    const bool in_place = opt.mode == ReadMode::kInPlace;
    size_t out_len = window;
    if (opt.mode == ReadMode::kSmallOut && opt.out_cap < out_len) out_len = opt.out_cap;
    Heap out(in_place ? 0 : out_len);
    const bool keys_before = reader.keys_installed();
    const bool failed_before = reader.failed();

    const ReadResult r = in_place ? reader.read(slots, in.span())
                                  : reader.read(slots, out.span(), Bytes(in.span()));

    VOLLEY_FUZZ_CHECK(r.consumed <= window, "consumed more than the stream offered");
    VOLLEY_FUZZ_CHECK(r.records <= slots.size(), "returned more records than the span holds");
    if (failed_before) {
      // Only a failed install_keys leaves a reader dead before its first call.
      VOLLEY_FUZZ_CHECK(r.status == RecordStatus::kAlert, "a dead reader returned no alert");
      VOLLEY_FUZZ_CHECK(r.consumed == 0 && r.records == 0, "a dead reader consumed bytes");
    }
    const uint8_t* base = in_place ? in.data.get() : out.data.get();
    const size_t base_len = in_place ? r.consumed : (r.consumed < out_len ? r.consumed : out_len);
    for (size_t i = 0; i < r.records; ++i) {
      const OpenedRecord& rec = slots[i];
      VOLLEY_FUZZ_CHECK(valid_type(rec.type), "returned a record type that carries no content");
      VOLLEY_FUZZ_CHECK(keys_before || rec.type != ContentType::kApplicationData,
                        "returned application_data before keys");
      VOLLEY_FUZZ_CHECK(rec.type != ContentType::kAlert || rec.content.size() == kAlertLen,
                        "returned an alert record that is not two bytes");
      VOLLEY_FUZZ_CHECK(rec.type != ContentType::kHandshake || !rec.content.empty(),
                        "returned an empty handshake record");
      VOLLEY_FUZZ_CHECK(inside(rec.content.data(), rec.content.size(), base, base_len),
                        "record content outside the consumed stream / the output buffer");
      const size_t off = static_cast<size_t>(rec.content.data() - base);
      VOLLEY_FUZZ_CHECK(off >= kRecordHeaderLen, "record content overlaps its header's place");
      if (!keys_before) {
        VOLLEY_FUZZ_CHECK(std::memcmp(rec.content.data(), stream.data() + pos + off,
                                      rec.content.size()) == 0,
                          "plaintext record content differs from the stream");
      }
      t.records.push_back({rec.type, std::vector<uint8_t>(rec.content.begin(), rec.content.end())});
    }
    if (in_place) {
      if (r.status != RecordStatus::kAlert) {
        VOLLEY_FUZZ_CHECK(std::memcmp(in.data.get() + r.consumed, work.data() + pos + r.consumed,
                                      window - r.consumed) == 0,
                          "in place: bytes after those consumed were modified");
      }
      std::memcpy(work.data() + pos, in.data.get(), window);
    } else {
      VOLLEY_FUZZ_CHECK(std::memcmp(in.data.get(), work.data() + pos, window) == 0,
                        "out of place: the stream was modified");
    }
    pos += r.consumed;
    t.consumed = pos;
    if (r.records > 0 && after) after(reader, t);

    switch (r.status) {
      case RecordStatus::kOk:
        VOLLEY_FUZZ_CHECK(r.consumed > 0, "kOk without progress on a non-empty stream");
        VOLLEY_FUZZ_CHECK(!reader.failed(), "kOk from a dead reader");
        continue;
      case RecordStatus::kNeedMoreData:
        VOLLEY_FUZZ_CHECK(!reader.failed(), "kNeedMoreData from a dead reader");
        if (avail == stream.size()) {
          t.status = r.status;
          return t;
        }
        deliver();
        continue;
      case RecordStatus::kAlert: {
        VOLLEY_FUZZ_CHECK(reader.failed(), "kAlert but the reader is not dead");
        t.status = r.status;
        t.alert = r.alert;
        if (failed_before) return t;
        // A dead reader stays dead: offer it the rest of the stream, both ways.
        const size_t rest = stream.size() - pos;
        Heap again(rest);
        std::memcpy(again.data.get(), work.data() + pos, rest);
        Heap out2(rest);
        const ReadResult a = reader.read(slots, again.span());
        const ReadResult b = reader.read(slots, out2.span(), Bytes(again.span()));
        for (const ReadResult& d : {a, b}) {
          VOLLEY_FUZZ_CHECK(d.status == RecordStatus::kAlert && d.alert == r.alert,
                            "a dead reader returned something other than its alert");
          VOLLEY_FUZZ_CHECK(d.consumed == 0 && d.records == 0, "a dead reader consumed bytes");
        }
        VOLLEY_FUZZ_CHECK(std::memcmp(again.data.get(), work.data() + pos, rest) == 0,
                          "a dead reader modified the stream");
        return t;
      }
      case RecordStatus::kOutputTooSmall:
        VOLLEY_FUZZ_CHECK(!in_place, "kOutputTooSmall when reading in place");
        VOLLEY_FUZZ_CHECK(r.consumed == 0 && r.records == 0,
                          "kOutputTooSmall after consuming records");
        t.status = r.status;
        return t;
      case RecordStatus::kSequenceExhausted:
        VOLLEY_FUZZ_CHECK(keys_before, "kSequenceExhausted without keys");
        t.status = r.status;
        return t;
      default:
        VOLLEY_FUZZ_CHECK(false, "read() returned a status its contract does not list");
    }
  }
  return t;
}

void debug_print(const char* label, const Transcript& t) {
  if (std::getenv("VOLLEY_FUZZ_DEBUG") == nullptr) return;
  std::fprintf(stderr, "%s: %zu records, %zu bytes consumed, %s", label, t.records.size(),
               t.consumed, std::string(record_status_name(t.status)).c_str());
  if (t.status == RecordStatus::kAlert) {
    std::fprintf(stderr, " (%s)", std::string(alert_name(t.alert)).c_str());
  }
  std::fprintf(stderr, "\n");
  for (const Opened& o : t.records) {
    std::fprintf(stderr, "  type %d, %zu bytes\n", static_cast<int>(o.type), o.content.size());
  }
}

}  // namespace volley::fuzz
