// Readers for the standard test-vector formats in ../shared/vectors. A missing or malformed file
// throws std::runtime_error with the path and line, which GoogleTest reports as a test failure:
// nothing is silently skipped.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "nlohmann/json.hpp"

namespace volley::test {

// vector_path returns the path of |relative| (e.g. "wycheproof/aes_gcm_test.json") inside the shared
// vectors: from Bazel's runfiles (the @shared_vectors repository) under `bazel test`, else from
// $VOLLEY_VECTORS_DIR, else ../shared/vectors. Throws if the file cannot be opened.
std::string vector_path(std::string_view relative);

// hex decodes a hex string (upper or lower case, even length); throws on anything else.
std::vector<uint8_t> hex(std::string_view text);

// to_hex encodes |bytes| as lower-case hex, for failure messages.
std::string to_hex(const uint8_t* bytes, size_t len);
inline std::string to_hex(const std::vector<uint8_t>& v) { return to_hex(v.data(), v.size()); }

// FileTestCase is one blank-line-separated block of a BoringSSL-style test file: "KEY: hex" or
// "Key = hex" attributes (a value in double quotes is taken as literal text), and bare flags such
// as "FAILS".
struct FileTestCase {
  int line = 0;  // first line of the block, 1-based
  std::map<std::string, std::string> attributes;
  std::vector<std::string> flags;

  bool has(const std::string& key) const { return attributes.count(key) != 0; }
  bool has_flag(std::string_view flag) const;
  // bytes returns the attribute decoded from hex (or the literal text of a quoted value); throws if
  // absent.
  std::vector<uint8_t> bytes(const std::string& key) const;
};

// read_file_test_file reads a BoringSSL KEY/NONCE/IN/AD/CT/TAG (or Key = value) file.
std::vector<FileTestCase> read_file_test_file(const std::string& path);

// RspCase is one case of a NIST CAVP .rsp file: its "[Name = value]" section headers, its
// "Name = value" fields, and whether it is marked FAIL.
struct RspCase {
  int line = 0;
  std::map<std::string, std::string> section;
  std::map<std::string, std::string> fields;
  bool fail = false;

  bool has(const std::string& key) const { return fields.count(key) != 0; }
  std::vector<uint8_t> bytes(const std::string& key) const;
  int section_int(const std::string& key) const;
};

std::vector<RspCase> read_rsp_file(const std::string& path);

// WycheproofTest is one entry of a Wycheproof file's testGroups[].tests[], with its group.
struct WycheproofTest {
  const nlohmann::json* group;
  const nlohmann::json* test;

  int id() const { return (*test)["tcId"].get<int>(); }
  std::string result() const { return (*test)["result"].get<std::string>(); }
  bool valid() const { return result() == "valid"; }
  bool invalid() const { return result() == "invalid"; }
  bool acceptable() const { return result() == "acceptable"; }
  bool has_flag(std::string_view flag) const;
  std::vector<uint8_t> bytes(const char* field) const { return hex((*test)[field].get<std::string>()); }
  int group_int(const char* field) const { return (*group)[field].get<int>(); }
  // describe names the case in failure messages: "tcId 17 (comment) [flags]".
  std::string describe() const;
};

// WycheproofFile holds a parsed Wycheproof JSON file and lists its tests.
// Not copyable: |tests| points into |root| (moving keeps those pointers valid).
struct WycheproofFile {
  WycheproofFile() = default;
  WycheproofFile(WycheproofFile&&) = default;
  WycheproofFile(const WycheproofFile&) = delete;
  WycheproofFile& operator=(const WycheproofFile&) = delete;

  nlohmann::json root;
  std::vector<WycheproofTest> tests;
  // declared_count is the file's numberOfTests.
  int declared_count = 0;
};

// read_wycheproof_file parses |path|; throws if it is unreadable, not JSON, or if the number of
// tests found differs from numberOfTests.
WycheproofFile read_wycheproof_file(const std::string& path);

}  // namespace volley::test
