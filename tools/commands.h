// The subcommands of the `volley` tool. Each adds itself to the CLI11 app and runs when chosen.
// A subcommand's run function returns the process exit code: 0 success, 1 a failed operation
// (e.g. authentication failure), 2 malformed arguments.
#pragma once

#include <functional>

#include "CLI/CLI.hpp"

namespace volley::tool {

// A Command registers its options on |app| and returns what to run if the subcommand is chosen.
using Runner = std::function<int()>;

Runner add_selftest_command(CLI::App& app);
Runner add_speed_command(CLI::App& app);
Runner add_aead_command(CLI::App& app);
Runner add_record_command(CLI::App& app);
Runner add_client_command(CLI::App& app);
Runner add_server_command(CLI::App& app);

}  // namespace volley::tool
