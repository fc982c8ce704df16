// ConfigFieldReader: reads the fields of one YAML mapping of trailwatch's configuration file with
// errors that name the place, shared by the section loaders (targets, sources, ...).
//
// Every error reads `file:line:column: <where>: <what>`, where <where> is the section path the
// caller gives (`targets[2] (slack)`, `sources[0]`). Values that may hold a secret, and any value
// that came from a ${...} reference, are never quoted in an error.
//
// Thread-safety: a ConfigFieldReader is immutable after construction; const methods may be called
// from many threads.
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <string>
#include <vector>

#include "common/result.h"
#include "config/targets_config.h"

namespace trailwatch::config {

// The largest configuration or rules YAML file LoadYamlFile reads.
inline constexpr size_t kMaxConfigFileBytes = 16 << 20;

// Reads a YAML file: an ordinary file (config/regular_file.h) of at most kMaxConfigFileBytes.
// Errors: `path: no such file` (and ReadRegularFile's others), `path:line:column: not valid YAML
// (...)`.
Result<YAML::Node> LoadYamlFile(const std::string& path);

// A name for error messages: printable ASCII as is, anything else escaped, at most 64 bytes.
std::string QuoteForMessage(const std::string& text);

// "a, b, c".
std::string JoinNames(const std::vector<std::string>& items);

// Whether a YAML scalar was written in quotes ("8080" is text, 8080 a number).
bool IsQuotedScalar(const YAML::Node& node);

// One key of a mapping, with the nodes for positions.
struct ConfigEntry {
  std::string key;
  YAML::Node key_node;
  YAML::Node value;
};

class ConfigFieldReader {
 public:
  // `path` names the file in messages; `environment` resolves ${env:NAME} (nullptr = getenv).
  ConfigFieldReader(std::string path, EnvironmentLookup environment)
      : path_(std::move(path)), environment_(environment) {}

  // "file:line:column" of `node` (just "file" when the node has no position).
  std::string At(const YAML::Node& node) const;
  Error Fail(const YAML::Node& node, const std::string& where, const std::string& what) const;

  // The keys of `map` in order; duplicate or non-scalar keys are errors.
  Status Entries(const YAML::Node& map, const std::string& where,
                 std::vector<ConfigEntry>* out) const;
  // A scalar value, as written (an empty unquoted value is an error).
  Result<std::string> Text(const ConfigEntry& entry, const std::string& where) const;
  // Text with ${env:} / ${file:} substituted; *secret tells whether a reference was used.
  Result<std::string> Resolved(const ConfigEntry& entry, const std::string& where,
                               bool* secret) const;
  // A file or folder path: Resolved, then a relative path made relative to the configuration
  // file's folder (config/config_paths.h). Empty stays empty (the caller reports it).
  Result<std::string> FilePath(const ConfigEntry& entry, const std::string& where) const;
  // How an error message names the value of `entry` (given as `value`, after substitution): the
  // value quoted (QuoteForMessage) when the file wrote it out, or `the value of ${env:NAME}` when
  // it came from a reference, whose value is never printed.
  std::string ShownValue(const ConfigEntry& entry, const std::string& value) const;
  // The value as written in the file when it holds a ${...} reference, else `value`: what logs
  // and names (a source's name) show in place of a value that came from a reference.
  static std::string WrittenIfReference(const ConfigEntry& entry, const std::string& value);
  // A non-empty secret without line breaks or NULs.
  Result<Secret> SecretValue(const ConfigEntry& entry, const std::string& where) const;
  // A secret URL that passes CheckTargetUrl.
  Result<Secret> UrlValue(const ConfigEntry& entry, const std::string& where) const;
  // An unquoted whole number in [min, max].
  Result<long> Integer(const ConfigEntry& entry, const std::string& where, long min,
                       long max) const;
  // A listen address, `host:port` or `[v6]:port` (server/listen_address.h), references resolved;
  // the error quotes the value (or names its reference) with the syntax's reason.
  Result<std::string> ListenAddress(const ConfigEntry& entry, const std::string& where) const;
  // A duration (ParseDuration) in [min, max].
  Result<std::chrono::seconds> Duration(const ConfigEntry& entry, const std::string& where,
                                        std::chrono::seconds min, std::chrono::seconds max) const;
  // true/false (yes/no are refused: YAML 1.1 and 1.2 readers disagree on them).
  Result<bool> Boolean(const ConfigEntry& entry, const std::string& where) const;
  // A list of non-empty scalars (a single scalar is not accepted as a list).
  Result<std::vector<std::string>> TextList(const ConfigEntry& entry,
                                            const std::string& where) const;

  const std::string& path() const { return path_; }
  EnvironmentLookup environment() const { return environment_; }

 private:
  std::string path_;
  EnvironmentLookup environment_;
};

}  // namespace trailwatch::config
