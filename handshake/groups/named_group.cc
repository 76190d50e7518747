#include "volley/named_group.h"

namespace volley::tls {

std::string_view named_group_name(NamedGroup group) noexcept {
  switch (group) {
    case NamedGroup::kSecp256r1: return "secp256r1";
    case NamedGroup::kSecp384r1: return "secp384r1";
    case NamedGroup::kX25519: return "x25519";
  }
  return "unknown_group";
}

}  // namespace volley::tls
