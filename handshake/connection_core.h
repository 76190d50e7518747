// handshake/connection_core.h: what a TLS connection is beneath its two state machines — its
// records, buffers, error state and application data. Internal.
//
// The core owns the connection's record reader and writer, the bytes received and not yet framed,
// the records to send, the decrypted application data not yet read, and the handshake framer. It
// runs the receive loop: frame records (volley/record_reader.h), hand each whole handshake message
// to the state machine, queue application data, act on alerts. The state machine (client/ or
// server/) decides everything the protocol decides and acts on the connection only through the
// core's methods below: sending handshake messages, installing keys, reporting progress. Neither
// touches a socket.
//
// Failure: the first TlsError anyone reports ends the connection (fail()): the alert is written
// (protected if keys are installed), the state becomes kFailed and stays so, secrets are wiped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "handshake/groups/key_share.h"
#include "handshake/messages/extensions.h"
#include "handshake/messages/handshake_framer.h"
#include "handshake/messages/key_update.h"
#include "handshake/testing/message_hooks.h"
#include "volley/record_reader.h"
#include "volley/record_writer.h"
#include "volley/tls.h"

namespace volley::tls {

class ConnectionCore;
namespace testing {
struct ConnectionAccess;
}

// HandshakeMachine is one side's TLS 1.3 state machine (client/tls13_client.h,
// server/tls13_server.h).
class HandshakeMachine {
 public:
  virtual ~HandshakeMachine() = default;
  // start runs when the connection is created: a client writes its ClientHello.
  [[nodiscard]] virtual TlsError start() = 0;
  // on_message handles one whole handshake message from the peer (the transcript, the key
  // schedule and the keys are the machine's to update).
  [[nodiscard]] virtual TlsError on_message(const HandshakeMessage& message) = 0;
  // next_write_keys moves this side's application traffic secret to its next generation and
  // installs it for sending (RFC 8446 §4.6.3, §7.2): the second half of sending a KeyUpdate, once
  // the message went out under the current keys. Called only once connected.
  [[nodiscard]] virtual TlsError next_write_keys() = 0;
};

class ConnectionCore {
 public:
  // kMaxKeyUpdatesInARow bounds the KeyUpdates a peer may send without application data between
  // them (BoringSSL's limit): each costs a key derivation, and a flood of them is not a
  // conversation.
  static constexpr size_t kMaxKeyUpdatesInARow = 32;

  ConnectionCore(std::shared_ptr<const Config> config, bool is_client);
  ~ConnectionCore();
  ConnectionCore(const ConnectionCore&) = delete;
  ConnectionCore& operator=(const ConnectionCore&) = delete;

  // set_machine installs the state machine and starts it.
  void set_machine(std::unique_ptr<HandshakeMachine> machine);

  // The Connection API (volley/tls.h).
  size_t receive(Bytes in);
  Bytes pending_output() const noexcept {
    return Bytes(out_.data() + out_sent_, out_.size() - out_sent_);
  }
  void consume_output(size_t n) noexcept;
  size_t write(Bytes data);
  size_t read(MutableBytes out) noexcept;
  void close();
  bool update_keys(bool request_peer_update);  // key_update.cc
  HandshakeState state() const noexcept { return state_; }
  bool peer_closed() const noexcept { return peer_closed_ && app_in_.size() == app_in_read_; }
  TlsError error() const noexcept { return error_; }
  bool error_from_peer() const noexcept { return error_from_peer_; }
  const Negotiated& negotiated() const noexcept { return negotiated_; }

  // What the state machines use.
  const Config& config() const noexcept { return *config_; }
  bool is_client() const noexcept { return is_client_; }
  Negotiated& mutable_negotiated() noexcept { return negotiated_; }
  // random fills |out| from the config's random source. The OS source (the default) is read
  // kRandomPool bytes at a time into a per-connection pool, so that a handshake's draws (client:
  // random, legacy_session_id, key share; server: random, key share) cost one getrandom(2) call,
  // not one each (about 3 us apiece here). Served bytes are wiped from the pool at once, and the
  // rest when the connection goes. A config's own source is called for every draw, as before.
  [[nodiscard]] TlsError random(MutableBytes out);
  // draw_key_share makes a key share for |group| whose private key comes from random() (the
  // rejection rule of groups/key_share.h's draw_key_share), so that a connection draws every
  // random byte from one source: a deterministic source then fixes the whole handshake.
  [[nodiscard]] TlsError draw_key_share(std::unique_ptr<KeyShare>* out, NamedGroup group);
  // send_handshake writes whole handshake messages as handshake records under the current write
  // keys (plaintext before any).
  [[nodiscard]] TlsError send_handshake(Bytes messages);
  [[nodiscard]] TlsError send_change_cipher_spec();
  // install_read_keys switches the receiving direction to |keys| at a record boundary; a
  // handshake message left in the framer (partial, or following in the same record) is
  // unexpected_message (RFC 8446 §5.1).
  [[nodiscard]] TlsError install_read_keys(const CipherSuite& suite, const TrafficKeys& keys);
  [[nodiscard]] TlsError install_write_keys(const CipherSuite& suite, const TrafficKeys& keys);
  void allow_change_cipher_spec(bool allowed) noexcept { reader_.allow_change_cipher_spec(allowed); }
  void set_plaintext_version(uint16_t version) noexcept { writer_.set_plaintext_version(version); }
  // set_peer_record_size_limit applies the peer's record_size_limit (RFC 8449) to what is sent.
  [[nodiscard]] TlsError set_peer_record_size_limit(uint16_t limit);
  // set_own_record_size_limit applies the limit this endpoint announced to what it accepts.
  [[nodiscard]] TlsError set_own_record_size_limit(uint16_t limit);
  // rewrite_extensions lets a test's hooks (testing/message_hooks.h) change the extension list of
  // an outgoing message of |context|; without hooks, nothing happens.
  void rewrite_extensions(ExtensionContext context, std::vector<Extension>* extensions) {
    if (hooks_ != nullptr) hooks_->rewrite_extensions(context, extensions);
  }
  // hooks_post_handshake is what a test's hooks want a server to send after the handshake
  // (testing/message_hooks.h); empty without hooks.
  Bytes hooks_post_handshake() { return hooks_ != nullptr ? hooks_->server_post_handshake() : Bytes(); }
  // handshake_complete: application data may flow from now on.
  void handshake_complete() noexcept;
  // key_update_received is what on_key_update (handshake_steps.h) tells the core of each KeyUpdate
  // from the peer, before acting on it: one more in a row (more than kMaxKeyUpdatesInARow without
  // application data between them is unexpected_message; the answer to our own update_requested
  // does not count), and an update_requested leaves one answer owed, sent at the end of the
  // receive() call (key_update.cc).
  [[nodiscard]] TlsError key_update_received(KeyUpdateRequest request);

 private:
  friend struct testing::ConnectionAccess;

  // process frames and handles the records at the start of in_ until it needs more bytes.
  void process();
  TlsError on_record(const OpenedRecord& record);
  TlsError on_alert(Bytes content);
  // fail ends the connection with |e|: the alert is queued unless it came from the peer.
  void fail(TlsError e, bool from_peer = false);
  // send_key_update writes a KeyUpdate under the current send keys, then moves them to the next
  // generation (the machine's next_write_keys()); it settles an answer owed (key_update.cc).
  [[nodiscard]] TlsError send_key_update(KeyUpdateRequest request);
  // answer_key_update sends the one KeyUpdate(update_not_requested) owed for the update_requested
  // messages receive() handled, if the connection can still send.
  void answer_key_update();
  // reserve_output adds |n| bytes at the end of out_ and returns where they start; the caller
  // shrinks out_ to what it wrote.
  uint8_t* reserve_output(size_t n);

  std::shared_ptr<const Config> config_;
  bool is_client_;
  std::unique_ptr<HandshakeMachine> machine_;
  RecordReader reader_;
  RecordWriter writer_;
  HandshakeFramer framer_;
  std::vector<uint8_t> in_;       // received bytes not yet framed
  std::vector<uint8_t> out_;      // records to send; out_[0, out_sent_) already sent
  size_t out_sent_ = 0;
  std::vector<uint8_t> app_in_;   // decrypted application data; [0, app_in_read_) read
  size_t app_in_read_ = 0;
  HandshakeState state_ = HandshakeState::kHandshaking;
  TlsError error_{};
  bool error_from_peer_ = false;
  bool peer_closed_ = false;
  bool closed_ = false;           // close_notify sent
  bool read_keys_changed_ = false;  // set by install_read_keys during on_message
  // KeyUpdate (key_update.cc): those received since the last application data, and whether the
  // peer's update_requested still waits for our KeyUpdate.
  size_t key_updates_in_a_row_ = 0;
  bool key_update_owed_ = false;
  bool answer_expected_ = false;  // we sent update_requested and no answer came yet
  Negotiated negotiated_;
  testing::MessageHooks* const hooks_ = testing::installed_message_hooks();  // null but in tests
  // The OS random pool of random(): random_pool_[random_used_, kRandomPool) not yet served.
  static constexpr size_t kRandomPool = 128;  // getrandom(2) never cuts reads of <= 256 bytes
  uint8_t random_pool_[kRandomPool];
  size_t random_used_ = kRandomPool;
};

}  // namespace volley::tls
