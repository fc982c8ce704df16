// Turning an HTTP exchange into a delivery Outcome, shared by the HTTP targets.
//
// The classes follow docs/reference/formats.md §7.1 (Slack webhooks), §7.2 (Web API), §7.4 (Teams)
// and §7.5 (generic webhooks): 2xx delivered (callers narrow this when the body matters); 408, 429
// and 5xx transient; transport errors (timeout, refused, TLS) transient; every other status
// permanent. Retry-After is carried on any transient answer that has one.
//
// Thread-safety: pure functions.
#pragma once

#include <string>

#include "common/result.h"
#include "targets/http_client.h"
#include "targets/target.h"

namespace trailwatch::targets {

// The answer's body, made safe and short for an error message / the outbox.
std::string AnswerText(const std::string& body);

// Classifies a finished exchange. `what` names the destination kind for messages ("Slack
// webhook"); it never contains the URL.
Outcome ClassifyHttp(const std::string& what, const Result<HttpResponse>& answer);

// POSTs a JSON body to a webhook URL (Slack incoming webhook, Teams Workflows) and classifies the
// answer; `what` names the target kind in errors (never the URL: it is a secret).
Outcome PostJsonWebhook(HttpClientPool& clients, const config::Secret& url, std::string body,
                        std::chrono::seconds timeout, const std::string& what);

// The transient outcome for a transport error.
Outcome TransportFailure(const std::string& what, const Error& error);

// Body for a target: the input transformer's output when configured, else `render()`.
template <typename Render>
Result<std::string> MessageBody(const config::TargetConfig& target, const route::Alert& alert,
                                Render render);

}  // namespace trailwatch::targets

#include "render/renderers.h"

namespace trailwatch::targets {

template <typename Render>
Result<std::string> MessageBody(const config::TargetConfig& target, const route::Alert& alert,
                                Render render) {
  if (target.input_transformer) {
    // The rule name feeds <aws.events.rule-name>, as EventBridge fills it for its targets.
    return render::ApplyInputTransformer(*target.input_transformer, alert.envelope.json,
                                         render::InputTransformerContext{alert.rule, ""});
  }
  return render();
}

}  // namespace trailwatch::targets
