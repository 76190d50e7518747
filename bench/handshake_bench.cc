// Handshake primitives: SHA-256/384/512 per backend beside OpenSSL's EVP_Digest, HKDF-Expand-Label,
// and the whole TLS 1.3 key schedule of one handshake (every secret, Finished value and traffic
// key of a full 1-RTT handshake, X25519 excluded).
//
//   bazel build //bench:handshake_bench && bazel-bin/bench/handshake_bench
//
// Compare throughput only between rows measured in the same run: the machine is shared.
// New handshake benchmarks (X25519, signatures) are added as further BENCHMARK registrations in
// this file; register_backend_benchmarks() below shows how to run one per available backend.
#include <openssl/evp.h>

#include <cstdint>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "volley/cipher_suite.h"
#include "volley/dispatch.h"
#include "volley/hkdf.h"
#include "volley/key_schedule.h"
#include "volley/sha2.h"

namespace volley {
namespace {

constexpr int64_t kSizes[] = {64, 16384};

std::vector<uint8_t> pattern(size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(i * 131 + 7);
  return v;
}

// --- SHA-2

template <class H>
void BM_Volley(benchmark::State& state, std::string backend) {
  const std::vector<uint8_t> msg = pattern(static_cast<size_t>(state.range(0)));
  uint8_t out[H::kDigestSize];
  H h;
  if (h.init(backend) != Status::kOk) {
    state.SkipWithError("backend unavailable");
    return;
  }
  for (auto _ : state) {
    h.update(Bytes(msg.data(), msg.size()));
    h.final(out);
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}

void BM_OpenSsl(benchmark::State& state, const EVP_MD* md) {
  const std::vector<uint8_t> msg = pattern(static_cast<size_t>(state.range(0)));
  uint8_t out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  for (auto _ : state) {
    EVP_Digest(msg.data(), msg.size(), out, &len, md, nullptr);
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}

// register_backend_benchmarks registers fn once per backend of |family| this CPU can run, named
// "<prefix>/<backend>/<size>".
template <class Fn>
void register_backend_benchmarks(const char* prefix, dispatch::Family family, Fn fn) {
  for (const dispatch::Backend& b : dispatch::backends(family)) {
    if (!dispatch::available(b)) continue;
    const std::string name = std::string(prefix) + "/" + std::string(b.name);
    auto* bm = benchmark::RegisterBenchmark(name.c_str(), fn, std::string(b.name));
    for (int64_t size : kSizes) bm->Arg(size);
  }
}

// --- HKDF and the key schedule

void BM_HkdfExpandLabel(benchmark::State& state) {
  const std::vector<uint8_t> secret = pattern(32);
  uint8_t key[16];
  for (auto _ : state) {
    Status s = hkdf_expand_label(HashAlg::kSha256, key, Bytes(secret.data(), 32), "key", {});
    benchmark::DoNotOptimize(s);
    benchmark::DoNotOptimize(key);
  }
}
BENCHMARK(BM_HkdfExpandLabel);

// One full 1-RTT handshake's key schedule, as client or server computes it: early and handshake
// secrets, both handshake traffic secrets and their keys, both Finished (verify_data), master
// secret, both application traffic secrets and keys, exporter and resumption master secrets.
// Transcript hashes are inputs (the handshake hashes messages it has anyway).
void BM_KeySchedule(benchmark::State& state, const CipherSuite* suite) {
  const std::vector<uint8_t> ecdhe = pattern(32);
  const std::vector<uint8_t> h1 = pattern(suite->hash_len), h2(suite->hash_len, 2),
                             h3(suite->hash_len, 3), h4(suite->hash_len, 4);
  uint8_t verify_data[Secret::kMaxSize];
  const std::span<uint8_t> vd(verify_data, suite->hash_len);
  for (auto _ : state) {
    KeySchedule ks;
    Secret c_hs, s_hs, c_ap, s_ap, exporter, resumption;
    TrafficKeys keys[4];
    bool ok = ks.init(*suite) == Status::kOk;
    ok &= ks.enter_handshake(Bytes(ecdhe.data(), ecdhe.size())) == Status::kOk;
    ok &= ks.client_handshake_traffic_secret(&c_hs, Bytes(h1.data(), h1.size())) == Status::kOk;
    ok &= ks.server_handshake_traffic_secret(&s_hs, Bytes(h1.data(), h1.size())) == Status::kOk;
    ok &= traffic_keys(*suite, &keys[0], c_hs) == Status::kOk;
    ok &= traffic_keys(*suite, &keys[1], s_hs) == Status::kOk;
    ok &= finished_verify_data(*suite, vd, s_hs, Bytes(h2.data(), h2.size())) == Status::kOk;
    ok &= ks.enter_master() == Status::kOk;
    ok &= ks.client_application_traffic_secret(&c_ap, Bytes(h3.data(), h3.size())) == Status::kOk;
    ok &= ks.server_application_traffic_secret(&s_ap, Bytes(h3.data(), h3.size())) == Status::kOk;
    ok &= ks.exporter_master_secret(&exporter, Bytes(h3.data(), h3.size())) == Status::kOk;
    ok &= traffic_keys(*suite, &keys[2], c_ap) == Status::kOk;
    ok &= traffic_keys(*suite, &keys[3], s_ap) == Status::kOk;
    ok &= finished_verify_data(*suite, vd, c_hs, Bytes(h3.data(), h3.size())) == Status::kOk;
    ok &= ks.resumption_master_secret(&resumption, Bytes(h4.data(), h4.size())) == Status::kOk;
    if (!ok) {
      state.SkipWithError("key schedule failed");
      return;
    }
    benchmark::DoNotOptimize(keys);
  }
}
BENCHMARK_CAPTURE(BM_KeySchedule, TLS_AES_128_GCM_SHA256, &kTlsAes128GcmSha256);
BENCHMARK_CAPTURE(BM_KeySchedule, TLS_AES_256_GCM_SHA384, &kTlsAes256GcmSha384);

}  // namespace
}  // namespace volley

int main(int argc, char** argv) {
  using volley::dispatch::Family;
  volley::register_backend_benchmarks("BM_Sha256", Family::kSha256,
                                      volley::BM_Volley<volley::Sha256>);
  benchmark::RegisterBenchmark("BM_Sha256/openssl", volley::BM_OpenSsl, EVP_sha256())
      ->Arg(64)
      ->Arg(16384);
  volley::register_backend_benchmarks("BM_Sha384", Family::kSha512,
                                      volley::BM_Volley<volley::Sha384>);
  benchmark::RegisterBenchmark("BM_Sha384/openssl", volley::BM_OpenSsl, EVP_sha384())
      ->Arg(64)
      ->Arg(16384);
  volley::register_backend_benchmarks("BM_Sha512", Family::kSha512,
                                      volley::BM_Volley<volley::Sha512>);
  benchmark::RegisterBenchmark("BM_Sha512/openssl", volley::BM_OpenSsl, EVP_sha512())
      ->Arg(64)
      ->Arg(16384);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
