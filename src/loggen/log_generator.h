// A deterministic generator of realistic CloudTrail log files in the S3 layout, for benchmarks
// (`trailwatch generate`, bench/scan-vs-jq.sh) and tests.
//
// Real trails cannot be shipped, so the generator reproduces their shape (docs/reference/formats.md
// §1, §2):
//   * keys `<out>/AWSLogs/[o-org/]<account>/CloudTrail/<region>/YYYY/MM/DD/
//     <account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<16 chars>.json.gz`, one gzip member each,
//     holding `{"Records":[...]}`, records in eventTime order, all before the delivery minute;
//   * file sizes heavy-tailed (Pareto, alpha 0.9): most files a few KB of gzip from quiet
//     account-regions, a few of tens of MB from busy ones, which carry most of the bytes;
//   * a realistic event mix: AwsApiCall from many services (ec2 Describe*, iam, sts AssumeRole,
//     kms Decrypt, lambda, cloudtrail, logs, ssm, ...), S3 and Lambda data events (most of the big
//     files), AwsServiceEvent, AwsConsoleAction, AwsConsoleSignIn for IAM users and, rarely, the
//     root user (success with and without MFA, failure; always recorded in us-east-1, §2.4);
//     identities AssumedRole with sessionContext, IAMUser, AWSService with invokedBy,
//     WebIdentityUser and Root; eventVersion 1.08/1.09, UUID eventIDs, service-specific
//     requestIDs, tlsDetails, resources, occasional errorCode and large request payloads.
// Global-service calls (IAM) and root sign-ins only appear in us-east-1 files, as AWS records them.
//
// Determinism: the output is a pure function of the options (the thread count aside). Random
// numbers come from splitmix64 and every file has its own generator seeded from (seed, file
// index), so files can be written in parallel in any order and still be byte-identical; numbers
// are printed with integer formats only. The default end date is fixed for the same reason.
//
// Thread-safety: GenerateLogs is reentrant; it uses options.threads worker threads internally.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "common/result.h"

namespace trailwatch::cloudtrail {

struct CalendarDate {
  int year = 2025;
  int month = 1;
  int day = 31;
};

// Parses "YYYY-MM-DD" (a real calendar date, 1970-9999); errors quote the text.
Result<CalendarDate> ParseCalendarDate(std::string_view text);

struct LogGeneratorOptions {
  std::filesystem::path out_dir;  // must be absent or empty
  // Total uncompressed JSON bytes to write. The result lands within a record or so of it
  // (every file is filled up to its planned size, then closed).
  uint64_t target_bytes = 0;
  uint64_t seed = 1;
  int accounts = 20;  // 1..1000 account ids, derived from the seed
  int regions = 8;    // 1..kMaxGeneratedRegions, us-east-1 first
  int days = 30;      // delivery days, ending at `end` (inclusive)
  CalendarDate end;
  std::string org_id;  // "o-" + 10-32 [a-z0-9] for an organization-trail layout; empty for none
  int threads = 0;     // 0: one per hardware thread
  // gzip level for libdeflate. 6 is zlib's default, what AWS's gzip output resembles.
  int compression_level = 6;
  // Uncompressed file sizes drawn uniformly from [min_file_bytes, max_file_bytes] instead of the
  // heavy-tailed default (both 0): the many-small-files shape of real 5-minute deliveries
  // (issue 16, e.g. 100-260 KB). When set, max_file_bytes >= 2 * min_file_bytes >= 2 KB, so that
  // the last file, which takes what is left, stays in the range too.
  uint64_t min_file_bytes = 0;
  uint64_t max_file_bytes = 0;
};

inline constexpr int kMaxGeneratedRegions = 17;

// What was written, so that a scan of the output can be checked against it.
struct LogGeneratorReport {
  uint64_t files = 0;
  uint64_t records = 0;
  uint64_t compressed_bytes = 0;
  uint64_t uncompressed_bytes = 0;
  // Records with userIdentity.type "Root" and eventType "AwsConsoleSignIn" (all are
  // ConsoleLogin): exactly what the root-signin rule and the equivalent jq filter select.
  uint64_t root_sign_ins = 0;
  uint64_t root_sign_ins_failed = 0;    // of those, ConsoleLogin "Failure"
  uint64_t root_sign_ins_with_mfa = 0;  // of those, successful with MFAUsed yes
  uint64_t root_api_calls = 0;          // Root records that are not sign-ins (must not match)
  uint64_t console_sign_ins = 0;        // every AwsConsoleSignIn record, root or not
  uint64_t largest_file_compressed_bytes = 0;
  uint64_t largest_file_uncompressed_bytes = 0;
  uint64_t smallest_file_compressed_bytes = 0;
};

// Checks the options without writing anything; the message names the offending option.
Status ValidateLogGeneratorOptions(const LogGeneratorOptions& options);

// Writes the corpus under options.out_dir (created if needed). Errors name the file.
Result<LogGeneratorReport> GenerateLogs(const LogGeneratorOptions& options);

// The report as one JSON object (no trailing newline).
std::string LogGeneratorReportJson(const LogGeneratorReport& report);

}  // namespace trailwatch::cloudtrail
