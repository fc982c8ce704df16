// Text helpers shared by the renderers: length limits counted the way chat services count, and
// Slack mrkdwn escaping.
//
// Slack and Teams limits are in characters; Slack's APIs are JavaScript underneath, where a
// character outside the Basic Multilingual Plane (an emoji) counts as two. Counting UTF-16 code
// units is therefore never below what Slack counts, so a text cut to N units is always accepted.
// Cuts never split a UTF-8 sequence, and a cut value ends with "…" so a reader sees it was cut.
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace trailwatch::render {

// What a cut text ends with: U+2026 "…", one UTF-16 unit.
inline constexpr std::string_view kEllipsis = "\xE2\x80\xA6";

// Length in UTF-16 code units (invalid UTF-8 bytes count one each).
size_t TextLength(std::string_view text);

// `text` if it fits in `max_units`, else its longest prefix that leaves room for "…", plus "…".
std::string TruncateText(std::string_view text, size_t max_units);

// Slack mrkdwn escaping of a value taken from an event: & → &amp;, < → &lt;, > → &gt; (Slack's
// "Escaping text" rules). Without it a user name like "<!channel>" would notify a whole channel
// and "<https://evil|click>" would render as a link.
std::string EscapeSlack(std::string_view text);

// Escapes, then truncates to `max_units` without cutting an entity (&amp; …) in half.
std::string EscapeSlackTruncated(std::string_view text, size_t max_units);

// For terminals: control characters — C0 (ESC, line breaks, …), DEL and the C1 range U+0080–U+009F
// (U+009B is CSI to many terminals) — become visible escapes like "\x1b", so an attacker-chosen
// user name cannot move the cursor, recolour or hide lines. Other text passes through unchanged.
std::string PrintableLine(std::string_view text);

// For chat titles and fallbacks: every control character becomes a space (one line).
std::string SingleLine(std::string_view text);

}  // namespace trailwatch::render
