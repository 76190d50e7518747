// `volley speed --handshake` from its options to its outputs, and the measurement behind it that
// bench/tls_handshake_bench shares.
#pragma once

#include <cstdio>
#include <string>

#include "tools/speed/handshake_report.h"
#include "tools/speed/options.h"

namespace volley::speed {

struct HandshakeRunSpec {
  std::string pki_dir = kDefaultPkiDir;
  bool volley = true;    // volley's handshake and the split of its time
  bool openssl = true;   // OpenSSL's handshake
  double seconds = 0.4;  // per subject: warm-up and every round
  unsigned repetitions = 5;
};

// measure_handshakes identifies the CPU, sets up and checks every subject of |spec|
// (HandshakeSubjects::init) and measures them in alternating rounds. False with one line in
// |error| when a set-up or a check fails; nothing is timed then.
bool measure_handshakes(const HandshakeRunSpec& spec, HandshakeReport* report, std::string* error);

// run_handshake_speed runs `volley speed --handshake` with resolved |options|: the table goes to
// |out|, the JSON to options.json_path when set, errors to stderr. Returns the exit status: 0, or
// 1 when the PKI is missing, a check or a timed operation failed, or the JSON could not be written.
int run_handshake_speed(const SpeedOptions& options, std::FILE* out);

}  // namespace volley::speed
