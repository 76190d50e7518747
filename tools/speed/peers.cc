#include "tools/speed/peers.h"

#include <openssl/crypto.h>

#include "tools/speed/peer_subjects.h"

#if defined(__x86_64__)
#include <intel-ipsec-mb.h>
#include <sodium.h>
#endif

namespace volley::speed {

bool peer_built(Impl impl) {
  switch (impl) {
    case Impl::kVolley:
    case Impl::kOpenSsl:
      return true;
    case Impl::kIpsecMb:
    case Impl::kLibsodium:
#if defined(__x86_64__)
      return true;
#else
      return false;
#endif
  }
  return false;
}

std::string peer_version(Impl impl) {
  switch (impl) {
    case Impl::kVolley:
      return "";
    case Impl::kOpenSsl:
      return OpenSSL_version(OPENSSL_VERSION);
#if defined(__x86_64__)
    case Impl::kIpsecMb:
      return imb_get_version_str();
    case Impl::kLibsodium:
      return sodium_version_string();
#else
    case Impl::kIpsecMb:
    case Impl::kLibsodium:
      return "";
#endif
  }
  return "";
}

std::unique_ptr<Subject> make_peer_subject(Impl impl, const Aead& aead) {
  switch (impl) {
    case Impl::kVolley:
      return nullptr;
    case Impl::kOpenSsl:
      return make_openssl_subject(aead);
#if defined(__x86_64__)
    case Impl::kIpsecMb:
      return make_ipsecmb_subject(aead);
    case Impl::kLibsodium:
      return make_sodium_subject(aead);
#else
    case Impl::kIpsecMb:
    case Impl::kLibsodium:
      return nullptr;
#endif
  }
  return nullptr;
}

}  // namespace volley::speed
