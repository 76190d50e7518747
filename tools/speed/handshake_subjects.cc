#include "tools/speed/handshake_subjects.h"

#include <chrono>

#include "tools/speed/measure.h"

namespace volley::speed {
namespace {

using Clock = std::chrono::steady_clock;

// run_n runs |subject| |n| times; false if any run failed (the rest still run, so that the time
// stays comparable).
bool run_n(HandshakeSubject& subject, uint64_t n) {
  bool ok = true;
  for (uint64_t i = 0; i < n; ++i) ok &= subject.once();
  return ok;
}

}  // namespace

bool HandshakeSubjects::init(const std::string& pki_dir, bool volley, bool openssl,
                             std::string* error) {
  subjects_.clear();
  if (!load_handshake_pki(pki_dir, &pki_, error)) return false;
  if (volley) {
    if (!volley_.init(pki_, error) || !parts_.init(pki_, volley_, error)) return false;
    subjects_.push_back({"volley", "volley handshake", [this] { return volley_.handshake(); }});
  }
  if (openssl) {
    if (!openssl_.init(pki_, error) || !openssl_.check(error)) return false;
    subjects_.push_back({"openssl", "OpenSSL handshake", [this] { return openssl_.handshake(); }});
  }
  if (volley) {
    subjects_.push_back(
        {"x25519", "X25519, 2 key pairs + 2 shared secrets", [this] { return parts_.x25519(); }});
    subjects_.push_back({"sign", "ECDSA P-256 sign", [this] { return parts_.sign(); }});
    subjects_.push_back({"verify", "ECDSA P-256 verify", [this] { return parts_.verify(); }});
    subjects_.push_back({"chain", "chain verification", [this] { return parts_.chain(); }});
    subjects_.push_back({"hashing", "hashing: transcript, key schedule, Finished",
                         [this] { return parts_.hashing(); }});
  }
  return true;
}

std::vector<SubjectRates> measure_alternating(std::vector<HandshakeSubject>& subjects,
                                              double seconds, unsigned repetitions) {
  const double warm = seconds / 5;
  std::vector<SubjectRates> rates(subjects.size());
  std::vector<uint64_t> calls(subjects.size());
  for (size_t i = 0; i < subjects.size(); ++i) {
    HandshakeSubject& s = subjects[i];
    const WarmUp w = warm_up([&s](uint64_t n) { return run_n(s, n); }, warm);
    rates[i].ok = w.ok;
    calls[i] = calls_for((seconds - warm) / repetitions, w.seconds_per_call);
  }
  for (unsigned r = 0; r < repetitions; ++r) {
    for (size_t i = 0; i < subjects.size(); ++i) {
      const auto t0 = Clock::now();
      rates[i].ok &= run_n(subjects[i], calls[i]);
      const double t = std::chrono::duration<double>(Clock::now() - t0).count();
      rates[i].per_second.push_back(t > 0 ? static_cast<double>(calls[i]) / t : 0);
    }
  }
  return rates;
}

double run_subject(HandshakeSubject& subject, uint64_t n) {
  const auto t0 = Clock::now();
  const bool ok = run_n(subject, n);
  const double t = std::chrono::duration<double>(Clock::now() - t0).count();
  return ok && t > 0 ? static_cast<double>(n) / t : 0;
}

}  // namespace volley::speed
