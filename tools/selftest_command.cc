// `volley selftest`: what this CPU has, which backends can run, and a known-answer test of each.
#include <cstdio>
#include <string>

#include "tools/commands.h"
#include "tools/exit_status.h"
#include "tools/known_answers.h"
#include "volley/cpu.h"
#include "volley/dispatch.h"

namespace volley::tool {
namespace {

int run_selftest() {
  const cpu::Features detected = cpu::detect();
  const cpu::Features usable = cpu::features();
  std::printf("CPU features: %s\n", cpu::to_string(detected).c_str());
  if (!(usable == detected)) {
    cpu::Features removed = detected;
    removed.remove(usable);
    std::printf("disabled by VOLLEY_CPU_DISABLE: %s\n", cpu::to_string(removed).c_str());
  }
  int failures = 0;
  for (int f = 0; f < dispatch::kFamilyCount; ++f) {
    const auto family = static_cast<dispatch::Family>(f);
    std::printf("\n%s (default: %s)\n", std::string(dispatch::family_name(family)).c_str(),
                std::string(dispatch::best(family).name).c_str());
    for (const dispatch::Backend& b : dispatch::backends(family)) {
      const std::string name(b.name);
      std::string needs = cpu::to_string(b.needs);
      if (needs.empty()) needs = "-";
      if (b.kernel == nullptr) {
        std::printf("  %-12s not built for this architecture (needs %s)\n", name.c_str(),
                    needs.c_str());
        continue;
      }
      if (!dispatch::available(b)) {
        std::printf("  %-12s unavailable on this CPU (needs %s)\n", name.c_str(), needs.c_str());
        continue;
      }
      const KnownAnswerResult kat = run_known_answers(family, b.name);
      failures += kat.failed;
      std::printf("  %-12s available; known answers: %s (needs %s)\n", name.c_str(),
                  kat.failed ? ("FAILED: " + kat.detail).c_str() : kat.detail.c_str(),
                  needs.c_str());
    }
  }
  std::printf("\n%s\n", failures ? "selftest FAILED" : "selftest passed");
  return static_cast<int>(failures ? Exit::kFailure : Exit::kOk);
}

}  // namespace

Runner add_selftest_command(CLI::App& app) {
  app.add_subcommand("selftest",
                     "print CPU features and every backend, and run known-answer tests on each");
  return run_selftest;
}

}  // namespace volley::tool
