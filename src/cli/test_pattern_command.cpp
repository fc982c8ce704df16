// `trailwatch test-pattern`: the offline twin of `aws events test-event-pattern`.
#include <cstdio>
#include <iostream>

#include "cli/argument_text.h"
#include "cli/commands.h"
#include "rules/test_event_pattern.h"

namespace trailwatch::cli {

namespace {

int Run(const std::string& pattern_arg, const std::string& event_arg, size_t max_chars) {
  Result<std::string> pattern_text = ReadArgumentText(pattern_arg, "--event-pattern");
  if (!pattern_text.ok()) {
    std::cerr << "error: " << pattern_text.message() << "\n";
    return 2;
  }
  Result<std::string> event_text = ReadArgumentText(event_arg, "--event");
  if (!event_text.ok()) {
    std::cerr << "error: " << event_text.message() << "\n";
    return 2;
  }
  rules::PatternTestOutcome outcome =
      rules::TestEventPattern(*pattern_text, *event_text, max_chars);
  if (!outcome.valid) {
    std::cerr << outcome.Text() << "\n";
    return 2;
  }
  std::cout << outcome.Text() << "\n";
  return 0;
}

}  // namespace

void RegisterTestPattern(CLI::App& app, int* exit_code) {
  CLI::App* cmd = app.add_subcommand(
      "test-pattern",
      "Test an event against an EventBridge event pattern, as `aws events test-event-pattern`\n"
      "does: prints {\"Result\": true} or {\"Result\": false}. An invalid pattern prints\n"
      "InvalidEventPatternException with EventBridge's reason on stderr and exits 2.");
  auto pattern = std::make_shared<std::string>();
  auto event = std::make_shared<std::string>();
  auto max_chars = std::make_shared<size_t>(2048);
  cmd->add_option("--event-pattern", *pattern, "the pattern: JSON text or file://PATH")
      ->required();
  cmd->add_option("--event", *event,
                  "the event: JSON text or file://PATH (an EventBridge event: a JSON object with\n"
                  "id, account, source, time, region and detail-type present, as AWS requires)")
      ->required();
  cmd->add_option("--max-pattern-chars", *max_chars,
                  "pattern size limit (AWS default quota 2048, raisable to 4096)")
      ->capture_default_str();
  cmd->callback([=] { *exit_code = Run(*pattern, *event, *max_chars); });
}

}  // namespace trailwatch::cli
