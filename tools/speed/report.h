// The results of a `volley speed` run and their renderings: the terminal table, JSON, CSV and an
// SVG chart. The JSON schema is documented in bench/README.md.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "nlohmann/json.hpp"

namespace volley::speed {

struct CpuInfo {
  std::string model;     // /proc/cpuinfo "model name", or "unknown"
  std::string features;  // volley::cpu::to_string(volley::cpu::features())
  double core_ghz = 0;   // calibrated (core_clock.h)
};

// Result is one row: one implementation of one AEAD, one op, size, batch and thread count.
struct Result {
  std::string aead;     // aes-128-gcm | aes-256-gcm | chacha20-poly1305
  std::string impl;     // volley | openssl | ipsec-mb | libsodium
  std::string backend;  // volley backend name, or the peer's code path
  std::string via;      // direct | loop | record | job (see subject.h)
  std::string op;       // seal | open
  size_t size = 0;
  size_t batch = 1;
  unsigned threads = 1;
  double bytes_per_second = 0;  // total over threads
  double cycles_per_byte = 0;   // per core: core_ghz * 1e9 / (bytes_per_second / threads)
  std::optional<double>
      ratio_to_openssl;  // bytes_per_second / OpenSSL's, same aead/op/size/threads
  bool ok = true;
  std::string error;
};

struct Report {
  CpuInfo cpu;
  std::vector<std::pair<std::string, std::string>> libraries;  // name, version
  double seconds_per_measurement = 0;
  unsigned repetitions = 0;
  bool cold = false;
  std::vector<Result> results;
};

// read_cpu_info fills model and features; core_ghz is left for the caller.
CpuInfo read_cpu_info();

// cycles_per_byte converts a total throughput on |threads| cores to core cycles per byte.
double cycles_per_byte(double core_ghz, double bytes_per_second, unsigned threads);

// fill_ratios sets ratio_to_openssl on every result that has an OpenSSL row (ok, batch 1) with the
// same aead, op, size and thread count.
void fill_ratios(std::vector<Result>* results);

// format_cpu_lines renders the CPU's model, calibrated clock and features, two lines for the top
// of a table.
std::string format_cpu_lines(const CpuInfo& cpu);

// json_head renders what every speed report starts with: {"cpu": {"model", "features",
// "core_ghz"}, "libraries": {name: version, ...}, "settings": {"seconds_per_measurement",
// "repetitions"}}; the caller adds its own settings.
nlohmann::json json_head(const CpuInfo& cpu,
                         const std::vector<std::pair<std::string, std::string>>& libraries,
                         double seconds_per_measurement, unsigned repetitions);

// format_number renders |v| with a printf format of one double ("%.2f").
std::string format_number(const char* fmt, double v);

// format_table renders the results grouped by AEAD and op, for a terminal.
std::string format_table(const Report& report);

// to_json renders the report: {"cpu": {...}, "libraries": {...}, "settings": {...},
// "results": [...]}.
nlohmann::json to_json(const Report& report);

// to_csv renders one header line and one line per result, with the result fields of to_json.
std::string to_csv(const Report& report);

// to_svg renders throughput (GB/s) against message size (log scale), one panel per AEAD and one
// polyline per series (implementation, backend, via, batch, op, threads).
std::string to_svg(const Report& report);

// series_label names the series a result belongs to, as in the SVG legend.
std::string series_label(const Result& r, bool with_op, bool with_threads);

// write_file writes |text| to |path|; on failure returns false with a message in |error|.
bool write_file(const std::string& path, const std::string& text, std::string* error);

}  // namespace volley::speed
