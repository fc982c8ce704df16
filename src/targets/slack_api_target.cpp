#include "targets/slack_api_target.h"
#include "common/wall_clock.h"

#include <simdjson.h>
#include <spdlog/spdlog.h>

#include "common/json_string.h"
#include "render/renderers.h"
#include "targets/http_client.h"
#include "targets/http_outcome.h"
#include "targets/slack_text_fallback.h"

namespace trailwatch::targets {

namespace {

struct SlackAnswer {
  bool parsed = false;
  bool ok = false;
  std::string error;
  std::string ts;
  std::string channel;
};

SlackAnswer ParseAnswer(const std::string& body) {
  SlackAnswer answer;
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(body);
  simdjson::ondemand::document doc;
  if (parser.iterate(padded).get(doc)) return answer;
  simdjson::ondemand::object object;
  if (doc.get_object().get(object)) return answer;
  answer.parsed = true;
  for (auto field : object) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return SlackAnswer{};
    if (key == "ok") {
      bool ok = false;
      if (!field.value().get_bool().get(ok)) answer.ok = ok;
    } else if (key == "error" || key == "ts" || key == "channel") {
      std::string_view value;
      if (field.value().get_string().get(value)) continue;
      if (key == "error")
        answer.error = value;
      else if (key == "ts")
        answer.ts = value;
      else
        answer.channel = value;
    }
  }
  return answer;
}

// Puts `fields` (already JSON members, without braces) at the start of the JSON object `object`.
Result<std::string> WithFields(const std::string& fields, const std::string& object) {
  size_t open = object.find_first_not_of(" \t\r\n");
  if (open == std::string::npos || object[open] != '{') {
    return Error{"the message is not a JSON object"};
  }
  size_t next = object.find_first_not_of(" \t\r\n", open + 1);
  bool empty = next != std::string::npos && object[next] == '}';
  return "{" + fields + (empty ? "" : ",") + object.substr(open + 1);
}

std::string Field(const std::string& name, const std::string& value) {
  std::string out;
  AppendJsonString(out, name);
  out += ":";
  AppendJsonString(out, value);
  return out;
}

class SlackApiTarget : public Target {
 public:
  SlackApiTarget(config::TargetConfig config, TargetContext context)
      : config_(std::move(config)), context_(std::move(context)) {}

  Outcome Deliver(const outbox::Entry& entry) override {
    Result<render::AlertView> view = render::MakeAlertView(entry.alert, context_.account_aliases);
    if (!view.ok()) return Permanent{"rendering the Slack message: " + view.message(), 0};
    Result<std::string> message = MessageBody(config_, entry.alert, [&]() -> Result<std::string> {
      return render::RenderSlackMessage(*view);
    });
    if (!message.ok()) return Permanent{"rendering the Slack message: " + message.message(), 0};

    int64_t now = NowMs();
    // The entry's channel: the configured one, or one a route chose (it is in the channel key).
    const std::string channel = SlackChannelOf(config_, entry.channel_key);
    // Thread roots are per Slack channel: a repeat is threaded under the first message in the
    // same channel. The configured channel keeps the target name as its scope.
    const std::string scope =
        channel == config_.channel ? config_.name : config_.name + "#" + channel;
    std::string group = GroupKey(*view);
    std::optional<outbox::ThreadRoot> root;
    if (context_.outbox) {
      auto found = context_.outbox->FindThreadRoot(scope, group);
      if (!found.ok()) return Retry{found.message(), std::nullopt, 0};
      if (*found && now - (*found)->first_seen <
                        std::chrono::duration_cast<std::chrono::milliseconds>(config_.thread_window)
                            .count()) {
        root = std::move(**found);
      }
    }

    std::string fields = Field("channel", channel);
    if (root) fields += "," + Field("thread_ts", root->ts);
    Result<std::string> body = WithFields(fields, *message);
    if (!body.ok()) return Permanent{"input_template: " + body.message(), 0};
    SlackAnswer answer;
    Outcome outcome = Call("chat.postMessage", *body, &answer);
    if (std::holds_alternative<Permanent>(outcome) && IsSlackBlocksRejection(answer.error)) {
      outcome = PostTextOnly(fields, *message, std::move(outcome), &answer);
    }
    auto* delivered = std::get_if<Delivered>(&outcome);
    if (!delivered || !context_.outbox) return outcome;

    if (!root) {
      outbox::ThreadRoot parent;
      parent.ts = answer.ts;
      parent.channel = answer.channel.empty() ? channel : answer.channel;
      parent.parent_alert = outbox::SerializeAlert(entry.alert);
      parent.first_seen = now;
      parent.count = 1;
      if (Status s = context_.outbox->SaveThreadRoot(scope, group, parent); !s.ok()) {
        spdlog::warn("target {}: entry {}: posted, but the thread root was not saved: {}",
                     config_.name, entry.id, s.message());
      }
      delivered->thread_ts = answer.ts;
      return outcome;
    }

    delivered->thread_ts = root->ts;
    auto count = context_.outbox->BumpThreadRoot(scope, group);
    if (!count.ok()) {
      delivered->response += " (repeat count not updated: " + count.message() + ")";
      return outcome;
    }
    if (config_.input_transformer) return outcome;  // the user's template has no count to update
    std::string note = UpdateParent(*root, *count);
    if (!note.empty()) {
      spdlog::warn("target {}: entry {}: {}", config_.name, entry.id, note);
      delivered->response += " (" + note + ")";
    }
    return outcome;
  }

 private:
  int64_t NowMs() const { return WallClockMs(context_.now); }

  // Slack rejected the blocks: once more with the text alone (slack_text_fallback.h).
  Outcome PostTextOnly(const std::string& fields, const std::string& message, Outcome first,
                       SlackAnswer* answer) {
    std::optional<std::string> text_only = TextOnlySlackMessage(message);
    if (!text_only) return first;
    Result<std::string> body = WithFields(fields, *text_only);
    if (!body.ok()) return first;
    std::string first_code = answer->error;
    std::string first_error = std::get<Permanent>(first).error;
    Outcome second = Call("chat.postMessage", *body, answer);
    if (auto* delivered = std::get_if<Delivered>(&second)) {
      delivered->response +=
          " (sent as text only; the full message was rejected: " + first_code + ")";
    } else if (auto* permanent = std::get_if<Permanent>(&second)) {
      permanent->error = first_error + "; then the text-only retry: " + permanent->error;
    }
    return second;
  }

  static std::string GroupKey(const render::AlertView& view) {
    std::string key = "[";
    AppendJsonString(key, view.rule);
    key += ",";
    AppendJsonString(key, view.identity);
    key += ",";
    AppendJsonString(key, view.source_ip);
    return key + "]";
  }

  // Re-renders the parent with the group's count; returns "" or what went wrong.
  std::string UpdateParent(const outbox::ThreadRoot& root, int64_t count) {
    Result<route::Alert> parent = outbox::ParseAlert(root.parent_alert);
    if (!parent.ok()) return "repeat count not updated: stored parent unreadable";
    Result<render::AlertView> view = render::MakeAlertView(*parent, context_.account_aliases);
    if (!view.ok()) return "repeat count not updated: " + view.message();
    render::SlackRenderOptions options;
    options.repeat_count = static_cast<int>(count);
    std::string fields = Field("channel", root.channel) + "," + Field("ts", root.ts);
    Result<std::string> body = WithFields(fields, render::RenderSlackMessage(*view, options));
    if (!body.ok()) return "repeat count not updated: " + body.message();
    SlackAnswer answer;
    Outcome outcome = Call("chat.update", *body, &answer);
    if (auto* retry = std::get_if<Retry>(&outcome)) return "chat.update failed: " + retry->error;
    if (auto* permanent = std::get_if<Permanent>(&outcome)) {
      return "chat.update failed: " + permanent->error;
    }
    return "";
  }

  Outcome Call(const std::string& method, const std::string& body, SlackAnswer* answer) {
    HttpRequest request;
    request.url = context_.slack_api_url + "/" + method;
    request.headers = {{"Content-Type", "application/json; charset=utf-8"},
                       {"Authorization", "Bearer " + config_.token.reveal()}};
    request.body = body;
    request.timeout = config_.timeout;
    Result<HttpResponse> response = [&] {
      auto client = clients_.Acquire();
      return client->Post(request);
    }();
    const std::string what = "Slack " + method;
    Outcome outcome = ClassifyHttp(what, response);
    auto* delivered = std::get_if<Delivered>(&outcome);
    if (!delivered) return outcome;
    *answer = ParseAnswer(response->body);
    if (!answer->parsed) {
      return Retry{what + ": unexpected answer (HTTP " + std::to_string(response->status) +
                       "): " + AnswerText(response->body),
                   std::nullopt, delivered->http_status};
    }
    if (answer->ok) return outcome;
    std::string error = what + ": " + (answer->error.empty() ? "ok:false" : answer->error);
    if (IsTransientSlackApiError(answer->error)) {
      std::optional<std::chrono::seconds> retry_after;
      if (auto it = response->headers.find("retry-after"); it != response->headers.end()) {
        retry_after = ParseRetryAfter(it->second, std::chrono::system_clock::now());
      }
      return Retry{error, retry_after, delivered->http_status};
    }
    return Permanent{error, delivered->http_status};
  }

  config::TargetConfig config_;
  TargetContext context_;
  HttpClientPool clients_{context_.abandon_sends};  // context_ is initialised first
};

}  // namespace

bool IsTransientSlackApiError(const std::string& code) {
  // docs/reference/formats.md §7.2 lists rate_limited, fatal_error and request_timeout;
  // internal_error, service_unavailable and ratelimited are the same conditions under other Slack
  // API methods' spellings.
  return code == "rate_limited" || code == "ratelimited" || code == "fatal_error" ||
         code == "request_timeout" || code == "internal_error" || code == "service_unavailable";
}

std::unique_ptr<Target> MakeSlackApiTarget(const config::TargetConfig& target,
                                           const TargetContext& context) {
  return std::make_unique<SlackApiTarget>(target, context);
}

}  // namespace trailwatch::targets
