#include "tools/speed/handshake_run.h"

#include <algorithm>

#include "tools/exit_status.h"
#include "tools/speed/core_clock.h"
#include "tools/speed/peers.h"

namespace volley::speed {

bool measure_handshakes(const HandshakeRunSpec& spec, HandshakeReport* report, std::string* error) {
  HandshakeSubjects subjects;
  if (!subjects.init(spec.pki_dir, spec.volley, spec.openssl, error)) return false;
  report->cpu = read_cpu_info();
  report->cpu.core_ghz = calibrate_core_ghz();
  report->libraries.clear();
  if (spec.openssl) report->libraries.emplace_back("openssl", peer_version(Impl::kOpenSsl));
  report->seconds_per_measurement = spec.seconds;
  report->repetitions = spec.repetitions;
  report->pki_dir = spec.pki_dir;
  if (spec.volley) report->shape = subjects.shape();
  const std::vector<SubjectRates> measured =
      measure_alternating(subjects.subjects(), spec.seconds, spec.repetitions);
  summarize(subjects.subjects(), measured, report);
  return true;
}

int run_handshake_speed(const SpeedOptions& options, std::FILE* out) {
  HandshakeRunSpec spec;
  spec.pki_dir = options.pki_dir;
  spec.volley = std::count(options.impls.begin(), options.impls.end(), Impl::kVolley) > 0;
  spec.openssl = std::count(options.impls.begin(), options.impls.end(), Impl::kOpenSsl) > 0;
  spec.seconds = options.duration_seconds;
  spec.repetitions = options.repetitions;
  HandshakeReport report;
  std::string error;
  if (!measure_handshakes(spec, &report, &error)) return tool::failure("speed --handshake", error);
  std::fputs(format_handshake_table(report).c_str(), out);
  std::fflush(out);
  int status = static_cast<int>(tool::Exit::kOk);
  for (const HandshakeRate& r : report.rates) {
    if (!r.ok) status = tool::failure("speed --handshake", r.label + ": failed while timed");
  }
  if (!options.json_path.empty() &&
      !write_file(options.json_path, handshake_to_json(report).dump(2) + "\n", &error)) {
    status = tool::failure("speed --handshake", error);
  }
  return status;
}

}  // namespace volley::speed
