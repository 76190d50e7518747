// Full TLS 1.3 handshakes per second on one core: a client and a server in the same process,
// talking through memory, volley against OpenSSL with the same setup — TLS_AES_128_GCM_SHA256,
// X25519, an ECDSA P-256 leaf with one intermediate, the client verifying the chain and the host
// name, no session tickets — and the split of volley's handshake time. The subjects, their checks
// and the measurement are those of `volley speed --handshake` (tools/speed/handshake_*.h); this
// binary adds a mode for profiling one subject.
//
//   bazel build //bench:tls_handshake_bench && bazel-bin/bench/tls_handshake_bench [ROUNDS]
//   bazel-bin/bench/tls_handshake_bench --only SUBJECT [N]   # for perf record: one row, N times
//
// Run from the repository root (the test PKI is read from tests/pki/). ROUNDS (default 9, at
// least 3) is the number of alternating rounds, each giving every subject about 80 ms. --only
// runs one subject N times (default 2000) after its check and nothing else, so that a profile of
// the process is a profile of that subject: SUBJECT is volley, openssl, x25519, sign, verify,
// chain or hashing.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "tools/speed/handshake_run.h"

namespace {

int fail(const std::string& what) {
  std::fprintf(stderr, "tls_handshake_bench: %s\n", what.c_str());
  return 1;
}

int run_only(const std::string& name, int n) {
  volley::speed::HandshakeSubjects subjects;
  std::string error;
  if (!subjects.init(volley::speed::kDefaultPkiDir, true, true, &error)) return fail(error);
  for (volley::speed::HandshakeSubject& s : subjects.subjects()) {
    if (s.name != name) continue;
    const double rate = volley::speed::run_subject(s, static_cast<uint64_t>(n));
    if (rate <= 0) return fail(s.label + ": an operation failed");
    std::printf("%s: %.0f per second over %d\n", s.label.c_str(), rate, n);
    return 0;
  }
  return fail("--only: unknown subject " + name);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 2 && std::string(argv[1]) == "--only") {
    return run_only(argv[2], argc > 3 ? std::max(1, std::atoi(argv[3])) : 2000);
  }
  volley::speed::HandshakeRunSpec spec;
  spec.repetitions = static_cast<unsigned>(argc > 1 ? std::max(3, std::atoi(argv[1])) : 9);
  // A fifth of the budget warms up; the rest leaves each round about 80 ms per subject.
  spec.seconds = 0.1 * spec.repetitions;
  volley::speed::HandshakeReport report;
  std::string error;
  if (!volley::speed::measure_handshakes(spec, &report, &error)) return fail(error);
  std::fputs(volley::speed::format_handshake_table(report).c_str(), stdout);
  for (const volley::speed::HandshakeRate& r : report.rates) {
    if (!r.ok) return fail(r.label + ": an operation failed while timed");
  }
  return 0;
}
