// The public Connection (volley/tls.h): a handle on a ConnectionCore and its state machine.
#include "handshake/client/tls13_client.h"
#include "handshake/connection_core.h"
#include "handshake/server/tls13_server.h"
#include "volley/tls.h"

namespace volley::tls {

Connection Connection::client(std::shared_ptr<const Config> config, std::string_view server_name) {
  auto core = std::make_unique<ConnectionCore>(std::move(config), true);
  core->mutable_negotiated().server_name = std::string(server_name);
  ConnectionCore& c = *core;
  c.set_machine(std::make_unique<Tls13Client>(c, server_name));
  return Connection(std::move(core));
}

Connection Connection::server(std::shared_ptr<const Config> config) {
  auto core = std::make_unique<ConnectionCore>(std::move(config), false);
  ConnectionCore& c = *core;
  c.set_machine(std::make_unique<Tls13Server>(c));
  return Connection(std::move(core));
}

Connection::Connection(std::unique_ptr<ConnectionCore> core) : core_(std::move(core)) {}
Connection::Connection(Connection&&) noexcept = default;
Connection& Connection::operator=(Connection&&) noexcept = default;
Connection::~Connection() = default;

size_t Connection::receive(Bytes in) { return core_->receive(in); }
Bytes Connection::pending_output() const noexcept { return core_->pending_output(); }
void Connection::consume_output(size_t n) noexcept { core_->consume_output(n); }
size_t Connection::write(Bytes data) { return core_->write(data); }
size_t Connection::read(MutableBytes out) noexcept { return core_->read(out); }
void Connection::close() { core_->close(); }
bool Connection::update_keys(bool request_peer_update) {
  return core_->update_keys(request_peer_update);
}
HandshakeState Connection::state() const noexcept { return core_->state(); }
bool Connection::peer_closed() const noexcept { return core_->peer_closed(); }
TlsError Connection::error() const noexcept { return core_->error(); }
bool Connection::error_from_peer() const noexcept { return core_->error_from_peer(); }
const Negotiated& Connection::negotiated() const noexcept { return core_->negotiated(); }

}  // namespace volley::tls
