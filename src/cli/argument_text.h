// Command-line values given as inline JSON or as file://PATH, like the AWS CLI's
// `--event-pattern file://pattern.json`.
#pragma once

#include <string>

#include "common/result.h"

namespace trailwatch::cli {

// Returns the text itself, or the contents of PATH for "file://PATH". `option` names the
// command-line option in errors.
Result<std::string> ReadArgumentText(const std::string& value, const std::string& option);

}  // namespace trailwatch::cli
