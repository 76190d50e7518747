// X25519 shared-secret and public-key throughput for every backend this CPU runs, beside OpenSSL's
// EVP_PKEY_derive / EVP_PKEY_X25519 measured in the same process.
//
//   bazel build //bench:x25519_bench && bazel-bin/bench/x25519_bench --benchmark_repetitions=5
//
// items_per_second is operations per second. The OpenSSL derive context is set up once, outside
// the timed loop, so the comparison is one EVP_PKEY_derive call against one volley::x25519 call.
#include <openssl/evp.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "benchmark/benchmark.h"
#include "volley/dispatch.h"
#include "volley/x25519.h"

namespace {

// Fixed, non-degenerate inputs: RFC 7748 §6.1's Alice private key and Bob public key.
constexpr uint8_t kPrivate[32] = {
    0x77, 0x07, 0x6d, 0x0a, 0x73, 0x18, 0xa5, 0x7d, 0x3c, 0x16, 0xc1, 0x72, 0x51, 0xb2, 0x66, 0x45,
    0xdf, 0x4c, 0x2f, 0x87, 0xeb, 0xc0, 0x99, 0x2a, 0xb1, 0x77, 0xfb, 0xa5, 0x1d, 0xb9, 0x2c, 0x2a};
constexpr uint8_t kPeer[32] = {
    0xde, 0x9e, 0xdb, 0x7d, 0x7b, 0x7d, 0xc1, 0xb4, 0xd3, 0x5b, 0x61, 0xc2, 0xec, 0xe4, 0x35, 0x37,
    0x3f, 0x83, 0x43, 0xc8, 0x5b, 0x78, 0x67, 0x4d, 0xad, 0xfc, 0x7e, 0x14, 0x6f, 0x88, 0x2b, 0x4f};

void BM_VolleyDerive(benchmark::State& state, std::string backend) {
  uint8_t out[32];
  for (auto _ : state) {
    const volley::Status s = volley::x25519(out, kPrivate, kPeer, backend);
    if (s != volley::Status::kOk) {
      state.SkipWithError("x25519 failed");
      break;
    }
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_VolleyPublicFromPrivate(benchmark::State& state, std::string backend) {
  uint8_t out[32];
  for (auto _ : state) {
    if (volley::x25519_public_from_private(out, kPrivate, backend) != volley::Status::kOk) {
      state.SkipWithError("x25519_public_from_private failed");
      break;
    }
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_OpenSslDerive(benchmark::State& state) {
  EVP_PKEY* priv = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, kPrivate, 32);
  EVP_PKEY* peer = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, kPeer, 32);
  EVP_PKEY_CTX* ctx = priv != nullptr ? EVP_PKEY_CTX_new(priv, nullptr) : nullptr;
  if (ctx == nullptr || peer == nullptr || EVP_PKEY_derive_init(ctx) != 1 ||
      EVP_PKEY_derive_set_peer(ctx, peer) != 1) {
    state.SkipWithError("OpenSSL setup failed");
  } else {
    uint8_t out[32];
    for (auto _ : state) {
      size_t len = sizeof(out);
      if (EVP_PKEY_derive(ctx, out, &len) != 1) {
        state.SkipWithError("EVP_PKEY_derive failed");
        break;
      }
      benchmark::DoNotOptimize(out);
    }
    state.SetItemsProcessed(state.iterations());
  }
  EVP_PKEY_CTX_free(ctx);
  EVP_PKEY_free(peer);
  EVP_PKEY_free(priv);
}

// OpenSSL computes the public key when the private key object is created.
void BM_OpenSslPublicFromPrivate(benchmark::State& state) {
  for (auto _ : state) {
    EVP_PKEY* priv = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, kPrivate, 32);
    uint8_t out[32];
    size_t len = sizeof(out);
    if (priv == nullptr || EVP_PKEY_get_raw_public_key(priv, out, &len) != 1) {
      EVP_PKEY_free(priv);
      state.SkipWithError("OpenSSL public key failed");
      break;
    }
    benchmark::DoNotOptimize(out);
    EVP_PKEY_free(priv);
  }
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

int main(int argc, char** argv) {
  for (const volley::dispatch::Backend& b : volley::dispatch::backends(volley::dispatch::Family::kX25519)) {
    if (!volley::dispatch::available(b)) continue;
    const std::string name(b.name);
    benchmark::RegisterBenchmark(("x25519_derive/volley/" + name).c_str(), BM_VolleyDerive, name);
  }
  benchmark::RegisterBenchmark("x25519_derive/openssl", BM_OpenSslDerive);
  for (const volley::dispatch::Backend& b : volley::dispatch::backends(volley::dispatch::Family::kX25519)) {
    if (!volley::dispatch::available(b)) continue;
    const std::string name(b.name);
    benchmark::RegisterBenchmark(("x25519_public/volley/" + name).c_str(),
                                 BM_VolleyPublicFromPrivate, name);
  }
  benchmark::RegisterBenchmark("x25519_public/openssl", BM_OpenSslPublicFromPrivate);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
