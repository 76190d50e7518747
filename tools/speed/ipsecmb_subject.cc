// Intel ipsec-mb as a peer (x86-64 only). AES-GCM goes through its direct API, one call per record
// with the precomputed key (gcm_key_data) kept per key; ChaCha20-Poly1305 through the job API, one
// job submitted and completed per record. The manager is initialised for the best architecture
// the library finds on this CPU (AVX-512, else AVX2, AVX, SSE).
#if defined(__x86_64__)

#include <intel-ipsec-mb.h>
#include <openssl/crypto.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "tools/speed/peer_subjects.h"

namespace volley::speed {
namespace {

// Manager is one thread's IMB_MGR, initialised for the best architecture.
class Manager {
 public:
  Manager() {
    mgr_ = alloc_mb_mgr(0);
    if (mgr_ == nullptr) {
      std::fputs("volley speed: ipsec-mb alloc_mb_mgr failed\n", stderr);
      std::abort();
    }
    const uint64_t f = mgr_->features;
    if ((f & IMB_CPUFLAGS_AVX512) == IMB_CPUFLAGS_AVX512) {
      init_mb_mgr_avx512(mgr_);
    } else if ((f & IMB_CPUFLAGS_AVX2) == IMB_CPUFLAGS_AVX2) {
      init_mb_mgr_avx2(mgr_);
    } else if ((f & IMB_CPUFLAGS_AVX) == IMB_CPUFLAGS_AVX) {
      init_mb_mgr_avx(mgr_);
    } else {
      init_mb_mgr_sse(mgr_);
    }
  }
  ~Manager() { free_mb_mgr(mgr_); }
  Manager(const Manager&) = delete;
  Manager& operator=(const Manager&) = delete;
  IMB_MGR* get() const { return mgr_; }

 private:
  IMB_MGR* mgr_ = nullptr;
};

// arch_name names the code path a manager chose, for the backend column.
const char* arch_name(const IMB_MGR* mgr) {
  switch (mgr->used_arch) {
    case IMB_ARCH_AVX512:
      return "avx512";
    case IMB_ARCH_AVX2:
      return "avx2";
    case IMB_ARCH_AVX:
      return "avx";
    case IMB_ARCH_SSE:
      return "sse";
    default:
      return "other";
  }
}

class GcmWorker final : public Worker {
 public:
  explicit GcmWorker(const Aead& aead) : aes256_(&aead == &kAes256Gcm) {
    const uint8_t* key = bench_key(aead.key_len).data();
    if (aes256_) {
      IMB_AES256_GCM_PRE(mgr_.get(), key, &key_);
    } else {
      IMB_AES128_GCM_PRE(mgr_.get(), key, &key_);
    }
  }

  bool process(Op op, std::span<const Message> msgs) noexcept override {
    IMB_MGR* mgr = mgr_.get();
    bool ok = true;
    for (const Message& m : msgs) {
      if (op == Op::kSeal) {
        if (aes256_) {
          IMB_AES256_GCM_ENC(mgr, &key_, &ctx_, m.out, m.plain, m.len, m.nonce, m.aad, kAadLen,
                             m.out + m.len, 16);
        } else {
          IMB_AES128_GCM_ENC(mgr, &key_, &ctx_, m.out, m.plain, m.len, m.nonce, m.aad, kAadLen,
                             m.out + m.len, 16);
        }
      } else {
        uint8_t tag[16];
        if (aes256_) {
          IMB_AES256_GCM_DEC(mgr, &key_, &ctx_, m.out, m.sealed, m.len, m.nonce, m.aad, kAadLen,
                             tag, 16);
        } else {
          IMB_AES128_GCM_DEC(mgr, &key_, &ctx_, m.out, m.sealed, m.len, m.nonce, m.aad, kAadLen,
                             tag, 16);
        }
        ok &= CRYPTO_memcmp(tag, m.sealed + m.len, 16) == 0;
      }
    }
    return ok;
  }

 private:
  Manager mgr_;
  bool aes256_;
  alignas(64) gcm_key_data key_;
  alignas(64) gcm_context_data ctx_;
};

class ChaChaWorker final : public Worker {
 public:
  ChaChaWorker() { std::memcpy(key_, bench_key(32).data(), 32); }

  bool process(Op op, std::span<const Message> msgs) noexcept override {
    IMB_MGR* mgr = mgr_.get();
    bool ok = true;
    for (const Message& m : msgs) {
      uint8_t tag[16];
      IMB_JOB* job = IMB_GET_NEXT_JOB(mgr);
      job->cipher_mode = IMB_CIPHER_CHACHA20_POLY1305;
      job->hash_alg = IMB_AUTH_CHACHA20_POLY1305;
      job->enc_keys = key_;
      job->dec_keys = key_;
      job->key_len_in_bytes = 32;
      job->iv = m.nonce;
      job->iv_len_in_bytes = 12;
      job->u.CHACHA20_POLY1305.aad = m.aad;
      job->u.CHACHA20_POLY1305.aad_len_in_bytes = kAadLen;
      job->cipher_start_src_offset_in_bytes = 0;
      job->msg_len_to_cipher_in_bytes = m.len;
      job->hash_start_src_offset_in_bytes = 0;
      job->msg_len_to_hash_in_bytes = m.len;
      job->dst = m.out;
      job->auth_tag_output_len_in_bytes = 16;
      if (op == Op::kSeal) {
        job->cipher_direction = IMB_DIR_ENCRYPT;
        job->chain_order = IMB_ORDER_CIPHER_HASH;
        job->src = m.plain;
        job->auth_tag_output = m.out + m.len;
      } else {
        job->cipher_direction = IMB_DIR_DECRYPT;
        job->chain_order = IMB_ORDER_HASH_CIPHER;
        job->src = m.sealed;
        job->auth_tag_output = tag;
      }
      // One record in, one record out: flush if the manager held the job back.
      IMB_JOB* done = IMB_SUBMIT_JOB(mgr);
      if (done == nullptr) done = IMB_FLUSH_JOB(mgr);
      ok &= done != nullptr && done->status == IMB_STATUS_COMPLETED;
      if (op == Op::kOpen) ok &= CRYPTO_memcmp(tag, m.sealed + m.len, 16) == 0;
    }
    return ok;
  }

 private:
  Manager mgr_;
  alignas(16) uint8_t key_[32];
};

class IpsecMbSubject final : public Subject {
 public:
  explicit IpsecMbSubject(const Aead& aead) : info_{&aead, Impl::kIpsecMb, "", "direct"} {
    Manager probe;
    info_.backend = arch_name(probe.get());
    if (&aead == &kChaCha20Poly1305) info_.via = "job";
  }
  const SubjectInfo& info() const override { return info_; }
  std::unique_ptr<Worker> make_worker(std::span<const Message> /*pool*/,
                                      size_t /*batch*/) const override {
    if (info_.aead == &kChaCha20Poly1305) return std::make_unique<ChaChaWorker>();
    return std::make_unique<GcmWorker>(*info_.aead);
  }

 private:
  SubjectInfo info_;
};

}  // namespace

std::unique_ptr<Subject> make_ipsecmb_subject(const Aead& aead) {
  // ipsec-mb's GCM code paths all need AES-NI and PCLMULQDQ; its no-AESNI path emulates AES with
  // tables, which is not a fair (or constant-time) peer.
  Manager probe;
  const uint64_t need = IMB_FEATURE_AESNI | IMB_FEATURE_PCLMULQDQ;
  if ((probe.get()->features & need) != need) return nullptr;
  return std::make_unique<IpsecMbSubject>(aead);
}

}  // namespace volley::speed

#endif  // __x86_64__
