// `trailwatch validate --config FILE`: loads the whole configuration as `run` would — every
// section, ${env:}/${file:} references, rule patterns compiled with EventBridge's own error
// reasons, targets of every rule, and that each directory source's folder exists and is readable —
// and reports every problem, one per line with file, line and column. Exit 0 when valid, 2
// otherwise. Nothing is started or sent.
#include <iostream>
#include <string>
#include <variant>
#include <vector>

#include "cli/argument_text.h"
#include "cli/commands.h"
#include "config/config_paths.h"
#include "service/service_config.h"
#include "sources/sources_config.h"
#include "store/store_backend.h"

namespace trailwatch::cli {
namespace {

// The folder of every directory source must exist and be readable now: `run` would fail to
// start without it (under systemd: a restart loop). Not a check of the loader, which also serves
// a SIGHUP reload, where a folder that is briefly missing should not refuse the whole file.
// One line per source: `file:line: sources[N] (directory:/x): folder /x does not exist`.
std::vector<std::string> SourceFolderErrors(const service::ServiceConfig& config) {
  std::vector<std::string> errors;
  for (size_t i = 0; i < config.sources.size(); ++i) {
    const auto* directory =
        std::get_if<sources::DirectorySourceConfig>(&config.sources[i].settings);
    if (directory == nullptr) continue;
    Status readable = config::CheckReadableFolder(directory->path);
    if (readable.ok()) continue;
    errors.push_back(config.path + ":" + std::to_string(config.sources[i].line) + ": sources[" +
                     std::to_string(i) + "] (" + directory->name + "): " + readable.message());
  }
  return errors;
}

int Validate(const std::string& path) {
  auto config = service::LoadServiceConfig(path);
  if (!config.ok()) {
    std::cerr << "error: " << config.message() << "\n";
    return 2;
  }
  std::vector<std::string> folder_errors = SourceFolderErrors(*config);
  if (!folder_errors.empty()) {
    for (const std::string& error : folder_errors) {
      std::cerr << "error: " << config::RedactReferenceValues(error, config->reference_values)
                << "\n";
    }
    return 2;
  }
  for (const std::string& warning : config->warnings) {
    std::cerr << "warning: " << config::RedactReferenceValues(warning, config->reference_values)
              << "\n";
  }
  // The store is shown as written when it came from a reference, and a DSN without its password.
  std::cout << path << ": valid: " << config->sources.size() << " source(s), "
            << config->rules.size() << " rule(s) (" << service::EnabledRuleCount(config->rules)
            << " enabled), " << config->targets.targets.size() << " target(s), store "
            << config::RedactReferenceValues(store::ShownStore(config->targets.store),
                                             config->reference_values)
            << "\n";
  return 0;
}

}  // namespace

void RegisterValidate(CLI::App& app, int* exit_code) {
  CLI::App* cmd = app.add_subcommand(
      "validate",
      "Check a configuration file the way `run` loads it and report every error with file,\n"
      "line and column (unknown keys, bad patterns with the AWS reason, unknown targets, a\n"
      "directory source whose folder is missing or unreadable). Relative paths in the file\n"
      "resolve against its folder.\n"
      "Exit 0 when valid, 2 otherwise.");
  auto path = std::make_shared<std::string>();
  AcceptFileUrl(cmd->add_option("--config", *path, "configuration file (YAML)"))->required();
  cmd->callback([=] { *exit_code = Validate(*path); });
}

}  // namespace trailwatch::cli
