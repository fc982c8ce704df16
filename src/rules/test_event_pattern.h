// TestEventPattern: AWS's TestEventPattern (`aws events test-event-pattern`) offline — does this
// pattern match this event, or which of AWS's errors does the pair get. One implementation for
// `trailwatch test-pattern` and the web console's sandbox, so both answer the same, word for word.
//
// The event must be what EventBridge accepts there (validate_envelope.h): a JSON object with id,
// account, source, time, region and detail-type present. Errors are AWS's exception names with
// their messages (docs/reference/event-patterns.md).
//
// Thread-safety: a pure function.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace trailwatch::rules {

struct PatternTestOutcome {
  bool valid = false;   // false: `error` and `message` say why
  bool matched = false;
  std::string error;    // "InvalidEventPatternException" or "ValidationException"
  std::string message;  // AWS's message

  // What the CLI prints: `{"Result": true}` / `{"Result": false}`, or `<error>: <message>`.
  std::string Text() const;
};

// `max_pattern_chars`: AWS's pattern size quota (2048 by default, raisable to 4096).
PatternTestOutcome TestEventPattern(std::string_view pattern, std::string_view event,
                                    size_t max_pattern_chars);

}  // namespace trailwatch::rules
