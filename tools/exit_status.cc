#include "tools/exit_status.h"

#include <cstdio>
#include <string>

namespace volley::tool {

int report(Exit code, std::string_view command, std::string_view reason) {
  std::string line = "volley";
  if (!command.empty()) line.append(" ").append(command);
  line += ": ";
  // Trailing line breaks are dropped; inner ones join the pieces of the reason.
  while (!reason.empty() && (reason.back() == '\n' || reason.back() == '\r')) {
    reason.remove_suffix(1);
  }
  for (char c : reason) {
    if (c == '\n') {
      line += "; ";
    } else if (c != '\r') {
      line += c;
    }
  }
  line += '\n';
  std::fputs(line.c_str(), stderr);
  std::fflush(stderr);
  return static_cast<int>(code);
}

}  // namespace volley::tool
