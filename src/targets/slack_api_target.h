// Slack Web API target (docs/reference/formats.md §7.2): chat.postMessage with a bot token
// (Authorization: Bearer, never in the body) to a channel id, with the rendered Block Kit message.
//
// Threading (docs/reference/formats.md §7.6): alerts are grouped by (rule, identity, source IP).
// The first alert of a group posts a parent message and its ts is stored in the outbox's thread
// roots; later alerts of the group within thread_window (counted from the parent) are posted as
// replies with thread_ts, and the parent is re-rendered with the group's repeat count through
// chat.update. After the window a new parent starts a new thread. A failed chat.update does not
// fail the delivery (the reply was posted; retrying would post it twice); it is noted in the
// response.
//
// Answers: Slack reports errors as HTTP 200 {"ok":false,"error":code}. Transient codes
// (rate_limited, fatal_error, request_timeout, internal_error, service_unavailable), HTTP 429
// (Retry-After) and 5xx are retried; every other code (channel_not_found, not_in_channel,
// invalid_auth, invalid_blocks, msg_too_long, ...) is permanent.
//
// Thread-safety: Deliver is safe from many threads (the outbox serialises thread-root updates;
// entries of one channel are delivered one at a time by the delivery worker).
#pragma once

#include <memory>
#include <string>

#include "targets/target.h"

namespace trailwatch::targets {

std::unique_ptr<Target> MakeSlackApiTarget(const config::TargetConfig& target,
                                           const TargetContext& context);

// True for the Slack Web API error codes worth retrying (docs/reference/formats.md §7.2).
bool IsTransientSlackApiError(const std::string& code);

}  // namespace trailwatch::targets
