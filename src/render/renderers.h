// Message bodies per target kind. Each returns the exact JSON (or text) sent on the wire.
//
// Thread-safety: pure functions.
#pragma once

#include <string>

#include "route/alert.h"
#include "common/result.h"
#include "config/targets_config.h"
#include "render/alert_view.h"

namespace trailwatch::render {

struct SlackRenderOptions {
  int repeat_count = 1;  // > 1: the thread parent shows "seen N times" (chat.update)
};

// Slack Block Kit message: {"text": <plain fallback>, "blocks": [...]}, within Block Kit limits
// (<= 50 blocks, section text <= 3000 chars, field text <= 2000, header <= 150, values truncated).
// The caller adds "channel"/"thread_ts"/"ts" for the Web API.
std::string RenderSlackMessage(const AlertView& view, const SlackRenderOptions& options = {});

// Teams Workflows webhook body: a message with one Adaptive Card attachment carrying the same
// content as the Slack message.
std::string RenderTeamsMessage(const AlertView& view);

// Terminal text (several lines, readable at 3 a.m.) or one JSON line per alert.
std::string RenderStdout(const AlertView& view, const route::Alert& alert, bool terminal);

// EventBridge input transformer semantics (input_paths values are JSONPath-like "$.a.b" into the
// event; input_template with <name> placeholders; a string value inserted into a JSON template
// position is inserted as its JSON text, as EventBridge does; a missing path becomes null / empty).
// Errors name the path or placeholder.
Result<std::string> ApplyInputTransformer(const config::InputTransformerConfig& transformer,
                                          const std::string& event_json);

// What EventBridge's predefined variables stand for when trailwatch applies a transformer.
struct InputTransformerContext {
  std::string rule_name;       // <aws.events.rule-name>
  std::string ingestion_time;  // <aws.events.event.ingestion-time>; the envelope's `time` if empty
};

// As above, with the rule's name for <aws.events.rule-name> (the two-argument form leaves it
// empty). Full rules in input_transformer.cpp and docs/configuration.md.
Result<std::string> ApplyInputTransformer(const config::InputTransformerConfig& transformer,
                                          const std::string& event_json,
                                          const InputTransformerContext& context);

}  // namespace trailwatch::render
