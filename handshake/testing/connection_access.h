// handshake/testing/connection_access.h: test-only access to what a Connection hides. Internal:
// reachable from tests/ (Bazel visibility), not public API and not for applications.
//
// KeyUpdate tests need to act on a live connection in ways the API never allows: lower the send
// key's usage limit so that write() meets it within a few records (record_internal.h), and send
// handshake bytes the state machine would never send (a KeyUpdate before the handshake completed,
// one followed by more bytes in its record, one split across records), moving the send keys the
// way a peer that sent them would.
#pragma once

#include <cstddef>

#include "handshake/connection_core.h"
#include "volley/record.h"
#include "volley/tls.h"

namespace volley::tls::testing {

struct ConnectionAccess {
  static constexpr size_t kMaxKeyUpdatesInARow = ConnectionCore::kMaxKeyUpdatesInARow;

  // write_protection is the record protection |c| seals with (its send keys).
  static RecordProtection& write_protection(Connection& c) noexcept {
    return c.core_->writer_.protection();
  }

  // send_handshake writes |messages| as they are, as handshake records under the current send
  // keys: one record per call while they fit in one.
  [[nodiscard]] static TlsError send_handshake(Connection& c, Bytes messages) {
    return c.core_->send_handshake(messages);
  }

  // next_write_keys moves the send keys a generation on without sending anything, as sending a
  // KeyUpdate would (the connection must be connected and not failed).
  [[nodiscard]] static TlsError next_write_keys(Connection& c) {
    return c.core_->machine_->next_write_keys();
  }
};

}  // namespace volley::tls::testing
