// The shortest API key the http source accepts for POST /events.
//
// Shared by the source's config loader and `export-cfn`, whose template's ApiKey parameter must
// refuse what trailwatch would refuse (otherwise a stack deploys and every event is answered 401).
// EventBridge connections take keys of up to 512 characters; a shorter one is guessable.
#pragma once

#include <cstddef>

namespace trailwatch::config {

inline constexpr size_t kMinApiKeyLength = 16;

}  // namespace trailwatch::config
