// Google Benchmark for the AES-GCM kernels at the kernel-table level: the one-shot path
// (seal_batch / open_batch with one job), batches of record-layer sized messages (the shape the
// record layer sends: 32 x 64 bytes under one key or under 32 keys, mixed sizes, and records laid
// out exactly as the record layer hands them over, "-tls"), and the same messages through
// ipsec-mb's direct GCM API and OpenSSL EVP, in the same process.
//
//   bazel build //bench:aes_gcm_kernel_bench
//   bazel-bin/bench/aes_gcm_kernel_bench --benchmark_filter='seal/aes-128/.*/16384'
//
// Report ratios between rows of one run: the machine is shared and its TSC is not the core clock.
// The kernel rows check their first output against OpenSSL before timing.
#include <intel-ipsec-mb.h>
#include <openssl/evp.h>

#include <cstring>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "engine/aead/aead_kernel.h"
#include "volley/aead.h"
#include "volley/dispatch.h"

namespace volley {
namespace {

using aead_internal::AeadKernel;
using aead_internal::Job;
using aead_internal::KeyState;

constexpr size_t kSizes[] = {64, 256, 1350, 4096, 16384};
constexpr size_t kAadLen = 13;
constexpr size_t kBatch = 32;

struct Buffers {
  std::vector<uint8_t> key = std::vector<uint8_t>(32, 0x42);
  std::vector<uint8_t> nonce = std::vector<uint8_t>(12, 0x24);
  std::vector<uint8_t> aad = std::vector<uint8_t>(kAadLen, 0x17);
  std::vector<uint8_t> in, out, tags;
  explicit Buffers(size_t bytes) : in(bytes), out(bytes), tags(16 * kBatch) {
    for (size_t i = 0; i < bytes; ++i) in[i] = static_cast<uint8_t>(i * 131 + 7);
  }
};

// openssl_seal is the reference for the first output of each kernel row.
void openssl_seal(const uint8_t* key, size_t key_len, const uint8_t* nonce, const uint8_t* aad,
                  size_t aad_len, const uint8_t* in, size_t len, uint8_t* out, uint8_t* tag) {
  EVP_CIPHER_CTX* c = EVP_CIPHER_CTX_new();
  int n = 0;
  EVP_EncryptInit_ex(c, key_len == 16 ? EVP_aes_128_gcm() : EVP_aes_256_gcm(), nullptr, key, nonce);
  EVP_EncryptUpdate(c, nullptr, &n, aad, static_cast<int>(aad_len));
  EVP_EncryptUpdate(c, out, &n, in, static_cast<int>(len));
  EVP_EncryptFinal_ex(c, out + len, &n);
  EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag);
  EVP_CIPHER_CTX_free(c);
}

const AeadKernel* kernel_of(const dispatch::Backend* b) {
  return static_cast<const AeadKernel*>(b->kernel);
}

// Kernel, one message per call (seal_batch / open_batch with n == 1).
void BM_KernelOne(benchmark::State& state, const dispatch::Backend* b, size_t key_len, bool seal,
                  size_t len) {
  const AeadKernel* k = kernel_of(b);
  Buffers buf(len);
  KeyState ks;
  k->init(&ks, buf.key.data(), key_len);
  std::vector<uint8_t> want(len + 16);
  openssl_seal(buf.key.data(), key_len, buf.nonce.data(), buf.aad.data(), kAadLen, buf.in.data(),
               len, want.data(), want.data() + len);
  const Job job = {.key = &ks, .iv = buf.nonce.data(), .seq = 0, .aad = buf.aad.data(),
                   .aad_len = kAadLen, .in = buf.in.data(), .out = buf.out.data(), .len = len,
                   .tag = buf.tags.data(), .content_len = 0, .type = 0, .inner = nullptr};
  k->seal_batch(&job, 1);
  if (std::memcmp(buf.out.data(), want.data(), len) != 0 ||
      std::memcmp(buf.tags.data(), want.data() + len, 16) != 0) {
    state.SkipWithError("output differs from OpenSSL's");
    return;
  }
  for (auto _ : state) {
    if (seal) {
      k->seal_batch(&job, 1);
    } else {
      k->open_batch(&job, 1);
    }
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * len));
}

// The public API (AeadKey::seal / open, tag appended) on the best backend, one message per call:
// the kernel row plus the front end's argument checks and tag comparison.
void BM_Api(benchmark::State& state, size_t key_len, bool seal, size_t len) {
  Buffers buf(len + 16);
  AeadKey key;
  if (key.init(key_len == 16 ? kAes128Gcm : kAes256Gcm, Bytes(buf.key.data(), key_len)) !=
      Status::kOk) {
    state.SkipWithError("init failed");
    return;
  }
  std::vector<uint8_t> want(len + 16);
  openssl_seal(buf.key.data(), key_len, buf.nonce.data(), buf.aad.data(), kAadLen, buf.in.data(),
               len, want.data(), want.data() + len);
  const Bytes nonce(buf.nonce.data(), 12), aad(buf.aad.data(), kAadLen);
  const Bytes in(buf.in.data(), len);
  const MutableBytes out(buf.out.data(), len + 16);
  bool ok = key.seal(out, nonce, aad, {in}) == Status::kOk &&
            std::memcmp(buf.out.data(), want.data(), len + 16) == 0;
  if (!ok) {
    state.SkipWithError("output differs from OpenSSL's");
    return;
  }
  const Bytes sealed(want.data(), len + 16);
  for (auto _ : state) {
    if (seal) {
      ok &= key.seal(out, nonce, aad, {in}) == Status::kOk;
    } else {
      ok &= key.open(MutableBytes(buf.out.data(), len), nonce, aad, sealed) == Status::kOk;
    }
    benchmark::ClobberMemory();
  }
  if (!ok) state.SkipWithError("an operation failed");
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * len));
}

// time_batches runs the timed loop of the batch rows: kBatch jobs per seal_batch / open_batch.
void time_batches(benchmark::State& state, const AeadKernel& k, const Job* jobs, bool seal) {
  for (auto _ : state) {
    if (seal) {
      k.seal_batch(jobs, kBatch);
    } else {
      k.open_batch(jobs, kBatch);
    }
    benchmark::ClobberMemory();
  }
}

// Kernel, kBatch messages per call. keys: 1 (all share one KeyState) or kBatch (one each).
// mixed: sizes cycle through 16..80 bytes instead of all |len|.
void BM_KernelBatch(benchmark::State& state, const dispatch::Backend* b, size_t key_len, bool seal,
                    size_t len, size_t keys, bool mixed) {
  const AeadKernel* k = kernel_of(b);
  Buffers buf(kBatch * 96);
  std::vector<KeyState> ks(keys);
  for (size_t i = 0; i < keys; ++i) {
    buf.key[0] = static_cast<uint8_t>(i);
    k->init(&ks[i], buf.key.data(), key_len);
  }
  std::vector<Job> jobs(kBatch);
  size_t total = 0;
  for (size_t i = 0; i < kBatch; ++i) {
    const size_t l = mixed ? 16 + (i * 37) % 65 : len;
    jobs[i] = {.key = &ks[i % keys],
               .iv = buf.nonce.data(),
               .seq = 0,
               .aad = buf.aad.data(),
               .aad_len = 5,
               .in = buf.in.data() + 96 * i,
               .out = buf.out.data() + 96 * i,
               .len = l,
               .tag = buf.tags.data() + 16 * i, .content_len = 0, .type = 0, .inner = nullptr};
    total += l;
  }
  time_batches(state, *k, jobs.data(), seal);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * total));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kBatch));
}

// Kernel, kBatch records laid out as the record layer hands them over (engine/record/
// batch_sealer.cc): each record is header || body || tag back to back in one send buffer, the AAD
// is the 5-byte header right before the body, the body is sealed (or opened) in place, the tag
// follows the body, and every record has its own nonce: one IV, sequence numbers 0, 1, ... (the
// kernel derives the nonces). keys: 1 or kBatch.
void BM_KernelTls(benchmark::State& state, const dispatch::Backend* b, size_t key_len, bool seal,
                  size_t len, size_t keys) {
  const AeadKernel* k = kernel_of(b);
  const size_t stride = 5 + len + 16;
  std::vector<uint8_t> wire(kBatch * stride);
  std::vector<uint8_t> iv(12);
  for (size_t j = 0; j < 12; ++j) iv[j] = static_cast<uint8_t>(0x24 + j);
  std::vector<uint8_t> key(key_len, 0x42);
  std::vector<KeyState> ks(keys);
  for (size_t i = 0; i < keys; ++i) {
    key[0] = static_cast<uint8_t>(i);
    k->init(&ks[i], key.data(), key_len);
  }
  const size_t ct_len = len + 16;
  std::vector<Job> jobs(kBatch);
  for (size_t i = 0; i < kBatch; ++i) {
    uint8_t* rec = wire.data() + stride * i;
    rec[0] = 0x17;
    rec[1] = 0x03;
    rec[2] = 0x03;
    rec[3] = static_cast<uint8_t>(ct_len >> 8);
    rec[4] = static_cast<uint8_t>(ct_len);
    for (size_t j = 0; j < len; ++j) rec[5 + j] = static_cast<uint8_t>(i * 31 + j * 131 + 7);
    jobs[i] = {.key = &ks[i % keys],
               .iv = iv.data(),
               .seq = i,
               .aad = rec,
               .aad_len = 5,
               .in = rec + 5,
               .out = rec + 5,
               .len = len,
               .tag = rec + 5 + len,
               .content_len = 0,
               .type = 0, .inner = nullptr};
  }
  // Check every record of one seal and one open call against OpenSSL, then time.
  std::vector<uint8_t> plain(wire);
  std::vector<uint8_t> want(kBatch * (len + 16));
  for (size_t i = 0; i < kBatch; ++i) {
    key[0] = static_cast<uint8_t>(i % keys);
    std::vector<uint8_t> nonce(iv);
    nonce[11] ^= static_cast<uint8_t>(i);  // iv XOR seq, seq < 256
    openssl_seal(key.data(), key_len, nonce.data(), jobs[i].aad, 5, jobs[i].in, len,
                 want.data() + (len + 16) * i, want.data() + (len + 16) * i + len);
  }
  k->seal_batch(jobs.data(), kBatch);
  bool ok = true;
  for (size_t i = 0; i < kBatch; ++i) {
    ok = ok && std::memcmp(jobs[i].out, want.data() + (len + 16) * i, len + 16) == 0;
  }
  // Open in place: the body turns back into the plaintext and the computed tag overwrites the
  // sealed one, which it equals.
  k->open_batch(jobs.data(), kBatch);
  for (size_t i = 0; i < kBatch; ++i) {
    ok = ok && std::memcmp(wire.data() + stride * i, plain.data() + stride * i, 5 + len) == 0;
    ok = ok && std::memcmp(jobs[i].tag, want.data() + (len + 16) * i + len, 16) == 0;
  }
  if (!ok) {
    state.SkipWithError("output differs from OpenSSL's");
    return;
  }
  time_batches(state, *k, jobs.data(), seal);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kBatch * len));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kBatch));
}

IMB_MGR* ipsec_mgr() {
  static IMB_MGR* mgr = [] {
    IMB_MGR* m = alloc_mb_mgr(0);
    init_mb_mgr_avx512(m);
    return m;
  }();
  return mgr;
}

// ipsec-mb's direct GCM API, |count| messages of |len| bytes per iteration (AAD as in the kernel
// rows: 13 bytes for one message, 5 for the batch rows).
void BM_IpsecMb(benchmark::State& state, size_t key_len, bool seal, size_t len, size_t count) {
  IMB_MGR* mgr = ipsec_mgr();
  Buffers buf(count * 96 > len ? count * 96 : len);
  gcm_key_data gk;
  gcm_context_data gc;
  if (key_len == 16) {
    IMB_AES128_GCM_PRE(mgr, buf.key.data(), &gk);
  } else {
    IMB_AES256_GCM_PRE(mgr, buf.key.data(), &gk);
  }
  const uint64_t aad_len = count == 1 ? kAadLen : 5;
  const size_t stride = count == 1 ? 0 : 96;
  for (auto _ : state) {
    for (size_t i = 0; i < count; ++i) {
      uint8_t* out = buf.out.data() + stride * i;
      const uint8_t* in = buf.in.data() + stride * i;
      uint8_t* tag = buf.tags.data() + 16 * i;
      if (key_len == 16) {
        if (seal) {
          IMB_AES128_GCM_ENC(mgr, &gk, &gc, out, in, len, buf.nonce.data(), buf.aad.data(), aad_len,
                             tag, 16);
        } else {
          IMB_AES128_GCM_DEC(mgr, &gk, &gc, out, in, len, buf.nonce.data(), buf.aad.data(), aad_len,
                             tag, 16);
        }
      } else if (seal) {
        IMB_AES256_GCM_ENC(mgr, &gk, &gc, out, in, len, buf.nonce.data(), buf.aad.data(), aad_len,
                           tag, 16);
      } else {
        IMB_AES256_GCM_DEC(mgr, &gk, &gc, out, in, len, buf.nonce.data(), buf.aad.data(), aad_len,
                           tag, 16);
      }
    }
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * len * count));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * count));
}

// OpenSSL EVP with a reused context, re-keyed per message only with the nonce.
void BM_OpenSsl(benchmark::State& state, size_t key_len, bool seal, size_t len) {
  Buffers buf(len + 16);
  EVP_CIPHER_CTX* c = EVP_CIPHER_CTX_new();
  const EVP_CIPHER* cipher = key_len == 16 ? EVP_aes_128_gcm() : EVP_aes_256_gcm();
  if (seal) {
    EVP_EncryptInit_ex(c, cipher, nullptr, buf.key.data(), nullptr);
  } else {
    EVP_DecryptInit_ex(c, cipher, nullptr, buf.key.data(), nullptr);
  }
  int n = 0;
  for (auto _ : state) {
    if (seal) {
      EVP_EncryptInit_ex(c, nullptr, nullptr, nullptr, buf.nonce.data());
      EVP_EncryptUpdate(c, nullptr, &n, buf.aad.data(), kAadLen);
      EVP_EncryptUpdate(c, buf.out.data(), &n, buf.in.data(), static_cast<int>(len));
      EVP_EncryptFinal_ex(c, buf.out.data() + len, &n);
      EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, buf.tags.data());
    } else {
      // The tag does not match; the work done is the same as for a good one.
      EVP_DecryptInit_ex(c, nullptr, nullptr, nullptr, buf.nonce.data());
      EVP_DecryptUpdate(c, nullptr, &n, buf.aad.data(), kAadLen);
      EVP_DecryptUpdate(c, buf.out.data(), &n, buf.in.data(), static_cast<int>(len));
      EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, buf.tags.data());
      benchmark::DoNotOptimize(EVP_DecryptFinal_ex(c, buf.out.data() + len, &n));
    }
    benchmark::ClobberMemory();
  }
  EVP_CIPHER_CTX_free(c);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * len));
}

void register_all() {
  for (size_t key_len : {size_t{16}, size_t{32}}) {
    const std::string alg = key_len == 16 ? "aes-128" : "aes-256";
    for (bool seal : {true, false}) {
      const std::string op = seal ? "seal/" : "open/";
      for (size_t len : kSizes) {
        const std::string sz = "/" + std::to_string(len);
        for (const dispatch::Backend& b : dispatch::backends(dispatch::Family::kAesGcm)) {
          if (!dispatch::available(b)) continue;
          benchmark::RegisterBenchmark((op + alg + "/" + std::string(b.name) + sz).c_str(),
                                       BM_KernelOne, &b, key_len, seal, len);
        }
        benchmark::RegisterBenchmark(
            (op + alg + "/api:" + std::string(dispatch::best(dispatch::Family::kAesGcm).name) + sz)
                .c_str(),
            BM_Api, key_len, seal, len);
        benchmark::RegisterBenchmark((op + alg + "/ipsec-mb" + sz).c_str(), BM_IpsecMb, key_len,
                                     seal, len, size_t{1});
        benchmark::RegisterBenchmark((op + alg + "/openssl" + sz).c_str(), BM_OpenSsl, key_len,
                                     seal, len);
      }
      const std::string bt = op + alg + "/batch32x64/";
      for (const dispatch::Backend& b : dispatch::backends(dispatch::Family::kAesGcm)) {
        if (!dispatch::available(b)) continue;
        const std::string name(b.name);
        benchmark::RegisterBenchmark((bt + name + ":one-key").c_str(), BM_KernelBatch, &b, key_len,
                                     seal, size_t{64}, size_t{1}, false);
        benchmark::RegisterBenchmark((bt + name + ":32-keys").c_str(), BM_KernelBatch, &b, key_len,
                                     seal, size_t{64}, kBatch, false);
        // The TLS 1.3 shape of a 64-byte payload: the inner plaintext adds the content type byte.
        benchmark::RegisterBenchmark((op + alg + "/batch32x65/" + name + ":one-key").c_str(),
                                     BM_KernelBatch, &b, key_len, seal, size_t{65}, size_t{1},
                                     false);
        benchmark::RegisterBenchmark((op + alg + "/batch32x16-80/" + name).c_str(), BM_KernelBatch,
                                     &b, key_len, seal, size_t{64}, size_t{1}, true);
        // The same records as the record layer lays them out; 80 bytes: 15 bytes of padding.
        for (size_t tl : {size_t{65}, size_t{80}}) {
          const std::string tb = op + alg + "/batch32x" + std::to_string(tl) + "-tls/" + name;
          benchmark::RegisterBenchmark((tb + ":one-key").c_str(), BM_KernelTls, &b, key_len, seal,
                                       tl, size_t{1});
          benchmark::RegisterBenchmark((tb + ":32-keys").c_str(), BM_KernelTls, &b, key_len, seal,
                                       tl, kBatch);
        }
      }
      benchmark::RegisterBenchmark((bt + "ipsec-mb:one-by-one").c_str(), BM_IpsecMb, key_len, seal,
                                   size_t{64}, kBatch);
    }
  }
}

}  // namespace
}  // namespace volley

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  volley::register_all();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
