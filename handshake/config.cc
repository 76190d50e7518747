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

ConfigBuilder& ConfigBuilder::tickets(uint8_t count) {
  config_.ticket_count_ = count;
  return *this;
}
ConfigBuilder& ConfigBuilder::ticket_lifetime(uint32_t seconds) {
  config_.ticket_lifetime_ = seconds;
  return *this;
}
ConfigBuilder& ConfigBuilder::ticket_store(std::shared_ptr<const SessionTicketStore> store) {
  config_.ticket_store_ = std::move(store);
  return *this;
}
ConfigBuilder& ConfigBuilder::session_cache(std::shared_ptr<ClientSessionCache> cache) {
  config_.session_cache_ = std::move(cache);
  config_.session_cache_set_ = true;
  return *this;
}
ConfigBuilder& ConfigBuilder::psk_modes(std::vector<PskMode> modes) {
  config_.psk_modes_ = std::move(modes);
  return *this;
}
ConfigBuilder& ConfigBuilder::clock(Clock clock, void* context) {
  config_.clock_ = clock != nullptr ? clock : &system_clock_ms;
  config_.clock_context_ = context;
  return *this;
}

bool Config::accepts_psk_mode(PskMode mode) const noexcept {
  return std::find(psk_modes_.begin(), psk_modes_.end(), mode) != psk_modes_.end();
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
  if (c.ticket_count_ > 16) return refuse("config: more than 16 tickets per handshake");
  if (c.ticket_lifetime_ == 0 || c.ticket_lifetime_ > kMaxTicketLifetimeSeconds) {
    return refuse("config: ticket lifetime not within 1 to 604800 seconds (RFC 8446 4.6.1)");
  }
  if (c.psk_modes_.empty()) return refuse("config: no PSK key exchange mode");
  auto frozen = std::shared_ptr<Config>(new Config(c));
  if (frozen->ticket_count_ > 0 && frozen->ticket_store_ == nullptr) {
    // Its own keys, on the config's clock; rotated every 12 hours, so that a ticket of the
    // longest default lifetime (2 hours) always finds its key.
    frozen->ticket_store_ = std::make_shared<StatelessTicketStore>(
        std::make_shared<TicketKeys>(12 * 3600 * 1000, frozen->clock_, frozen->clock_context_));
  }
  if (!frozen->session_cache_set_) frozen->session_cache_ = std::make_shared<LruSessionCache>();
  if (frozen->key_share_groups_.empty()) frozen->key_share_groups_ = {frozen->groups_.front()};
  if (frozen->schemes_.empty() && frozen->verifier_ != nullptr) {
    const auto s = frozen->verifier_->supported_schemes();
    frozen->schemes_.assign(s.begin(), s.end());
  }
  if (error != nullptr) *error = kTlsOk;
  return frozen;
}

}  // namespace volley::tls
