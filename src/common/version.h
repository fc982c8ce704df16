// The trailwatch version string, shown by `trailwatch --version`, and the User-Agent every
// outgoing HTTP request carries (Slack, Teams, webhooks, AWS, SNS), so that a receiver's logs
// say which program and release sent a request.
//
// Thread-safety: pure functions returning static strings.
#pragma once

namespace trailwatch {

// "0.1.0".
const char* Version();

// "trailwatch/<Version()>", for the User-Agent header.
const char* UserAgent();

}  // namespace trailwatch
