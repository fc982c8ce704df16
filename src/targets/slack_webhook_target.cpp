#include "targets/slack_webhook_target.h"

#include "render/renderers.h"
#include "targets/json_webhook_target.h"

namespace trailwatch::targets {

std::unique_ptr<Target> MakeSlackWebhookTarget(const config::TargetConfig& target,
                                               const TargetContext& context) {
  return MakeJsonWebhookTarget(
      target, context,
      [](const render::AlertView& view) { return render::RenderSlackMessage(view); },
      "Slack webhook", /*slack_text_fallback=*/true);
}

}  // namespace trailwatch::targets
