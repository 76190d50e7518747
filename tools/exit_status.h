// tools/exit_status.h: how every `volley` subcommand ends. The exit codes are decided here and
// only here: 0 success, 1 a failed operation (a record that does not open, a file that cannot be
// read, a refused connection), 2 a malformed command line (a bad number, bad hex, an unknown name).
// A failure is reported as exactly one line on stderr, "volley COMMAND: REASON", and nothing else.
#pragma once

#include <string_view>

namespace volley::tool {

enum class Exit : int { kOk = 0, kFailure = 1, kUsage = 2 };

// report prints "volley |command|: |reason|" as one line on stderr and returns |code| as the
// process exit status. Line breaks inside |reason| (a library's message, CLI11's) become "; ", so
// that the reason is always one line.
int report(Exit code, std::string_view command, std::string_view reason);

inline int usage_error(std::string_view command, std::string_view reason) {
  return report(Exit::kUsage, command, reason);
}
inline int failure(std::string_view command, std::string_view reason) {
  return report(Exit::kFailure, command, reason);
}

}  // namespace volley::tool
