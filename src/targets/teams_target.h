// Microsoft Teams Workflows webhook target (docs/reference/formats.md §7.4): POST a message with
// one Adaptive Card. Workflows answer 202 Accepted (legacy connectors 200): any 2xx is success; 429
// and 5xx are transient; other 4xx (400 bad payload, 404, 413 too large) permanent. The URL carries
// its own signature (sig=) and is treated as a secret.
//
// Thread-safety: Deliver is safe from many threads.
#pragma once

#include <memory>

#include "targets/target.h"

namespace trailwatch::targets {

std::unique_ptr<Target> MakeTeamsTarget(const config::TargetConfig& target,
                                        const TargetContext& context);

}  // namespace trailwatch::targets
