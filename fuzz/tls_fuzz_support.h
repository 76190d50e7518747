// Shared by tls_server_fuzzer and tls_client_fuzzer (and make_tls_seeds): the static configs over
// the test PKI, a deterministic random source, a Connection watched for the invariants of
// volley/tls.h, and the two ways a target's input reaches its connection.
//
// Input format (both targets; make_tls_seeds.cc writes it, keep the two in step):
//   0: mode   bit 0: 0 raw — the rest of the input is the peer's byte stream;
//                    1 live — a real volley peer talks to the target and the rest of the input is
//                    a list of edits to the peer -> target stream (Tamper below)
//             bits 1-7: the pair of configs, kPairs below (raw: the target's config is the pair's)
//   1: step   how the peer's bytes are handed to receive(): fuzz_support's step_for()
//   2: after  what to do once connected: bit 0 write, bit 1 read, bit 2 close, bit 3 the peer
//             closes too; bits 4-7: the size of the write, 16 * (1 + b)
//   3..: the stream (raw) or the edits (live)
//
// Test PKI paths are relative to the working directory: the runfiles root under `bazel test`, the
// repository root when CI runs bazel-bin/fuzz/<target> (both have tests/pki/ there).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "fuzz/fuzz_support.h"
#include "volley/tls.h"

namespace volley::fuzz {

enum class Side : uint8_t { kClient, kServer };

// reset_random restarts both deterministic random sources (one per side): every run of an input
// sees the same randoms, so a recorded flight replays byte for byte.
void reset_random() noexcept;

// kPairs is the number of (client config, server config) pairs the live mode chooses from.
constexpr size_t kPairs = 10;
// client_config / server_config: pair |pair| % kPairs (pairs 7-9: mutual TLS). The raw mode's
// target takes its side's config of the pair the mode byte names (0 in the older seeds; for the
// client target that fixes the ClientHello). Built once, then shared by every run.
std::shared_ptr<const tls::Config> client_config(size_t pair);
std::shared_ptr<const tls::Config> server_config(size_t pair);

// Watched is a Connection whose every call is checked against volley/tls.h: a failed connection
// stays failed, takes no input, reads and writes nothing and produces no output; the state never
// goes back; a failure this side detected ends its output with one alert record; receive() takes
// everything until the connection fails or closes or the peer's close_notify arrives.
class Watched {
 public:
  explicit Watched(tls::Connection c);

  size_t receive(Bytes in);
  size_t write(Bytes data);
  // read_all reads until read() has nothing more and returns how much that was.
  size_t read_all();
  void close();
  tls::Connection& connection() noexcept { return c_; }
  // take moves the pending output into |*out| (appended) and consumes it.
  void take(std::vector<uint8_t>* out);
  bool open() const noexcept {
    return !c_.failed() && c_.state() != tls::HandshakeState::kClosed && !c_.peer_closed();
  }

 private:
  // check runs after every call: |before| the state, |out_before| the pending output's size.
  void check(tls::HandshakeState before, size_t out_before);

  tls::Connection c_;
  bool closed_by_us_ = false;
};

// deliver hands |bytes| to |to| in steps of |step| bytes (0: all at once), as receive() allows.
void deliver(Watched& to, Bytes bytes, size_t step);

// run_raw: the target connection of |side| (config pair |pair|) takes |in|'s stream as its peer's
// bytes.
void run_raw(Side side, size_t pair, Input& in, uint8_t step, uint8_t after);

// run_live: a real peer (the other side of pair |pair|) talks to the target of |side|; |in| holds
// the edits to the peer's stream.
void run_live(Side side, size_t pair, Input& in, uint8_t step, uint8_t after);

// run_tls_target is LLVMFuzzerTestOneInput of both targets.
int run_tls_target(Side side, const uint8_t* data, size_t size);

}  // namespace volley::fuzz
