#include "tests/harness/vectors.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace volley::test {
namespace {

[[noreturn]] void fail(const std::string& path, int line, const std::string& what) {
  throw std::runtime_error(path + ":" + std::to_string(line) + ": " + what);
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return std::string(s);
}

bool readable(const std::string& path) { return std::ifstream(path).good(); }

std::ifstream open_or_throw(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open test vector file " + path);
  return in;
}

// Attribute values: "quoted text" is literal, anything else is hex.
std::vector<uint8_t> decode_value(const std::string& value) {
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
    return std::vector<uint8_t>(value.begin() + 1, value.end() - 1);
  }
  return hex(value);
}

}  // namespace

std::string vector_path(std::string_view relative) {
  std::vector<std::string> candidates;
  if (const char* srcdir = std::getenv("TEST_SRCDIR")) {
    candidates.push_back(std::string(srcdir) + "/shared_vectors/" + std::string(relative));
    candidates.push_back(std::string(srcdir) + "/volley/external/shared_vectors/" +
                         std::string(relative));
  }
  if (const char* dir = std::getenv("VOLLEY_VECTORS_DIR")) {
    candidates.push_back(std::string(dir) + "/" + std::string(relative));
  }
  candidates.push_back("../shared/vectors/" + std::string(relative));
  for (const std::string& c : candidates) {
    if (readable(c)) return c;
  }
  std::string tried;
  for (const std::string& c : candidates) tried += "\n  " + c;
  throw std::runtime_error("test vector file " + std::string(relative) + " not found; tried:" +
                           tried);
}

std::vector<uint8_t> hex(std::string_view text) {
  auto nibble = [&](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    throw std::runtime_error("bad hex digit in \"" + std::string(text) + "\"");
  };
  if (text.size() % 2 != 0) throw std::runtime_error("odd-length hex \"" + std::string(text) + "\"");
  std::vector<uint8_t> out(text.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<uint8_t>(nibble(text[2 * i]) << 4 | nibble(text[2 * i + 1]));
  }
  return out;
}

std::string to_hex(const uint8_t* bytes, size_t len) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s(2 * len, '0');
  for (size_t i = 0; i < len; ++i) {
    s[2 * i] = kDigits[bytes[i] >> 4];
    s[2 * i + 1] = kDigits[bytes[i] & 15];
  }
  return s;
}

bool FileTestCase::has_flag(std::string_view flag) const {
  for (const std::string& f : flags) {
    if (f == flag) return true;
  }
  return false;
}

std::vector<uint8_t> FileTestCase::bytes(const std::string& key) const {
  auto it = attributes.find(key);
  if (it == attributes.end()) {
    throw std::runtime_error("test case at line " + std::to_string(line) + " has no " + key);
  }
  return decode_value(it->second);
}

std::vector<FileTestCase> read_file_test_file(const std::string& path) {
  std::ifstream in = open_or_throw(path);
  std::vector<FileTestCase> cases;
  FileTestCase current;
  bool open_block = false;
  std::string raw;
  int line_no = 0;
  auto close_block = [&] {
    if (open_block) cases.push_back(std::move(current));
    current = FileTestCase{};
    open_block = false;
  };
  while (std::getline(in, raw)) {
    ++line_no;
    const std::string line = trim(raw);
    if (line.empty()) {
      close_block();
      continue;
    }
    if (line[0] == '#') continue;
    if (!open_block) {
      current.line = line_no;
      open_block = true;
    }
    // "KEY: value" (AEAD files) or "Key = value" (Poly1305 file), or a bare flag.
    size_t sep = line.find(": ");
    size_t skip = 2;
    if (line.back() == ':') {
      sep = line.size() - 1;
      skip = 1;
    } else if (sep == std::string::npos) {
      sep = line.find(" = ");
      skip = 3;
    }
    if (sep == std::string::npos) {
      current.flags.push_back(line);
      continue;
    }
    const std::string key = trim(line.substr(0, sep));
    if (current.attributes.count(key)) fail(path, line_no, "duplicate attribute " + key);
    current.attributes[key] = trim(line.substr(sep + skip));
  }
  close_block();
  if (cases.empty()) fail(path, line_no, "no test cases");
  return cases;
}

std::vector<uint8_t> RspCase::bytes(const std::string& key) const {
  auto it = fields.find(key);
  if (it == fields.end()) {
    throw std::runtime_error("rsp case at line " + std::to_string(line) + " has no " + key);
  }
  return hex(it->second);
}

int RspCase::section_int(const std::string& key) const {
  auto it = section.find(key);
  if (it == section.end()) {
    throw std::runtime_error("rsp case at line " + std::to_string(line) + " has no [" + key + "]");
  }
  return std::stoi(it->second);
}

std::vector<RspCase> read_rsp_file(const std::string& path) {
  std::ifstream in = open_or_throw(path);
  std::vector<RspCase> cases;
  std::map<std::string, std::string> section;
  bool section_open = false;  // a header line after cases starts a new section
  RspCase current;
  bool open_case = false;
  std::string raw;
  int line_no = 0;
  auto close_case = [&] {
    if (open_case) cases.push_back(std::move(current));
    current = RspCase{};
    open_case = false;
  };
  while (std::getline(in, raw)) {
    ++line_no;
    const std::string line = trim(raw);
    if (line.empty() || line[0] == '#') {
      if (line.empty()) close_case();
      continue;
    }
    if (line.front() == '[') {
      close_case();
      if (line.back() != ']') fail(path, line_no, "bad section header");
      if (!section_open) section.clear();
      section_open = true;
      const std::string body = line.substr(1, line.size() - 2);
      const size_t eq = body.find('=');
      if (eq == std::string::npos) fail(path, line_no, "bad section header");
      section[trim(body.substr(0, eq))] = trim(body.substr(eq + 1));
      continue;
    }
    section_open = false;
    if (!open_case) {
      current.line = line_no;
      current.section = section;
      open_case = true;
    }
    if (line == "FAIL") {
      current.fail = true;
      continue;
    }
    const size_t eq = line.find('=');
    if (eq == std::string::npos) fail(path, line_no, "expected Name = value");
    current.fields[trim(line.substr(0, eq))] = trim(line.substr(eq + 1));
  }
  close_case();
  if (cases.empty()) fail(path, line_no, "no test cases");
  return cases;
}

bool WycheproofTest::has_flag(std::string_view flag) const {
  if (!test->contains("flags")) return false;
  for (const auto& f : (*test)["flags"]) {
    if (f.get<std::string>() == flag) return true;
  }
  return false;
}

std::string WycheproofTest::describe() const {
  std::ostringstream s;
  s << "tcId " << id();
  if (test->contains("comment")) s << " (" << (*test)["comment"].get<std::string>() << ")";
  if (test->contains("flags") && !(*test)["flags"].empty()) s << " " << (*test)["flags"].dump();
  return s.str();
}

WycheproofFile read_wycheproof_file(const std::string& path) {
  std::ifstream in = open_or_throw(path);
  WycheproofFile file;
  try {
    in >> file.root;
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(path + ": not valid JSON: " + e.what());
  }
  file.declared_count = file.root.value("numberOfTests", -1);
  for (const auto& group : file.root["testGroups"]) {
    for (const auto& test : group["tests"]) file.tests.push_back({&group, &test});
  }
  if (static_cast<int>(file.tests.size()) != file.declared_count) {
    throw std::runtime_error(path + ": found " + std::to_string(file.tests.size()) +
                             " tests, numberOfTests says " +
                             std::to_string(file.declared_count));
  }
  return file;
}

}  // namespace volley::test
