// trailwatch: EventBridge-exact alerting on AWS CloudTrail, self-hosted.
//
// One voice for every command: errors are single lines on stderr starting with "error: " (ours and
// CLI11's usage errors alike), and every command logs through the service's logger (stderr, the
// same time format as `run`).
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <string>

#include "cli/commands.h"
#include "common/version.h"
#include "service/service_log.h"

namespace {

// "a, b, c": the names of `app`'s subcommands, in the order --help lists them.
std::string CommandNames(const CLI::App& app) {
  std::string names;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (!names.empty()) names.append(", ");
    names.append(sub->get_name());
  }
  return names;
}

// "trailwatch outbox list": the command line of `app` for "see ... --help".
std::string CommandPath(const CLI::App* app) {
  std::string path;
  for (; app != nullptr; app = app->get_parent()) {
    path.insert(0, app->get_parent() == nullptr ? "trailwatch" : " " + app->get_name());
  }
  return path;
}

// The innermost command the arguments name so far (`trailwatch outbox list --x` -> outbox list).
const CLI::App* SelectedCommand(const CLI::App& app) {
  const CLI::App* current = &app;
  while (true) {
    std::vector<const CLI::App*> parsed = current->get_subcommands(
        [](const CLI::App* sub) { return sub->parsed(); });
    if (parsed.empty()) return current;
    current = parsed.front();
  }
}

// CLI11's usage errors in trailwatch's voice: one line, "error: ", and where help is.
std::string UsageError(const CLI::App* app, const CLI::Error& e) {
  const CLI::App* command = SelectedCommand(*app);
  std::string what = e.what();
  if (what == "A subcommand is required" || what.rfind("A subcommand is required", 0) == 0) {
    return "error: a command is required (the commands: " + CommandNames(*command) +
           "; see " + CommandPath(command) + " --help)\n";
  }
  if (!what.empty()) what[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(what[0])));
  return "error: " + what + " (see " + CommandPath(command) + " --help)\n";
}

// `trailwatch bogus`, `trailwatch outbox bogus`: CLI11 would call the word an extra argument or
// say a subcommand is required. Walks the leading words of argv down the command tree; returns
// the error text for the first word that names no command where a command is expected.
std::string UnknownCommand(const CLI::App& app, int argc, char** argv) {
  const CLI::App* current = &app;
  for (int i = 1; i < argc; ++i) {
    std::string word = argv[i];
    if (word.empty() || word[0] == '-') return "";
    std::vector<const CLI::App*> subs =
        current->get_subcommands([](const CLI::App*) { return true; });
    if (subs.empty()) return "";
    const CLI::App* next = nullptr;
    for (const CLI::App* sub : subs) {
      if (sub->check_name(word)) next = sub;
    }
    if (next == nullptr) {
      return "error: unknown command '" + word + "' (the commands: " + CommandNames(*current) +
             "; see " + CommandPath(current) + " --help)\n";
    }
    current = next;
  }
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  // Commands that log (send-test, deliver, the delivery workers, ...) use spdlog's default
  // logger: the service's, on stderr. `run` replaces it with its --log-format and --log-level.
  spdlog::set_default_logger(
      trailwatch::service::MakeServiceLogger(trailwatch::service::LogFormat::kAuto));
  CLI::App app{
      "trailwatch: match AWS CloudTrail events against EventBridge event patterns and alert.\n"
      "Patterns use the EventBridge pattern language with AWS's exact semantics and errors."};
  app.set_version_flag("--version", trailwatch::VersionText());
  app.require_subcommand(1);
  app.failure_message(UsageError);
  int exit_code = 0;
  trailwatch::cli::RegisterTestPattern(app, &exit_code);
  trailwatch::cli::RegisterMatch(app, &exit_code);
  trailwatch::cli::RegisterSendTest(app, &exit_code);
  trailwatch::cli::RegisterOutbox(app, &exit_code);
  trailwatch::cli::RegisterDeliver(app, &exit_code);
  trailwatch::cli::RegisterScan(app, &exit_code);
  trailwatch::cli::RegisterGenerate(app, &exit_code);
  trailwatch::cli::RegisterCfn(app, &exit_code);
  trailwatch::cli::RegisterRun(app, &exit_code);
  trailwatch::cli::RegisterValidate(app, &exit_code);
  trailwatch::cli::RegisterPacks(app, &exit_code);
  trailwatch::cli::RegisterStore(app, &exit_code);
  trailwatch::cli::RegisterConsole(app, &exit_code);
  // Subcommands inherit the failure message only when it is set before they are added: set it
  // on each as well.
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    sub->failure_message(UsageError);
    for (CLI::App* inner : sub->get_subcommands([](CLI::App*) { return true; })) {
      inner->failure_message(UsageError);
    }
  }
  if (std::string unknown = UnknownCommand(app, argc, argv); !unknown.empty()) {
    std::cerr << unknown;
    return 2;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    // CLI11 returns 0 for --help/--version; usage errors become exit 2 like every usage error.
    return code == 0 ? 0 : 2;
  }
  return exit_code;
}
