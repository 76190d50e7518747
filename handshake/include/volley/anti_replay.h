// volley/anti_replay.h: what a server keeps so that 0-RTT data cannot be replayed (RFC 8446 §8).
//
// Early data is sent before the handshake can prove the ClientHello fresh, so an attacker who
// recorded one can send it again. A server that accepts 0-RTT keeps two records, both here:
//
//   SingleUseTickets (§8.1): each ticket is accepted for 0-RTT once. The first claim of a ticket
//     identity wins; later claims, until the ticket expires, lose.
//   ClientHelloRecorder (§8.2, §8.3): each ClientHello's first binder is recorded for a window
//     of seconds, and a ClientHello whose ticket age puts it outside the window is refused as
//     stale, so the window is all that has to be remembered.
//
// A loser keeps its handshake (a full or resumed 1-RTT one) but loses its early data: replay then
// costs the attacker a handshake and gets the server to do nothing twice.
//
// Both are bounded: at most |capacity| identities are remembered at once (expired ones are
// forgotten first). A full store fails closed: the claim loses, so that an attacker who fills the
// store turns 0-RTT off rather than on. An entry takes about 80 bytes, so the default capacity
// (2^18) is about 20 MiB when full. Both are thread-safe (one object serves every connection
// of a server): the entries are spread over shards by a keyed hash (a secret salt drawn at
// construction), each with its own lock, so a client cannot aim its identities at one shard.
//
// Time is passed in by the caller (seconds since an epoch of its choosing, the same on every
// call), so that tests and the state machine agree on "now"; nothing here reads a clock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "volley/bytes.h"

namespace volley::tls {

namespace anti_replay_internal {
class ExpiringSet;
}

// SingleUseTickets remembers the ticket identities accepted for 0-RTT until each one expires.
class SingleUseTickets {
 public:
  // |capacity|: the most identities remembered at once (at least 1).
  explicit SingleUseTickets(size_t capacity = 1 << 18);
  ~SingleUseTickets();
  SingleUseTickets(const SingleUseTickets&) = delete;
  SingleUseTickets& operator=(const SingleUseTickets&) = delete;

  // claim returns true the first time |identity| is claimed while it is valid, and records it
  // until |expires_at| (the ticket's expiry, in the caller's seconds). It returns false when the
  // identity was claimed before and has not expired, when expires_at <= now (an expired ticket
  // is never accepted), and when the store is full of unexpired identities.
  [[nodiscard]] bool claim(Bytes identity, uint64_t expires_at, uint64_t now);

  // size is the number of identities remembered (expired ones may still count until the next
  // claim on their shard forgets them).
  size_t size() const;

 private:
  std::unique_ptr<anti_replay_internal::ExpiringSet> set_;
};

// ClientHelloRecorder is the strike register of RFC 8446 §8.2: the binders of the ClientHellos
// that carried early data in the last |window_seconds|, and the freshness check of §8.3 that makes
// the window enough.
class ClientHelloRecorder {
 public:
  // Verdict on one ClientHello with early data.
  enum class Verdict : uint8_t {
    kFresh,     // first seen, inside the window: its early data may be accepted
    kReplayed,  // the same binder was recorded inside the window
    kStale,     // its ticket age puts it outside the window (too old, or from the future)
    kFull,      // the register is full of unexpired binders: refused, fail closed
  };

  // |window_seconds| (at least 1) is how far the ClientHello's expected arrival may be from now;
  // |capacity| the most binders remembered at once (at least 1).
  explicit ClientHelloRecorder(uint32_t window_seconds = 10, size_t capacity = 1 << 18);
  ~ClientHelloRecorder();
  ClientHelloRecorder(const ClientHelloRecorder&) = delete;
  ClientHelloRecorder& operator=(const ClientHelloRecorder&) = delete;

  uint32_t window_seconds() const noexcept { return window_; }

  // admit judges a ClientHello whose first PSK binder is |binder|, sent under a ticket the server
  // issued at |issued_at_ms|, whose client says the ticket is |client_age_ms| old (the
  // obfuscated_ticket_age minus the ticket's age_add), arriving at |now_ms|. The expected arrival
  // is issued_at_ms + client_age_ms; it must be within the window of now (§8.3). A fresh
  // ClientHello's binder is recorded for the window. Times are milliseconds in the caller's clock.
  [[nodiscard]] Verdict admit(Bytes binder, uint64_t issued_at_ms, uint32_t client_age_ms,
                              uint64_t now_ms);

  size_t size() const;

 private:
  uint32_t window_;
  std::unique_ptr<anti_replay_internal::ExpiringSet> set_;
};

}  // namespace volley::tls
