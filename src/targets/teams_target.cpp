#include "targets/teams_target.h"

#include "render/renderers.h"
#include "targets/json_webhook_target.h"

namespace trailwatch::targets {

std::unique_ptr<Target> MakeTeamsTarget(const config::TargetConfig& target,
                                        const TargetContext& context) {
  return MakeJsonWebhookTarget(
      target, context,
      [](const render::AlertView& view) { return render::RenderTeamsMessage(view); },
      "Teams webhook");
}

}  // namespace trailwatch::targets
