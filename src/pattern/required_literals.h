// Required record literals: byte strings, derived from a set of patterns, at least one of which
// occurs in the raw JSON text of every CloudTrail record that one of the patterns can match.
//
// Why: `trailwatch scan` skips, without parsing, the records that no rule can match
// (cloudtrail/record_prefilter.h). A record can only match a sub-pattern if it satisfies every
// field condition, so one condition under "detail." whose every matcher needs some literal text
// in the record (the JSON string token "Root", a key name, a prefix "arn:aws:iam) is enough to
// rule the record out when none of that text occurs.
//
// Exactness rests on how JSON spells strings: a decoded value containing no '"', '\' or control
// byte appears verbatim in the text, except where the writer chose a \uXXXX or \/ escape. Callers
// therefore treat every record whose text contains "\u" or "\/" as a candidate.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pattern/compiled_pattern.h"

namespace trailwatch::pattern {

// Literals shorter than this are too common in CloudTrail text to rule anything out.
inline constexpr size_t kMinRequiredLiteral = 4;

// The byte strings at least one of which occurs in the raw JSON text of every CloudTrail record
// that one of `patterns` can match when the record is the "detail" of its EventBridge envelope
// (unless the record's text uses a \u or \/ escape: callers treat those records as candidates).
// Sorted and deduplicated. nullopt when some sub-pattern offers no usable literal: then every
// record must be evaluated. An empty `patterns` yields an empty list (no record can match).
std::optional<std::vector<std::string>> RequiredRecordLiterals(
    const std::vector<const CompiledPattern*>& patterns);

// The literal that a value satisfying `matcher`, in a condition on `path`, puts in the record's
// text, or nullopt when there is none worth searching for. Exposed for tests.
std::optional<std::string> RequiredMatcherLiteral(const std::string& path, const Matcher& matcher);

}  // namespace trailwatch::pattern
