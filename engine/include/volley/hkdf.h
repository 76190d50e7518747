// volley/hkdf.h: HKDF (RFC 5869) and the TLS 1.3 HKDF-Expand-Label and Derive-Secret
// (RFC 8446 §7.1), over SHA-256, SHA-384 and SHA-512.
//
// Threads: every function is reentrant; concurrent calls need no synchronisation.
// Allocation: none (the HkdfLabel structure is built on the stack, at most 514 bytes).
// Failure: on any error nothing is written to the output.
// Secrets: every intermediate (keyed HMAC states, the previous output block) is wiped before
// returning; the caller owns the outputs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "volley/sha2.h"
#include "volley/status.h"

namespace volley {

// hkdf_extract writes PRK = HMAC-Hash(salt, ikm) (RFC 5869 §2.2) to |prk|. An empty |salt| means
// HashLen zero bytes, as the RFC specifies (HMAC pads both to the same key block).
// Errors: kBadOutputLength unless prk.size() == hash_size(alg).
// Aliasing: |prk| may overlap |salt| and |ikm|.
[[nodiscard]] Status hkdf_extract(HashAlg alg, std::span<uint8_t> prk, Bytes salt,
                                  Bytes ikm) noexcept;

// hkdf_expand writes out.size() bytes of OKM = T(1) | T(2) | ... (RFC 5869 §2.3) to |out|.
// |prk| may have any length (RFC 5869 asks for at least HashLen bytes; that is the caller's
// concern). Errors: kBadOutputLength if out.size() > 255 * hash_size(alg).
// Aliasing: |out| may overlap |prk| (the key is absorbed before any output is written); it must not
// overlap |info|, which is read for every output block (kBadAliasing).
[[nodiscard]] Status hkdf_expand(HashAlg alg, std::span<uint8_t> out, Bytes prk,
                                 Bytes info) noexcept;

// hkdf is Extract then Expand (RFC 5869 §2). Errors and aliasing as for hkdf_expand, with |salt|
// and |ikm| free to overlap |out|.
[[nodiscard]] Status hkdf(HashAlg alg, std::span<uint8_t> out, Bytes salt, Bytes ikm,
                          Bytes info) noexcept;

// hkdf_expand_label is HKDF-Expand-Label(Secret, Label, Context, Length) of RFC 8446 §7.1, with
// Length = out.size(): HKDF-Expand of the HkdfLabel structure {uint16 length, opaque
// label<7..255> = "tls13 " + |label|, opaque context<0..255>}. |label| is given without the
// "tls13 " prefix (e.g. "key", "c hs traffic").
// Errors: kInvalidArgument if |label| is empty or longer than 249 bytes or |context| is longer
// than 255 bytes; kBadOutputLength if out.size() > 255 * hash_size(alg).
// Aliasing: |out| may overlap any input.
[[nodiscard]] Status hkdf_expand_label(HashAlg alg, std::span<uint8_t> out, Bytes secret,
                                       std::string_view label, Bytes context) noexcept;

// derive_secret is Derive-Secret(Secret, Label, Messages) of RFC 8446 §7.1, given
// |transcript_hash| = Transcript-Hash(Messages) (for the empty transcript, the hash of the empty
// string). Writes hash_size(alg) bytes.
// Errors: kBadOutputLength unless out.size() == hash_size(alg); kInvalidArgument unless
// transcript_hash.size() == hash_size(alg) and |label| is as for hkdf_expand_label.
// Aliasing: |out| may overlap any input.
[[nodiscard]] Status derive_secret(HashAlg alg, std::span<uint8_t> out, Bytes secret,
                                   std::string_view label, Bytes transcript_hash) noexcept;

}  // namespace volley
