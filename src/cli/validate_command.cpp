// `trailwatch validate --config FILE`: loads the whole configuration as `run` would — every
// section, ${env:}/${file:} references, rule patterns compiled with EventBridge's own error
// reasons, targets of every rule — and reports every problem, one per line with file, line and
// column. Exit 0 when valid, 2 otherwise. Nothing is started or sent.
#include <iostream>

#include "cli/commands.h"
#include "service/service_config.h"
#include "sources/sources_config.h"

namespace trailwatch::cli {
namespace {

int Validate(const std::string& path) {
  auto config = service::LoadServiceConfig(path);
  if (!config.ok()) {
    std::cerr << config.message() << "\n";
    return 2;
  }
  for (const std::string& warning : config->warnings) {
    std::cerr << "warning: " << config::RedactReferenceValues(warning, config->reference_values)
              << "\n";
  }
  // The store is shown as written when it came from a reference.
  std::cout << path << ": valid: " << config->sources.size() << " source(s), "
            << config->rules.size() << " rule(s) (" << service::EnabledRuleCount(config->rules) << " enabled), "
            << config->targets.targets.size() << " target(s), store "
            << config::RedactReferenceValues(config->targets.store, config->reference_values)
            << "\n";
  return 0;
}

}  // namespace

void RegisterValidate(CLI::App& app, int* exit_code) {
  CLI::App* cmd = app.add_subcommand(
      "validate",
      "Check a configuration file the way `run` loads it and report every error with file,\n"
      "line and column (unknown keys, bad patterns with the AWS reason, unknown targets).\n"
      "Exit 0 when valid, 2 otherwise.");
  auto path = std::make_shared<std::string>();
  cmd->add_option("--config", *path, "configuration file (YAML)")->required();
  cmd->callback([=] { *exit_code = Validate(*path); });
}

}  // namespace trailwatch::cli
