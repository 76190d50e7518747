// Shared by volley's fuzz targets: reading a fuzz input as a sequence of choices, the invariant
// check that stops the run, and the fixed traffic key that the seed corpus is sealed with.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "volley/bytes.h"
#include "volley/cipher_suite.h"
#include "volley/key_schedule.h"

namespace volley::fuzz {

// check stops the run when an invariant of the engine does not hold. __builtin_trap rather than
// assert: it fires in optimised builds too (NDEBUG), and libFuzzer reports it as a crash with the
// input saved; the message says which invariant.
void check_failed(const char* what, const char* file, int line) noexcept;
#define VOLLEY_FUZZ_CHECK(cond, what) \
  ((cond) ? (void)0 : ::volley::fuzz::check_failed((what), __FILE__, __LINE__))

// Input hands out a fuzz input's bytes as choices. Past the end every choice is 0, so that any
// input, however short, is a complete (if dull) run: libFuzzer's mutations then never have to
// guess a length before reaching the interesting code.
class Input {
 public:
  explicit Input(Bytes data) noexcept : data_(data) {}

  uint8_t byte() noexcept { return pos_ < data_.size() ? data_[pos_++] : 0; }
  uint16_t u16() noexcept { return static_cast<uint16_t>(byte() << 8 | byte()); }
  uint32_t u24() noexcept { return static_cast<uint32_t>(u16()) << 8 | byte(); }
  // bytes takes up to |n| bytes; fewer at the end of the input.
  Bytes bytes(size_t n) noexcept {
    const size_t take = n < remaining() ? n : remaining();
    Bytes b = data_.subspan(pos_, take);
    pos_ += take;
    return b;
  }
  // rest takes every remaining byte.
  Bytes rest() noexcept { return bytes(remaining()); }
  size_t remaining() const noexcept { return data_.size() - pos_; }
  bool empty() const noexcept { return pos_ == data_.size(); }

 private:
  Bytes data_;
  size_t pos_ = 0;
};

// step_for maps a choice to how many bytes of a stream are handed over per call, the split
// convention of every target that feeds a stream: 0 all at once, 1..127 that many, 128..255
// (b - 127) * 256.
constexpr size_t step_for(uint8_t choice) noexcept {
  return choice < 128 ? choice : size_t{choice - 127u} * 256;
}

// suite_for maps a choice to one of the three TLS 1.3 suites.
const CipherSuite& suite_for(uint8_t choice) noexcept;

// backend_for maps a choice to the name of an AEAD backend of |suite| that this CPU runs (the
// portable one always does), so that every kernel's open path meets hostile records.
std::string_view backend_for(const CipherSuite& suite, uint8_t choice) noexcept;

// fixed_keys are the traffic key and iv for |suite| that the seed corpus is sealed with: the first
// suite.key_len bytes of one constant key, and one constant iv. |generation| (a key change count)
// is mixed into the key so that successive epochs of a stream have different keys.
TrafficKeys fixed_keys(const CipherSuite& suite, uint8_t generation = 0) noexcept;

// keys_from_bytes builds a key and iv for |suite| from fuzz bytes through TrafficKeys::assign
// (missing bytes are zero).
TrafficKeys keys_from_bytes(const CipherSuite& suite, Input& in) noexcept;

// save_seed writes |bytes| to the file |name| in |dir| (created if missing): the seed writers'
// one way to write a corpus file (make_seed_corpus.cc, make_handshake_seeds.cc).
void save_seed(const std::filesystem::path& dir, const std::string& name, Bytes bytes);

}  // namespace volley::fuzz
