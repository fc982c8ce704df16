// The `store`, `accounts` and `targets` sections of trailwatch's YAML configuration (issue 4);
// `trailwatch run` (issue 5) extends the same file with `sources`, `rules` and `routes`.
//
//   store: ./trailwatch.db
//   accounts: {"111122223333": production}
//   targets:
//     - {name: security-slack, type: slack, webhook_url: "${env:SLACK_WEBHOOK_URL}"}
//     - {name: security-bot, type: slack, token: "${file:/run/secrets/slack-bot-token}", channel: C0123456789}
//     - {name: teams, type: teams, webhook_url: "${env:TEAMS_WEBHOOK_URL}"}
//     - {name: siem, type: webhook, url: https://siem.example.com/ingest, headers: {Authorization: "${env:SIEM_TOKEN}"}}
//     - {name: console, type: stdout}
//
// `${env:NAME}` and `${file:PATH}` are substituted when the file is loaded. Values that may hold a
// secret are kept as Secret, which never prints its value (logs, errors, metrics, --help).
// URLs must be https:// except for loopback hosts (127.0.0.0/8, ::1, localhost). Messages about
// the configuration (errors, the store path) never print a value that came from a reference.
//
// Thread-safety: plain values.
#pragma once

#include <chrono>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "common/result.h"
#include "common/store_address.h"
#include "config/reference_values.h"

namespace trailwatch::config {

// A configuration value that may be a secret. operator<< and Redacted() never show the value.
class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}
  const std::string& reveal() const { return value_; }  // only for the wire
  bool empty() const { return value_.empty(); }
  static const char* Redacted() { return "<redacted>"; }

 private:
  std::string value_;
};

// Writes Secret::Redacted(), never the value (for logs and test failure messages).
std::ostream& operator<<(std::ostream& out, const Secret& secret);

// EventBridge-style input transformer: input_paths name -> JSON path ("$.detail.eventName"),
// input_template with <name> placeholders.
struct InputTransformerConfig {
  std::map<std::string, std::string> input_paths;
  std::string input_template;
};

struct TargetConfig {
  enum class Type { kSlack, kTeams, kWebhook, kStdout };
  std::string name;
  Type type = Type::kStdout;
  // slack (webhook): webhook_url. slack (Web API): token + channel. teams: webhook_url.
  // webhook: url (not secret unless it came from ${...}: kept as Secret anyway) + headers + hmac.
  Secret webhook_url;
  Secret token;
  std::string channel;
  Secret url;
  std::map<std::string, Secret> headers;
  Secret hmac_secret;  // webhook: X-Trailwatch-Signature = hex HMAC-SHA256("<timestamp>.<body>")
  std::optional<InputTransformerConfig> input_transformer;
  // Delivery tuning (defaults per issue 4).
  int max_concurrency = 1;
  double rate_per_second = 1.0;  // per channel token bucket
  int burst = 3;
  std::chrono::seconds thread_window{15 * 60};  // slack Web API: repeats thread under the first
  std::chrono::seconds timeout{10};
  int max_attempts = 50;
  std::chrono::seconds max_age{24 * 3600};
  // Several rules matching one event and routing here send one alert naming them all, at the
  // highest severity, deduplicated by (target, eventID) (route/alert.h). false: one per rule.
  bool group_rules = true;
  int line = 0;  // where it was defined, for errors
};

struct TargetsConfig {
  std::string path;                             // the config file
  // A SQLite file path, or a postgresql:// URI (shared by replicas; may hold a password: show it
  // only through store::ShownStore).
  std::string store = "./trailwatch.db";
  std::chrono::seconds store_lease{15};  // store: {lease: ...}, PostgreSQL only
  std::map<std::string, std::string> accounts;  // account id -> alias
  std::vector<TargetConfig> targets;
  // What the file's ${env:}/${file:} references resolved to (filled by LoadTargetsConfigFile), so
  // that Shown can keep them out of messages (an error naming a store path from a reference).
  std::vector<ReferenceValue> reference_values;
  const TargetConfig* Find(const std::string& name) const;
  // `text` with every reference value replaced by its reference (config/reference_values.h).
  std::string Shown(const std::string& text) const;
};

// Reads the three sections from an already-parsed YAML root. Unknown keys inside these sections
// are errors (`file:line:column: targets[2]: unknown key "webhok_url"`). Keys of other top-level
// sections are left to their own loaders. `environment` resolves ${env:NAME} (injected for tests).
using EnvironmentLookup = std::optional<std::string> (*)(const std::string& name);
Result<TargetsConfig> LoadTargetsConfig(const YAML::Node& root, const std::string& path,
                                        EnvironmentLookup environment = nullptr);

// Loads a config file from disk (YAML) and calls LoadTargetsConfig.
Result<TargetsConfig> LoadTargetsConfigFile(const std::string& path);

// Substitutes ${env:NAME} and ${file:PATH} in `text`. Errors name the reference but never the
// value. Exposed for the other config sections. A relative ${file:PATH} is read beside the
// configuration file `config_path` when one is given (config/config_paths.h).
Result<std::string> SubstituteReferences(const std::string& text, EnvironmentLookup environment,
                                         const std::string& config_path = "");

// Whether `text` holds a ${...} reference (a value that came from one is treated as a secret).
bool HasReferences(const std::string& text);

// The https rule: "" when `url` is an absolute https:// URL, or an http:// URL whose host is
// loopback (127.0.0.0/8, localhost, [::1]); otherwise the reason. The reason never quotes the URL.
std::string CheckTargetUrl(const std::string& url);

// Durations as written in the config: one or more <digits><unit> with unit s, m, h or d
// ("10s", "15m", "1h30m", "2d"). nullopt when malformed or over 10 years.
std::optional<std::chrono::seconds> ParseDuration(const std::string& text);

// One step of an input_paths JSON path: an object member, or an array element (index >= 0).
struct InputPathStep {
  std::string field;
  long index = -1;
};

// Parses the JSON path subset EventBridge input transformers accept: `$`, then `.name` steps
// (letters, digits, `_`, `-`, `/`) and `[N]` array indices. Wildcards are not supported.
// Errors name the path.
Result<std::vector<InputPathStep>> ParseInputPath(const std::string& path);

}  // namespace trailwatch::config
