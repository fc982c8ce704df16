#include "targets/json_webhook_target.h"

#include "targets/http_client.h"
#include "targets/http_outcome.h"
#include "targets/slack_text_fallback.h"

namespace trailwatch::targets {

namespace {

class JsonWebhookTarget : public Target {
 public:
  JsonWebhookTarget(config::TargetConfig config, TargetContext context, MessageRenderer renderer,
                    std::string what, bool slack_text_fallback)
      : config_(std::move(config)),
        context_(std::move(context)),
        renderer_(renderer),
        what_(std::move(what)),
        slack_text_fallback_(slack_text_fallback) {}

  Outcome Deliver(const outbox::Entry& entry) override {
    Result<std::string> body = MessageBody(config_, entry.alert, [&]() -> Result<std::string> {
      Result<render::AlertView> view = render::MakeAlertView(entry.alert, context_.account_aliases);
      if (!view.ok()) return view.error();
      return renderer_(*view);
    });
    if (!body.ok()) return Permanent{"rendering the " + what_ + " message: " + body.message(), 0};
    Outcome outcome = PostJsonWebhook(clients_, config_.webhook_url, *body, config_.timeout, what_);
    const auto* rejected = std::get_if<Permanent>(&outcome);
    if (!slack_text_fallback_ || !rejected || !IsSlackBlocksRejection(rejected->response)) {
      return outcome;
    }
    std::optional<std::string> text_only = TextOnlySlackMessage(*body);
    if (!text_only) return outcome;
    std::string first_error = rejected->error;
    Outcome second = PostJsonWebhook(clients_, config_.webhook_url, std::move(*text_only),
                                     config_.timeout, what_ + " (text-only retry)");
    if (auto* delivered = std::get_if<Delivered>(&second)) {
      delivered->response +=
          " (sent as text only; the full message was rejected: " + AnswerText(rejected->response) +
          ")";
    } else if (auto* permanent = std::get_if<Permanent>(&second)) {
      permanent->error = first_error + "; then " + permanent->error;
    }
    return second;
  }

 private:
  config::TargetConfig config_;
  TargetContext context_;
  MessageRenderer renderer_;
  std::string what_;
  bool slack_text_fallback_;
  HttpClientPool clients_{context_.abandon_sends};  // context_ is initialised first
};

}  // namespace

std::unique_ptr<Target> MakeJsonWebhookTarget(const config::TargetConfig& target,
                                              const TargetContext& context,
                                              MessageRenderer renderer, std::string what,
                                              bool slack_text_fallback) {
  return std::make_unique<JsonWebhookTarget>(target, context, renderer, std::move(what),
                                             slack_text_fallback);
}

}  // namespace trailwatch::targets
