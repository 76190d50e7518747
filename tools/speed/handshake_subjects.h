// What `volley speed --handshake` and bench/tls_handshake_bench measure: whole handshakes (volley,
// OpenSSL) and the parts of volley's (handshake_parts.h), each a named operation, every one
// checked once before any timing; and the measurement that alternates them round by round.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "tools/speed/handshake_pairs.h"
#include "tools/speed/handshake_parts.h"

namespace volley::speed {

// HandshakeSubject is one operation to time: one handshake, or one handshake's worth of a part.
struct HandshakeSubject {
  std::string name;            // volley, openssl, x25519, sign, verify, chain, hashing
  std::string label;           // for tables
  std::function<bool()> once;  // false if the operation failed
};

// HandshakeSubjects sets up and owns the pairs and parts the subjects run on. Not copyable or
// movable: the subjects point into it.
class HandshakeSubjects {
 public:
  HandshakeSubjects() = default;
  HandshakeSubjects(const HandshakeSubjects&) = delete;
  HandshakeSubjects& operator=(const HandshakeSubjects&) = delete;

  // init loads the PKI from |pki_dir| and sets up volley's handshake and its parts (|volley|) and
  // OpenSSL's handshake (|openssl|), in that order. Every handshake is checked first (both sides
  // connected on the expected parameters, a byte sent each way) and every part run once: a
  // subject that cannot do its work correctly makes init fail, with one line in |error|.
  bool init(const std::string& pki_dir, bool volley, bool openssl, std::string* error);

  std::vector<HandshakeSubject>& subjects() { return subjects_; }
  // shape is the measured handshake's message sizes (when volley is set up).
  const HandshakeShape& shape() const { return parts_.shape(); }

 private:
  HandshakePki pki_;
  VolleyPair volley_;
  OpensslPair openssl_;
  HandshakeParts parts_;
  std::vector<HandshakeSubject> subjects_;
};

// SubjectRates is one subject's measurement: operations per second in each round.
struct SubjectRates {
  std::vector<double> per_second;
  bool ok = true;  // false if any timed operation failed
};

// measure_alternating warms each subject up for a fifth of |seconds|, then runs |repetitions|
// rounds; in each round every subject in turn runs a fixed count of operations sized to share the
// rest of its |seconds|. Alternating lets the machine's drift (other load, clock changes) hit all
// subjects alike. Returns one SubjectRates per subject, in order.
std::vector<SubjectRates> measure_alternating(std::vector<HandshakeSubject>& subjects,
                                              double seconds, unsigned repetitions);

// run_subject runs |subject| |n| times: the --only mode of the bench, for profiling one subject.
// Returns operations per second, or 0 if an operation failed.
double run_subject(HandshakeSubject& subject, uint64_t n);

}  // namespace volley::speed
