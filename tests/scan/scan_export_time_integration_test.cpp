// `trailwatch scan` end to end on records whose eventTime is in the SIEM/Athena export form
// (`2024-11-25 17:51:21.000000000`: space, fraction, no zone): read as UTC, the match carries the
// normalised time, in a CloudTrail-layout gzip file and in JSON lines alike.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cli/cli_test_util.h"
#include "scan/scan_test_util.h"

namespace trailwatch::scan {
namespace {

using testing::Column;
using testing::Gzip;
using testing::LogFile;
using testing::LogKey;
using testing::Record;
using testing::RecordSpec;
using testing::WriteFile;
using trailwatch::testing::CommandResult;
using trailwatch::testing::RunTrailwatch;
using trailwatch::testing::TempDir;

TEST(ScanExportTimeCommand, ExportFormIsReadAsUtc) {
  TempDir dir;
  RecordSpec spec;
  spec.event_id = "athena-export";
  spec.time = "2024-11-25 17:51:21.000000000";
  WriteFile(dir.path(),
            LogKey("111122223333", "us-east-1", "2024-11-25", "1755", "AbCdEfGhIjKlMnOp"),
            Gzip(LogFile({Record(spec)})));
  spec.event_id = "siem-lines";
  spec.time = "2024-11-25 17:52:03.5";
  WriteFile(dir.path(), "siem/export.jsonl", Record(spec) + "\n");

  // The default rule (root-signin), with and without the literal prefilter.
  for (const char* strict : {"--quiet", "--strict"}) {
    CommandResult run = RunTrailwatch({"scan", dir.path(), "--output", "jsonl", strict});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    EXPECT_EQ(run.err, "") << strict;
    EXPECT_EQ(Column(run.out, "event_id"),
              (std::vector<std::string>{"athena-export", "siem-lines"}));
    EXPECT_EQ(Column(run.out, "time"),
              (std::vector<std::string>{"2024-11-25T17:51:21Z", "2024-11-25T17:52:03Z"}));
    EXPECT_EQ(Column(run.out, "rule"), (std::vector<std::string>{"root-signin", "root-signin"}));
  }

  // The envelope's `time` is the normalised text (a pattern on it matches); --since/--until
  // compare with it too.
  CommandResult by_time =
      RunTrailwatch({"scan", dir.path(), "--pattern", R"({"time":["2024-11-25T17:51:21Z"]})",
                     "--output", "jsonl", "--quiet"});
  ASSERT_EQ(by_time.exit_code, 0) << by_time.err;
  EXPECT_EQ(Column(by_time.out, "event_id"), std::vector<std::string>{"athena-export"});
  CommandResult since = RunTrailwatch({"scan", dir.path(), "--since", "2024-11-25T17:52:00Z",
                                       "--output", "jsonl", "--quiet"});
  ASSERT_EQ(since.exit_code, 0) << since.err;
  EXPECT_EQ(Column(since.out, "event_id"), std::vector<std::string>{"siem-lines"});
}

TEST(ScanExportTimeCommand, TimeWithoutZoneInRfc3339FormIsStillABadRecord) {
  TempDir dir;
  RecordSpec spec;
  spec.event_id = "no-zone";
  spec.time = "2024-11-25T17:51:21";
  std::string path = WriteFile(dir.path(), "records.json", LogFile({Record(spec)}));
  CommandResult run = RunTrailwatch({"scan", path, "--output", "jsonl", "--quiet"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.out, "");
  EXPECT_NE(run.err.find(path + ": record 0: record field \"eventTime\" is not an RFC 3339 time: "
                                "\"2024-11-25T17:51:21\""),
            std::string::npos)
      << run.err;
}

TEST(ScanExportTimeCommand, HelpNamesTheExportForm) {
  CommandResult help = RunTrailwatch({"scan", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("2024-11-25 17:51:21.000000000"), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("read as UTC"), std::string::npos) << help.out;
}

}  // namespace
}  // namespace trailwatch::scan
