// Outbox entries for the target tests: the sample root sign-in alert, queued for a target, as the
// delivery worker would hand it to Target::Deliver; the alert alone (outbox and store tests) and a
// target made from a configuration.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "outbox/outbox.h"
#include "targets/target.h"

namespace trailwatch::testing {

// The sample root sign-in alert (targets/sample_alert.h) with `event_id`, for `target`, with its
// idempotency key.
outbox::Entry SampleOutboxEntry(const std::string& target, const std::string& event_id,
                                int64_t id = 1);

// The sample root sign-in alert (targets/sample_alert.h) with `event_id`, matched by `rule`;
// fails the current test if it cannot be built.
route::Alert SampleRootSignIn(const std::string& event_id, const std::string& rule = "root-signin");

// MakeTarget(config, context), failing the current test (and returning null) on an error.
std::unique_ptr<targets::Target> MakeTargetOrFail(const config::TargetConfig& config,
                                                  targets::TargetContext context = {});

}  // namespace trailwatch::testing
