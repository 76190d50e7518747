// HKDF on an already keyed HMAC: the key schedule keys one HMAC per secret and derives every child
// secret from copies of it, saving the two pad compressions per derivation. Internal.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "volley/hmac.h"
#include "volley/status.h"

namespace volley::kdf_internal {

// The longest HkdfLabel (RFC 8446 §7.1): 2 + 1 + 255 + 1 + 255 bytes.
inline constexpr size_t kMaxHkdfLabel = 514;

// build_hkdf_label writes the HkdfLabel for ("tls13 " + label, context, length) to |buf| and
// returns its size, or 0 if |label| or |context| is out of range (RFC 8446 §7.1: opaque
// label<7..255>, opaque context<0..255>).
size_t build_hkdf_label(uint8_t buf[kMaxHkdfLabel], std::string_view label, Bytes context,
                        uint16_t length) noexcept;

// expand runs HKDF-Expand (RFC 5869 §2.3) with the PRK already keyed into |prk|, writing |len|
// bytes (at most 255 * HashLen: the caller checks) to |out|, which must not overlap |info|.
template <class H>
void expand(const Hmac<H>& prk, uint8_t* out, size_t len, Bytes info) noexcept;

// expand_label is HKDF-Expand-Label on a keyed PRK. Returns kInvalidArgument for a bad label or
// context; the caller checks |len| (at most 255 * HashLen).
template <class H>
Status expand_label(const Hmac<H>& prk, uint8_t* out, size_t len, std::string_view label,
                    Bytes context) noexcept;

extern template void expand<Sha256>(const Hmac<Sha256>&, uint8_t*, size_t, Bytes) noexcept;
extern template void expand<Sha384>(const Hmac<Sha384>&, uint8_t*, size_t, Bytes) noexcept;
extern template void expand<Sha512>(const Hmac<Sha512>&, uint8_t*, size_t, Bytes) noexcept;
extern template Status expand_label<Sha256>(const Hmac<Sha256>&, uint8_t*, size_t, std::string_view,
                                            Bytes) noexcept;
extern template Status expand_label<Sha384>(const Hmac<Sha384>&, uint8_t*, size_t, std::string_view,
                                            Bytes) noexcept;
extern template Status expand_label<Sha512>(const Hmac<Sha512>&, uint8_t*, size_t, std::string_view,
                                            Bytes) noexcept;

}  // namespace volley::kdf_internal
