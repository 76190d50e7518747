// handshake/os_random.h: the operating system's random bytes, for every part of the handshake
// that draws its own (connections without an injected RandomSource, key shares, salts).
#pragma once

#include "volley/bytes.h"

namespace volley::tls {

// os_random fills |out| from getrandom(2) (flags 0: it blocks only until the kernel's pool is
// first initialised), retrying short reads and EINTR. False if the kernel refused.
[[nodiscard]] bool os_random(MutableBytes out) noexcept;

}  // namespace volley::tls
