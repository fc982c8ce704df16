#include "targets/slack_text_fallback.h"

#include <simdjson.h>

#include "common/json_string.h"

namespace trailwatch::targets {

bool IsSlackBlocksRejection(const std::string& code) {
  // Webhooks answer the code as a plain-text body, maybe with a trailing newline.
  std::string trimmed = code;
  while (!trimmed.empty() &&
         (trimmed.back() == '\n' || trimmed.back() == '\r' || trimmed.back() == ' ')) {
    trimmed.pop_back();
  }
  return trimmed == "invalid_payload" || trimmed == "invalid_blocks" ||
         trimmed == "msg_blocks_too_long";
}

std::optional<std::string> TextOnlySlackMessage(const std::string& message) {
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  if (parser.parse(message).get(object) != simdjson::SUCCESS) return std::nullopt;
  std::string out = "{";
  bool has_text = false;
  for (auto field : object) {
    if (field.key == "blocks" || field.key == "attachments") continue;
    if (field.key == "text") {
      std::string_view text;
      if (field.value.get_string().get(text) != simdjson::SUCCESS || text.empty()) {
        return std::nullopt;
      }
      has_text = true;
    }
    if (out.size() > 1) out += ",";
    AppendJsonString(out, field.key);
    out += ":";
    out += simdjson::minify(field.value);
  }
  if (!has_text) return std::nullopt;
  return out + "}";
}

}  // namespace trailwatch::targets
