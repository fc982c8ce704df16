// TargetReference: a target as a rule or route names it — "security-bot", or for a Slack Web API
// target "security-bot#C0456789AB" (post to that Slack channel instead of the configured one).
//
// In config/ because both the rules loader (which checks the references) and the targets stage
// (which delivers to them) read it. Errors say what is wrong without echoing the text.
#pragma once

#include <string>

#include "common/result.h"

namespace trailwatch::config {

struct TargetReference {
  std::string name;
  std::string slack_channel;  // empty: the target's own channel
};

Result<TargetReference> ParseTargetReference(const std::string& text);

// Whether `id` looks like a Slack channel id: C, G or D, then 8-23 upper-case letters or digits.
bool IsSlackChannelId(const std::string& id);

}  // namespace trailwatch::config
