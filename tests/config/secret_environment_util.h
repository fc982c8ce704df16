// A fixed environment for the tests of ${env:NAME} references: every value that could leak holds
// the marker XXXXSECRET (or xxxxsecret where only lower case is valid, as in bucket names), so one
// search of a message finds any leak.
//
// Thread-safety: a pure function over a constant table.
#pragma once

#include <optional>
#include <string>

namespace trailwatch::testing {

// The value of `name` in the table, nullopt for any other name (an unset variable). Usable as a
// config::EnvironmentLookup.
std::optional<std::string> SecretEnvironment(const std::string& name);

}  // namespace trailwatch::testing
