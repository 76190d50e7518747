// handshake/groups/key_share_impl.h: the constructors of each group's KeyShare, for
// key_share.cc's factories. Internal to handshake/groups.
#pragma once

#include <memory>

#include "handshake/groups/key_share.h"

namespace volley::tls::groups_internal {

// make_x25519_share: |private_key| must be 32 bytes.
TlsError make_x25519_share(std::unique_ptr<KeyShare>* out, Bytes private_key) noexcept;

// make_ec_share for kSecp256r1 or kSecp384r1: |private_key| is the big-endian scalar of
// private_key_size(group) bytes in [1, order - 1].
TlsError make_ec_share(std::unique_ptr<KeyShare>* out, NamedGroup group,
                       Bytes private_key) noexcept;

}  // namespace volley::tls::groups_internal
