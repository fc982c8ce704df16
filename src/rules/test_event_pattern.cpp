#include "rules/test_event_pattern.h"

#include <simdjson.h>

#include "envelope/validate_envelope.h"
#include "pattern/compiler.h"
#include "pattern/event_matcher.h"

namespace trailwatch::rules {
namespace {

PatternTestOutcome Failed(std::string error, std::string message) {
  PatternTestOutcome outcome;
  outcome.error = std::move(error);
  outcome.message = std::move(message);
  return outcome;
}

PatternTestOutcome InvalidEvent(std::string_view reason) {
  std::string message = "Parameter Event is not valid. (";
  message.append(reason).append(")");
  return Failed("ValidationException", std::move(message));
}

}  // namespace

std::string PatternTestOutcome::Text() const {
  if (valid) return matched ? "{\"Result\": true}" : "{\"Result\": false}";
  std::string text = error;
  text.append(": ").append(message);
  return text;
}

PatternTestOutcome TestEventPattern(std::string_view pattern_text, std::string_view event_text,
                                    size_t max_pattern_chars) {
  pattern::CompileOptions options;
  options.max_pattern_chars = max_pattern_chars;
  pattern::CompileResult compiled = pattern::CompilePattern(std::string(pattern_text), options);
  if (!compiled.ok()) return Failed("InvalidEventPatternException", compiled.error->Message());
  // Validate the whole event (the matcher reads only the fields the pattern references).
  simdjson::dom::parser parser;
  simdjson::dom::element event;
  simdjson::padded_string padded(event_text);
  if (auto err = parser.parse(padded).get(event)) {
    std::string reason = "not JSON: ";
    reason.append(simdjson::error_message(err));
    return InvalidEvent(reason);
  }
  // EventBridge's rule, not more (validate_envelope.h): the six header fields present, of any
  // type; `resources` and `detail` optional.
  envelope::Envelope header;
  if (Status valid = envelope::ValidateEnvelope(event, &header); !valid.ok()) {
    return InvalidEvent(valid.message());
  }
  std::vector<pattern::PatternSet::NamedPattern> patterns;
  patterns.push_back({"pattern", std::move(compiled.pattern)});
  auto set = pattern::PatternSet::Build(std::move(patterns));
  if (!set.ok()) return Failed("error", set.message());
  pattern::EventMatcher matcher(*set);
  auto matched = matcher.Match(event_text);
  if (!matched.ok()) return InvalidEvent(matched.message());
  PatternTestOutcome outcome;
  outcome.valid = true;
  outcome.matched = !(*matched)->empty();
  return outcome;
}

}  // namespace trailwatch::rules
