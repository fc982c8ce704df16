// S3Source: polls a CloudTrail bucket (`{type: s3, bucket: ..., prefix: AWSLogs/, ...}`).
//
// Every poll_interval it lists, per account/region prefix
//   <prefix>AWSLogs/<account>/CloudTrail/<region>/            (single-account trail)
//   <prefix>AWSLogs/o-<org>/<account>/CloudTrail/<region>/    (organization trail)
// the keys after its checkpoint (ListObjectsV2 StartAfter), reads each new log file (GetObject,
// log_object_reader.h), Submits its events and then records it. The prefixes are discovered with
// delimiter listings (docs/reference/formats.md §1.1: never list the whole bucket) on the first
// poll and every tenth poll after. `prefix` may be the trail's key prefix ("team/") or end in
// "AWSLogs/".
//
// Checkpoints (store/checkpoint_store.h), per source name:
//   "last:<region prefix>"  the greatest key read under that prefix
//   "done:<key>"            each key read in the last kLookback of delivery time
// CloudTrail file names sort by delivery minute (§1.1), but files of neighbouring minutes may
// become visible out of order, so each poll lists from kLookback (15 min) before the last key's
// delivery minute and skips keys recorded "done"; "done" rows older than that are deleted. A
// new prefix starts at start_date (YYYY-MM-DD), or today (UTC) at start-up when empty, so a new
// deployment does not alert on the bucket's history.
//
// A key is recorded only after Submit accepted all its events; a Submit failure stops that
// prefix for this poll (retried on the next). An object that cannot be fetched is retried on the
// next polls and given up (logged, counted, recorded as failed) after kMaxGetAttempts; an object
// that is not readable CloudTrail is recorded as failed at once. Digest and non-CloudTrail keys
// are skipped and counted.
//
// Thread-safety: Run is called once, on its own thread; name() from any thread.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aws/credentials.h"
#include "sources/source.h"
#include "sources/sources_config.h"

namespace trailwatch::aws {
class S3Client;
}
namespace trailwatch::store {
class CheckpointStore;
}

namespace trailwatch::sources {

class LogObjectReader;

struct S3SourceOptions {
  // Credentials and endpoint lookup; empty = the process environment.
  std::optional<aws::Environment> environment;
  // Overrides config.poll_interval (tests poll every ~100 ms).
  std::optional<std::chrono::milliseconds> poll_interval;
  // "Today" for an empty start_date, as YYYY-MM-DD; empty = the UTC date at start-up (tests).
  std::string today;
};

class S3Source : public Source {
 public:
  static constexpr std::chrono::minutes kLookback{15};
  static constexpr int kMaxGetAttempts = 5;
  static constexpr int kDiscoverEveryPolls = 10;

  S3Source(S3SourceConfig config, SourceContext context, S3SourceOptions options = {});
  ~S3Source() override;

  std::string name() const override;
  Status Run(std::stop_token stop, EventSink& sink) override;

  // The StartAfter for a prefix whose greatest key read is `last_key`: kLookback before its
  // delivery minute (`last_key` itself when it carries no delivery minute). Exposed for tests.
  static std::string LookbackStartAfter(const std::string& region_prefix,
                                        const std::string& last_key);

 private:
  Status Discover();  // fills prefixes_
  // One poll of one region prefix; false when the poll should stop (stop requested).
  void PollPrefix(const std::string& prefix, std::map<std::string, std::string>& checkpoints,
                  std::stop_token stop, EventSink& sink);

  S3SourceConfig config_;
  SourceContext context_;
  S3SourceOptions options_;
  std::string name_;
  std::string start_after_first_;  // "YYYY/MM/DD" for a new prefix
  std::unique_ptr<aws::S3Client> s3_;
  std::unique_ptr<store::CheckpointStore> checkpoints_;
  std::unique_ptr<LogObjectReader> reader_;
  std::vector<std::string> prefixes_;        // .../CloudTrail/<region>/
  std::map<std::string, int> get_failures_;  // key -> failed GetObject attempts
};

}  // namespace trailwatch::sources
