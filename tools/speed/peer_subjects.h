// The peer libraries' subjects, one factory per library; make_peer_subject() picks among them.
#pragma once

#include <openssl/evp.h>

#include <memory>

#include "tools/speed/subject.h"

namespace volley::speed {

// openssl_cipher_for returns the EVP cipher of |aead|.
const EVP_CIPHER* openssl_cipher_for(const Aead& aead);

std::unique_ptr<Subject> make_openssl_subject(const Aead& aead);

#if defined(__x86_64__)
// Null when the CPU lacks what ipsec-mb's AES-GCM needs (AES-NI and PCLMULQDQ).
std::unique_ptr<Subject> make_ipsecmb_subject(const Aead& aead);
// Null for AES-128-GCM, and for AES-256-GCM when crypto_aead_aes256gcm_is_available() is false.
std::unique_ptr<Subject> make_sodium_subject(const Aead& aead);
#endif

}  // namespace volley::speed
