#include "targets/target.h"

#include <algorithm>

#include "targets/slack_api_target.h"
#include "targets/slack_webhook_target.h"
#include "targets/stdout_target.h"
#include "targets/teams_target.h"
#include "targets/webhook_target.h"

namespace trailwatch::targets {

namespace {

bool IsSlackApi(const config::TargetConfig& target) {
  return target.type == config::TargetConfig::Type::kSlack && !target.token.empty();
}

bool HasLanes(const config::TargetConfig& target) {
  return target.type == config::TargetConfig::Type::kWebhook ||
         target.type == config::TargetConfig::Type::kStdout;
}

// FNV-1a, 64 bit: stable across processes, builds and platforms (std::hash is not), so an entry
// keeps its lane whoever enqueues it.
uint64_t StableHash(const std::string& text) {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash;
}

}  // namespace

std::string ChannelKey(const config::TargetConfig& target) {
  if (IsSlackApi(target)) return target.name + "#" + target.channel;
  return target.name;
}

std::string ChannelKey(const config::TargetConfig& target, const route::Alert& alert,
                       const std::string& slack_channel) {
  if (IsSlackApi(target)) {
    return target.name + "#" + (slack_channel.empty() ? target.channel : slack_channel);
  }
  int lanes = EffectiveConcurrency(target);
  if (lanes <= 1) return target.name;
  uint64_t lane = StableHash(outbox::IdempotencyKey(target.name, alert)) % lanes;
  if (lane == 0) return target.name;
  return target.name + "/lane" + std::to_string(lane);
}

int EffectiveConcurrency(const config::TargetConfig& target) {
  if (HasLanes(target) || IsSlackApi(target)) return std::max(1, target.max_concurrency);
  return 1;
}

std::string SlackChannelOf(const config::TargetConfig& target, const std::string& channel_key) {
  std::string prefix = target.name + "#";
  if (channel_key.size() > prefix.size() && channel_key.compare(0, prefix.size(), prefix) == 0) {
    return channel_key.substr(prefix.size());
  }
  return target.channel;
}

std::string RateKey(const config::TargetConfig& target, const std::string& channel_key) {
  return IsSlackApi(target) ? channel_key : target.name;
}

Result<std::unique_ptr<Target>> MakeTarget(const config::TargetConfig& target,
                                           const TargetContext& context) {
  using Type = config::TargetConfig::Type;
  switch (target.type) {
    case Type::kSlack:
      if (!target.token.empty()) {
        if (target.channel.empty()) {
          return Error{"target \"" + target.name + "\": a Slack bot token needs a channel"};
        }
        if (!context.outbox) {
          return Error{"target \"" + target.name + "\": the Slack Web API target needs the outbox"};
        }
        return MakeSlackApiTarget(target, context);
      }
      if (target.webhook_url.empty()) {
        return Error{"target \"" + target.name + "\": slack needs webhook_url or token + channel"};
      }
      return MakeSlackWebhookTarget(target, context);
    case Type::kTeams:
      if (target.webhook_url.empty()) {
        return Error{"target \"" + target.name + "\": teams needs webhook_url"};
      }
      return MakeTeamsTarget(target, context);
    case Type::kWebhook:
      if (target.url.empty()) return Error{"target \"" + target.name + "\": webhook needs url"};
      return MakeWebhookTarget(target, context);
    case Type::kStdout:
      return MakeStdoutTarget(target, context);
  }
  return Error{"target \"" + target.name + "\": unknown type"};
}

}  // namespace trailwatch::targets
