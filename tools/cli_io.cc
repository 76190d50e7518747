#include "tools/cli_io.h"

#include <cstdio>

#include "engine/common/secure_memory.h"

namespace volley::tool {
namespace {

int nibble(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool parse_decimal(const std::string& text, uint64_t lo, uint64_t hi, uint64_t* out) {
  if (text.empty()) return false;
  uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - digit) / 10) return false;
    v = v * 10 + digit;
  }
  if (v < lo || v > hi) return false;
  *out = v;
  return true;
}

bool parse_hex(const std::string& text, std::vector<uint8_t>* out) {
  out->clear();
  if (text.size() % 2 != 0) return false;
  out->reserve(text.size() / 2);
  for (size_t i = 0; i < text.size(); i += 2) {
    const int hi = nibble(text[i]);
    const int lo = nibble(text[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<uint8_t>(hi << 4 | lo));
  }
  return true;
}

SecretBytes::~SecretBytes() { secure_wipe(bytes.data(), bytes.size()); }

void wipe_string(std::string* s) {
  secure_wipe(s->data(), s->size());
  s->clear();
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
