#include "handshake/testing/message_hooks.h"

namespace volley::tls::testing {
namespace {

thread_local MessageHooks* current_hooks = nullptr;

}  // namespace

MessageHooks::~MessageHooks() = default;

void MessageHooks::rewrite_extensions(ExtensionContext, std::vector<Extension>*) {}

Bytes MessageHooks::server_post_handshake() { return {}; }

MessageHooks* installed_message_hooks() noexcept { return current_hooks; }

ScopedMessageHooks::ScopedMessageHooks(MessageHooks* hooks) noexcept : previous_(current_hooks) {
  current_hooks = hooks;
}

ScopedMessageHooks::~ScopedMessageHooks() { current_hooks = previous_; }

}  // namespace volley::tls::testing
