// AppendJsonString: the one JSON string escaper of the project, for every place that writes JSON
// text by hand (envelope headers, outbox rows, Slack and webhook bodies, YAML converted to JSON,
// scan output).
//
// Envelope fields are copied out of a record by simdjson (unescaped) and must be escaped again when
// the envelope text is written (docs/reference/formats.md §3.4). Only '"', '\\' and control
// characters need escaping in JSON (RFC 8259 §7); other bytes, including UTF-8 sequences, pass
// through unchanged.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace trailwatch {

// Appends `text` to `out` as a quoted JSON string.
void AppendJsonString(std::string& out, std::string_view text);

}  // namespace trailwatch
