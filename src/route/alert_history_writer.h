// The alert history rows of what the pipeline committed: it records what the pipeline committed to the outbox in the alert history the
// web console lists (store/alert_history.h; issue 15): one row per (event, rule) — the alert's
// columns from render::AlertView, so the console shows what Slack showed — linked to the outbox
// rows that carry it to each target.
//
// An alert grouped for one target (rule R1, also R2) and alerted per rule for another is one
// history row for (event, R1), linked to both targets' rows, and one for (event, R2) linked to the
// second target only: the console's per-target status then reads exactly the outbox rows that
// carry the alert.
//
// Thread-safety: pure functions.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/result.h"
#include "outbox/outbox.h"
#include "store/alert_history.h"

namespace trailwatch::route {

// The history's unique key of an alert: which event and which (primary) rule, as a JSON array.
std::string AlertHistoryKey(const Alert& alert);

// The history rows for a batch of outbox entries (in order of first appearance); `now_ms` is the
// recording time.
std::vector<store::NewAlert> MakeHistoryRecords(
    const std::vector<outbox::NewEntry>& entries,
    const std::map<std::string, std::string>& account_aliases, int64_t now_ms);

}  // namespace trailwatch::route
