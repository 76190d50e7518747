// The options of `volley speed`: registered on a CLI11 subcommand as raw text, then checked and
// resolved against this CPU's backends by resolve_options(). Kept apart from the command so that
// tests can parse argument lists without running anything.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "CLI/CLI.hpp"
#include "volley/aead.h"

namespace volley::speed {

enum class Op : uint8_t { kSeal, kOpen };

std::string_view op_name(Op op);

// Impl is whose code is measured: volley's own kernels, or a peer library in the same process.
enum class Impl : uint8_t { kVolley, kOpenSsl, kIpsecMb, kLibsodium };

// impl_name returns "volley", "openssl", "ipsec-mb" or "libsodium".
std::string_view impl_name(Impl impl);

// kDefaultPkiDir is where --handshake finds the test PKI: tests/pki relative to the repository
// root, which is also the working directory of `bazel run` and of a test with
// //tests/pki:test_pki as data.
inline constexpr const char* kDefaultPkiDir = "tests/pki";

// SpeedArgs holds the options as typed by the user, before any checking.
struct SpeedArgs {
  std::string aead = "all";
  std::string backend = "best";
  std::string impl = "all";
  std::string op = "seal";
  std::string sizes = "64,256,1350,4096,16384";
  std::string batch = "1,32";
  std::string threads = "1";
  std::string duration = "0.4";
  std::string repetitions = "5";
  bool cold = false;
  std::string json;
  std::string csv;
  std::string svg;
  bool handshake = false;
  std::string pki = kDefaultPkiDir;
};

// AeadPlan is what to measure of one AEAD: the volley backends (names, best first) and peers.
struct AeadPlan {
  const Aead* aead = nullptr;
  std::vector<std::string> backends;
};

// SpeedOptions is the checked form of SpeedArgs.
struct SpeedOptions {
  std::vector<AeadPlan> aeads;
  std::vector<Impl> impls;  // in table order; kVolley first when chosen
  std::vector<Op> ops;
  std::vector<size_t> sizes;
  std::vector<size_t> batches;
  unsigned threads = 1;
  double duration_seconds = 0.4;  // per measurement: warm-up plus every repetition
  unsigned repetitions = 5;
  bool cold = false;
  std::string json_path;
  std::string csv_path;
  std::string svg_path;
  // handshake: measure full TLS 1.3 handshakes (handshake_run.h) instead of AEADs; only impls,
  // duration, repetitions and json_path apply, and impls holds volley and/or OpenSSL.
  bool handshake = false;
  std::string pki_dir = kDefaultPkiDir;
};

// Limits on the numeric options; anything outside is malformed.
inline constexpr size_t kMaxSize = size_t{1} << 24;
inline constexpr size_t kMaxBatch = 1024;
inline constexpr unsigned kMaxThreads = 256;
inline constexpr unsigned kMaxRepetitions = 101;
inline constexpr double kMaxDurationSeconds = 600;

// register_speed_options adds the options of `volley speed` to |app|, writing into |args|, which
// must outlive parsing.
void register_speed_options(CLI::App& app, SpeedArgs* args);

// resolve_options checks |args| and fills |out|. On a malformed or unusable value (unknown AEAD,
// unknown or unavailable backend, a size of 0, ...) it returns false with one line in |error|.
// With --handshake, an AEAD option changed from its default, --csv, --svg, or an implementation
// other than volley and OpenSSL is malformed too.
bool resolve_options(const SpeedArgs& args, SpeedOptions* out, std::string* error);

// available_backends lists the backends of |aead| usable on this CPU, best first.
std::vector<std::string> available_backends(const Aead& aead);

}  // namespace volley::speed
