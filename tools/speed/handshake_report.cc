#include "tools/speed/handshake_report.h"

#include <algorithm>
#include <cstdio>
#include <initializer_list>
#include <sstream>

#include "tools/speed/measure.h"

namespace volley::speed {
namespace {

constexpr const char* kSetup =
    "TLS 1.3, TLS_AES_128_GCM_SHA256, X25519, ECDSA P-256 leaf + 1 intermediate, chain and host "
    "name verified, no session tickets";

// SplitPart ties a part subject to its field of HandshakeSplit.
struct SplitPart {
  const char* name;
  double HandshakeSplit::*field;
};
constexpr SplitPart kParts[] = {
    {"x25519", &HandshakeSplit::x25519_us},   {"sign", &HandshakeSplit::sign_us},
    {"verify", &HandshakeSplit::verify_us},   {"chain", &HandshakeSplit::chain_us},
    {"hashing", &HandshakeSplit::hashing_us},
};

// row renders a label padded to the table's width and right-aligned cells.
std::string row(const std::string& label, std::initializer_list<std::string> cells) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "  %-46s", label.c_str());
  std::string s = buf;
  for (const std::string& c : cells) {
    std::snprintf(buf, sizeof(buf), "%15s", c.c_str());
    s += buf;
  }
  return s + "\n";
}

// split_of computes the split from the medians, or nothing if volley or a part failed.
std::optional<HandshakeSplit> split_of(const HandshakeReport& r) {
  const HandshakeRate* volley = find_rate(r, "volley");
  if (volley == nullptr || !volley->ok || volley->per_second <= 0) return std::nullopt;
  HandshakeSplit s;
  s.total_us = 1e6 / volley->per_second;
  s.rest_us = s.total_us;
  for (const SplitPart& p : kParts) {
    const HandshakeRate* part = find_rate(r, p.name);
    if (part == nullptr || !part->ok || part->per_second <= 0) return std::nullopt;
    s.*p.field = 1e6 / part->per_second;
    s.rest_us -= s.*p.field;
  }
  return s;
}

}  // namespace

const HandshakeRate* find_rate(const HandshakeReport& report, const std::string& name) {
  for (const HandshakeRate& r : report.rates) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

void summarize(const std::vector<HandshakeSubject>& subjects,
               const std::vector<SubjectRates>& measured, HandshakeReport* report) {
  report->rates.clear();
  for (size_t i = 0; i < subjects.size() && i < measured.size(); ++i) {
    const std::vector<double>& v = measured[i].per_second;
    HandshakeRate r;
    r.name = subjects[i].name;
    r.label = subjects[i].label;
    r.ok = measured[i].ok && !v.empty();
    r.per_second = median(v);
    r.min_per_second = v.empty() ? 0 : *std::min_element(v.begin(), v.end());
    r.max_per_second = v.empty() ? 0 : *std::max_element(v.begin(), v.end());
    report->rates.push_back(std::move(r));
  }
  // The ratio is taken round by round, so that drift between rounds cancels.
  report->ratio.reset();
  size_t ours = measured.size(), theirs = measured.size();
  for (size_t i = 0; i < report->rates.size(); ++i) {
    if (report->rates[i].name == "volley") ours = i;
    if (report->rates[i].name == "openssl") theirs = i;
  }
  if (ours < measured.size() && theirs < measured.size() && report->rates[ours].ok &&
      report->rates[theirs].ok) {
    std::vector<double> ratios;
    const std::vector<double>& a = measured[ours].per_second;
    const std::vector<double>& b = measured[theirs].per_second;
    for (size_t r = 0; r < a.size() && r < b.size(); ++r) {
      if (b[r] > 0) ratios.push_back(a[r] / b[r]);
    }
    if (!ratios.empty()) {
      report->ratio = median(ratios);
      report->ratio_min = *std::min_element(ratios.begin(), ratios.end());
      report->ratio_max = *std::max_element(ratios.begin(), ratios.end());
    }
  }
  report->split = split_of(*report);
}

std::string format_handshake_table(const HandshakeReport& report) {
  std::ostringstream out;
  out << format_cpu_lines(report.cpu);
  out << "TLS 1.3 full handshakes on one core, client and server in one process through memory\n"
      << kSetup << "\n"
      << format_number("%.2f", report.seconds_per_measurement) << " s per subject, median of "
      << report.repetitions << " alternating rounds\n\n";
  out << row("handshakes", {"per second", "min-max", "us each"});
  for (const HandshakeRate& r : report.rates) {
    if (r.name != "volley" && r.name != "openssl") continue;
    if (!r.ok) {
      out << row(r.label, {"FAILED"});
      continue;
    }
    out << row(r.label,
               {format_number("%.0f", r.per_second),
                format_number("%.0f-", r.min_per_second) + format_number("%.0f", r.max_per_second),
                format_number("%.1f", 1e6 / r.per_second)});
  }
  if (report.ratio) {
    out << row("volley / OpenSSL", {format_number("%.2fx", *report.ratio),
                                    format_number("%.2f-", report.ratio_min) +
                                        format_number("%.2f", report.ratio_max)});
  }
  if (find_rate(report, "x25519") == nullptr) return out.str();
  out << "\n" << row("volley handshake, time split", {"us", "per second"});
  for (const SplitPart& p : kParts) {
    const HandshakeRate* part = find_rate(report, p.name);
    if (!part->ok) {
      out << row(part->label, {"FAILED"});
    } else if (report.split) {
      out << row(part->label, {format_number("%.1f", (*report.split).*p.field),
                               format_number("%.0f", part->per_second)});
    }
  }
  if (report.split) {
    out << row("the rest (total minus the parts)", {format_number("%.1f", report.split->rest_us)})
        << row("total", {format_number("%.1f", report.split->total_us)});
  }
  return out.str();
}

nlohmann::json handshake_to_json(const HandshakeReport& report) {
  nlohmann::json j =
      json_head(report.cpu, report.libraries, report.seconds_per_measurement, report.repetitions);
  j["settings"]["pki"] = report.pki_dir;
  j["setup"] = kSetup;
  nlohmann::json handshakes = nlohmann::json::array();
  nlohmann::json parts = nlohmann::json::array();
  for (const HandshakeRate& r : report.rates) {
    const bool whole = r.name == "volley" || r.name == "openssl";
    nlohmann::json e = {{whole ? "impl" : "part", r.name},
                        {whole ? "handshakes_per_second" : "per_second", r.per_second},
                        {whole ? "handshakes_per_second_min" : "per_second_min", r.min_per_second},
                        {whole ? "handshakes_per_second_max" : "per_second_max", r.max_per_second},
                        {"us_each", r.ok && r.per_second > 0 ? 1e6 / r.per_second : 0.0},
                        {"ok", r.ok}};
    (whole ? handshakes : parts).push_back(std::move(e));
  }
  j["handshakes"] = std::move(handshakes);
  j["parts"] = std::move(parts);
  j["ratio_volley_to_openssl"] = nullptr;
  if (report.ratio) {
    j["ratio_volley_to_openssl"] = *report.ratio;
    j["ratio_volley_to_openssl_min"] = report.ratio_min;
    j["ratio_volley_to_openssl_max"] = report.ratio_max;
  }
  j["split_us"] = nullptr;
  if (report.split) {
    const HandshakeSplit& s = *report.split;
    j["split_us"] = {{"total_us", s.total_us}, {"x25519_us", s.x25519_us},
                     {"sign_us", s.sign_us},   {"verify_us", s.verify_us},
                     {"chain_us", s.chain_us}, {"hashing_us", s.hashing_us},
                     {"rest_us", s.rest_us}};
    const HandshakeShape& m = report.shape;
    j["hashed_messages_bytes"] = {{"client_hello", m.client_hello},
                                  {"server_hello", m.server_hello},
                                  {"extensions_and_certificate", m.extensions_and_certificate},
                                  {"certificate_verify", m.certificate_verify},
                                  {"finished", m.finished}};
  }
  return j;
}

}  // namespace volley::speed
