// Helpers for the scan tests: CloudTrail records and files laid out in the S3 key layout
// (docs/reference/formats.md §1.1), gzip, and running `trailwatch scan` with a chosen environment.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "cli/cli_test_util.h"

namespace trailwatch::scan::testing {

using trailwatch::testing::CommandResult;

// A JSON text re-serialised on one line (for JSON lines files).
std::string Compact(const std::string& json);
std::string Gzip(std::string_view data);

struct RecordSpec {
  std::string event_id;
  std::string time = "2024-05-01T12:00:00Z";
  std::string account = "111122223333";
  std::string region = "us-east-1";
  std::string identity_type = "Root";
  std::string user_name;  // IAMUser: userName, no arn
  std::string user_agent = "Mozilla/5.0";
};
// A console sign-in record with these fields.
std::string Record(const RecordSpec& spec);
// {"Records":[...]} of these records.
std::string LogFile(const std::vector<std::string>& records);
// The gzipped log file of one default record (RecordSpec) per event id, in order.
std::string GzippedLogWith(const std::vector<std::string>& event_ids);

// "AWSLogs/[org/]<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_
// YYYYMMDDTHHmmZ_<unique>.json.gz"; `date` is "YYYY-MM-DD", `hhmm` the delivery minute.
std::string LogKey(const std::string& account, const std::string& region, const std::string& date,
                   const std::string& hhmm, const std::string& unique, const std::string& org = "");

// Writes `content` to dir/relative, creating directories.
std::string WriteFile(const std::string& dir, const std::string& relative,
                      const std::string& content);

// Runs TW_BINARY with `args` and exactly `environment` (no inherited variables but PATH).
CommandResult RunWithEnvironment(const std::vector<std::string>& args,
                                 const std::map<std::string, std::string>& environment);

// The summary object written by --summary-json, as name -> number for the top-level numbers and
// "skipped.<name>" for the skip counts.
std::map<std::string, double> ReadSummary(const std::string& path);

// The values of `column` in the rows of JSON lines output, in order.
std::vector<std::string> Column(const std::string& jsonl, const std::string& column);

}  // namespace trailwatch::scan::testing
