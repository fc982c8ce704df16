// PercentDecodeForm: application/x-www-form-urlencoded decoding of one name or value: `+` is a
// space, `%XX` the byte XX. nullopt for a malformed escape (`%zz`, `%4` at the end). Shared by the
// SNS verifier (the SigningCertURL's query) and the web console (queries and the sign-in form).
//
// Thread-safety: a pure function.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace trailwatch {

std::optional<std::string> PercentDecodeForm(std::string_view text);

}  // namespace trailwatch
