// volley/aead.h: authenticated encryption with associated data (AEAD).
//
// volley implements the three AEADs of TLS 1.3: AES-128-GCM and AES-256-GCM (NIST SP 800-38D) and
// ChaCha20-Poly1305 (RFC 8439), each with a 96-bit nonce and a 128-bit tag.
//
//   volley::AeadKey key;
//   if (key.init(volley::kAes128Gcm, key_bytes) != volley::Status::kOk) { ... }
//   volley::Status s = key.seal(out, nonce, aad, {plaintext});  // out: ciphertext || tag
//
// Threads: an AeadKey is immutable once init() returned kOk. Any number of threads may call seal()
// and open() on the same key at once. init() and destruction must not race with other calls.
//
// Allocation: none. An AeadKey holds its expanded key inline; seal and open use only the stack.
//
// Secrets: the expanded key is wiped when the AeadKey is destroyed or re-initialised, and the
// per-message state is wiped before seal and open return.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string_view>

#include "volley/bytes.h"
#include "volley/dispatch.h"
#include "volley/status.h"

namespace volley {

namespace aead_internal {
// The kernel contract (engine/aead/aead_kernel.h) and the internal access to a key's kernel and
// expanded key (engine/aead/aead_key_access.h): not part of the API.
struct AeadKernel;
struct AeadKeyAccess;
}  // namespace aead_internal

// Aead describes one AEAD algorithm. The three instances below are the only ones; compare by
// address.
struct Aead {
  std::string_view name;  // "aes-128-gcm", "aes-256-gcm", "chacha20-poly1305"
  size_t key_len;
  size_t nonce_len;  // always 12
  size_t tag_len;    // always 16
  // max_plaintext_len is the longest message one (key, nonce) may protect: 2^36 - 32 bytes for
  // GCM (SP 800-38D), 2^38 - 64 for ChaCha20-Poly1305 (RFC 8439, 32-bit block counter from 1).
  uint64_t max_plaintext_len;
  // max_records_per_key is the number of TLS records one key may protect before it must be
  // updated (RFC 8446 §5.5): 2^24.5 full-size records for AES-GCM; ChaCha20-Poly1305 has no limit
  // below the 2^64 sequence space.
  uint64_t max_records_per_key;
  dispatch::Family family;
};

extern const Aead kAes128Gcm;
extern const Aead kAes256Gcm;
extern const Aead kChaCha20Poly1305;

// aead_by_name returns the AEAD called |name| ("aes-128-gcm", "aes-256-gcm",
// "chacha20-poly1305"), or null.
const Aead* aead_by_name(std::string_view name);

// all_aeads lists the three AEADs.
std::span<const Aead* const> all_aeads();

// AeadKey is an AEAD key set up for one backend (kernel). See the file comment for threads,
// allocation and wiping.
class AeadKey {
 public:
  AeadKey() = default;
  ~AeadKey();
  AeadKey(const AeadKey&) = delete;
  AeadKey& operator=(const AeadKey&) = delete;

  // init sets up |key| for |aead| on the backend called |backend|, or on the best backend for this
  // CPU (dispatch::best) when |backend| is empty. Returns kBadKeyLength if key.size() !=
  // aead.key_len, kUnknownBackend or kBackendUnavailable for a bad |backend|. On error the key is
  // left uninitialised.
  [[nodiscard]] Status init(const Aead& aead, Bytes key, std::string_view backend = {}) noexcept;

  // initialized reports whether init() succeeded.
  bool initialized() const noexcept { return kernel_ != nullptr; }

  // clear wipes the expanded key and leaves the key uninitialised, as destruction does.
  void clear() noexcept { wipe(); }

  // aead and backend_name describe the key; only valid once initialized.
  const Aead& aead() const noexcept { return *aead_; }
  std::string_view backend_name() const noexcept { return backend_->name; }

  // seal encrypts the concatenation of |in| (any number of pieces, any lengths) under |nonce| and
  // authenticates it with |aad|. It writes the ciphertext, of the total input length, to |out| and
  // the tag to |tag|. Outputs come first, as everywhere in volley (README, API).
  //
  // Aliasing: each piece is either exactly where its ciphertext goes (piece i starts at out.data()
  // plus the lengths of pieces 0..i-1: in-place) or does not overlap |out| at all. |tag| and |aad|
  // must not overlap |out|. For TLS 1.3, the payload is one piece and the inner content type a
  // trailing 1-byte piece, so the payload is never copied.
  //
  // Errors: kBadNonceLength unless nonce.size() == 12; kBadOutputLength if out.size() differs from
  // the total input length or tag.size() != 16; kTooLong above max_plaintext_len; kBadAliasing;
  // kNotInitialized. Nothing is written on error.
  [[nodiscard]] Status seal(MutableBytes out, MutableBytes tag, Bytes nonce, Bytes aad,
                            Pieces in) const noexcept;

  // seal with the tag appended: |out| must be the input length + 16 bytes; the ciphertext is
  // written to its start and the tag to its last 16 bytes.
  //
  // Inline on purpose: an out-of-line forwarder copies the stack-passed |out| span with one 16-byte
  // load of two 8-byte stores, which cannot be store-forwarded and so stalls the call until the
  // previous message's kernel work retires (measured: about 40 cycles per 64-byte message).
  [[nodiscard]] Status seal(MutableBytes out, Bytes nonce, Bytes aad, Pieces in) const noexcept {
    if (out.size() < 16) return Status::kBadOutputLength;
    const size_t body = out.size() - 16;
    return seal(out.first(body), out.subspan(body), nonce, aad, in);
  }
  [[nodiscard]] Status seal(MutableBytes out, Bytes nonce, Bytes aad,
                            std::initializer_list<Bytes> in) const noexcept {
    return seal(out, nonce, aad, Pieces(in.begin(), in.size()));
  }

  // open decrypts |ciphertext| into |out| (out.size() == ciphertext.size(); exactly in place or
  // disjoint) and checks |tag| in constant time. On kAuthFailed, |out| is zeroed: no
  // unauthenticated plaintext is ever released. Other errors as for seal; nothing is written on
  // those.
  [[nodiscard]] Status open(MutableBytes out, Bytes nonce, Bytes aad, Bytes ciphertext,
                            Bytes tag) const noexcept;

  // open with the tag appended: |sealed| is ciphertext || tag, |out| has sealed.size() - 16 bytes
  // (kBadInputLength if |sealed| is shorter than a tag).
  [[nodiscard]] Status open(MutableBytes out, Bytes nonce, Bytes aad, Bytes sealed) const noexcept {
    if (sealed.size() < 16) return Status::kBadInputLength;
    const size_t body = sealed.size() - 16;
    return open(out, nonce, aad, sealed.first(body), sealed.subspan(body));
  }

 private:
  friend struct aead_internal::AeadKeyAccess;

  void wipe() noexcept;

  // The kernel's expanded key (an aead_internal::KeyState, whose layout only the kernel knows),
  // inline so that a key needs no allocation.
  static constexpr size_t kStateBytes = 1536;
  alignas(64) unsigned char state_[kStateBytes];
  const Aead* aead_ = nullptr;
  const dispatch::Backend* backend_ = nullptr;
  const aead_internal::AeadKernel* kernel_ = nullptr;
};

}  // namespace volley
