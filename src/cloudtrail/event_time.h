// CloudTrail eventTime parsing and the envelope's normalised time text.
//
// CloudTrail writes eventTime as `YYYY-MM-DDTHH:MM:SSZ` (formats.md §1.3), and the envelope `time`
// must have that form (§3.4). Records from other tools (exports, test corpora) sometimes carry
// fractional seconds or a numeric offset, so parsing accepts RFC 3339 date-times and the result is
// converted to UTC and truncated to whole seconds.
//
// Thread-safety: pure functions.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace trailwatch::cloudtrail {

// Parses an RFC 3339 date-time: `YYYY-MM-DD` `T`|`t`|` ` `HH:MM:SS` [`.` digits] then `Z`|`z` or
// `+HH:MM`/`-HH:MM`. A time without a zone is rejected (it would be ambiguous). Fractional seconds
// are dropped (truncated, not rounded, so the result never moves into the next second).
// nullopt when the text is not such a time or names an impossible date.
std::optional<std::chrono::sys_seconds> ParseEventTime(std::string_view text);

// `YYYY-MM-DDTHH:MM:SSZ` for years 0000–9999; nullopt outside that range.
std::optional<std::string> FormatEventTime(std::chrono::sys_seconds time);

}  // namespace trailwatch::cloudtrail
