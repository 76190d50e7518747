// The read loop both fuzz targets drive a RecordReader with, and the invariants it checks on every
// call. A target chooses the reader's state and the way the stream arrives; the driver feeds the
// stream and returns what the reader made of it, so that targets can compare runs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "volley/bytes.h"
#include "volley/record.h"
#include "volley/record_reader.h"

namespace volley::fuzz {

enum class ReadMode : uint8_t {
  kInPlace,     // read(records, stream): content decrypted where the ciphertext was
  kOutOfPlace,  // read(records, out, stream) with |out| as large as the unread stream
  kSmallOut,    // read(records, out, stream) with |out| capped at DriveOptions::out_cap bytes
};

struct DriveOptions {
  ReadMode mode = ReadMode::kInPlace;
  size_t span = 64;     // records per read() call, >= 1
  size_t chunk = 0;     // bytes delivered at a time (the network's segments); 0: all at once
  size_t out_cap = 0;   // kSmallOut only
};

// Opened is one record the reader returned, copied out of the buffer it pointed into.
struct Opened {
  ContentType type;
  std::vector<uint8_t> content;
  bool operator==(const Opened&) const = default;
};

// Transcript is the outcome of a run: every record returned, in order, how many bytes of the
// stream were consumed, and the status the run ended on (kOk: the stream was used up).
struct Transcript {
  std::vector<Opened> records;
  size_t consumed = 0;
  RecordStatus status = RecordStatus::kOk;
  AlertDescription alert = AlertDescription::kCloseNotify;  // with kAlert
  bool operator==(const Transcript&) const = default;
};

// AfterCall runs after every read() call that returned records, with the transcript so far: where
// the caller of a real reader acts (installs the next keys after a handshake record).
using AfterCall = std::function<void(RecordReader&, const Transcript&)>;

// drive feeds |stream| to |reader| as |opt| says until the stream is used up or the reader stops
// (alert, output too small, sequence exhausted, or the stream ends inside a record), checking on
// every call, and traps on any violation:
//   - consumed <= the bytes offered; records <= the span; a status the contract allows;
//   - progress: a kOk call with unread bytes consumed some, and the loop is bounded;
//   - every record's content lies inside the consumed bytes (in place) or inside |out|, at its
//     record's offset + 5 (out of place); its type is alert, handshake or application_data (no
//     application_data before keys), alerts are two bytes, handshake records not empty; a
//     plaintext record's content is the stream's bytes;
//   - out of place, the stream is never modified; in place, bytes after those consumed are left
//     as they were (records under the next key are untouched until the next call);
//   - after kAlert the reader is dead: later calls return the same alert and consume nothing.
// Each read() sees only the bytes offered, in a buffer of exactly that size, so that
// AddressSanitizer catches a read past them.
Transcript drive(RecordReader& reader, Bytes stream, const DriveOptions& opt,
                 const AfterCall& after = {});

// debug_print writes a summary of |t| to stderr when $VOLLEY_FUZZ_DEBUG is set: what a reproducer
// did, without a debugger.
void debug_print(const char* label, const Transcript& t);

}  // namespace volley::fuzz
