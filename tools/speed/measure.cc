#include "tools/speed/measure.h"

#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <chrono>
#include <functional>
#include <thread>
#include <vector>

namespace volley::speed {
namespace {

using Clock = std::chrono::steady_clock;

// Every run folds a byte of its outputs in here, so that no call's work is dead.
std::atomic<uint8_t> g_sink{0};

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// allowed_cpus lists the CPUs this process may run on.
std::vector<int> allowed_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> cpus;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    for (int c = 0; c < CPU_SETSIZE; ++c) {
      if (CPU_ISSET(c, &set)) cpus.push_back(c);
    }
  }
  return cpus;
}

void pin_to(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  // Best effort: an unpinned thread still measures, only less steadily.
  (void)pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

// Runner drives one worker over its pool, |batch| messages per call.
class Runner {
 public:
  Runner(Worker& worker, MessagePool& pool, Op op, size_t batch)
      : worker_(worker), pool_(pool), op_(op), batch_(batch) {}

  bool run(uint64_t calls) {
    const auto msgs = pool_.messages();
    bool ok = true;
    uint8_t fold = 0;
    for (uint64_t i = 0; i < calls; ++i) {
      ok &= worker_.process(op_, msgs.subspan(cursor_, batch_));
      fold ^= msgs[cursor_].out[0];
      cursor_ += batch_;
      if (cursor_ == msgs.size()) cursor_ = 0;
    }
    g_sink.fetch_xor(fold, std::memory_order_relaxed);
    return ok;
  }

 private:
  Worker& worker_;
  MessagePool& pool_;
  Op op_;
  size_t batch_;
  size_t cursor_ = 0;
};

struct ThreadResult {
  bool ok = true;
  std::string error;
  std::vector<double> bytes_per_second;  // one per repetition
};

void thread_body(const Subject& subject, const MeasureSpec& spec, unsigned index, int cpu,
                 std::barrier<>& sync, ThreadResult* result) {
  if (cpu >= 0) pin_to(cpu);
  const Aead& aead = *subject.info().aead;
  MessagePool pool(aead, bench_key(aead.key_len), spec.size,
                   pool_count(spec.size, spec.batch, spec.cold), index + 1);
  std::unique_ptr<Worker> worker = subject.make_worker(pool.messages(), spec.batch);
  Runner runner(*worker, pool, spec.op, spec.batch);

  // Correctness first: the first call must reproduce OpenSSL's output (or plaintext).
  pool.clear_outputs(0, spec.batch);
  const bool check = worker->reproduces_reference();
  if (!runner.run(1) || (check && !pool.check_outputs(0, spec.batch, spec.op == Op::kSeal))) {
    result->ok = false;
    result->error =
        spec.op == Op::kSeal ? "output differs from OpenSSL's" : "open failed or plaintext differs";
  }

  const double warm = spec.seconds / 5;
  const WarmUp w = warm_up([&runner](uint64_t calls) { return runner.run(calls); }, warm);
  result->ok &= w.ok;
  const uint64_t rep_calls =
      calls_for((spec.seconds - warm) / spec.repetitions, w.seconds_per_call);
  const double bytes = static_cast<double>(rep_calls) * static_cast<double>(spec.batch) *
                       static_cast<double>(spec.size);
  for (unsigned r = 0; r < spec.repetitions; ++r) {
    sync.arrive_and_wait();
    const auto t0 = Clock::now();
    result->ok &= runner.run(rep_calls);
    const double t = seconds_since(t0);
    result->bytes_per_second.push_back(t > 0 ? bytes / t : 0);
  }
  if (!result->ok && result->error.empty()) result->error = "an operation failed";
}

}  // namespace

Measurement measure(const Subject& subject, const MeasureSpec& spec) {
  std::vector<int> cpus = spec.threads > 1 ? allowed_cpus() : std::vector<int>{};
  std::vector<ThreadResult> results(spec.threads);
  std::barrier<> sync(static_cast<std::ptrdiff_t>(spec.threads));
  std::vector<std::thread> threads;
  threads.reserve(spec.threads);
  for (unsigned i = 0; i < spec.threads; ++i) {
    const int cpu = cpus.empty() ? -1 : cpus[i % cpus.size()];
    threads.emplace_back(thread_body, std::cref(subject), std::cref(spec), i, cpu, std::ref(sync),
                         &results[i]);
  }
  for (std::thread& t : threads) t.join();

  Measurement m;
  m.ok = true;
  std::vector<double> totals(spec.repetitions, 0.0);
  for (const ThreadResult& r : results) {
    if (!r.ok) {
      m.ok = false;
      m.error = r.error;
    }
    for (unsigned i = 0; i < spec.repetitions && i < r.bytes_per_second.size(); ++i) {
      totals[i] += r.bytes_per_second[i];
    }
  }
  m.bytes_per_second = median(std::move(totals));
  return m;
}

WarmUp warm_up(const std::function<bool(uint64_t calls)>& run, double seconds) {
  WarmUp w;
  uint64_t calls = 1;
  const auto start = Clock::now();
  while (true) {
    const auto t0 = Clock::now();
    w.ok &= run(calls);
    const double t = seconds_since(t0);
    w.seconds_per_call = t / static_cast<double>(calls);
    if (seconds_since(start) >= seconds) break;
    if (t < seconds / 8) calls *= 2;
  }
  return w;
}

uint64_t calls_for(double seconds, double seconds_per_call) {
  const double want = seconds_per_call > 0 ? seconds / seconds_per_call : 1;
  return want < 1 ? 1 : static_cast<uint64_t>(want);
}

double median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

}  // namespace volley::speed
