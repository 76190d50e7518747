// Writes the seed corpora of tls_server_fuzzer and tls_client_fuzzer (input format:
// tls_fuzz_support.h). Run after changing that format or the configs, then commit the files:
//   bazel run //fuzz:make_tls_seeds -- "$PWD/fuzz/corpus"
// Raw-mode seeds are streams recorded between a real volley client and server with the targets'
// fixed randoms, so that each replays in the target to the end of the handshake and beyond: the
// client's streams (every config pair's client against the raw mode's server) for
// tls_server_fuzzer, the servers' streams (against the raw mode's fixed client) for
// tls_client_fuzzer. Live-mode seeds are the config pairs without edits, and a few edits.
// Deterministic: the same files every run.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <tuple>
#include <vector>

#include "fuzz/tls_fuzz_support.h"

namespace volley::fuzz {
namespace {

using Buf = std::vector<uint8_t>;
using tls::Connection;

void save(const std::filesystem::path& dir, const std::string& name, const Buf& b) {
  std::filesystem::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary)
      .write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

struct Recording {
  Buf client_to_server, server_to_client;
  bool connected = false;
};

// record runs client pair |ci| against server pair |si| with the targets' randoms: the
// handshake, 100 bytes each way, close_notify both ways.
Recording record(size_t ci, size_t si) {
  reset_random();
  Connection client = Connection::client(client_config(ci), "localhost");
  Connection server = Connection::server(server_config(si));
  Recording r;
  const auto move = [&] {
    size_t moved = 0;
    for (auto [from, to, log] : {std::tuple{&client, &server, &r.client_to_server},
                                 std::tuple{&server, &client, &r.server_to_client}}) {
      const Bytes out = from->pending_output();
      const Buf bytes(out.begin(), out.end());
      from->consume_output(bytes.size());
      log->insert(log->end(), bytes.begin(), bytes.end());
      to->receive(bytes);
      moved += bytes.size();
    }
    return moved;
  };
  for (int round = 0; round < 16 && move() > 0; ++round) {
  }
  r.connected = client.is_connected() && server.is_connected();
  const Buf data(100, 0x5a);
  client.write(data);
  server.write(data);
  move();
  client.close();
  server.close();
  move();
  return r;
}

Buf input(uint8_t mode, uint8_t step, uint8_t after, const Buf& rest) {
  Buf b = {mode, step, after};
  b.insert(b.end(), rest.begin(), rest.end());
  return b;
}

// Edits of the live mode (tls_fuzz_support.cc, Tamper): [op][gap: u16][arg].
Buf edit(uint8_t op, uint16_t gap, uint8_t arg) {
  return {op, static_cast<uint8_t>(gap >> 8), static_cast<uint8_t>(gap), arg};
}

void corpus(const std::filesystem::path& dir, Side side) {
  constexpr uint8_t kRaw = 0, kLive = 1;
  constexpr uint8_t kAll = 0x3f;  // after: write 64 bytes, read, close, the peer closes
  // Raw: the peer's recorded stream, whole and in small steps, and cut after its first flight.
  const std::vector<std::pair<size_t, size_t>> runs =
      side == Side::kServer
          ? std::vector<std::pair<size_t, size_t>>{{0, 0}, {1, 0}, {2, 0}, {3, 0}, {5, 0},
                                                   {6, 0}, {7, 7}, {8, 8}, {9, 9}}
          : std::vector<std::pair<size_t, size_t>>{{0, 0}, {0, 4}, {0, 5}, {0, 6},
                                                   {7, 7}, {8, 8}, {9, 9}};
  for (auto [ci, si] : runs) {
    const Recording r = record(ci, si);
    if (!r.connected) {
      std::fprintf(stderr, "make_tls_seeds: pair %zu/%zu did not connect\n", ci, si);
      std::exit(1);
    }
    const Buf& stream = side == Side::kServer ? r.client_to_server : r.server_to_client;
    const std::string tag = "_c" + std::to_string(ci) + "_s" + std::to_string(si);
    // The target plays its side of the pair the stream was recorded with.
    const auto raw = static_cast<uint8_t>(kRaw | (side == Side::kServer ? si : ci) << 1);
    save(dir, "raw" + tag, input(raw, 0, kAll, stream));
    save(dir, "raw_steps" + tag, input(raw, 7, 0x05, stream));
    save(dir, "raw_first_flight" + tag,
         input(raw, 0, 0, Buf(stream.begin(), stream.begin() + std::min<size_t>(stream.size(), 300))));
  }
  // Live: every pair untouched, then edits of the first pair's stream.
  for (uint8_t pair = 0; pair < kPairs; ++pair) {
    save(dir, "live_pair" + std::to_string(pair),
         input(static_cast<uint8_t>(kLive | pair << 1), pair % 2 ? 3 : 0, kAll, {}));
  }
  const uint8_t live0 = kLive;
  save(dir, "live_flip_hello", input(live0, 0, kAll, edit(0, 60, 0x20)));
  save(dir, "live_flip_late", input(live0, 0, kAll, edit(0, 900, 0x01)));
  Buf ins = edit(1, 5, 3);
  ins.insert(ins.end(), {0x16, 0x03, 0x03, 0x00});
  save(dir, "live_insert", input(live0, 0, kAll, ins));
  save(dir, "live_erase", input(live0, 0, kAll, edit(2, 3, 10)));
  save(dir, "live_cut", input(live0, 0, kAll, edit(3, 250, 0)));
  Buf alert = edit(4, 0, 1);  // a plaintext alert record first
  alert.insert(alert.end(), {2, 1, 40});
  save(dir, "live_inject_alert", input(live0, 0, kAll, alert));
  Buf ccs = edit(4, 0, 0);  // change_cipher_spec before anything
  ccs.insert(ccs.end(), {1, 1});
  save(dir, "live_inject_ccs", input(live0, 0, kAll, ccs));
  save(dir, "live_replay", input(live0, 0, kAll, edit(5, 400, 60)));
  save(dir, "empty", {});
}

}  // namespace
}  // namespace volley::fuzz

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_tls_seeds DIR  (writes DIR/tls_server, DIR/tls_client)\n");
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  volley::fuzz::corpus(dir / "tls_server", volley::fuzz::Side::kServer);
  volley::fuzz::corpus(dir / "tls_client", volley::fuzz::Side::kClient);
  return 0;
}
