// HTML text for the console's server-rendered pages. Every value that came from an event is
// attacker-controlled (user agents, user names, request parameters): it goes through
// AppendEscapedHtml, which is safe both in element text and in double- or single-quoted attribute
// values. The pages never put event data in a URL, a script or a style; the only links built from
// data are the CloudTrail console's (render::CloudTrailEventUrl checks region and event id) and
// the console's own, with ids that are numbers.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace trailwatch::console {

// & < > " ' escaped.
void AppendEscapedHtml(std::string& out, std::string_view text);
std::string EscapeHtml(std::string_view text);

// Percent-encodes everything but unreserved characters (RFC 3986), for query values in links.
std::string EncodeUriComponent(std::string_view text);

}  // namespace trailwatch::console
