// Small input/output helpers shared by the volley subcommands.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace volley::tool {

// parse_decimal parses a decimal integer in [lo, hi] and nothing else: no sign (CLI11 would take
// "-1" for an unsigned option as 2^64 - 1), no suffix, no spaces, no value past 2^64 - 1.
bool parse_decimal(const std::string& text, uint64_t lo, uint64_t hi, uint64_t* out);

// parse_hex decodes |text| (even length, upper or lower case); false on anything else. The
// output is sized once, up front, so that no copy of a decoded key is left in a buffer given up
// by a reallocation.
bool parse_hex(const std::string& text, std::vector<uint8_t>* out);

// SecretBytes holds key material the command line gave (an AEAD key, a traffic secret), decoded;
// wiped when dropped.
struct SecretBytes {
  std::vector<uint8_t> bytes;
  SecretBytes() = default;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  ~SecretBytes();
};

// wipe_string overwrites a secret as typed (hex from the command line) and empties it.
void wipe_string(std::string* s);

// read_stdin appends all of standard input to |out|; false on a read error.
bool read_stdin(std::vector<uint8_t>* out);

// write_stdout writes |len| bytes to standard output and flushes; false on a write error.
bool write_stdout(const uint8_t* data, size_t len);

}  // namespace volley::tool
