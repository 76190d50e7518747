#include "fuzz/tls_fuzz_support.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "volley/pki.h"
#include "volley/record.h"

namespace volley::fuzz {
namespace {

using tls::ConfigBuilder;
using tls::Connection;
using tls::HandshakeState;
using tls::NamedGroup;

// SplitMix64, one state per side, restarted for every input (reset_random).
struct Rng {
  uint64_t s = 0;
};
Rng g_random[2];
constexpr uint64_t kSeed[2] = {0x636c69656e74, 0x736572766572};  // "client", "server"

bool deterministic_random(void* context, MutableBytes out) {
  Rng& r = *static_cast<Rng*>(context);
  for (uint8_t& b : out) {
    uint64_t z = (r.s += 0x9e3779b97f4a7c15);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
    z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
    b = static_cast<uint8_t>(z ^ (z >> 31));
  }
  return true;
}

// Relative to the working directory (tls_fuzz_support.h).
const char kPki[] = "tests/pki/";

[[noreturn]] void setup_failed(const char* what, const tls::TlsError& e) {
  std::fprintf(stderr,
               "tls fuzz setup: %s: %s\n(run from the repository root or the runfiles root, where "
               "tests/pki/ is)\n",
               what, e.reason != nullptr ? e.reason : "?");
  std::abort();
}

std::shared_ptr<const tls::Config> build(const ConfigBuilder& b) {
  tls::TlsError e;
  auto c = b.build(&e);
  if (c == nullptr) setup_failed("config", e);
  return c;
}

ConfigBuilder client_base() {
  tls::TlsError e;
  auto verifier = tls::make_openssl_verifier_from_ca_file(std::string(kPki) + "root.pem", &e);
  if (verifier == nullptr) setup_failed("root.pem", e);
  using namespace std::chrono;
  ConfigBuilder b;
  // The test PKI's chains verify at this date (tests/pki/BUILD.bazel).
  b.verifier(verifier)
      .verify_time(sys_seconds(sys_days(year{2027} / January / 1)))
      .random_source(deterministic_random, &g_random[static_cast<int>(Side::kClient)])
      // No session cache: a ticket kept by one input would change what the next one does. The
      // NewSessionTicket decoder still runs on every ticket a server sends.
      .session_cache(nullptr);
  return b;
}

// credential reads the test PKI's |leaf| (chain and key).
std::shared_ptr<const tls::SigningCredential> credential(const std::string& leaf) {
  tls::TlsError e;
  auto c = tls::make_openssl_credential_from_pem_files(std::string(kPki) + leaf + ".chain.pem",
                                                       std::string(kPki) + leaf + ".key.pem", &e);
  if (c == nullptr) setup_failed(leaf.c_str(), e);
  return c;
}

// The server verifies client certificates (pairs 7-9) against the test root at the clients'
// date; the verifier is unused while client_auth is off.
ConfigBuilder server_base() {
  tls::TlsError e;
  auto verifier = tls::make_openssl_verifier_from_ca_file(std::string(kPki) + "root.pem", &e);
  if (verifier == nullptr) setup_failed("root.pem", e);
  using namespace std::chrono;
  ConfigBuilder b;
  b.credential(credential("server-ecdsa-p256"))
      .verifier(verifier)
      .verify_time(sys_seconds(sys_days(year{2027} / January / 1)))
      .alpn({"h2", "http/1.1"})
      .random_source(deterministic_random, &g_random[static_cast<int>(Side::kServer)]);
  return b;
}

struct Pairs {
  std::array<std::shared_ptr<const tls::Config>, kPairs> client, server;
};

// The pairs: what each exercises is in its comment. make_tls_seeds.cc names them the same way.
const Pairs& pairs() {
  static const Pairs p = [] {
    Pairs p;
    const ConfigBuilder c = client_base(), s = server_base();
    // 0: defaults, ALPN on both sides (the raw mode's configs).
    p.client[0] = build(ConfigBuilder(c).alpn({"h2", "http/1.1"}));
    p.server[0] = build(s);
    // 1: AES-256-GCM (SHA-384) only, no ALPN.
    p.client[1] = build(ConfigBuilder(c).cipher_suites({&kTlsAes256GcmSha384}));
    p.server[1] = p.server[0];
    // 2: ChaCha20-Poly1305, record_size_limit on the client.
    p.client[2] = build(
        ConfigBuilder(c).cipher_suites({&kTlsChaCha20Poly1305Sha256}).record_size_limit(512));
    p.server[2] = p.server[0];
    // 3: a key share for a group the server lacks: HelloRetryRequest for X25519.
    p.client[3] = build(ConfigBuilder(c)
                            .groups({NamedGroup::kSecp384r1, NamedGroup::kX25519})
                            .key_share_groups({NamedGroup::kSecp384r1}));
    p.server[3] = p.server[0];
    // 4: a server that takes only secp256r1: HelloRetryRequest to a default client.
    p.client[4] = build(ConfigBuilder(c).alpn({"h2"}));
    p.server[4] = build(ConfigBuilder(s).groups({NamedGroup::kSecp256r1}));
    // 5: no middlebox compatibility, a P-256 share, a server with a record_size_limit.
    p.client[5] = build(ConfigBuilder(c)
                            .middlebox_compatibility(false)
                            .groups({NamedGroup::kSecp256r1, NamedGroup::kX25519})
                            .key_share_groups({NamedGroup::kSecp256r1}));
    p.server[5] = build(ConfigBuilder(s)
                            .record_size_limit(256)
                            .cipher_suites({&kTlsChaCha20Poly1305Sha256, &kTlsAes128GcmSha256}));
    // 6: two key shares; the server prefers the second.
    p.client[6] = build(ConfigBuilder(c).key_share_groups({NamedGroup::kX25519,
                                                           NamedGroup::kSecp256r1}));
    p.server[6] = build(ConfigBuilder(s).groups({NamedGroup::kSecp256r1, NamedGroup::kX25519}));
    // 7-9: mutual TLS (CertificateRequest, the client's Certificate and CertificateVerify).
    // 7: a client with an ECDSA certificate, a server that requires one.
    p.client[7] = build(ConfigBuilder(c).credential(credential("client-ecdsa-p256")));
    p.server[7] = build(ConfigBuilder(s).client_auth(tls::ClientAuth::kRequired));
    // 8: a client without a certificate, a server for which it is optional (empty Certificate).
    p.client[8] = p.client[0];
    p.server[8] = build(ConfigBuilder(s).client_auth(tls::ClientAuth::kOptional));
    // 9: an RSA-PSS client certificate (rsa_pss_pss_*), AES-256-GCM, the server's scheme order.
    p.client[9] = build(ConfigBuilder(c)
                            .credential(credential("client-rsa-pss-2048"))
                            .cipher_suites({&kTlsAes256GcmSha384}));
    p.server[9] = build(ConfigBuilder(s)
                            .client_auth(tls::ClientAuth::kRequired)
                            .signature_schemes({tls::SignatureScheme::kRsaPssPssSha384,
                                                tls::SignatureScheme::kEcdsaSecp256r1Sha256,
                                                tls::SignatureScheme::kRsaPssPssSha256}));
    return p;
  }();
  return p;
}

// ends_with_alert: |out| is whole records and the last is an alert: plaintext with |alert|, or
// protected (application_data of 2 + 1 + 16 bytes: the alert, its content type, the tag; volley
// pads nothing).
bool ends_with_alert(Bytes out, AlertDescription alert) {
  size_t pos = 0, last = SIZE_MAX;
  while (pos + kRecordHeaderLen <= out.size()) {
    const size_t len = size_t{out[pos + 3]} << 8 | out[pos + 4];
    if (pos + kRecordHeaderLen + len > out.size()) return false;
    last = pos;
    pos += kRecordHeaderLen + len;
  }
  if (pos != out.size() || last == SIZE_MAX) return false;
  const size_t len = out.size() - last - kRecordHeaderLen;
  if (out[last] == 21) return len == 2 && out[last + 6] == static_cast<uint8_t>(alert);
  return out[last] == 23 && len == 2 + 1 + kRecordTagLen;
}

std::vector<uint8_t> pattern(size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(i * 131 + 7);
  return v;
}

// Tamper applies the live mode's edits to the peer's stream as it passes. Each edit is
// [op][gap: u16][arg]: skip |gap| bytes of the stream (counted from the end of the previous
// edit), then, by op % 6:
//   0 flip: xor the byte with arg (1 if arg is 0)
//   1 insert 1 + arg % 32 bytes taken from the input
//   2 erase 1 + arg % 64 bytes
//   3 cut: nothing more of the stream arrives
//   4 inject a plaintext record: type 20 + arg % 4, then a length byte and that many input bytes
//   5 replay: insert again the 1 + arg bytes that passed just before (a record, a part of one)
class Tamper {
 public:
  explicit Tamper(Input& in) : in_(in) { next(); }

  void apply(std::vector<uint8_t>& s) {
    if (cut_) {
      s.clear();
      return;
    }
    size_t i = 0;
    while (have_ && gap_ <= s.size() - i) {
      i += gap_;
      i = edit(s, i);
      if (cut_) return;
      next();
    }
    if (have_) gap_ -= s.size() - i;
    // Keep what passed for replays.
    seen_.insert(seen_.end(), s.begin(), s.end());
    if (seen_.size() > 4096) seen_.erase(seen_.begin(), seen_.end() - 256);
  }

 private:
  void next() {
    have_ = !in_.empty();
    if (!have_) return;
    op_ = in_.byte() % 6;
    gap_ = in_.u16();
    arg_ = in_.byte();
  }

  size_t edit(std::vector<uint8_t>& s, size_t i) {
    const auto at = s.begin() + static_cast<ptrdiff_t>(i);
    switch (op_) {
      case 0:
        if (i < s.size()) s[i] ^= arg_ != 0 ? arg_ : 1;
        return std::min(i + 1, s.size());
      case 1: {
        const Bytes b = in_.bytes(1 + arg_ % 32);
        s.insert(at, b.begin(), b.end());
        return i + b.size();
      }
      case 2:
        s.erase(at, at + static_cast<ptrdiff_t>(std::min<size_t>(1 + arg_ % 64, s.size() - i)));
        return i;
      case 3:
        s.erase(at, s.end());
        cut_ = true;
        return i;
      case 4: {
        const uint8_t len = in_.byte();
        const Bytes body = in_.bytes(len);
        const uint8_t header[] = {static_cast<uint8_t>(20 + arg_ % 4), 3, 3, 0,
                                  static_cast<uint8_t>(body.size())};
        std::vector<uint8_t> record(header, header + sizeof(header));
        record.insert(record.end(), body.begin(), body.end());
        s.insert(at, record.begin(), record.end());
        return i + record.size();
      }
      default: {
        // What passed: earlier chunks, then this one up to i.
        std::vector<uint8_t> before(seen_);
        before.insert(before.end(), s.begin(), at);
        const size_t n = std::min<size_t>(1 + arg_, before.size());
        const std::vector<uint8_t> copy(before.end() - static_cast<ptrdiff_t>(n), before.end());
        s.insert(s.begin() + static_cast<ptrdiff_t>(i), copy.begin(), copy.end());
        return i + n;
      }
    }
  }

  Input& in_;
  bool have_ = false;
  bool cut_ = false;
  uint8_t op_ = 0;
  size_t gap_ = 0;
  uint8_t arg_ = 0;
  std::vector<uint8_t> seen_;
};

// after_connected writes, reads and closes a little on |target| (and |peer|, if any) as |after|
// says (tls_fuzz_support.h), moving bytes with |move| between the steps.
template <typename Move>
void after_connected(Watched& target, Watched* peer, uint8_t after, Move move) {
  const std::vector<uint8_t> data = pattern(16 * (1 + (after >> 4)));
  if (after & 1) {
    target.write(data);
    if (peer != nullptr) peer->write(data);
  }
  move();
  if (after & 2) {
    target.read_all();
    if (peer != nullptr) peer->read_all();
  }
  if (after & 4) {
    target.close();
    move();
  }
  if ((after & 8) && peer != nullptr) {
    peer->close();
    move();
  }
  target.read_all();
  if (peer != nullptr) peer->read_all();
}

}  // namespace

void reset_random() noexcept {
  g_random[0].s = kSeed[0];
  g_random[1].s = kSeed[1];
}

std::shared_ptr<const tls::Config> client_config(size_t pair) {
  return pairs().client[pair % kPairs];
}
std::shared_ptr<const tls::Config> server_config(size_t pair) {
  return pairs().server[pair % kPairs];
}

Watched::Watched(Connection c) : c_(std::move(c)) { check(HandshakeState::kHandshaking, 0); }

void Watched::check(HandshakeState before, size_t out_before) {
  const HandshakeState now = c_.state();
  VOLLEY_FUZZ_CHECK(before != HandshakeState::kFailed || now == HandshakeState::kFailed,
                    "a failed connection left the failed state");
  VOLLEY_FUZZ_CHECK(before == HandshakeState::kHandshaking || now != HandshakeState::kHandshaking,
                    "a connection went back to handshaking");
  VOLLEY_FUZZ_CHECK(c_.failed() == !c_.error().ok(), "error() disagrees with failed()");
  VOLLEY_FUZZ_CHECK(!(c_.is_connected() && c_.failed()), "connected and failed");
  const Bytes out = c_.pending_output();
  VOLLEY_FUZZ_CHECK(out.size() >= out_before, "pending output shrank without consume_output");
  const Bytes fresh = out.subspan(out_before);
  if (before == HandshakeState::kFailed) {
    VOLLEY_FUZZ_CHECK(fresh.empty(), "a failed connection produced output");
  }
  if (now == HandshakeState::kFailed && before != HandshakeState::kFailed &&
      !c_.error_from_peer() && !closed_by_us_) {
    VOLLEY_FUZZ_CHECK(ends_with_alert(fresh, c_.error().alert),
                      "a failure did not end the output with its alert record");
  }
  if (now == HandshakeState::kFailed) {
    uint8_t buf[64];
    VOLLEY_FUZZ_CHECK(c_.read(MutableBytes(buf, sizeof(buf))) == 0, "read() after failure");
    VOLLEY_FUZZ_CHECK(c_.write(Bytes(buf, 1)) == 0, "write() after failure");
    VOLLEY_FUZZ_CHECK(c_.pending_output().size() == out.size(), "output after failure");
  }
  if (now == HandshakeState::kConnected || now == HandshakeState::kClosed) {
    VOLLEY_FUZZ_CHECK(c_.negotiated().suite != nullptr, "connected without a suite");
  }
}

size_t Watched::receive(Bytes in) {
  const HandshakeState before = c_.state();
  const bool was_open = open();
  const size_t out_before = c_.pending_output().size();
  const size_t n = c_.receive(in);
  VOLLEY_FUZZ_CHECK(n <= in.size(), "receive() took more than it was given");
  if (before == HandshakeState::kFailed) VOLLEY_FUZZ_CHECK(n == 0, "a failed connection took input");
  check(before, out_before);
  if (was_open && n < in.size() && !c_.failed() && c_.state() != HandshakeState::kClosed) {
    // The one other reason to stop: the peer's close_notify, which peer_closed() reports once
    // the data before it is read.
    read_all();
    VOLLEY_FUZZ_CHECK(c_.peer_closed(), "an open connection left input");
  }
  return n;
}

size_t Watched::write(Bytes data) {
  const HandshakeState before = c_.state();
  const bool can = c_.is_connected() && !closed_by_us_;
  const size_t out_before = c_.pending_output().size();
  const size_t n = c_.write(data);
  VOLLEY_FUZZ_CHECK(n == (can ? data.size() : 0), "write() took the wrong amount");
  check(before, out_before);
  return n;
}

size_t Watched::read_all() {
  uint8_t buf[1024];
  size_t total = 0;
  for (size_t n; (n = c_.read(MutableBytes(buf, sizeof(buf)))) > 0;) {
    VOLLEY_FUZZ_CHECK(n <= sizeof(buf), "read() past its buffer");
    total += n;
    VOLLEY_FUZZ_CHECK(total <= (size_t{1} << 21), "read() never ends");
  }
  return total;
}

void Watched::close() {
  const HandshakeState before = c_.state();
  const size_t out_before = c_.pending_output().size();
  c_.close();
  if (before != HandshakeState::kFailed) closed_by_us_ = true;
  check(before, out_before);
}

void Watched::take(std::vector<uint8_t>* out) {
  const Bytes b = c_.pending_output();
  out->insert(out->end(), b.begin(), b.end());
  c_.consume_output(b.size());
  VOLLEY_FUZZ_CHECK(c_.pending_output().empty(), "consume_output left output");
}

void deliver(Watched& to, Bytes bytes, size_t step) {
  size_t at = 0;
  while (at < bytes.size()) {
    const size_t n = step == 0 ? bytes.size() - at : std::min(step, bytes.size() - at);
    const size_t taken = to.receive(bytes.subspan(at, n));
    at += taken;
    if (taken < n) break;  // failed or closed: the rest is dropped
  }
}

namespace {

Watched make(Side side, size_t pair) {
  return side == Side::kServer ? Watched(Connection::server(server_config(pair)))
                               : Watched(Connection::client(client_config(pair), "localhost"));
}

}  // namespace

void run_raw(Side side, size_t pair, Input& in, uint8_t step, uint8_t after) {
  Watched target = make(side, pair);
  std::vector<uint8_t> sink;
  target.take(&sink);
  deliver(target, in.rest(), step_for(step));
  if (target.connection().is_connected()) {
    after_connected(target, nullptr, after, [&] {
      sink.clear();
      target.take(&sink);
    });
  }
}

void run_live(Side side, size_t pair, Input& in, uint8_t step, uint8_t after) {
  Watched target = make(side, pair);
  Watched peer = make(side == Side::kServer ? Side::kClient : Side::kServer, pair);
  Tamper tamper(in);
  std::vector<uint8_t> buf;
  // move carries each side's output to the other, the peer's through the edits; returns how many
  // bytes moved.
  const auto move = [&] {
    buf.clear();
    target.take(&buf);
    size_t moved = buf.size();
    deliver(peer, buf, 0);
    buf.clear();
    peer.take(&buf);
    moved += buf.size();
    tamper.apply(buf);
    deliver(target, buf, step_for(step));
    return moved;
  };
  for (int round = 0; round < 16 && move() > 0; ++round) {
  }
  if (target.connection().is_connected()) {
    after_connected(target, &peer, after, [&] {
      for (int round = 0; round < 4 && move() > 0; ++round) {
      }
    });
  }
}

int run_tls_target(Side side, const uint8_t* data, size_t size) {
  reset_random();
  Input in(Bytes(data, size));
  const uint8_t mode = in.byte();
  const uint8_t step = in.byte();
  const uint8_t after = in.byte();
  if (mode & 1) {
    run_live(side, mode >> 1, in, step, after);
  } else {
    run_raw(side, mode >> 1, in, step, after);
  }
  return 0;
}

}  // namespace volley::fuzz
