// CloudTrail eventTime parsing and the envelope's normalised time text.
//
// CloudTrail writes eventTime as `YYYY-MM-DDTHH:MM:SSZ` (docs/reference/formats.md §1.3), and the
// envelope `time` must have that form (§3.4). Records from other tools (exports, test corpora)
// sometimes carry fractional seconds or a numeric offset, so parsing accepts RFC 3339 date-times
// and the result is converted to UTC and truncated to whole seconds. SIEM/Athena exports drop the
// zone as well (`2024-11-25 17:51:21.000000000`): ParseEventTimeLenient, used by `trailwatch scan`
// only, reads that form as UTC.
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
// What the live sources accept (envelope::FillEnvelopeHeader).
std::optional<std::chrono::sys_seconds> ParseEventTime(std::string_view text);

// ParseEventTime, and also the form SIEM and Athena exports of CloudTrail write:
// `YYYY-MM-DD HH:MM:SS` [`.` digits], a space between date and time and NO zone
// (`2024-11-25 17:51:21.000000000`), read as UTC (CloudTrail's eventTime is UTC). Only the space
// form may omit the zone: `2024-11-25T17:51:21` is still rejected. For `trailwatch scan` only.
std::optional<std::chrono::sys_seconds> ParseEventTimeLenient(std::string_view text);

// ParseEventTimeLenient then FormatEventTime: the envelope's `YYYY-MM-DDTHH:MM:SSZ` for any time
// ParseEventTimeLenient accepts; nullopt otherwise (or out of FormatEventTime's range).
std::optional<std::string> NormalizeEventTimeLenient(std::string_view text);

// `YYYY-MM-DDTHH:MM:SSZ` for years 0000–9999; nullopt outside that range.
std::optional<std::string> FormatEventTime(std::chrono::sys_seconds time);

}  // namespace trailwatch::cloudtrail
