// volley/session.h: TLS 1.3 session resumption with tickets (RFC 8446 §2.2, §4.2.11, §4.6.1).
//
// Server: after the handshake it sends Config::ticket_count() NewSessionTicket messages. Each
// ticket is the session state (suite, resumption PSK, ticket_age_add, issue time, lifetime, SNI,
// ALPN, max_early_data) handed to a SessionTicketStore, which returns the opaque ticket. The
// default store, StatelessTicketStore, seals the state with AES-256-GCM under a TicketKeys key,
// so the server keeps nothing per session; a deployment that wants server-side state (single-use
// tickets, revocation) implements SessionTicketStore itself.
//
// Client: tickets received go into a ClientSessionCache keyed by server name (the default is an
// in-memory LRU, LruSessionCache); the next connection to that name takes one out and offers it.
// A ticket is used once (RFC 8446 Appendix C.4: reuse would let observers link connections).
//
// Threads: TicketKeys, StatelessTicketStore and LruSessionCache may be used by any number of
// threads at once (one mutex each), as a Config shares them between connections. A custom store
// or cache must be thread-safe too.
//
// Secrets: ticket keys and PSKs are wiped when dropped (TicketKeys on rotation and destruction,
// ClientSession on destruction; the encoded forms live in buffers their owners wipe).
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "volley/bytes.h"
#include "volley/key_schedule.h"

namespace volley::tls {

// PskMode is a psk_key_exchange_modes value (RFC 8446 §4.2.9): psk_dhe_ke keeps forward secrecy
// with a fresh (EC)DHE exchange; psk_ke resumes on the PSK alone (no key_share, no forward
// secrecy for the resumed connection).
enum class PskMode : uint8_t { kPskKe = 0, kPskDheKe = 1 };

// Clock returns the time in milliseconds since the Unix epoch. Tests inject one to expire tickets.
using Clock = uint64_t (*)(void* context);
// system_clock_ms is the default Clock.
uint64_t system_clock_ms(void* context);

// kMaxTicketLifetimeSeconds: "Servers MUST NOT use any value greater than 604800 seconds (7 days)"
// (RFC 8446 §4.6.1).
inline constexpr uint32_t kMaxTicketLifetimeSeconds = 604800;

// ServerSessionState is what a server remembers of a session, inside its ticket. Version 1 of its
// encoding (encode_server_session_state), all integers big-endian:
//   u8  version (1)
//   u16 cipher suite (IANA)
//   u64 issue time, ms since the Unix epoch
//   u32 lifetime, seconds
//   u32 ticket_age_add
//   u32 max_early_data (0: no 0-RTT)
//   u8-prefixed  resumption PSK (32 or 48 bytes)
//   u16-prefixed server name (the client's SNI; empty: none)
//   u8-prefixed  ALPN protocol (empty: none)
//   u8-prefixed  SHA-256 of the peer's certificate (empty: none)
// A newer version is refused by an older server (the ticket is then unknown: full handshake).
struct ServerSessionState {
  static constexpr uint8_t kVersion = 1;
  uint16_t suite = 0;
  uint64_t issue_time_ms = 0;
  uint32_t lifetime_s = 0;
  uint32_t age_add = 0;
  uint32_t max_early_data = 0;
  Secret psk;
  std::string server_name;
  std::string alpn;
  std::vector<uint8_t> peer_cert_hash;
};

// encode_server_session_state appends |state| to |out|; false when a field is too long for its
// prefix (a server name over 65535 bytes, an ALPN name over 255).
[[nodiscard]] bool encode_server_session_state(std::vector<uint8_t>* out,
                                               const ServerSessionState& state);
// decode_server_session_state parses |in| (all of it); false on any length or version error.
[[nodiscard]] bool decode_server_session_state(ServerSessionState* out, Bytes in);

// SessionTicketStore turns a server session state into a ticket and back.
class SessionTicketStore {
 public:
  virtual ~SessionTicketStore() = default;
  // seal writes into |ticket| (replaced) the ticket for the encoded state |state|; false if it
  // could not (the server then sends no ticket). 1 to 65535 bytes.
  virtual bool seal(std::vector<uint8_t>* ticket, Bytes state) const = 0;
  // open writes into |state| (replaced) the encoded state of |ticket|; false for a ticket it does
  // not know, cannot authenticate, or no longer keeps. Must not throw on any input.
  virtual bool open(std::vector<uint8_t>* state, Bytes ticket) const = 0;
};

// TicketKeys holds the server's ticket keys: the current one, which seals, and the previous one,
// which still opens. Each key has a 16-byte name (written at the start of every ticket, to find
// its key) and a 32-byte AES-256-GCM key. rotate() makes the current key previous and installs a
// new one; the key that was previous is wiped. Automatic rotation: when the current key is older
// than |rotation_interval_ms| at a seal or open, the keys rotate by themselves, and a previous
// key older than two intervals is dropped. So a ticket opens for at least one interval and at most
// two; a ticket's lifetime should not exceed the interval.
class TicketKeys {
 public:
  // TicketKeys with random keys made on first use. |clock| null: system_clock_ms.
  explicit TicketKeys(uint64_t rotation_interval_ms = 12 * 3600 * 1000, Clock clock = nullptr,
                      void* clock_context = nullptr);
  ~TicketKeys();
  TicketKeys(const TicketKeys&) = delete;
  TicketKeys& operator=(const TicketKeys&) = delete;

  // rotate installs a fresh random key as the current one. False if the random source failed (the
  // keys are then unchanged).
  bool rotate();
  // rotate_to installs |name| (16 bytes) and |key| (32 bytes) as the current key: servers sharing
  // tickets set the same keys. False (nothing changed) for wrong sizes.
  bool rotate_to(Bytes name, Bytes key);

  // seal encrypts |plain| into |out| (replaced): name || nonce (12, random) || ciphertext || tag
  // (16), the name as associated data.
  bool seal(std::vector<uint8_t>* out, Bytes plain);
  // open authenticates and decrypts |ticket| into |out| (replaced) under the key its name picks.
  bool open(std::vector<uint8_t>* out, Bytes ticket);

  static constexpr size_t kNameSize = 16;
  static constexpr size_t kKeySize = 32;
  static constexpr size_t kNonceSize = 12;
  static constexpr size_t kTagSize = 16;
  static constexpr size_t kOverhead = kNameSize + kNonceSize + kTagSize;

 private:
  struct Key;
  // refresh rotates by time; the mutex is held.
  void refresh_locked(uint64_t now);
  bool install_locked(Bytes name, Bytes key, uint64_t now);

  mutable std::mutex mutex_;
  uint64_t interval_ms_;
  Clock clock_;
  void* clock_context_;
  std::shared_ptr<const Key> current_;
  std::shared_ptr<const Key> previous_;
};

// StatelessTicketStore is the default SessionTicketStore: the ticket is the state, sealed by
// |keys|.
class StatelessTicketStore final : public SessionTicketStore {
 public:
  explicit StatelessTicketStore(std::shared_ptr<TicketKeys> keys) : keys_(std::move(keys)) {}
  bool seal(std::vector<uint8_t>* ticket, Bytes state) const override;
  bool open(std::vector<uint8_t>* state, Bytes ticket) const override;
  TicketKeys& keys() const noexcept { return *keys_; }

 private:
  std::shared_ptr<TicketKeys> keys_;
};

// ClientSession is one ticket a client received, with what it needs to resume.
struct ClientSession {
  uint16_t suite = 0;               // the suite of the connection that received it
  Secret psk;                       // resumption_psk(resumption_master_secret, ticket_nonce)
  std::vector<uint8_t> ticket;      // the identity to offer
  uint32_t age_add = 0;
  uint32_t lifetime_s = 0;
  uint64_t received_ms = 0;         // when it arrived (Clock)
  uint32_t max_early_data = 0;      // from the early_data extension; 0: none (0-RTT: later)
  std::string server_name;
  std::string alpn;                 // the ALPN protocol of the connection

  // expired: at |now_ms|, the ticket's lifetime has run out.
  bool expired(uint64_t now_ms) const noexcept {
    return now_ms < received_ms || now_ms - received_ms >= uint64_t{lifetime_s} * 1000;
  }
};

// The persisted form of a ClientSession (volley client --sess-out/--sess-in), version 1:
//   "VOLLEY-SESSION-1\n" (16 bytes + newline)
//   u16 suite, u32 age_add, u32 lifetime_s, u64 received_ms, u32 max_early_data,
//   u8-prefixed PSK, u16-prefixed ticket, u16-prefixed server name, u8-prefixed ALPN
// (big-endian). It holds the PSK in clear: store it as a secret.
[[nodiscard]] bool encode_client_session(std::vector<uint8_t>* out, const ClientSession& s);
[[nodiscard]] bool decode_client_session(ClientSession* out, Bytes in);

// ClientSessionCache keeps tickets per server name.
class ClientSessionCache {
 public:
  virtual ~ClientSessionCache() = default;
  // put adds a session received from |server_name|.
  virtual void put(std::string_view server_name, ClientSession session) = 0;
  // take removes and returns the newest session for |server_name|, if any.
  virtual std::optional<ClientSession> take(std::string_view server_name) = 0;
};

// LruSessionCache is the default cache: at most |per_server| tickets per name (the newest kept)
// and |max_servers| names (the least recently used name dropped first).
class LruSessionCache final : public ClientSessionCache {
 public:
  explicit LruSessionCache(size_t max_servers = 256, size_t per_server = 4)
      : max_servers_(max_servers), per_server_(per_server) {}
  void put(std::string_view server_name, ClientSession session) override;
  std::optional<ClientSession> take(std::string_view server_name) override;
  size_t size() const;

 private:
  struct Entry {
    std::string name;
    std::list<ClientSession> sessions;  // newest first
  };
  mutable std::mutex mutex_;
  size_t max_servers_, per_server_;
  std::list<Entry> entries_;  // most recently used first
};

}  // namespace volley::tls
