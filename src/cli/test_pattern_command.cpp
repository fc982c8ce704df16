// `trailwatch test-pattern`: the offline twin of `aws events test-event-pattern`.
#include <cstdio>
#include <iostream>

#include <simdjson.h>

#include "cli/argument_text.h"
#include "cli/commands.h"
#include "envelope/validate_envelope.h"
#include "pattern/compiler.h"
#include "pattern/event_matcher.h"

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
  pattern::CompileOptions options;
  options.max_pattern_chars = max_chars;
  pattern::CompileResult compiled = pattern::CompilePattern(*pattern_text, options);
  if (!compiled.ok()) {
    std::cerr << "InvalidEventPatternException: " << compiled.error->Message() << "\n";
    return 2;
  }
  // Validate the whole event (the matcher reads only the fields the pattern references).
  simdjson::dom::parser parser;
  simdjson::dom::element event;
  if (auto err = parser.parse(*event_text).get(event)) {
    std::cerr << "ValidationException: Parameter Event is not valid. (not JSON: "
              << simdjson::error_message(err) << ")\n";
    return 2;
  }
  // EventBridge's rule, not more (validate_envelope.h): the six header fields present, of any
  // type; `resources` and `detail` optional.
  envelope::Envelope header;
  if (Status valid = envelope::ValidateEnvelope(event, &header); !valid.ok()) {
    std::cerr << "ValidationException: Parameter Event is not valid. (" << valid.message()
              << ")\n";
    return 2;
  }
  std::vector<pattern::PatternSet::NamedPattern> patterns;
  patterns.push_back({"pattern", std::move(compiled.pattern)});
  auto set = pattern::PatternSet::Build(std::move(patterns));
  if (!set.ok()) {
    std::cerr << "error: " << set.message() << "\n";
    return 2;
  }
  pattern::EventMatcher matcher(*set);
  auto matched = matcher.Match(*event_text);
  if (!matched.ok()) {
    std::cerr << "ValidationException: Parameter Event is not valid. (" << matched.message()
              << ")\n";
    return 2;
  }
  std::cout << ((*matched)->empty() ? "{\"Result\": false}" : "{\"Result\": true}") << "\n";
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
