#include "common/version.h"

// One spelling of the version for both strings (a macro, so the User-Agent is concatenated at
// compile time).
#define TW_VERSION "0.1.0"

namespace trailwatch {

const char* Version() { return TW_VERSION; }

const char* UserAgent() { return "trailwatch/" TW_VERSION; }

}  // namespace trailwatch
