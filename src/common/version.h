// The trailwatch version string, shown by `trailwatch --version`.
#pragma once

namespace trailwatch {
const char* Version();
}  // namespace trailwatch
