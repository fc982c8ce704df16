// A webhook that receives one rendered JSON message per alert (Slack incoming webhooks, Teams
// Workflows): render the AlertView (or apply the target's input transformer), POST it to the
// secret webhook URL, classify the answer. The Slack and Teams targets differ only in renderer.
//
// Thread-safety: Deliver is safe from many threads.
#pragma once

#include <memory>
#include <string>

#include "render/alert_view.h"
#include "targets/target.h"

namespace trailwatch::targets {

using MessageRenderer = std::string (*)(const render::AlertView& view);

// `what` names the kind in errors ("Slack webhook"); never the URL, which is a secret.
// `slack_text_fallback`: a Slack blocks rejection is retried once as text only
// (slack_text_fallback.h).
std::unique_ptr<Target> MakeJsonWebhookTarget(const config::TargetConfig& target,
                                              const TargetContext& context,
                                              MessageRenderer renderer, std::string what,
                                              bool slack_text_fallback = false);

}  // namespace trailwatch::targets
