// Outbox entries for the target tests: the sample root sign-in alert, queued for a target, as the
// delivery worker would hand it to Target::Deliver.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>

#include "outbox/outbox.h"

namespace trailwatch::testing {

// The sample root sign-in alert (targets/sample_alert.h) with `event_id`, for `target`, with its
// idempotency key.
outbox::Entry SampleOutboxEntry(const std::string& target, const std::string& event_id,
                                int64_t id = 1);

}  // namespace trailwatch::testing
