// Target: delivers one outbox entry to one destination (Slack webhook, Slack Web API, Teams,
// generic webhook, stdout) and says what happened, classified so the delivery worker knows
// whether to stop, retry or give up (docs/reference/formats.md §7.1, §7.2, §7.5):
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
#include <stop_token>
#include <string>
#include <variant>

#include "common/result.h"
#include "common/wall_clock.h"
#include "config/target_reference.h"
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
  Permanent() = default;
  Permanent(std::string error_text, int status = 0, std::string answer = "")
      : error(std::move(error_text)), http_status(status), response(std::move(answer)) {}
  std::string error;
  int http_status = 0;
  std::string response;  // the far side's answer body, if it gave one (e.g. "invalid_payload")
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
  WallClockSource now = nullptr;  // nullptr: the system clock (common/wall_clock.h)
  // Slack Web API base (tests point it at a fake on loopback).
  std::string slack_api_url = "https://slack.com/api";
  // Requested when a bounded shutdown gives up on the sends in flight: HTTP targets abort them
  // (HttpClient), and the delivery worker leaves their entries queued.
  std::stop_token abandon_sends;
};

// Channels: the outbox's order domain (Outbox::ClaimHead). Entries of one channel are sent one at
// a time, in order; different channels go in parallel, up to the target's max_concurrency.
//
//   slack (webhook), teams   one channel: "<name>". The webhook posts to one Slack/Teams channel
//                            whose readers expect order, so these send one request at a time.
//   slack (Web API)          one channel per Slack channel: "<name>#<channel id>". The channel is
//                            the target's `channel`, or one a route chose (TargetReference).
//   webhook, stdout          max_concurrency lanes: "<name>" for lane 0, "<name>/lane<N>" for the
//                            others, picked by a stable hash of the idempotency key. Order across
//                            alerts is not kept (a SIEM orders by event time); each lane is FIFO.
//
// The rate domain (token bucket, Retry-After pause) is the Slack channel for the Web API
// (docs/reference/formats.md §7.2: Slack rate-limits per channel) and the whole target otherwise
// (one endpoint).

// The target's default channel (lane 0, or the configured Slack channel).
std::string ChannelKey(const config::TargetConfig& target);
// The channel an alert goes to. `slack_channel` (Web API targets only; empty = the configured
// one) is a channel id a route chose.
std::string ChannelKey(const config::TargetConfig& target, const route::Alert& alert,
                       const std::string& slack_channel = "");
// How many channels a target sends to at once (1 for slack webhook and teams; max_concurrency for
// the others).
int EffectiveConcurrency(const config::TargetConfig& target);
// The Slack channel id of an entry of a Web API target (from its channel key).
std::string SlackChannelOf(const config::TargetConfig& target, const std::string& channel_key);
// The token bucket an entry's channel draws from (see above).
std::string RateKey(const config::TargetConfig& target, const std::string& channel_key);

// A target as a rule or route names it ("security-bot" or "security-bot#C0456789AB"): parsed in
// config/ (the rules loader checks references too).
using config::IsSlackChannelId;
using config::ParseTargetReference;
using config::TargetReference;

// Builds the target for a config entry. Errors name the target.
Result<std::unique_ptr<Target>> MakeTarget(const config::TargetConfig& target,
                                           const TargetContext& context);

}  // namespace trailwatch::targets
