// IsJsonSpace: JSON's insignificant whitespace (RFC 8259 §2: space, horizontal tab, line feed,
// carriage return), for the CloudTrail readers that step over it by hand around simdjson
// (record_reader.cpp, record_prefilter.cpp).
//
// Thread-safety: a pure function.
#pragma once

namespace trailwatch::cloudtrail {

constexpr bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace trailwatch::cloudtrail
