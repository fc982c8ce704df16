// What the ${env:NAME} and ${file:PATH} references of a configuration file resolved to, so that
// text about to be printed (a log line, an error, `validate`'s summary) can have those values
// replaced by the references that produced them.
//
// The section loaders already avoid quoting a value that came from a reference, and sources are
// named by the reference as written (sources_config.h). This is the net under them: a value can
// still reach a message through code that never saw the configuration (an S3 error naming the
// bucket, a SQLite error naming the store's path). `trailwatch run` passes every log line through
// RedactReferenceValues (service/redacting_log_sink.h) and LoadServiceConfig its errors.
//
// Values shorter than kMinRedactedChars are not replaced: text that short ("1", "us") occurs in
// ordinary messages, and it is not a secret anyway.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace trailwatch::config {

// As in targets_config.h (which includes this file): resolves ${env:NAME}; nullptr = getenv.
using EnvironmentLookup = std::optional<std::string> (*)(const std::string& name);

inline constexpr size_t kMinRedactedChars = 4;

// One resolved value and how it is shown instead: the whole scalar as written
// ("/data/${env:TENANT}/logs" for "/data/acme/logs"), or one reference ("${env:TENANT}" for
// "acme").
struct ReferenceValue {
  std::string value;
  std::string shown;
};

// Every value the references in the scalars of `root` (any section, any depth, keys included)
// resolve to, longest first. References that do not resolve are skipped (the loaders report
// them). `config_path`, the file `root` was read from, anchors relative ${file:PATH} references
// as the loaders do (config/config_paths.h); empty: the working directory.
std::vector<ReferenceValue> ReferenceValues(const YAML::Node& root,
                                            EnvironmentLookup environment = nullptr,
                                            const std::string& config_path = "");

// `text` with every occurrence of each value replaced by its shown form; `values` longest first
// (as ReferenceValues returns them), so that a whole value goes before a part of it.
std::string RedactReferenceValues(std::string text, const std::vector<ReferenceValue>& values);

}  // namespace trailwatch::config
