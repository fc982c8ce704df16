// stdout target: prints each alert — readable text when stdout is a terminal, one JSON line per
// alert otherwise (for pipes and log collectors). Lines are written whole under a mutex so that
// concurrent deliveries never interleave.
//
// Thread-safety: Deliver is safe from many threads.
#pragma once

#include <memory>

#include "targets/target.h"

namespace trailwatch::targets {

std::unique_ptr<Target> MakeStdoutTarget(const config::TargetConfig& target,
                                         const TargetContext& context);

}  // namespace trailwatch::targets
