// FormFields: the fields of a URL query (`?rule=root-signin&q=203.0.113`) or of an
// application/x-www-form-urlencoded body (the sign-in form), percent-decoded, '+' as a space.
//
// Hostile input: at most kMaxFormFields fields are read; a malformed escape (`%zz`, `%4`) is an
// error that names the field, never a crash; NUL bytes are refused.
//
// Thread-safety: plain values and a pure function.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "common/result.h"

namespace trailwatch::console {

inline constexpr size_t kMaxFormFields = 64;

using FormFields = std::map<std::string, std::string, std::less<>>;

// The first value of each name wins; empty names are ignored.
Result<FormFields> ParseFormFields(std::string_view encoded);

// The query of a request target ("/alerts?x=1" -> "x=1"; "" without '?').
std::string_view QueryOf(std::string_view target);

// The value of `name`, or "" when absent.
std::string FieldOr(const FormFields& fields, std::string_view name);

}  // namespace trailwatch::console
