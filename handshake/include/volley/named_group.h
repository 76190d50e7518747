// volley/named_group.h: the TLS 1.3 key-exchange groups volley offers (RFC 8446 §4.2.7), as they
// appear in supported_groups and key_share.
//
// Threads, allocation, failure: named_group_name is pure, reentrant, allocates nothing and never
// fails.
#pragma once

#include <cstdint>
#include <string_view>

namespace volley::tls {

// NamedGroup is a TLS NamedGroup code point. Only the groups volley implements are listed; a
// peer's other code points are carried as raw uint16_t values by the message decoders.
enum class NamedGroup : uint16_t {
  kSecp256r1 = 0x0017,
  kSecp384r1 = 0x0018,
  kX25519 = 0x001d,
};

// named_group_name returns the RFC's name of |group| ("x25519", "secp256r1", "secp384r1"), or
// "unknown_group" for any other value.
std::string_view named_group_name(NamedGroup group) noexcept;

}  // namespace volley::tls
