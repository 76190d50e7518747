// tools/tls/net.h: the TCP sockets of `volley client` and `volley server`. The library itself has
// none (it is sans-I/O): this is the only socket code in volley.
#pragma once

#include <string>

namespace volley::tool {

// connect_tcp connects to |host|:|port| (any address getaddrinfo gives, in order) and returns the
// socket, or -1 with |*error| set.
int connect_tcp(const std::string& host, const std::string& port, std::string* error);

// listen_tcp listens on |address|:|port| (port 0: any free port) and returns the socket, with
// the port actually bound in |*bound_port|, or -1 with |*error| set.
int listen_tcp(const std::string& address, int port, int* bound_port, std::string* error);

// split_host_port splits "host:port" or "[v6]:port"; false when there is no port.
bool split_host_port(const std::string& text, std::string* host, std::string* port);

// valid_port reports whether |port| is a decimal port a client can connect to: 1..65535, digits
// only (no sign, no service name).
bool valid_port(const std::string& port);

// numeric_address reports whether |address| is a numeric IPv4 or IPv6 address.
bool numeric_address(const std::string& address);

// send_all writes every byte of [data, data + len) to |fd|; false on an error.
bool send_all(int fd, const unsigned char* data, size_t len);

// wait_readable waits up to |timeout_ms| for |fd| to have input; false on a timeout or error.
bool wait_readable(int fd, int timeout_ms);

}  // namespace volley::tool
