// Slack's "retry once as text-only" (docs/reference/formats.md §7.1, §7.2): when Slack rejects a
// message's Block Kit part (`invalid_payload`, `invalid_blocks`, or `msg_blocks_too_long` from
// chat.postMessage), the alert is sent again at once without `blocks`/`attachments`, keeping the
// plain `text` fallback every trailwatch message carries. Only if that is rejected too does the
// entry go dead.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>

namespace trailwatch::targets {

// Whether a Slack error code (webhook body or chat.postMessage `error`) means "the blocks were
// not accepted", so that the text alone may be.
bool IsSlackBlocksRejection(const std::string& code);

// The same JSON message without `blocks` and `attachments`; nullopt when it is not a JSON object
// or has no non-empty string `text` (nothing would be left to show).
std::optional<std::string> TextOnlySlackMessage(const std::string& message);

}  // namespace trailwatch::targets
