// Fuzz target: hostile bytes into a RecordReader (engine/include/volley/record_reader.h).
//
// The first bytes of the input set the reader up and choose how the rest, the stream, reaches it:
//   0: flags   bits 0-1 keys: none / installed at the start / installed after the first handshake
//                      record the reader returns (a plaintext ServerHello, then protected records)
//              bit 2   keys from the input (TrafficKeys::assign) instead of the fixed key
//              bit 3   the change_cipher_spec window is open
//              bits 4-5 read mode: in place / out of place / out of place into a small buffer /
//                      in place, then out of place compared with it
//              bit 6   apply a record size limit (RFC 8449), from two more bytes
//              bit 7   start the sequence number just below 2^64 - 1, from one more byte
//   1: suite (mod 3)        2: AEAD backend (mod the available ones)
//   3: records per read() call, 1 + (b mod 64)
//   4: bytes delivered per step: 0 all at once, 1..127 that many, 128..255 (b - 127) * 256
//   then the optional bytes the flags ask for (key and iv, size limit, sequence, output cap), then
//   the stream.
// Every run is also compared with a reference run of the same stream (in place, all at once, 64
// records per call): how a stream is split, how many records a call may return and where the
// content goes must not change which records come out or how the run ends.
// fuzz/make_seed_corpus.cc writes inputs in this format; keep the two in step.
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_support.h"
#include "fuzz/reader_driver.h"
#include "volley/record_reader.h"

namespace volley::fuzz {
namespace {

enum class KeyTiming : uint8_t { kNone, kAtStart, kAfterHandshake };

struct Setup {
  KeyTiming timing = KeyTiming::kNone;
  const CipherSuite* suite = nullptr;
  std::string_view backend;
  TrafficKeys keys;
  bool ccs_window = false;
  bool size_limit = false;
  size_t limit = 0;
  bool near_end = false;
  uint64_t first_seq = 0;
};

// prepare installs keys (and what needs them: the sequence number) as |setup| says.
void install(RecordReader& reader, const Setup& setup) {
  VOLLEY_FUZZ_CHECK(reader.install_keys(*setup.suite, setup.keys, setup.backend) == Status::kOk,
                    "install_keys refused a valid key");
  if (setup.near_end) {
    VOLLEY_FUZZ_CHECK(reader.advance_sequence(setup.first_seq) == Status::kOk,
                      "advance_sequence refused a forward move");
  }
}

void new_reader(RecordReader& reader, const Setup& setup) {
  reader.allow_change_cipher_spec(setup.ccs_window);
  if (setup.size_limit) {
    VOLLEY_FUZZ_CHECK(reader.set_record_size_limit(setup.limit) == Status::kOk,
                      "set_record_size_limit refused a valid limit");
  }
  if (setup.timing == KeyTiming::kAtStart) install(reader, setup);
}

Transcript run(const Setup& setup, Bytes stream, const DriveOptions& opt) {
  RecordReader reader;
  new_reader(reader, setup);
  AfterCall after;
  if (setup.timing == KeyTiming::kAfterHandshake) {
    after = [&setup](RecordReader& r, const Transcript& t) {
      if (!r.keys_installed() && !r.failed() &&
          t.records.back().type == ContentType::kHandshake) {
        install(r, setup);
      }
    };
  }
  return drive(reader, stream, opt, after);
}

}  // namespace
}  // namespace volley::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace volley;
  using namespace volley::fuzz;
  Input in(Bytes(data, size));
  const uint8_t flags = in.byte();
  Setup setup;
  setup.timing = static_cast<KeyTiming>((flags & 3) % 3);
  setup.suite = &suite_for(in.byte());
  setup.backend = backend_for(*setup.suite, in.byte());
  DriveOptions opt;
  opt.span = 1 + in.byte() % 64;
  opt.chunk = step_for(in.byte());
  setup.keys = flags & 4 ? keys_from_bytes(*setup.suite, in) : fixed_keys(*setup.suite);
  setup.ccs_window = flags & 8;
  const unsigned mode = flags >> 4 & 3;
  if (flags & 64) {
    setup.size_limit = true;
    setup.limit = 64 + in.u16() % (kMaxInnerPlaintextLen - 64 + 1);
  }
  if (flags & 128) {
    setup.near_end = true;
    setup.first_seq = UINT64_MAX - 1 - in.byte() % 64;
  }
  if (mode == 2) {
    opt.mode = ReadMode::kSmallOut;
    opt.out_cap = in.u16();
  } else {
    opt.mode = mode == 1 ? ReadMode::kOutOfPlace : ReadMode::kInPlace;
  }
  const Bytes stream = in.rest();

  const Transcript t = run(setup, stream, opt);
  debug_print("record_reader_fuzzer", t);
  if (mode == 3) {
    opt.mode = ReadMode::kOutOfPlace;
    VOLLEY_FUZZ_CHECK(run(setup, stream, opt) == t, "out of place differs from in place");
  }
  if (opt.mode != ReadMode::kSmallOut) {
    const DriveOptions reference;
    VOLLEY_FUZZ_CHECK(run(setup, stream, reference) == t,
                      "the split of the stream or the span changed the records read");
  }
  return 0;
}
