// MakeSource: the Source for one entry of the `sources` section.
//
// Thread-safety: pure function.
#pragma once

#include <memory>

#include "common/result.h"
#include "sources/source.h"
#include "sources/sources_config.h"

namespace trailwatch::service {

Result<std::unique_ptr<sources::Source>> MakeSource(const sources::SourceConfig& config,
                                                    const sources::SourceContext& context);

}  // namespace trailwatch::service
