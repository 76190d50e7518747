// Small input/output helpers shared by the volley subcommands.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace volley::tool {

// parse_hex decodes |text| (even length, upper or lower case); false on anything else.
bool parse_hex(const std::string& text, std::vector<uint8_t>* out);

// read_stdin appends all of standard input to |out|; false on a read error.
bool read_stdin(std::vector<uint8_t>* out);

// write_stdout writes |len| bytes to standard output and flushes; false on a write error.
bool write_stdout(const uint8_t* data, size_t len);

}  // namespace volley::tool
