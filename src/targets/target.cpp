#include "targets/target.h"

#include "targets/slack_api_target.h"
#include "targets/slack_webhook_target.h"
#include "targets/stdout_target.h"
#include "targets/teams_target.h"
#include "targets/webhook_target.h"

namespace trailwatch::targets {

std::string ChannelKey(const config::TargetConfig& target) {
  if (target.type == config::TargetConfig::Type::kSlack && !target.token.empty()) {
    return target.name + "#" + target.channel;
  }
  return target.name;
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
