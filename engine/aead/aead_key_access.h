// Internal access to an AeadKey's kernel and expanded key, for the record layer (which batches
// records of many keys into one kernel call), and for bench and tests that call kernels directly.
// Not part of the API: volley/aead.h does not expose the kernel contract.
#pragma once

#include <new>

#include "engine/aead/aead_kernel.h"
#include "volley/aead.h"

namespace volley::aead_internal {

struct AeadKeyAccess {
  static_assert(sizeof(KeyState) == AeadKey::kStateBytes && alignof(KeyState) <= 64,
                "AeadKey's inline storage must hold a KeyState");

  // state is the KeyState that AeadKey::init() created in the key's storage.
  static const KeyState* state(const AeadKey& key) noexcept {
    return std::launder(reinterpret_cast<const KeyState*>(key.state_));
  }
  // create begins the KeyState's lifetime in the key's storage, for init() to fill.
  static KeyState* create(AeadKey& key) noexcept { return new (key.state_) KeyState; }
  static const AeadKernel* kernel(const AeadKey& key) noexcept { return key.kernel_; }
};

// kernel_of and key_state_of: an initialised key's kernel table and expanded key.
inline const AeadKernel* kernel_of(const AeadKey& key) noexcept {
  return AeadKeyAccess::kernel(key);
}
inline const KeyState* key_state_of(const AeadKey& key) noexcept {
  return AeadKeyAccess::state(key);
}

}  // namespace volley::aead_internal
