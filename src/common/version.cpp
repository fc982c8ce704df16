#include "common/version.h"

// Set by CMakeLists.txt for this file only; the fallbacks serve builds without it (fuzz tools).
#ifndef TW_VERSION
#define TW_VERSION "0.1.0"
#endif
#ifndef TW_GIT_COMMIT
#define TW_GIT_COMMIT "unknown"
#endif
#ifndef TW_BUILD_TYPE
#define TW_BUILD_TYPE "unknown"
#endif
#ifndef TW_COMPILER
#define TW_COMPILER "unknown"
#endif
#ifndef TW_SANITIZERS
#define TW_SANITIZERS "unknown"
#endif
#ifndef TW_MARCH_FLAG
#define TW_MARCH_FLAG ""
#endif

namespace trailwatch {

const char* Version() { return TW_VERSION; }

// A macro concatenation, so the User-Agent is built at compile time.
const char* UserAgent() { return "trailwatch/" TW_VERSION; }

const char* GitCommit() { return TW_GIT_COMMIT; }

std::string BuildFlags() {
  std::string flags = TW_BUILD_TYPE;
  flags.append(", ").append(TW_COMPILER);
  flags.append(", sanitizers ").append(TW_SANITIZERS);
  std::string march = TW_MARCH_FLAG;
  if (march.empty()) {
    flags.append(", no -march");
  } else {
    flags.append(", -march=").append(march);
  }
  return flags;
}

std::string VersionText() {
  std::string text = "trailwatch ";
  text.append(Version()).append("\ncommit: ").append(GitCommit());
  text.append("\nbuild: ").append(BuildFlags());
  return text;
}

}  // namespace trailwatch
