// Backend selection: the best available backend of each family is chosen once, on first use.
#include <array>
#include <atomic>

#include "engine/dispatch/family_tables.h"
#include "volley/dispatch.h"

namespace volley::dispatch {
namespace {

std::span<const Backend> table(Family family) {
  switch (family) {
    case Family::kAesGcm:
      return aes_gcm_backends();
    case Family::kChaCha20Poly1305:
      return chacha20_poly1305_backends();
    case Family::kSha256:
      return sha256_backends();
    case Family::kSha512:
      return sha512_backends();
    case Family::kX25519:
      return x25519_backends();
    case Family::kContentType:
      return content_type_backends();
    case Family::kCount:
      break;
  }
  return {};
}

// Forced backends, one slot per family; null means automatic selection.
std::array<std::atomic<const Backend*>, kFamilyCount> g_forced{};

}  // namespace

std::string_view family_name(Family family) {
  switch (family) {
    case Family::kAesGcm:
      return "aes-gcm";
    case Family::kChaCha20Poly1305:
      return "chacha20-poly1305";
    case Family::kSha256:
      return "sha256";
    case Family::kSha512:
      return "sha512";
    case Family::kX25519:
      return "x25519";
    case Family::kContentType:
      return "content-type";
    case Family::kCount:
      break;
  }
  return "?";
}

std::span<const Backend> backends(Family family) { return table(family); }

bool available(const Backend& backend) {
  return backend.kernel != nullptr && cpu::features().has_all(backend.needs);
}

const Backend* select_best(std::span<const Backend> list, const cpu::Features& cpu) {
  for (const Backend& b : list) {
    if (b.kernel != nullptr && cpu.has_all(b.needs)) return &b;
  }
  return nullptr;
}

const Backend* find(Family family, std::string_view name) {
  for (const Backend& b : table(family)) {
    if (b.name == name) return &b;
  }
  return nullptr;
}

const Backend& best(Family family) {
  const int i = static_cast<int>(family);
  if (const Backend* forced = g_forced[i].load(std::memory_order_acquire)) return *forced;
  // Every family ends with a portable backend that needs nothing, so this is never null.
  static const std::array<const Backend*, kFamilyCount> kChosen = [] {
    std::array<const Backend*, kFamilyCount> chosen{};
    for (int f = 0; f < kFamilyCount; ++f) {
      chosen[f] = select_best(table(static_cast<Family>(f)), cpu::features());
    }
    return chosen;
  }();
  return *kChosen[i];
}

ForceResult force(Family family, std::string_view name) {
  const int i = static_cast<int>(family);
  if (name.empty()) {
    g_forced[i].store(nullptr, std::memory_order_release);
    return ForceResult::kOk;
  }
  const Backend* b = find(family, name);
  if (b == nullptr) return ForceResult::kUnknownName;
  if (!available(*b)) return ForceResult::kUnavailable;
  g_forced[i].store(b, std::memory_order_release);
  return ForceResult::kOk;
}

}  // namespace volley::dispatch
