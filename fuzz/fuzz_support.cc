// Shared helpers of volley's fuzz targets (see fuzz_support.h).
#include "fuzz/fuzz_support.h"

#include <cstdio>
#include <cstring>
#include <fstream>

#include "volley/dispatch.h"

namespace volley::fuzz {

void check_failed(const char* what, const char* file, int line) noexcept {
  std::fprintf(stderr, "volley fuzz invariant violated: %s (%s:%d)\n", what, file, line);
  std::fflush(stderr);
  __builtin_trap();
}

const CipherSuite& suite_for(uint8_t choice) noexcept {
  const auto suites = all_cipher_suites();
  return *suites[choice % suites.size()];
}

std::string_view backend_for(const CipherSuite& suite, uint8_t choice) noexcept {
  const auto all = dispatch::backends(suite.aead->family);
  size_t count = 0;
  for (const dispatch::Backend& b : all) count += dispatch::available(b) ? 1 : 0;
  // Every family has a portable backend, so count >= 1.
  size_t want = choice % count;
  for (const dispatch::Backend& b : all) {
    if (!dispatch::available(b)) continue;
    if (want-- == 0) return b.name;
  }
  return {};
}

TrafficKeys fixed_keys(const CipherSuite& suite, uint8_t generation) noexcept {
  uint8_t key[TrafficKeys::kMaxKeySize];
  uint8_t iv[TrafficKeys::kIvSize];
  for (size_t i = 0; i < sizeof(key); ++i) key[i] = static_cast<uint8_t>(0x40 + i);
  for (size_t i = 0; i < sizeof(iv); ++i) iv[i] = static_cast<uint8_t>(0xa0 + i);
  key[0] ^= generation;
  TrafficKeys keys;
  // Cannot fail: the lengths are those of the suite.
  (void)keys.assign(Bytes(key, suite.key_len), Bytes(iv, sizeof(iv)));
  return keys;
}

TrafficKeys keys_from_bytes(const CipherSuite& suite, Input& in) noexcept {
  uint8_t material[TrafficKeys::kMaxKeySize + TrafficKeys::kIvSize] = {};
  const Bytes got = in.bytes(suite.key_len + TrafficKeys::kIvSize);
  if (!got.empty()) std::memcpy(material, got.data(), got.size());
  TrafficKeys keys;
  (void)keys.assign(Bytes(material, suite.key_len),
                    Bytes(material + suite.key_len, TrafficKeys::kIvSize));
  return keys;
}

void save_seed(const std::filesystem::path& dir, const std::string& name, Bytes bytes) {
  std::filesystem::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace volley::fuzz
