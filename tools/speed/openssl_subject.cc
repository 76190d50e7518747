// OpenSSL EVP, used the way a TLS stack uses it: one EVP_CIPHER_CTX per key and direction, set up
// once; per record a fresh nonce (EVP_*Init_ex with only the IV), the 13-byte AAD as an update with
// no output, the payload update, final, and the tag.
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cstdio>
#include <cstdlib>

#include "tools/speed/peer_subjects.h"

namespace volley::speed {

const EVP_CIPHER* openssl_cipher_for(const Aead& aead) {
  if (&aead == &kAes128Gcm) return EVP_aes_128_gcm();
  if (&aead == &kAes256Gcm) return EVP_aes_256_gcm();
  return EVP_chacha20_poly1305();
}

namespace {

class OpenSslWorker final : public Worker {
 public:
  explicit OpenSslWorker(const Aead& aead) {
    const EVP_CIPHER* cipher = openssl_cipher_for(aead);
    const uint8_t* key = bench_key(aead.key_len).data();
    enc_ = EVP_CIPHER_CTX_new();
    dec_ = EVP_CIPHER_CTX_new();
    if (enc_ == nullptr || dec_ == nullptr ||
        EVP_EncryptInit_ex(enc_, cipher, nullptr, key, nullptr) != 1 ||
        EVP_DecryptInit_ex(dec_, cipher, nullptr, key, nullptr) != 1) {
      std::fputs("volley speed: OpenSSL EVP set-up failed\n", stderr);
      std::abort();
    }
  }
  ~OpenSslWorker() override {
    EVP_CIPHER_CTX_free(enc_);
    EVP_CIPHER_CTX_free(dec_);
  }

  bool process(Op op, std::span<const Message> msgs) noexcept override {
    bool ok = true;
    for (const Message& m : msgs) ok &= op == Op::kSeal ? seal(m) : open(m);
    return ok;
  }

 private:
  bool seal(const Message& m) noexcept {
    int n = 0;
    int fin = 0;
    return EVP_EncryptInit_ex(enc_, nullptr, nullptr, nullptr, m.nonce) == 1 &&
           EVP_EncryptUpdate(enc_, nullptr, &n, m.aad, static_cast<int>(kAadLen)) == 1 &&
           EVP_EncryptUpdate(enc_, m.out, &n, m.plain, static_cast<int>(m.len)) == 1 &&
           EVP_EncryptFinal_ex(enc_, m.out + n, &fin) == 1 &&
           EVP_CIPHER_CTX_ctrl(enc_, EVP_CTRL_AEAD_GET_TAG, 16, m.out + m.len) == 1;
  }

  bool open(const Message& m) noexcept {
    int n = 0;
    int fin = 0;
    // SET_TAG takes a non-const pointer but only reads the tag.
    void* tag = const_cast<uint8_t*>(m.sealed + m.len);
    return EVP_DecryptInit_ex(dec_, nullptr, nullptr, nullptr, m.nonce) == 1 &&
           EVP_DecryptUpdate(dec_, nullptr, &n, m.aad, static_cast<int>(kAadLen)) == 1 &&
           EVP_DecryptUpdate(dec_, m.out, &n, m.sealed, static_cast<int>(m.len)) == 1 &&
           EVP_CIPHER_CTX_ctrl(dec_, EVP_CTRL_AEAD_SET_TAG, 16, tag) == 1 &&
           EVP_DecryptFinal_ex(dec_, m.out + n, &fin) == 1;
  }

  EVP_CIPHER_CTX* enc_ = nullptr;
  EVP_CIPHER_CTX* dec_ = nullptr;
};

class OpenSslSubject final : public Subject {
 public:
  explicit OpenSslSubject(const Aead& aead) : info_{&aead, Impl::kOpenSsl, "evp", "direct"} {}
  const SubjectInfo& info() const override { return info_; }
  std::unique_ptr<Worker> make_worker(std::span<const Message> /*pool*/,
                                      size_t /*batch*/) const override {
    return std::make_unique<OpenSslWorker>(*info_.aead);
  }

 private:
  SubjectInfo info_;
};

}  // namespace

std::unique_ptr<Subject> make_openssl_subject(const Aead& aead) {
  return std::make_unique<OpenSslSubject>(aead);
}

}  // namespace volley::speed
