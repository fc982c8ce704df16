// trailwatch: EventBridge-exact alerting on AWS CloudTrail, self-hosted.
#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "common/version.h"

int main(int argc, char** argv) {
  CLI::App app{
      "trailwatch: match AWS CloudTrail events against EventBridge event patterns and alert.\n"
      "Patterns use the EventBridge pattern language with AWS's exact semantics and errors."};
  app.set_version_flag("--version", trailwatch::VersionText());
  app.require_subcommand(1);
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
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    // CLI11 returns 0 for --help/--version; usage errors become exit 2 like every usage error.
    return code == 0 ? 0 : 2;
  }
  return exit_code;
}
