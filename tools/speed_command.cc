// `volley speed`: AEAD throughput of volley's backends beside OpenSSL, ipsec-mb and libsodium,
// measured in one process on the same buffers; with --handshake, full TLS 1.3 handshakes per
// second beside OpenSSL's. See bench/README.md for the method and formats.
#include <cstdio>
#include <memory>
#include <string>

#include "tools/commands.h"
#include "tools/exit_status.h"
#include "tools/speed/handshake_run.h"
#include "tools/speed/options.h"
#include "tools/speed/report.h"
#include "tools/speed/speed_run.h"

namespace volley::tool {

Runner add_speed_command(CLI::App& app) {
  CLI::App* sub = app.add_subcommand(
      "speed",
      "Measure AEAD throughput (GB/s, cycles per byte) against OpenSSL and other peers, or "
      "(--handshake) TLS 1.3 handshakes per second against OpenSSL");
  auto args = std::make_shared<speed::SpeedArgs>();
  speed::register_speed_options(*sub, args.get());
  return [args]() -> int {
    speed::SpeedOptions options;
    std::string error;
    if (!speed::resolve_options(*args, &options, &error)) return usage_error("speed", error);
    // A path that cannot be written is a bad argument: say so now, not after the whole run.
    for (const std::string* path : {&options.json_path, &options.csv_path, &options.svg_path}) {
      if (!path->empty() && !speed::write_file(*path, "", &error)) {
        return usage_error("speed", error);
      }
    }
    if (options.handshake) return speed::run_handshake_speed(options, stdout);
    const speed::Report report = speed::run_speed(options);
    std::fputs(speed::format_table(report).c_str(), stdout);
    std::fflush(stdout);

    // After a run, every measurement that failed has its line; the run as a whole failed.
    int status = static_cast<int>(Exit::kOk);
    for (const speed::Result& r : report.results) {
      if (!r.ok) {
        status = failure("speed", r.impl + " " + r.backend + " " + r.op + " on " + r.aead + ", " +
                                      std::to_string(r.size) + " bytes: " + r.error);
      }
    }
    const std::pair<const std::string*, std::string> outputs[] = {
        {&options.json_path,
         options.json_path.empty() ? "" : speed::to_json(report).dump(2) + "\n"},
        {&options.csv_path, options.csv_path.empty() ? "" : speed::to_csv(report)},
        {&options.svg_path, options.svg_path.empty() ? "" : speed::to_svg(report)},
    };
    for (const auto& [path, text] : outputs) {
      if (path->empty()) continue;
      if (!speed::write_file(*path, text, &error)) status = failure("speed", error);
    }
    return status;
  };
}

}  // namespace volley::tool
