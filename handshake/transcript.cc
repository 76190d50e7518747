#include "handshake/transcript.h"

#include <cstring>

namespace volley::tls {

void Transcript::add(Bytes message) {
  if (!started_) {
    kept_.insert(kept_.end(), message.begin(), message.end());
  } else if (alg_ == HashAlg::kSha384) {
    sha384_.update(message);
  } else {
    sha256_.update(message);
  }
}

void Transcript::start(HashAlg alg) {
  if (started_) return;
  alg_ = alg == HashAlg::kSha384 ? HashAlg::kSha384 : HashAlg::kSha256;
  started_ = true;
  add(kept_);
  kept_.clear();
  kept_.shrink_to_fit();
}

Bytes Transcript::hash(std::span<uint8_t, kMaxHashSize> out) const noexcept {
  if (alg_ == HashAlg::kSha384) {
    sha384_.peek(out.first<Sha384::kDigestSize>());
    return Bytes(out.data(), Sha384::kDigestSize);
  }
  sha256_.peek(out.first<Sha256::kDigestSize>());
  return Bytes(out.data(), Sha256::kDigestSize);
}

void Transcript::restart_after_hello_retry() noexcept {
  uint8_t message[4 + kMaxHashSize];
  const Bytes h = hash(std::span<uint8_t, kMaxHashSize>(message + 4, kMaxHashSize));
  message[0] = 254;  // message_hash (RFC 8446 §4.4.1)
  message[1] = 0;
  message[2] = 0;
  message[3] = static_cast<uint8_t>(h.size());
  sha256_.reset();
  sha384_.reset();
  add(Bytes(message, 4 + h.size()));
}

}  // namespace volley::tls
