// Command-line values given as inline JSON or as file://PATH, like the AWS CLI's
// `--event-pattern file://pattern.json`.
//
// PATH must be an ordinary file of at most kMaxArgumentFileBytes (config/regular_file.h: no
// devices, FIFOs, /proc or /sys files); errors name the option and the path, never the content.
//
// Thread-safety: a pure function.
#pragma once

#include <cstddef>
#include <string>

#include <CLI/CLI.hpp>

#include "common/result.h"

namespace trailwatch::cli {

// EventBridge events are at most 256 KiB and patterns far smaller; 1 MiB leaves room for
// --max-pattern-chars without letting a wrong path fill memory.
inline constexpr size_t kMaxArgumentFileBytes = 1 << 20;

// Returns the text itself, or the contents of PATH for "file://PATH". `option` names the
// command-line option in errors.
Result<std::string> ReadArgumentText(const std::string& value, const std::string& option);

// For options that name a file (--config, --rules, --events, a template...): "file://PATH" ->
// "PATH", anything else unchanged, so that every option reading a file accepts both spellings.
std::string ArgumentFilePath(const std::string& value);

// Adds the ArgumentFilePath transform to a CLI11 option naming a file; returns `option`.
CLI::Option* AcceptFileUrl(CLI::Option* option);

}  // namespace trailwatch::cli
