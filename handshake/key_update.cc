// KeyUpdate on a live connection (RFC 8446 §4.6.3, §5.1, §7.2): the ConnectionCore's side of it.
//
// The traffic secrets stay with the state machine, which moves them a generation on
// (on_key_update in handshake_steps.cc for the receive side, HandshakeMachine::next_write_keys for
// the send side); the core decides when a KeyUpdate goes out:
//   - when the application asks (update_keys), optionally asking the peer to update too;
//   - once per receive() call that handled any number of the peer's update_requested (§4.6.3
//     wants one answer "prior to sending its next Application Data record"; answering each would
//     let a peer make us send as many records as it sends, and in one flight they are one
//     request). Any KeyUpdate of ours settles what is owed, since it moves our send keys, which is
//     all the peer asked for;
//   - from write(), before the send key reaches its usage limit (§5.5; connection_core.cc).
// A peer may send at most kMaxKeyUpdatesInARow KeyUpdates with no application data between them;
// an update_not_requested that answers our own update_requested is not counted (one per request
// of ours, however many of them the peer answered at once).
#include "handshake/connection_core.h"
#include "handshake/messages/key_update.h"
#include "handshake/wire/wire_writer.h"

namespace volley::tls {

bool ConnectionCore::update_keys(bool request_peer_update) {
  if (state_ != HandshakeState::kConnected || closed_) return false;
  const TlsError e = send_key_update(request_peer_update ? KeyUpdateRequest::kUpdateRequested
                                                         : KeyUpdateRequest::kUpdateNotRequested);
  if (!e.ok()) {
    fail(e);
    return false;
  }
  return true;
}

TlsError ConnectionCore::key_update_received(KeyUpdateRequest request) {
  if (state_ != HandshakeState::kConnected) {
    return tls_fail(AlertDescription::kUnexpectedMessage, "KeyUpdate before the handshake completed");
  }
  if (request == KeyUpdateRequest::kUpdateNotRequested && answer_expected_) {
    // The answer to our own update_requested: ours to cause, not the peer's flood (a side that
    // asks for updates while it only sends would otherwise count the answers against the peer).
    answer_expected_ = false;
  } else if (++key_updates_in_a_row_ > kMaxKeyUpdatesInARow) {
    return tls_fail(AlertDescription::kUnexpectedMessage,
                    "too many KeyUpdates without application data between them");
  }
  if (request == KeyUpdateRequest::kUpdateRequested) key_update_owed_ = true;
  return kTlsOk;
}

TlsError ConnectionCore::send_key_update(KeyUpdateRequest request) {
  std::vector<uint8_t> message;
  WireWriter w(&message);
  if (!encode_key_update(w, KeyUpdate{request}) || !w.ok()) {
    return tls_fail(AlertDescription::kInternalError, "KeyUpdate encoding failed");
  }
  // Under the current keys (§4.6.3: "sent ... under the old key"), then the next generation.
  TlsError e = send_handshake(message);
  if (!e.ok()) return e;
  e = machine_->next_write_keys();
  if (!e.ok()) return e;
  key_update_owed_ = false;
  if (request == KeyUpdateRequest::kUpdateRequested) answer_expected_ = true;
  return kTlsOk;
}

void ConnectionCore::answer_key_update() {
  if (!key_update_owed_) return;
  // After our close_notify nothing more may be sent (§6.1); a failed connection sends nothing.
  if (state_ == HandshakeState::kFailed || closed_) return;
  const TlsError e = send_key_update(KeyUpdateRequest::kUpdateNotRequested);
  if (!e.ok()) fail(e);
}

}  // namespace volley::tls
