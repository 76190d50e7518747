// The TLS 1.3 record layer against its own floor: RecordProtection::seal_batch / open on N records
// of one connection, beside the AEAD kernel called directly with jobs of exactly the shape the
// record layer builds (header as AAD just before the body, in place, inner plaintext = payload plus
// the content type byte, tag after it, one nonce per record). The difference between the two rows
// is what the record layer itself costs per record.
//
//   bazel build //bench:record_bench
//   bazel-bin/bench/record_bench --benchmark_filter='aes-128-gcm/64/batch:32' --benchmark_repetitions=3
//
// Rows: kernel/... (the floor), kernel_disjoint/... (the same with the input read from the payload
// buffers, the floor for record_copy), record_copy/... (payload in its own buffer, copied into the
// record: what a server sealing from application buffers does for small records),
// record_in_place/... (payload already at out + 5), record_open/... (a stream of N records opened
// in place). Reference rows, in the same process: ipsec-mb/... and openssl/... seal the same number
// of messages of the record's inner plaintext length (payload + content type byte) one at a time,
// from their own buffers, through the peers of `volley speed` (tools/speed: ipsec-mb's direct GCM
// API or its job API for ChaCha20-Poly1305, OpenSSL EVP with a reused context), one virtual call
// per batch. Counters: bytes_per_second of payload and cycles_per_record (wall time x calibrated
// core clock).
#include <chrono>
#include <cstring>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "engine/aead/aead_key_access.h"
#include "engine/aead/aead_kernel.h"
#include "engine/record/record_internal.h"
#include "tools/speed/core_clock.h"
#include "tools/speed/subject.h"
#include "tools/speed/workload.h"
#include "volley/cipher_suite.h"
#include "volley/dispatch.h"
#include "volley/key_schedule.h"
#include "volley/record.h"
#include "volley/record_reader.h"

namespace volley {
namespace {

using aead_internal::Job;
using record_internal::RecordProtectionAccess;
using record_internal::RecordReaderAccess;

constexpr size_t kSizes[] = {64, 1350, 4096, 16384};
constexpr size_t kBatches[] = {1, 32};
constexpr uint8_t kIv[12] = {0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab};

enum class Mode { kKernel, kKernelDisjoint, kRecordCopy, kRecordInPlace, kRecordOpen };

const char* mode_name(Mode m) {
  switch (m) {
    case Mode::kKernel: return "kernel";
    case Mode::kKernelDisjoint: return "kernel_disjoint";
    case Mode::kRecordCopy: return "record_copy";
    case Mode::kRecordInPlace: return "record_in_place";
    case Mode::kRecordOpen: return "record_open";
  }
  return "?";
}

// Records sit back to back in one stream, as a sender would write them into a socket buffer.
struct Records {
  size_t len;
  size_t n;
  size_t stride;
  // n payloads, for record_copy, |len| + 1 bytes apart: kernel_disjoint reads each payload and
  // the byte after it (standing for the content type) straight from here.
  std::vector<uint8_t> payload;
  std::vector<uint8_t> stream;   // n records

  Records(size_t len_, size_t n_)
      : len(len_), n(n_), stride(RecordProtection::sealed_size(len_, 0)), payload((len_ + 1) * n_),
        stream(stride * n_) {
    for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<uint8_t>(i * 131 + 7);
  }
  uint8_t* record(size_t i) { return stream.data() + i * stride; }
};

void finish(benchmark::State& state, double seconds, size_t len, size_t n) {
  const double records = static_cast<double>(state.iterations()) * static_cast<double>(n);
  state.SetBytesProcessed(static_cast<int64_t>(records * static_cast<double>(len)));
  state.counters["cycles_per_record"] =
      records > 0 ? seconds * speed::core_ghz() * 1e9 / records : 0;
}

void run(benchmark::State& state, const CipherSuite* suite, Mode mode, size_t len, size_t n) {
  const std::vector<uint8_t> key(suite->key_len, 0x42);
  TrafficKeys keys;
  RecordProtection tx;
  RecordReader rx;
  if (keys.assign(key, kIv) != Status::kOk || tx.init(*suite, keys) != Status::kOk ||
      rx.install_keys(*suite, keys) != Status::kOk) {
    state.SkipWithError("init failed");
    return;
  }
  Records r(len, n);
  std::vector<Bytes> pieces(n);
  std::vector<SealEntry> entries(n);
  for (size_t i = 0; i < n; ++i) {
    pieces[i] = Bytes(r.payload.data() + i * (len + 1), len);
    entries[i].payload = Pieces(&pieces[i], 1);
    entries[i].padding = 0;
    entries[i].out = MutableBytes(r.record(i), r.stride);
  }
  // Seal once through the record layer: this lays out headers, bodies and type bytes for the
  // kernel rows and the stream for the open rows.
  if (tx.seal_batch(entries).sealed != n) {
    state.SkipWithError("seal failed");
    return;
  }

  std::vector<Job> jobs(n);
  for (size_t i = 0; i < n; ++i) {
    // The record layer's jobs: the IV and sequence number i (the kernel derives the nonce).
    uint8_t* rec = r.record(i);
    jobs[i] = {.key = aead_internal::key_state_of(RecordProtectionAccess::aead_key(tx)),
               .iv = kIv,
               .seq = i,
               .aad = rec,
               .aad_len = kRecordHeaderLen,
               .in = rec + kRecordHeaderLen,
               .out = rec + kRecordHeaderLen,
               .len = len + 1,
               .tag = rec + kRecordHeaderLen + len + 1, .content_len = 0, .type = 0, .inner = nullptr};
  }
  if (mode == Mode::kKernelDisjoint) {
    for (size_t i = 0; i < n; ++i) jobs[i].in = r.payload.data() + i * (len + 1);
  }
  if (mode == Mode::kRecordInPlace) {
    for (size_t i = 0; i < n; ++i) pieces[i] = Bytes(r.record(i) + kRecordHeaderLen, len);
  }
  const aead_internal::AeadKernel* kernel =
      aead_internal::kernel_of(RecordProtectionAccess::aead_key(tx));
  std::vector<OpenedRecord> opened(n);
  bool ok = true;
  const auto t0 = std::chrono::steady_clock::now();
  for (auto _ : state) {
    switch (mode) {
      case Mode::kKernel:
      case Mode::kKernelDisjoint:
        kernel->seal_batch(jobs.data(), n);
        break;
      case Mode::kRecordCopy:
      case Mode::kRecordInPlace:
        RecordProtectionAccess::set_sequence(tx, 0);
        ok &= tx.seal_batch(entries).sealed == n;
        break;
      case Mode::kRecordOpen: {
        // Open in place and seal again in place, so every iteration opens a valid stream; the seal
        // is timed too, and the kernel rows give its cost to subtract.
        RecordProtectionAccess::set_sequence(RecordReaderAccess::protection(rx), 0);
        ok &= rx.read(opened, MutableBytes(r.stream)).records == n;
        RecordProtectionAccess::set_sequence(tx, 0);
        for (size_t i = 0; i < n; ++i) pieces[i] = Bytes(r.record(i) + kRecordHeaderLen, len);
        ok &= tx.seal_batch(entries).sealed == n;
        break;
      }
    }
    benchmark::ClobberMemory();
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!ok) state.SkipWithError("an operation failed");
  finish(state, seconds, len, n);
}

// run_peer times |impl| sealing n messages of len + 1 bytes per iteration, one at a time.
void run_peer(benchmark::State& state, const CipherSuite* suite, speed::Impl impl, size_t len,
              size_t n) {
  const std::unique_ptr<speed::Subject> subject = speed::make_peer_subject(impl, *suite->aead);
  if (subject == nullptr) {
    state.SkipWithError("not available on this machine");
    return;
  }
  speed::MessagePool pool(*suite->aead, speed::bench_key(suite->aead->key_len), len + 1, n, 1);
  const std::unique_ptr<speed::Worker> worker = subject->make_worker(pool.messages(), n);
  bool ok = worker->process(speed::Op::kSeal, pool.messages()) && pool.check_outputs(0, n, true);
  const auto t0 = std::chrono::steady_clock::now();
  for (auto _ : state) {
    ok &= worker->process(speed::Op::kSeal, pool.messages());
    benchmark::ClobberMemory();
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!ok) state.SkipWithError("a seal failed or differed from the reference");
  finish(state, seconds, len, n);
}

void register_all() {
  const CipherSuite* suites[] = {&kTlsAes128GcmSha256, &kTlsAes256GcmSha384,
                                 &kTlsChaCha20Poly1305Sha256};
  for (const CipherSuite* s : suites) {
    for (Mode m : {Mode::kKernel, Mode::kKernelDisjoint, Mode::kRecordCopy, Mode::kRecordInPlace,
                   Mode::kRecordOpen}) {
      for (size_t len : kSizes) {
        for (size_t n : kBatches) {
          const std::string name = std::string(mode_name(m)) + "/" +
                                   std::string(s->aead->name) + "/" + std::to_string(len) +
                                   "/batch:" + std::to_string(n);
          benchmark::RegisterBenchmark(name.c_str(), run, s, m, len, n)->UseRealTime();
        }
      }
    }
    for (speed::Impl impl : {speed::Impl::kIpsecMb, speed::Impl::kOpenSsl}) {
      for (size_t len : kSizes) {
        const std::string name = std::string(speed::impl_name(impl)) + "/" +
                                 std::string(s->aead->name) + "/" + std::to_string(len) +
                                 "/batch:32";
        benchmark::RegisterBenchmark(name.c_str(), run_peer, s, impl, len, size_t{32})
            ->UseRealTime();
      }
    }
  }
}

}  // namespace
}  // namespace volley

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::AddCustomContext("core_ghz", std::to_string(volley::speed::core_ghz()));
  volley::register_all();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
