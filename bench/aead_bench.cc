// Google Benchmark suite for the AEADs: every volley backend this CPU runs, plus OpenSSL EVP (used
// TLS-style), ipsec-mb and libsodium, sealing and opening 64 to 16384-byte records one at a time;
// and volley's batched TLS record layer, 32 records per call.
//
//   bazel build //bench:aead_bench && bazel-bin/bench/aead_bench --benchmark_filter=aes-128
//
// Each benchmark runs the same subjects (tools/speed/subject.h) and message pool as `volley speed`,
// and converts time to cycles with the same calibrated core clock, so the two agree. The first call
// is checked against OpenSSL's output before anything is timed. Counters: bytes_per_second and
// cycles_per_byte (core cycles: wall time x calibrated core GHz; the TSC is not the core clock).
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "tools/speed/core_clock.h"
#include "tools/speed/options.h"
#include "tools/speed/peers.h"
#include "tools/speed/subject.h"
#include "tools/speed/workload.h"
#include "volley/dispatch.h"

namespace volley::speed {
namespace {

constexpr size_t kSizes[] = {64, 256, 1350, 4096, 16384};
constexpr size_t kRecordBatch = 32;

void run_one(benchmark::State& state, const Subject* subject, Op op, size_t size, size_t batch) {
  const Aead& aead = *subject->info().aead;
  MessagePool pool(aead, bench_key(aead.key_len), size, batch, 1);
  std::unique_ptr<Worker> worker = subject->make_worker(pool.messages(), batch);
  const auto msgs = pool.messages();
  if (!worker->process(op, msgs) ||
      (worker->reproduces_reference() && !pool.check_outputs(0, batch, op == Op::kSeal))) {
    state.SkipWithError("output differs from OpenSSL's");
    return;
  }
  bool ok = true;
  const auto t0 = std::chrono::steady_clock::now();
  for (auto _ : state) {
    ok &= worker->process(op, msgs);
    benchmark::DoNotOptimize(msgs[0].out);
    benchmark::ClobberMemory();
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  benchmark::DoNotOptimize(ok);
  if (!ok) state.SkipWithError("an operation failed");
  const double bytes =
      static_cast<double>(state.iterations()) * static_cast<double>(size) * static_cast<double>(batch);
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  // Timed here rather than from the framework's counters so that the figure is a plain number.
  state.counters["cycles_per_byte"] = bytes > 0 ? seconds * core_ghz() * 1e9 / bytes : 0;
}

// The subjects live for the whole run: benchmarks hold raw pointers to them.
std::vector<std::unique_ptr<Subject>>& subjects() {
  static std::vector<std::unique_ptr<Subject>> list;
  return list;
}

void register_all() {
  const Impl peers[] = {Impl::kOpenSsl, Impl::kIpsecMb, Impl::kLibsodium};
  for (const Aead* aead : all_aeads()) {
    for (const std::string& backend : available_backends(*aead)) {
      subjects().push_back(make_volley_subject(*aead, backend, 1));
    }
    for (Impl impl : peers) {
      if (!peer_built(impl)) continue;
      std::unique_ptr<Subject> s = make_peer_subject(impl, *aead);
      if (s != nullptr) subjects().push_back(std::move(s));
    }
  }
  for (Op op : {Op::kSeal, Op::kOpen}) {
    for (const auto& s : subjects()) {
      const SubjectInfo& info = s->info();
      for (size_t size : kSizes) {
        const std::string name = std::string(op_name(op)) + "/" + std::string(info.aead->name) +
                                 "/" + std::string(impl_name(info.impl)) + ":" + info.backend +
                                 "/" + std::to_string(size);
        benchmark::RegisterBenchmark(name.c_str(), run_one, s.get(), op, size, size_t{1})
            ->UseRealTime();
      }
    }
  }
  // The batched TLS record layer: kRecordBatch records per call on the best backend, each a whole
  // TLS 1.3 record (named record_seal/..., record_open/...). Compare with the one-at-a-time rows.
  for (const Aead* aead : all_aeads()) {
    const std::string best(dispatch::best(aead->family).name);
    subjects().push_back(make_volley_subject(*aead, best, kRecordBatch));
    const Subject* s = subjects().back().get();
    for (Op op : {Op::kSeal, Op::kOpen}) {
      for (size_t size : kSizes) {
        const std::string name = "record_" + std::string(op_name(op)) + "/" +
                                 std::string(aead->name) + "/volley:" + best + "/" +
                                 std::to_string(size) + "/batch:" + std::to_string(kRecordBatch);
        benchmark::RegisterBenchmark(name.c_str(), run_one, s, op, size, kRecordBatch)
            ->UseRealTime();
      }
    }
  }
}

}  // namespace
}  // namespace volley::speed

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  const double ghz = volley::speed::core_ghz();
  benchmark::AddCustomContext("core_ghz", std::to_string(ghz));
  volley::speed::register_all();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
