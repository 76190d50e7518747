// volley: the command-line front end of the engine. See README.md.
#include <cstdio>
#include <utility>
#include <vector>

#include "CLI/CLI.hpp"
#include "tools/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"volley: TLS 1.3 engine: record crypto (AES-GCM, ChaCha20-Poly1305), client, server, per-CPU speed"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "volley 0.1");
  using Adder = volley::tool::Runner (*)(CLI::App&);
  const Adder adders[] = {volley::tool::add_selftest_command, volley::tool::add_speed_command,
                          volley::tool::add_aead_command, volley::tool::add_record_command,
                          volley::tool::add_client_command, volley::tool::add_server_command};
  std::vector<std::pair<const CLI::App*, volley::tool::Runner>> runners;
  for (Adder add : adders) {
    volley::tool::Runner run = add(app);
    runners.emplace_back(app.get_subcommands({}).back(), std::move(run));
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    // CLI11 returns 0 for --help/--version; malformed arguments are exit code 2 everywhere.
    return code == 0 ? 0 : 2;
  }
  const CLI::App* chosen = app.get_subcommands().front();
  for (const auto& [sub, run] : runners) {
    if (sub == chosen) return run();
  }
  std::fputs("volley: no subcommand\n", stderr);
  return 2;
}
