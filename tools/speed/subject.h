// A Subject is one implementation of one AEAD that `volley speed` and bench/aead_bench.cc measure:
// volley on one backend, or a peer library (OpenSSL EVP, ipsec-mb, libsodium). A Worker is one
// thread's instance of it: its own key schedule and context, ready to seal or open messages.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>

#include "tools/speed/options.h"
#include "tools/speed/workload.h"

namespace volley::speed {

class Worker {
 public:
  virtual ~Worker() = default;

  // process seals (or opens) every message of |msgs|, the way the implementation serves one call
  // of |msgs.size()| records: one message at a time, or one batch into volley's record layer.
  // Seal writes ciphertext || tag to each message's |out|; open writes the plaintext. Returns
  // false if any message failed (an open that did not authenticate). No allocation.
  virtual bool process(Op op, std::span<const Message> msgs) noexcept = 0;

  // reproduces_reference reports whether outputs land in each message's |out| as the pool's
  // reference (a seal's ciphertext || tag under the message's nonce and AAD, an open's plaintext),
  // so that the measurement can compare them. A path that frames records itself (volley's record
  // layer: header, content type, its own nonces) is held only to its calls succeeding.
  virtual bool reproduces_reference() const noexcept { return true; }
};

struct SubjectInfo {
  const Aead* aead = nullptr;
  Impl impl = Impl::kVolley;
  std::string backend;  // volley backend name; the peer's code path ("evp", "avx512", ...)
  // via is how messages reach the implementation: "direct" (one message per call), "record" (a
  // batch through volley's record layer, volley_batch.h), "job" (ipsec-mb's job API), or "loop"
  // (a batch as volley::AeadKey calls one message at a time).
  std::string via;
};

class Subject {
 public:
  virtual ~Subject() = default;
  virtual const SubjectInfo& info() const = 0;
  // make_worker sets up a key for one thread, for calls of |batch| messages taken in order from
  // |pool| (which outlives the worker). Never null.
  virtual std::unique_ptr<Worker> make_worker(std::span<const Message> pool,
                                              size_t batch) const = 0;
};

// make_volley_subject measures volley's |backend| (available on this CPU) for |aead|. Batches of
// more than one message go through volley_batch.h.
std::unique_ptr<Subject> make_volley_subject(const Aead& aead, const std::string& backend,
                                             size_t batch);

// make_peer_subject measures |impl| (not kVolley) for |aead|, or returns null if that peer does not
// implement |aead| on this machine (libsodium has no AES-128-GCM, and its AES-256-GCM needs AES-NI;
// ipsec-mb and libsodium are not built outside x86-64).
std::unique_ptr<Subject> make_peer_subject(Impl impl, const Aead& aead);

}  // namespace volley::speed
