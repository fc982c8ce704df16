// The whole configuration file of `trailwatch run`: the `store`, `accounts` and `targets` sections
// (config/targets_config.h), `sources` (sources/sources_config.h), `rules` and `routes`
// (rules/rules_config.h), `console` (console/console_config.h), and the service's own top-level
// keys (`shutdown_timeout`, `telemetry`).
// Each section has its own loader; this file checks the top level and collects every section's
// errors, so `trailwatch validate` reports all of them at once.
//
// Thread-safety: plain values.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/result.h"
#include "config/reference_values.h"
#include "console/console_config.h"
#include "config/targets_config.h"
#include "rules/rule_spec.h"
#include "sources/sources_config.h"

namespace trailwatch::service {

// `telemetry:` — the ops listener (/metrics, /healthz, /readyz; service/ops_listener.h). On by
// default on loopback; `telemetry: false` turns it off, `telemetry: {listen: HOST:PORT}` moves it.
struct TelemetryConfig {
  static constexpr const char* kDefaultListen = "127.0.0.1:9464";
  bool enabled = true;
  std::string listen = kDefaultListen;
  // Written in the file: a listen address that cannot be bound stops the start. The default one
  // (another trailwatch on the host has it) only costs a warning.
  bool listen_configured = false;
};

struct ServiceConfig {
  std::string path;
  config::TargetsConfig targets;  // store, accounts, targets
  std::vector<sources::SourceConfig> sources;
  std::vector<rules::RuleSpec> rules;  // packs expanded, routes applied
  std::vector<std::string> warnings;   // not errors, worth a log line (e.g. a rule with no target)
  // What the file's ${env:}/${file:} references resolved to: `run` hides them in its log
  // (service/redacting_log_sink.h); errors of LoadServiceConfig already have them replaced.
  std::vector<config::ReferenceValue> reference_values;
  // On SIGTERM (and on reload), how long sends in flight may take before they are abandoned and
  // left queued for the next run.
  std::chrono::seconds shutdown_timeout{10};
  TelemetryConfig telemetry;
  console::ConsoleConfig console;  // the web console; off unless the section is present
};

// How many of `rules` are enabled (disabled ones are loaded and validated, never evaluated).
size_t EnabledRuleCount(const std::vector<rules::RuleSpec>& rules);

// Loads and validates the file. On failure the error's message holds one line per problem, each
// `file:line:column: section[N].key: reason`.
Result<ServiceConfig> LoadServiceConfig(const std::string& path,
                                        config::EnvironmentLookup environment = nullptr);

}  // namespace trailwatch::service
