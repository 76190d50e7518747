#include "tools/cli_io.h"

#include <cstdio>

namespace volley::tool {
namespace {

int nibble(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool parse_hex(const std::string& text, std::vector<uint8_t>* out) {
  out->clear();
  if (text.size() % 2 != 0) return false;
  for (size_t i = 0; i < text.size(); i += 2) {
    const int hi = nibble(text[i]);
    const int lo = nibble(text[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<uint8_t>(hi << 4 | lo));
  }
  return true;
}

bool read_stdin(std::vector<uint8_t>* out) {
  uint8_t buf[65536];
  while (true) {
    const size_t n = std::fread(buf, 1, sizeof(buf), stdin);
    out->insert(out->end(), buf, buf + n);
    if (n < sizeof(buf)) return std::ferror(stdin) == 0;
  }
}

bool write_stdout(const uint8_t* data, size_t len) {
  return std::fwrite(data, 1, len, stdout) == len && std::fflush(stdout) == 0;
}

}  // namespace volley::tool
