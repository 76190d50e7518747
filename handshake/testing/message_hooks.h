// handshake/testing/message_hooks.h: test-only hooks into the handshake messages volley writes.
// Internal: reachable from tests/ and fuzz/ (Bazel visibility), not part of the public API and
// not for applications.
//
// A replay of a foreign implementation's trace (RFC 8448: NSS as the client, and its server)
// needs volley to send the extensions that implementation sent, some of which volley never
// produces (renegotiation_info, session_ticket, padding, groups and schemes volley lacks, a
// HelloRetryRequest cookie). Rather than public configuration knobs for each, a test installs a
// MessageHooks that rewrites the extension list of an outgoing hello or EncryptedExtensions just
// before it is encoded, so the transcript covers exactly what is sent. The state machines still
// check everything the peer sends against what they themselves would accept; a rewritten list
// only changes what is offered. A server remembers a cookie a hook put in its HelloRetryRequest
// and requires the second ClientHello to echo it (RFC 8446 §4.2.2).
//
//   struct MyHooks : testing::MessageHooks { void rewrite_extensions(...) override {...} };
//   MyHooks hooks;
//   testing::ScopedMessageHooks scope(&hooks);   // connections created now use |hooks|
//   auto conn = Connection::client(config, "server");
//
// Threads: the installed hooks are per thread, read once when a connection is created (the
// connection keeps the pointer, so |hooks| must outlive it); without a scope a connection has
// none and behaves exactly as if this file did not exist.
#pragma once

#include <vector>

#include "handshake/messages/extensions.h"
#include "volley/bytes.h"

namespace volley::tls::testing {

class MessageHooks {
 public:
  virtual ~MessageHooks();

  // rewrite_extensions may change |*extensions| of the message |context| (kClientHello,
  // kServerHello, kHelloRetryRequest, kEncryptedExtensions or kCertificateRequest) this
  // connection is about to
  // encode. Bodies the hook supplies must stay valid until the hook is next called or the
  // connection goes. The default leaves the list alone.
  virtual void rewrite_extensions(ExtensionContext context, std::vector<Extension>* extensions);

  // server_post_handshake returns whole handshake messages a server sends, under its application
  // keys, as soon as the client's Finished is checked: a stand-in for the NewSessionTicket volley
  // cannot issue yet (issue 17), so that a trace's later records keep their sequence numbers. The
  // bytes must stay valid until the next call. The default sends nothing.
  virtual Bytes server_post_handshake();
};

// installed_message_hooks returns the hooks of this thread's innermost ScopedMessageHooks, or null.
MessageHooks* installed_message_hooks() noexcept;

// ScopedMessageHooks installs |hooks| for the connections this thread creates during its life.
class ScopedMessageHooks {
 public:
  explicit ScopedMessageHooks(MessageHooks* hooks) noexcept;
  ~ScopedMessageHooks();
  ScopedMessageHooks(const ScopedMessageHooks&) = delete;
  ScopedMessageHooks& operator=(const ScopedMessageHooks&) = delete;

 private:
  MessageHooks* previous_;
};

}  // namespace volley::tls::testing
