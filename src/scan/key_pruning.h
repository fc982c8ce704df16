// Key pruning: which CloudTrail log files can hold events wanted by --since/--until/--accounts/
// --regions, decided from the S3 key or path alone, before any byte is read.
//
// Keys follow docs/reference/formats.md §1.1:
// `AWSLogs/[o-…/]<account>/CloudTrail/<region>/YYYY/MM/DD/<file>`
// where YYYY/MM/DD and the `YYYYMMDDTHHmmZ` in the file name are the *delivery* time, not the
// event time. A file holds only events from before its delivery, so:
//   * a file delivered before --since holds nothing wanted (checked per day folder and, finer,
//     per file-name minute);
//   * a file delivered after --until may still hold earlier events, delivered late. CloudTrail
//     delivers "typically about 5 minutes after the API call; not guaranteed"
// (docs/reference/formats.md §1.5),
//     so files are read up to kDeliveryDelayAllowance after --until. Events delivered later than
//     that are missed; this is the documented trade-off of pruning.
// Records that survive pruning are then filtered by their own eventTime, account and region
// (RecordWanted), so pruning only ever saves work, never changes which rows are printed for files
// it keeps.
//
// Thread-safety: ScanFilter is a plain value; all functions are pure.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cloudtrail/log_key.h"
#include "common/result.h"

namespace trailwatch::scan {

using TimePoint = std::chrono::sys_seconds;

// How long after --until a log file is still read: one day, far beyond the ~5 minutes CloudTrail
// typically needs (docs/reference/formats.md §1.5) while costing at most one extra day of files per
// account and region.
inline constexpr std::chrono::seconds kDeliveryDelayAllowance = std::chrono::hours(24);

// Slack when comparing a file's delivery minute with --since, in case a record's eventTime is a
// little after the delivery time stamped in the file name (clock skew between services).
inline constexpr std::chrono::seconds kDeliveryClockSlack = std::chrono::minutes(15);

// Parses a --since/--until value: an RFC 3339 date-time (`2024-05-01T00:00:00Z`), a date
// (`2024-05-01`: its start for --since, its last second for --until, UTC), or a duration before
// `now`: `<n>d`, `<n>h`, `<n>m` (days, hours, minutes; `90d` = 90 days ago). Errors say what is
// accepted.
Result<TimePoint> ParseTimeArgument(std::string_view text, TimePoint now, bool end_of_day);

// Splits "A,B,C" and checks each item: 12-digit accounts, [a-z0-9-]+ regions.
Result<std::vector<std::string>> ParseAccountList(std::string_view text);
Result<std::vector<std::string>> ParseRegionList(std::string_view text);

enum class PruneReason { kKept, kTime, kAccount, kRegion };

struct ScanFilter {
  std::optional<TimePoint> since;
  std::optional<TimePoint> until;
  std::vector<std::string> accounts;  // empty = every account
  std::vector<std::string> regions;   // empty = every region

  bool AccountWanted(std::string_view account) const;
  bool RegionWanted(std::string_view region) const;
  bool TimeWanted(TimePoint event_time) const;
  bool has_time_bounds() const { return since.has_value() || until.has_value(); }

  // Delivery-date ranges: may a folder for this year / month / day hold wanted events?
  bool YearMayHold(int year) const;
  bool MonthMayHold(int year, int month) const;
  bool DayMayHold(int year, int month, int day) const;

  // The whole decision for one parsed key (account, region, delivery day and file-name minute).
  PruneReason Prune(const cloudtrail::LogKey& key) const;
};

// The delivery minute in a CloudTrail file name (`<account>_CloudTrail_<region>_20150801T0210Z_…`),
// nullopt when the name carries none.
std::optional<TimePoint> DeliveryTimeFromFileName(std::string_view file_name);

}  // namespace trailwatch::scan
