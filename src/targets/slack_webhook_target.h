// Slack incoming webhook target (docs/reference/formats.md §7.1): POST {"text","blocks"} to the
// webhook URL. Success is HTTP 200 (body "ok"); 4xx bodies (invalid_payload, channel_not_found,
// no_service, ...) are permanent; 429 (Retry-After) and 5xx (rollup_error) are transient. Webhooks
// return no message ts, so they cannot thread repeats.
//
// Thread-safety: Deliver is safe from many threads.
#pragma once

#include <memory>

#include "targets/target.h"

namespace trailwatch::targets {

std::unique_ptr<Target> MakeSlackWebhookTarget(const config::TargetConfig& target,
                                               const TargetContext& context);

}  // namespace trailwatch::targets
