// libsodium as a peer (x86-64 only): ChaCha20-Poly1305 (IETF, 96-bit nonce) through the combined
// API, and AES-256-GCM with the key expanded once (crypto_aead_aes256gcm_beforenm) when the CPU
// has what libsodium's AES-GCM needs. libsodium has no AES-128-GCM.
#if defined(__x86_64__)

#include <sodium.h>

#include <cstdio>
#include <cstdlib>

#include "tools/speed/peer_subjects.h"

namespace volley::speed {
namespace {

bool sodium_ready() {
  static const bool ready = sodium_init() >= 0;
  return ready;
}

class ChaChaWorker final : public Worker {
 public:
  bool process(Op op, std::span<const Message> msgs) noexcept override {
    const uint8_t* key = bench_key(32).data();
    bool ok = true;
    for (const Message& m : msgs) {
      unsigned long long n = 0;
      if (op == Op::kSeal) {
        ok &= crypto_aead_chacha20poly1305_ietf_encrypt(m.out, &n, m.plain, m.len, m.aad, kAadLen,
                                                        nullptr, m.nonce, key) == 0;
      } else {
        ok &= crypto_aead_chacha20poly1305_ietf_decrypt(m.out, &n, nullptr, m.sealed, m.len + 16,
                                                        m.aad, kAadLen, m.nonce, key) == 0;
      }
    }
    return ok;
  }
};

class AesGcmWorker final : public Worker {
 public:
  AesGcmWorker() { crypto_aead_aes256gcm_beforenm(&state_, bench_key(32).data()); }

  bool process(Op op, std::span<const Message> msgs) noexcept override {
    bool ok = true;
    for (const Message& m : msgs) {
      unsigned long long n = 0;
      if (op == Op::kSeal) {
        ok &= crypto_aead_aes256gcm_encrypt_afternm(m.out, &n, m.plain, m.len, m.aad, kAadLen,
                                                    nullptr, m.nonce, &state_) == 0;
      } else {
        ok &= crypto_aead_aes256gcm_decrypt_afternm(m.out, &n, nullptr, m.sealed, m.len + 16, m.aad,
                                                    kAadLen, m.nonce, &state_) == 0;
      }
    }
    return ok;
  }

 private:
  // The state holds the expanded key; libsodium asks for 16-byte alignment.
  alignas(64) crypto_aead_aes256gcm_state state_;
};

class SodiumSubject final : public Subject {
 public:
  explicit SodiumSubject(const Aead& aead) : info_{&aead, Impl::kLibsodium, "auto", "direct"} {}
  const SubjectInfo& info() const override { return info_; }
  std::unique_ptr<Worker> make_worker(std::span<const Message> /*pool*/,
                                      size_t /*batch*/) const override {
    if (info_.aead == &kChaCha20Poly1305) return std::make_unique<ChaChaWorker>();
    return std::make_unique<AesGcmWorker>();
  }

 private:
  SubjectInfo info_;
};

}  // namespace

std::unique_ptr<Subject> make_sodium_subject(const Aead& aead) {
  if (!sodium_ready()) return nullptr;
  if (&aead == &kAes128Gcm) return nullptr;
  if (&aead == &kAes256Gcm && crypto_aead_aes256gcm_is_available() == 0) return nullptr;
  return std::make_unique<SodiumSubject>(aead);
}

}  // namespace volley::speed

#endif  // __x86_64__
