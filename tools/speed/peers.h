// Which peer libraries this binary was built with, and their versions, for reports.
#pragma once

#include <string>

#include "tools/speed/options.h"

namespace volley::speed {

// peer_built reports whether |impl| is linked into this binary (volley and OpenSSL always are;
// ipsec-mb and libsodium on x86-64 only).
bool peer_built(Impl impl);

// peer_version returns the library version string of |impl|, or "" for volley or when not built.
std::string peer_version(Impl impl);

}  // namespace volley::speed
