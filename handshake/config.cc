// ConfigBuilder (volley/tls.h): the settings shared by many connections, checked once.
#include <algorithm>
#include <chrono>

#include "volley/record.h"
#include "volley/tls.h"

namespace volley::tls {

ConfigBuilder::ConfigBuilder() {
  for (const CipherSuite* s : all_cipher_suites()) config_.suites_.push_back(s);
  config_.groups_ = {NamedGroup::kX25519, NamedGroup::kSecp256r1};
}

ConfigBuilder& ConfigBuilder::cipher_suites(std::vector<const CipherSuite*> suites) {
  config_.suites_ = std::move(suites);
  return *this;
}
ConfigBuilder& ConfigBuilder::groups(std::vector<NamedGroup> groups) {
  config_.groups_ = std::move(groups);
  return *this;
}
ConfigBuilder& ConfigBuilder::key_share_groups(std::vector<NamedGroup> groups) {
  config_.key_share_groups_ = std::move(groups);
  return *this;
}
ConfigBuilder& ConfigBuilder::signature_schemes(std::vector<SignatureScheme> schemes) {
  config_.schemes_ = std::move(schemes);
  return *this;
}
ConfigBuilder& ConfigBuilder::alpn(std::vector<std::string> protocols) {
  config_.alpn_ = std::move(protocols);
  return *this;
}
ConfigBuilder& ConfigBuilder::verifier(std::shared_ptr<const CertificateVerifier> verifier) {
  config_.verifier_ = std::move(verifier);
  return *this;
}
ConfigBuilder& ConfigBuilder::credential(std::shared_ptr<const SigningCredential> credential) {
  config_.credential_ = std::move(credential);
  return *this;
}
ConfigBuilder& ConfigBuilder::record_size_limit(uint16_t limit) {
  config_.record_size_limit_ = limit;
  return *this;
}
ConfigBuilder& ConfigBuilder::max_buffered_plaintext(size_t bytes) {
  config_.max_buffered_plaintext_ = bytes;
  return *this;
}
ConfigBuilder& ConfigBuilder::middlebox_compatibility(bool on) {
  config_.middlebox_compatibility_ = on;
  return *this;
}
ConfigBuilder& ConfigBuilder::strict_group_preference(bool on) {
  config_.strict_group_preference_ = on;
  return *this;
}
ConfigBuilder& ConfigBuilder::client_auth(ClientAuth mode) {
  config_.client_auth_ = mode;
  return *this;
}
ConfigBuilder& ConfigBuilder::aead_backend(std::string backend) {
  config_.aead_backend_ = std::move(backend);
  return *this;
}
ConfigBuilder& ConfigBuilder::random_source(RandomSource source, void* context) {
  config_.random_ = source;
  config_.random_context_ = context;
  return *this;
}
ConfigBuilder& ConfigBuilder::verify_time(VerifyTime now) {
  config_.verify_time_ = now;
  config_.fixed_verify_time_ = true;
  return *this;
}

VerifyTime Config::verify_time() const {
  if (fixed_verify_time_) return verify_time_;
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

std::shared_ptr<const Config> ConfigBuilder::build(TlsError* error) const {
  auto refuse = [error](const char* reason) -> std::shared_ptr<const Config> {
    if (error != nullptr) *error = tls_fail(AlertDescription::kInternalError, reason);
    return nullptr;
  };
  const Config& c = config_;
  if (c.suites_.empty() ||
      std::any_of(c.suites_.begin(), c.suites_.end(), [](auto* s) { return s == nullptr; })) {
    return refuse("config: no cipher suite");
  }
  if (c.groups_.empty()) return refuse("config: no key exchange group");
  for (NamedGroup g : c.key_share_groups_) {
    if (std::find(c.groups_.begin(), c.groups_.end(), g) == c.groups_.end()) {
      return refuse("config: a key share for a group not offered");
    }
  }
  for (const std::string& p : c.alpn_) {
    if (p.empty() || p.size() > 255) return refuse("config: an ALPN name empty or over 255 bytes");
  }
  if (c.record_size_limit_ != 0 && c.record_size_limit_ < 64) {
    return refuse("config: record_size_limit below 64 (RFC 8449)");
  }
  if (c.max_buffered_plaintext_ < kMaxPlaintextLen) {
    return refuse("config: max_buffered_plaintext below one record");
  }
  if (c.client_auth_ != ClientAuth::kNone && c.verifier_ == nullptr) {
    return refuse("config: client_auth without a verifier for client certificates");
  }
  auto frozen = std::shared_ptr<Config>(new Config(c));
  if (frozen->key_share_groups_.empty()) frozen->key_share_groups_ = {frozen->groups_.front()};
  if (frozen->schemes_.empty() && frozen->verifier_ != nullptr) {
    const auto s = frozen->verifier_->supported_schemes();
    frozen->schemes_.assign(s.begin(), s.end());
  }
  if (error != nullptr) *error = kTlsOk;
  return frozen;
}

}  // namespace volley::tls
