// volley: the command-line front end of the engine. See README.md.
#include <utility>
#include <vector>

#include "CLI/CLI.hpp"
#include "tools/commands.h"
#include "tools/exit_status.h"

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
    // --help and --version are CLI11's to print (on stdout, exit 0). Every malformed command
    // line is a usage error: CLI11's reason as one line, without its "Run with --help" second.
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);
    const std::vector<CLI::App*> chosen = app.get_subcommands();
    return volley::tool::usage_error(chosen.empty() ? "" : chosen.front()->get_name(), e.what());
  }
  const CLI::App* chosen = app.get_subcommands().front();
  for (const auto& [sub, run] : runners) {
    if (sub == chosen) return run();
  }
  return volley::tool::usage_error("", "no subcommand");
}
