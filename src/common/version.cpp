#include "common/version.h"

namespace trailwatch {
const char* Version() { return "0.1.0"; }
}  // namespace trailwatch
