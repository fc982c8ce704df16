// The sandbox's sample events: every rule pack's sample CloudTrail records (the cases of
// tests/fixtures/packs/, compiled in by console_assets.h), each as the EventBridge event its
// record becomes, so that a pattern copied from AWS can be tried on them as it is.
//
// Thread-safety: a pure function.
#pragma once

#include <vector>

#include "console/console_data.h"

namespace trailwatch::console {

// In the packs' order, then the cases' order. A case whose record does not make an envelope is
// left out (the packs' own tests keep them valid).
std::vector<SampleEvent> PackSampleEvents();

}  // namespace trailwatch::console
