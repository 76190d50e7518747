// parse_speed_args runs `volley speed`'s CLI11 options and resolve_options on a command line, for
// the tests of the option parser (speed_test.cc, speed_handshake_test.cc).
#pragma once

#include <string>

#include "CLI/CLI.hpp"
#include "tools/speed/options.h"

namespace volley::speed {

// parse_speed_args fills |out| from |cmdline|; false (and |error|) on failure.
inline bool parse_speed_args(const std::string& cmdline, SpeedOptions* out, std::string* error) {
  CLI::App app;
  SpeedArgs args;
  register_speed_options(app, &args);
  try {
    app.parse(cmdline, false);
  } catch (const CLI::ParseError& e) {
    *error = e.what();
    return false;
  }
  return resolve_options(args, out, error);
}

}  // namespace volley::speed
