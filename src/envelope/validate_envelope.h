// ValidateEnvelope: the one rule that decides whether JSON is an EventBridge event.
//
// EventBridge's own rule (TestEventPattern, observed against the API;
// docs/reference/event-patterns.md §8): the event is a JSON object in which the six fields `id`,
// `account`, `source`, `time`, `region` and `detail-type` are present. Their JSON types are not
// checked (an event whose detail-type is an array of strings is accepted and matched as such),
// and `resources`, `version` and `detail` are not required, whatever the API reference says.
//
// Every place an event arrives as an EventBridge event uses this function: `test-pattern`, the
// http source's /events and /sns, and log files or SQS messages that hold events. A caller that
// needs more says so where it checks it (the http source also wants `detail` to be an object).
// Deciding whether some JSON *looks like* an event or a CloudTrail record (record_reader.cpp,
// sqs_source.cpp classify by their keys) is not validation: what is taken for an event is then
// validated here.
//
// Thread-safety: pure functions.
#pragma once

#include <simdjson.h>

#include <array>
#include <string_view>

#include "common/result.h"
#include "envelope/envelope.h"

namespace trailwatch::envelope {

inline constexpr std::array<std::string_view, 6> kRequiredEnvelopeFields = {
    "id", "account", "source", "time", "region", "detail-type"};

// Checks `event` by the rule above and fills the header fields of *envelope (all but `json`):
// a field whose value is not a string is left empty, and event_id is detail.eventID when detail
// is an object holding a string eventID. Errors: "not a JSON object", "missing \"<field>\"".
Status ValidateEnvelope(simdjson::dom::element event, Envelope* envelope);

// Parses `json` with `parser`, validates it as above and sets envelope->json to the minified
// text. Errors name the JSON problem ("not JSON: ...") or the rule broken.
Status ValidateEnvelopeText(std::string_view json, simdjson::dom::parser& parser,
                            Envelope* envelope);

}  // namespace trailwatch::envelope
