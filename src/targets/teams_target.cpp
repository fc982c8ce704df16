#include "targets/teams_target.h"

#include "render/renderers.h"
#include "targets/http_client.h"
#include "targets/http_outcome.h"

namespace trailwatch::targets {

namespace {

class TeamsTarget : public Target {
 public:
  TeamsTarget(config::TargetConfig config, TargetContext context)
      : config_(std::move(config)), context_(std::move(context)) {}

  Outcome Deliver(const outbox::Entry& entry) override {
    Result<std::string> body =
        MessageBody(config_, entry.alert, [&]() -> Result<std::string> {
          Result<render::AlertView> view =
              render::MakeAlertView(entry.alert, context_.account_aliases);
          if (!view.ok()) return view.error();
          return render::RenderTeamsMessage(*view);
        });
    if (!body.ok()) return Permanent{"rendering the Teams card: " + body.message(), 0};
    return PostJsonWebhook(clients_, config_.webhook_url, std::move(body.value()), config_.timeout,
                           "Teams webhook");
  }

 private:
  config::TargetConfig config_;
  TargetContext context_;
  HttpClientPool clients_;
};

}  // namespace

std::unique_ptr<Target> MakeTeamsTarget(const config::TargetConfig& target,
                                        const TargetContext& context) {
  return std::make_unique<TeamsTarget>(target, context);
}

}  // namespace trailwatch::targets
