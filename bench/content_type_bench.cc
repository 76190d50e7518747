// The content-type scan (RFC 8446 §5.4) per backend, beside the backwards scan the record layer
// used before (stops at the type byte, so its time tells the padding length), and the record
// layer's entry record_internal::inner_content_type (dispatch::best() on every call).
//
//   bazel build //bench:content_type_bench && bazel-bin/bench/content_type_bench
//
// Lengths 64, 1350 and 16385 (the largest TLSInnerPlaintext), with no padding and with half the
// buffer padding. A constant-time scan shows the same time for both. Counters: cycles_per_byte
// (core cycles: wall time x the core clock calibrated by //tools:speed, as aead_bench does).
#include <chrono>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "engine/kernels/content_type_kernels.h"
#include "engine/record/content_type.h"
#include "tests/ct/old_content_type_scan.h"
#include "tools/speed/core_clock.h"
#include "volley/dispatch.h"

namespace volley {
namespace {

constexpr size_t kLens[] = {64, 65, 256, 1350, 16385};

uint8_t record_entry(const uint8_t* inner, size_t len, size_t* content_len) {
  return record_internal::inner_content_type(inner, len, content_len);
}

using ScanFn = uint8_t (*)(const uint8_t*, size_t, size_t*);

void run_one(benchmark::State& state, ScanFn scan, size_t len, size_t padding) {
  // Non-zero content, the type (application_data), then |padding| zeros.
  std::vector<uint8_t> inner(len, 0);
  std::mt19937_64 rng(len);
  const size_t type_at = len - 1 - padding;
  for (size_t i = 0; i < type_at; ++i) inner[i] = static_cast<uint8_t>(1 + rng() % 255);
  inner[type_at] = 23;
  size_t content_len = 0;
  if (scan(inner.data(), len, &content_len) != 23 || content_len != type_at) {
    state.SkipWithError("wrong result");
    return;
  }
  const auto t0 = std::chrono::steady_clock::now();
  for (auto _ : state) {
    const uint8_t* p = inner.data();
    benchmark::DoNotOptimize(p);
    const uint8_t type = scan(p, len, &content_len);
    benchmark::DoNotOptimize(type);
    benchmark::DoNotOptimize(content_len);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double bytes = static_cast<double>(state.iterations()) * static_cast<double>(len);
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.counters["cycles_per_byte"] = bytes > 0 ? seconds * speed::core_ghz() * 1e9 / bytes : 0;
}

void register_all() {
  std::vector<std::pair<std::string, ScanFn>> subjects;
  for (const dispatch::Backend& b : dispatch::backends(dispatch::Family::kContentType)) {
    if (!dispatch::available(b)) continue;
    subjects.emplace_back(std::string(b.name),
                          static_cast<const kernels::ContentTypeKernel*>(b.kernel)->scan);
  }
  subjects.emplace_back("record-entry", record_entry);
  subjects.emplace_back("old-backwards", old_scan::backwards_scan);
  for (const auto& [name, fn] : subjects) {
    for (size_t len : kLens) {
      for (size_t padding : {size_t{0}, len / 2}) {
        const std::string label =
            name + "/" + std::to_string(len) + "/pad" + std::to_string(padding);
        benchmark::RegisterBenchmark(label.c_str(), run_one, fn, len, padding);
      }
    }
  }
}

}  // namespace
}  // namespace volley

int main(int argc, char** argv) {
  volley::speed::core_ghz();  // calibrate before anything is timed
  volley::register_all();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
