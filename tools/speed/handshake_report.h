// The results of a handshake measurement and their renderings: the terminal table and JSON. The
// JSON schema is documented in bench/README.md ("volley speed --handshake").
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "nlohmann/json.hpp"
#include "tools/speed/handshake_subjects.h"
#include "tools/speed/report.h"

namespace volley::speed {

// HandshakeRate is one subject's median and spread over the rounds.
struct HandshakeRate {
  std::string name;
  std::string label;
  double per_second = 0;  // median round
  double min_per_second = 0;
  double max_per_second = 0;
  bool ok = true;
};

// HandshakeSplit is one volley handshake's time in microseconds: the parts measured on their own,
// and the rest (total minus the parts: records, message coding, allocation, state machines). The
// rest is a difference of timings, so noise can push it below zero; it is reported as measured.
struct HandshakeSplit {
  double total_us = 0;
  double x25519_us = 0;
  double sign_us = 0;
  double verify_us = 0;
  double chain_us = 0;
  double hashing_us = 0;
  double rest_us = 0;
};

struct HandshakeReport {
  CpuInfo cpu;
  std::vector<std::pair<std::string, std::string>> libraries;  // name, version
  double seconds_per_measurement = 0;
  unsigned repetitions = 0;
  std::string pki_dir;
  std::vector<HandshakeRate> rates;  // every subject, in measurement order
  // volley / OpenSSL handshakes per second: the median of the per-round ratios, and their range.
  std::optional<double> ratio;
  double ratio_min = 0, ratio_max = 0;
  std::optional<HandshakeSplit> split;  // when volley was measured
  HandshakeShape shape;                 // the message sizes the hashing part hashed
};

// summarize fills |report|'s rates, ratio and split from a measurement of |subjects|.
void summarize(const std::vector<HandshakeSubject>& subjects,
               const std::vector<SubjectRates>& measured, HandshakeReport* report);

// find_rate returns the rate of the subject called |name|, or null.
const HandshakeRate* find_rate(const HandshakeReport& report, const std::string& name);

// format_handshake_table renders handshakes per second (volley, OpenSSL, ratio) and volley's split.
std::string format_handshake_table(const HandshakeReport& report);

// handshake_to_json renders the report: {"cpu", "libraries", "settings", "handshakes",
// "ratio_volley_to_openssl", "split_us", "parts", "hashed_messages_bytes"}.
nlohmann::json handshake_to_json(const HandshakeReport& report);

}  // namespace volley::speed
