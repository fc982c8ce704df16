// The sample alert `trailwatch send-test` sends: AWS's documented root ConsoleLogin record
// (CloudTrail User Guide, "AWS console sign-in events", root user sign-in success without MFA;
// docs/reference/formats.md §2.3 root-consolelogin-success-no-mfa.json), wrapped in the EventBridge
// envelope (docs/reference/formats.md §3.4), with a fresh eventID per call so that repeated tests
// are not deduplicated by the outbox.
//
// Thread-safety: pure functions.
#pragma once

#include <string>

#include "route/alert.h"
#include "common/result.h"

namespace trailwatch::targets {

// The alert for `rule` with `event_id` as the record's eventID (not marked as a test).
Result<route::Alert> SampleRootSignInAlert(const std::string& event_id, const std::string& rule);

// What `trailwatch send-test` sends: the sample above for rule "trailwatch-send-test", marked as
// a test (route::Alert::test, so every renderer says TEST) and with
// additionalEventData.TrailwatchSendTest in the record, so that even a target that forwards the
// raw event (webhook) carries the word in its body.
Result<route::Alert> SendTestAlert(const std::string& event_id);

// A random UUID v4 text, for sample event ids.
std::string RandomEventId();

}  // namespace trailwatch::targets
