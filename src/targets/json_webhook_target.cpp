#include "targets/json_webhook_target.h"

#include "targets/http_client.h"
#include "targets/http_outcome.h"

namespace trailwatch::targets {

namespace {

class JsonWebhookTarget : public Target {
 public:
  JsonWebhookTarget(config::TargetConfig config, TargetContext context, MessageRenderer renderer,
                    std::string what)
      : config_(std::move(config)),
        context_(std::move(context)),
        renderer_(renderer),
        what_(std::move(what)) {}

  Outcome Deliver(const outbox::Entry& entry) override {
    Result<std::string> body = MessageBody(config_, entry.alert, [&]() -> Result<std::string> {
      Result<render::AlertView> view = render::MakeAlertView(entry.alert, context_.account_aliases);
      if (!view.ok()) return view.error();
      return renderer_(*view);
    });
    if (!body.ok()) return Permanent{"rendering the " + what_ + " message: " + body.message(), 0};
    return PostJsonWebhook(clients_, config_.webhook_url, std::move(body.value()), config_.timeout,
                           what_);
  }

 private:
  config::TargetConfig config_;
  TargetContext context_;
  MessageRenderer renderer_;
  std::string what_;
  HttpClientPool clients_;
};

}  // namespace

std::unique_ptr<Target> MakeJsonWebhookTarget(const config::TargetConfig& target,
                                              const TargetContext& context,
                                              MessageRenderer renderer, std::string what) {
  return std::make_unique<JsonWebhookTarget>(target, context, renderer, std::move(what));
}

}  // namespace trailwatch::targets
