// The service's log: readable lines on a terminal, JSON lines otherwise (journald, files, log
// shippers), always on stderr — stdout belongs to the stdout target.
//
//   terminal: 2026-11-27T14:03:07.123Z info  source directory:./cloudtrail: 3 files, 41 events
//   json:     {"time":"2026-11-27T14:03:07.123Z","level":"info","logger":"trailwatch","message":"..."}
//
// Messages must never hold a secret (config::Secret prints as <redacted>).
//
// Thread-safety: the returned logger is thread-safe (spdlog _mt sink).
#pragma once

#include <memory>
#include <string>

#include <spdlog/formatter.h>
#include <spdlog/logger.h>

#include "common/result.h"

namespace trailwatch::service {

enum class LogFormat { kAuto, kText, kJson };

// "auto", "text", "json".
Result<LogFormat> ParseLogFormat(const std::string& text);

// A logger writing to stderr in `format` (kAuto: text when stderr is a terminal, else JSON), at
// `level` ("debug", "info", "warn", "error"), one write(2) per line (never interleaved within a
// line with the stdout target's alerts on the same terminal). Every command logs through a logger
// made here: main() installs one as spdlog's default logger before any command runs, and `run`
// replaces it with its --log-format/--log-level.
std::shared_ptr<spdlog::logger> MakeServiceLogger(LogFormat format, const std::string& level = "info");

// The formatter behind the JSON format, exposed for tests.
std::unique_ptr<spdlog::formatter> MakeJsonLogFormatter();

}  // namespace trailwatch::service
