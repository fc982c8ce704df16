// The trailwatch version string, shown by `trailwatch --version`, and the User-Agent every
// outgoing HTTP request carries (Slack, Teams, webhooks, AWS, SNS), so that a receiver's logs
// say which program and release sent a request; the git commit and build flags of this binary
// (`--version`, the trailwatch_build_info metric).
//
// The commit and flags are compile definitions of version.cpp set by CMakeLists.txt: the commit
// checked out when the build was configured, "unknown" outside a git checkout.
//
// Thread-safety: pure functions returning static strings.
#pragma once

#include <string>

namespace trailwatch {

// "0.1.0".
const char* Version();

// "trailwatch/<Version()>", for the User-Agent header.
const char* UserAgent();

// The git commit the binary was built from (12 hex digits), or "unknown".
const char* GitCommit();

// "Release, GNU 12.2.0, sanitizers off, -march=x86-64-v3".
std::string BuildFlags();

// What `trailwatch --version` prints:
//   trailwatch 0.1.0
//   commit: 911b1d2c0ffe
//   build: Release, GNU 12.2.0, sanitizers off, -march=x86-64-v3
std::string VersionText();

}  // namespace trailwatch
