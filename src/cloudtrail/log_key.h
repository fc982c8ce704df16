// CloudTrail S3 key / file path layout: which account, region, kind and delivery day a key holds.
//
// Keys follow docs/reference/formats.md §1.1:
//   [<prefix>/]AWSLogs/[<o-org-id>/]<account>/<CloudTrail|CloudTrail-Digest|CloudTrail-Insight>/
//   <region>/<YYYY>/<MM>/<DD>/<file>
// The scanner uses this to prune whole prefixes by account, region and delivery date before
// reading any bytes, and to skip digest and Insights files. Parsing follows the lenient regex of
// §1.1 exactly (see ParseLogKey); it is a hand-written split because it runs once per listed key.
//
// Thread-safety: pure function; LogKey is a plain value.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace trailwatch::cloudtrail {

enum class LogKind {
  kCloudTrail,  // `CloudTrail/`: log files with {"Records":[...]}
  kDigest,      // `CloudTrail-Digest/`: integrity digests (§1.8), never records
  kInsight,     // `CloudTrail-Insight/`: Insights events
};

// The components of a CloudTrail key. Every string_view points into the key passed to
// ParseLogKey: the key must outlive the LogKey.
struct LogKey {
  std::string_view prefix;   // trail key prefix, may contain '/'; empty when absent
  std::string_view org_id;   // "o-..." for organization trails; empty otherwise
  std::string_view account;  // 12 digits
  LogKind kind = LogKind::kCloudTrail;
  std::string_view region;  // the folder region ([a-z0-9-]+)
  // Delivery date (UTC) from the folder, not the event date (§1.1). Like the §1.1 regex, only
  // the digit count is checked, not the calendar.
  int year = 0;
  int month = 0;
  int day = 0;
  std::string_view file_name;  // the last component, never empty
};

// Parses a key or path by the §1.1 pattern
//   ^(?:(.+)/)?AWSLogs/(?:(o-[a-z0-9]{10,32})/)?(\d{12})/(CloudTrail|CloudTrail-Digest|
//   CloudTrail-Insight)/([a-z0-9-]+)/(\d{4})/(\d{2})/(\d{2})/([^/]+)$
// with the regex's preferences when a key could match two ways (a greedy prefix first, so the
// `AWSLogs` nearest the end wins). nullopt when the key is not a CloudTrail key. The region in
// the file name is deliberately not compared with the folder region: AWS's own sample has a
// us-east-2 folder holding a us-west-2 file name (§1.1).
std::optional<LogKey> ParseLogKey(std::string_view key);

// The delivery time in a CloudTrail log file's name (§1.1: `<account>_CloudTrail_<region>_
// <YYYYMMDDTHHmmZ>_<unique>.json.gz`), as seconds since the Unix epoch (UTC); the last
// `_YYYYMMDDTHHmmZ_` of the name counts. nullopt when the name holds none. For the sources' "age of
// the newest object" metric.
std::optional<int64_t> LogFileTimeSeconds(std::string_view file_name);

}  // namespace trailwatch::cloudtrail
