// Target: delivers one outbox entry to one destination (Slack webhook, Slack Web API, Teams,
// generic webhook, stdout) and says what happened, classified so the delivery worker knows
// whether to stop, retry or give up (formats.md §7.1, §7.2, §7.5):
//
//   Delivered{response}         the far side accepted it
//   Retry{error, retry_after?}  transient (429, 5xx, timeout, connection error, rate_limited...)
//   Permanent{error}            retrying cannot help (invalid_payload, channel_not_found, 4xx...)
//
// Error texts never contain URLs, tokens or header values.
//
// Thread-safety: Deliver may be called from several threads at once (up to the target's
// max_concurrency); implementations keep per-call state on the stack or behind a mutex.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "common/result.h"
#include "config/targets_config.h"
#include "outbox/outbox.h"

namespace trailwatch::targets {

struct Delivered {
  int http_status = 0;
  std::string response;   // the answer, as the far side gave it (e.g. "ok", Slack's JSON)
  std::string thread_ts;  // Slack Web API: the thread the message went to (parent ts), if any
};
struct Retry {
  std::string error;
  std::optional<std::chrono::seconds> retry_after;  // from Retry-After: never retry earlier
  int http_status = 0;
};
struct Permanent {
  std::string error;
  int http_status = 0;
};
using Outcome = std::variant<Delivered, Retry, Permanent>;

class Target {
 public:
  virtual ~Target() = default;
  virtual Outcome Deliver(const outbox::Entry& entry) = 0;
};

// What targets share: the account aliases for rendering, the outbox (Slack thread roots), and a
// clock (tests move time).
struct TargetContext {
  std::map<std::string, std::string> account_aliases;
  outbox::Outbox* outbox = nullptr;                          // required by the Slack Web API target
  std::chrono::system_clock::time_point (*now)() = nullptr;  // nullptr: system_clock::now
  // Slack Web API base (tests point it at a fake on loopback).
  std::string slack_api_url = "https://slack.com/api";
};

// The ordering and rate domain of a target: its name plus its channel (formats.md §7.2: Slack
// rate-limits per channel).
std::string ChannelKey(const config::TargetConfig& target);

// Builds the target for a config entry. Errors name the target.
Result<std::unique_ptr<Target>> MakeTarget(const config::TargetConfig& target,
                                           const TargetContext& context);

}  // namespace trailwatch::targets
