// `trailwatch scan` end to end on temporary directories laid out like a trail bucket
// (docs/reference/formats.md §1.1): every reader format, pruning, bad files, output formats, thread
// counts and usage errors.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <set>

#include "cli/cli_test_util.h"
#include "cloudtrail/gzip_bomb_util.h"
#include "scan/scan_test_util.h"

namespace trailwatch::scan {
namespace {

using testing::Column;
using testing::Compact;
using trailwatch::testing::ReadFixture;
using testing::Gzip;
using testing::LogFile;
using testing::LogKey;
using testing::ReadSummary;
using testing::Record;
using testing::RecordSpec;
using testing::WriteFile;
using trailwatch::testing::CommandResult;
using trailwatch::testing::RunTrailwatch;
using trailwatch::testing::TempDir;

// Matches every CloudTrail record.
constexpr const char* kEverything = R"({"detail":{"eventID":[{"exists":true}]}})";

std::multiset<std::string> AsSet(const std::vector<std::string>& values) {
  return {values.begin(), values.end()};
}

TEST(ScanCommand, EveryReaderFormat) {
  TempDir dir;
  std::string key = LogKey("111122223333", "us-east-1", "2022-11-10", "1625", "AbCdEfGhIjKlMnOp");
  WriteFile(dir.path(), key, ReadFixture("aws/digest-vector/log-file.json.gz"));  // Records, gzip
  WriteFile(dir.path(), "plain/records.json",
            ReadFixture("aws/cloudtrail/iam-user-consolelogin-success-no-mfa.records.json"));
  WriteFile(dir.path(), "array.json",
            "[" + ReadFixture("aws/cloudtrail/root-consolelogin-failure.json") + "," +
                ReadFixture("aws/cloudtrail/iam-user-consolelogin-failure.json") + "]");
  WriteFile(dir.path(), "single.json", ReadFixture("aws/cloudtrail/root-enablemfadevice.json"));
  WriteFile(dir.path(), "lines/records.jsonl",
            Compact(ReadFixture("aws/cloudtrail/iam-user-consolelogin-success-mfa.json")) + "\n" +
                Compact(ReadFixture("aws/cloudtrail/root-passwordupdated.json")) + "\n");
  std::string event =
      ReadFixture("aws/eventbridge/root-consolelogin-success-mfa.envelope.constructed.json");
  WriteFile(dir.path(), "lines/events.jsonl.gz", Gzip(Compact(event) + "\n"));
  WriteFile(dir.path(), "event.json", event);

  CommandResult run =
      RunTrailwatch({"scan", dir.path(), "--pattern", kEverything, "--output", "jsonl", "--quiet"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.err, "");
  std::vector<std::string> origins = Column(run.out, "origin");
  for (std::string& origin : origins) origin = origin.substr(dir.path().size() + 1);
  EXPECT_EQ(AsSet(origins),
            (std::multiset<std::string>{key, "plain/records.json", "array.json", "array.json",
                                        "single.json", "lines/records.jsonl", "lines/records.jsonl",
                                        "lines/events.jsonl.gz", "event.json"}));
  std::vector<std::string> ids = Column(run.out, "event_id");
  EXPECT_EQ(std::count(ids.begin(), ids.end(), "deb1e1f9-c99b-4612-8e9f-21f93b5d79c0"), 3);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), "a4fbbe77-91a0-4238-804a-64314184edb6"), 1);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), "d38ce1b3-4575-4cb8-a632-611b8243bfc3"), 1);

  // The default rule (root-signin) keeps only root events of type AwsConsoleSignIn: the gzip
  // log file, the array, both event files and root-passwordupdated (a sign-in event too).
  CommandResult root = RunTrailwatch({"scan", dir.path(), "--output", "jsonl", "--quiet"});
  ASSERT_EQ(root.exit_code, 0) << root.err;
  EXPECT_EQ(AsSet(Column(root.out, "event_id")),
            (std::multiset<std::string>{
                "EXAMPLEd-244c-4044-abbf-21c64EXAMPLE", "deb1e1f9-c99b-4612-8e9f-21f93b5d79c0",
                "deb1e1f9-c99b-4612-8e9f-21f93b5d79c0", "deb1e1f9-c99b-4612-8e9f-21f93b5d79c0",
                "a4fbbe77-91a0-4238-804a-64314184edb6"}));
  for (const std::string& rule : Column(root.out, "rule")) EXPECT_EQ(rule, "root-signin");
}

TEST(ScanCommand, ForcedFormat) {
  TempDir dir;
  std::string array =
      WriteFile(dir.path(), "array.json",
                "[" + ReadFixture("aws/cloudtrail/root-consolelogin-failure.json") + "]");
  CommandResult ok = RunTrailwatch({"scan", array, "--format", "array", "--output", "jsonl"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(Column(ok.out, "result"), std::vector<std::string>{"Failure"});
  CommandResult wrong = RunTrailwatch({"scan", array, "--format", "records", "--output", "jsonl"});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_NE(wrong.err.find(array), std::string::npos) << wrong.err;
  CommandResult bad = RunTrailwatch({"scan", array, "--format", "xml"});
  EXPECT_EQ(bad.exit_code, 2);
}

// 2 accounts × 2 regions × 3 delivery days, one root sign-in per file at noon, delivered 12:05.
class ScanPruning : public ::testing::Test {
 protected:
  static constexpr const char* kAccounts[] = {"111111111111", "222222222222"};
  static constexpr const char* kRegions[] = {"us-east-1", "eu-west-1"};
  static constexpr const char* kDays[] = {"2024-05-01", "2024-05-02", "2024-05-03"};

  void SetUp() override {
    int n = 0;
    for (const char* account : kAccounts) {
      for (const char* region : kRegions) {
        for (const char* day : kDays) {
          std::vector<std::string> records;
          RecordSpec spec;
          spec.event_id = "id-" + std::to_string(n++);
          spec.time = std::string(day) + "T12:00:00Z";
          spec.account = account;
          spec.region = region;
          records.push_back(Record(spec));
          if (std::string(day) == "2024-05-03" && spec.account == kAccounts[0] &&
              spec.region == kRegions[0]) {
            spec.event_id = "late";  // delivered a day late
            spec.time = "2024-05-02T23:58:00Z";
            records.push_back(Record(spec));
          }
          // Appended rather than "u" + ...: GCC 12 warns falsely (-Wstringop-overflow) on the
          // inlined concatenation.
          std::string unique = "u";
          unique += std::to_string(n);
          WriteFile(dir_.path(), LogKey(account, region, day, "1205", unique),
                    Gzip(LogFile(records)));
        }
      }
    }
    // Siblings that are never log files.
    WriteFile(dir_.path(),
              "AWSLogs/111111111111/CloudTrail-Digest/us-east-1/2024/05/01/"
              "111111111111_CloudTrail-Digest_us-east-1_t_us-east-1_20240501T130000Z.json.gz",
              ReadFixture("aws/digest-vector/digest-file.json.gz"));
    WriteFile(dir_.path(), "AWSLogs/111111111111/CloudTrail-Insight/us-east-1/2024/05/01/i.json.gz",
              Gzip("{}"));
    WriteFile(dir_.path(), "AWSLogs/README.txt", "not a log");
  }

  // Runs scan with `extra` and returns the summary and the event ids.
  std::map<std::string, double> Scan(std::vector<std::string> extra,
                                     std::vector<std::string>* ids) {
    std::string summary = summary_dir_.path() + "/summary-" + std::to_string(++runs_) + ".json";
    std::vector<std::string> args = {"scan",  dir_.path(),      "--output",
                                     "jsonl", "--summary-json", summary};
    args.insert(args.end(), extra.begin(), extra.end());
    CommandResult run = RunTrailwatch(args);
    EXPECT_EQ(run.exit_code, 0) << run.err;
    *ids = Column(run.out, "event_id");
    return ReadSummary(summary);
  }

  TempDir dir_;
  TempDir summary_dir_;
  int runs_ = 0;
};

TEST_F(ScanPruning, NothingPrunedWithoutFilters) {
  std::vector<std::string> ids;
  auto summary = Scan({}, &ids);
  EXPECT_EQ(summary["files"], 12);
  EXPECT_EQ(summary["records"], 13);
  EXPECT_EQ(summary["skipped.digest"], 1);
  EXPECT_EQ(summary["skipped.insight"], 1);
  EXPECT_EQ(summary["skipped.other"], 1);
  EXPECT_EQ(ids.size(), 13u);
}

TEST_F(ScanPruning, ByAccount) {
  std::vector<std::string> ids;
  auto summary = Scan({"--accounts", "222222222222"}, &ids);
  EXPECT_EQ(summary["files"], 6);
  EXPECT_EQ(summary["skipped.pruned_account"], 6);
  EXPECT_EQ(ids.size(), 6u);
}

TEST_F(ScanPruning, ByRegion) {
  std::vector<std::string> ids;
  auto summary = Scan({"--regions", "eu-west-1,ap-south-1"}, &ids);
  EXPECT_EQ(summary["files"], 6);
  EXPECT_EQ(summary["skipped.pruned_region"], 6);
  EXPECT_EQ(ids.size(), 6u);
}

TEST_F(ScanPruning, ByTimeReadsTheDayAfterUntilForLateDeliveries) {
  std::vector<std::string> ids;
  auto summary = Scan({"--since", "2024-05-02", "--until", "2024-05-02"}, &ids);
  EXPECT_EQ(summary["files"], 8);  // 05-02 and 05-03 (the delivery allowance)
  EXPECT_EQ(summary["skipped.pruned_time"], 4);
  EXPECT_EQ(summary["records_filtered"], 4);  // the noon events of 05-03
  EXPECT_EQ(ids.size(), 5u);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), "late"), 1);
}

TEST_F(ScanPruning, ByDeliveryMinuteAndCombined) {
  std::vector<std::string> ids;
  auto summary = Scan({"--since", "2024-05-03T13:00:00Z"}, &ids);
  EXPECT_EQ(summary["files"], 0);  // every 05-03 file was delivered at 12:05
  EXPECT_EQ(summary["skipped.pruned_time"], 12);
  summary = Scan({"--since", "2024-05-02T00:00:00Z", "--until", "2024-05-02T23:59:59Z",
                  "--accounts", "111111111111", "--regions", "us-east-1"},
                 &ids);
  EXPECT_EQ(summary["files"], 2);
  EXPECT_EQ(ids, (std::vector<std::string>{"id-1", "late"}));  // sorted by time
}

TEST(ScanCommand, BadFilesAreNamedAndTheScanGoesOn) {
  TempDir dir;
  std::string good_gz = ReadFixture("aws/digest-vector/log-file.json.gz");
  WriteFile(dir.path(), "good.json.gz", good_gz);
  std::string corrupt = good_gz;
  for (size_t i = 20; i < corrupt.size() - 8; ++i)
    corrupt[i] = static_cast<char>(corrupt[i] ^ 0x5a);
  std::map<std::string, std::string> bad = {
      {"corrupt.json.gz", corrupt},
      {"truncated.json.gz", good_gz.substr(0, good_gz.size() / 2)},
      {"truncated.json", "{\"Records\":[{\"eventVersion\":\"1.05\""},
      {"zero.json", ""},
      {"blank.json", "  \n\n"},
      {"text.json", "hello, world\n"},
      {"shape.json", "{\"Records\": 5}"},
  };
  for (const auto& [name, content] : bad) WriteFile(dir.path(), name, content);
  std::string summary = dir.path() + "/summary.out";
  CommandResult run = RunTrailwatch(
      {"scan", dir.path(), "--output", "jsonl", "--threads", "3", "--summary-json", summary});
  EXPECT_EQ(run.exit_code, 1);
  for (const auto& [name, content] : bad) {
    EXPECT_NE(run.err.find(dir.path() + "/" + name + ": "), std::string::npos)
        << name << " not named in:\n"
        << run.err;
  }
  EXPECT_EQ(Column(run.out, "event_id"),
            std::vector<std::string>{"deb1e1f9-c99b-4612-8e9f-21f93b5d79c0"});
  auto totals = ReadSummary(summary);
  EXPECT_EQ(totals["files"], 8);
  EXPECT_EQ(totals["files_failed"], 7);
}

// Issue #10: gzip bombs are refused with their name and the limit they broke, counted as failed
// (exit 1), and the scan goes on: the good file's row is there. The limits are flags.
TEST(ScanCommand, GzipBombsAndOversizedFilesAreRefusedAndTheScanGoesOn) {
  TempDir dir;
  WriteFile(dir.path(), "good.json.gz", ReadFixture("aws/digest-vector/log-file.json.gz"));
  // 1 GB of zeros in ~1 MB; 256 MiB of spaces after a JSON start in ~250 KB; 300 MB of zeros in
  // ~1.3 MB (over --max-file-bytes below).
  WriteFile(dir.path(), "zeros.json.gz", cloudtrail::testing::GzipZeros(1'000'000'000, 9));
  WriteFile(dir.path(), "spaces.json.gz",
            cloudtrail::testing::GzipBomb("{\"Records\":[", ' ', uint64_t{256} << 20, 9));
  WriteFile(dir.path(), "large.json.gz", cloudtrail::testing::GzipZeros(300'000'000, 1));
  const std::string summary = dir.path() + "/summary.out";
  CommandResult run = RunTrailwatch({"scan", dir.path(), "--output", "jsonl", "--threads", "2",
                                     "--summary-json", summary, "--max-inflated-bytes", "16777216",
                                     "--max-file-bytes", "1048576"});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  for (const char* expected : {
           "/zeros.json.gz: not a JSON log file: inflated byte 0 is 0x00 (JSON text never holds a "
           "zero byte; a gzip bomb of zeros does)",
           "/spaces.json.gz: gzip: inflated size exceeds the limit of 16777216 bytes "
           "(max_inflated_bytes; a corrupt file or a gzip bomb)",
           "/large.json.gz: ",
           " bytes is over the limit of 1048576 bytes per file (max_file_bytes)"}) {
    EXPECT_NE(run.err.find(expected), std::string::npos) << expected << " not in:\n" << run.err;
  }
  EXPECT_EQ(Column(run.out, "event_id"),
            std::vector<std::string>{"deb1e1f9-c99b-4612-8e9f-21f93b5d79c0"});
  auto totals = ReadSummary(summary);
  EXPECT_EQ(totals["files"], 4);
  EXPECT_EQ(totals["files_failed"], 3);

  // With the default limits the spaces are stopped by the compression ratio instead (at 64 MiB).
  CommandResult ratio = RunTrailwatch({"scan", dir.path() + "/spaces.json.gz", "--quiet"});
  EXPECT_EQ(ratio.exit_code, 1);
  EXPECT_NE(ratio.err.find("spaces.json.gz: gzip: inflates to more than 100 times its"),
            std::string::npos)
      << ratio.err;
  EXPECT_EQ(RunTrailwatch({"scan", dir.path(), "--max-inflated-bytes", "10"}).exit_code, 2);
}

TEST(ScanCommand, BadRecordsInsideAGoodFileAreReported) {
  TempDir dir;
  std::string lines = Compact(ReadFixture("aws/cloudtrail/root-consolelogin-failure.json")) +
                      "\n{not json\n{\"eventVersion\":\"1.05\",\"eventID\":\"x\"}\n";
  std::string path = WriteFile(dir.path(), "mixed.jsonl", lines);
  CommandResult run = RunTrailwatch({"scan", path, "--output", "jsonl"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find(path + ":2"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find(path + ": line 3: record has no \"eventSource\""), std::string::npos)
      << run.err;
  EXPECT_EQ(Column(run.out, "result"), std::vector<std::string>{"Failure"});
}

// With a rule that needs a literal (root-signin needs "Root"), a canonical log file's records
// without it are counted, not parsed; --strict parses them all. The rows are the same either way;
// only a bad record that could never match goes unreported without --strict (scanner.h).
TEST(ScanCommand, PrefilterSkipsRecordsWithoutALiteralAndStrictReadsThemAll) {
  TempDir dir;
  RecordSpec root;
  root.event_id = "root-1";
  RecordSpec user;
  user.event_id = "user-1";
  user.identity_type = "IAMUser";
  user.user_name = "alice";
  RecordSpec escaped = root;  // "Root" spelled with a \u escape: must still be found
  escaped.event_id = "root-escaped";
  std::string escaped_record = Record(escaped);
  const size_t at = escaped_record.find("\"Root\"");
  ASSERT_NE(at, std::string::npos);
  escaped_record.replace(at, 6, "\"R\\u006fot\"");
  // A record with no eventSource: a bad record, but it holds no "Root".
  const std::string no_source = R"({"eventVersion":"1.08","eventTime":"2024-05-01T12:00:00Z","eventID":"broken"})";
  WriteFile(dir.path(), LogKey("111122223333", "us-east-1", "2024-05-01", "1200", "AAAAAAAAAAAAAAAA"),
            Gzip(LogFile({Record(user), Record(root), no_source, escaped_record, Record(user)})));

  const std::string fast_summary = dir.path() + "/fast.out";
  CommandResult fast = RunTrailwatch({"scan", dir.path() + "/AWSLogs", "--output", "jsonl",
                                      "--quiet", "--summary-json", fast_summary});
  ASSERT_EQ(fast.exit_code, 0) << fast.err;
  EXPECT_EQ(fast.err, "");
  auto fast_totals = ReadSummary(fast_summary);
  EXPECT_EQ(fast_totals["records"], 5);
  EXPECT_EQ(fast_totals["records_prefiltered"], 3);
  EXPECT_EQ(fast_totals["bad_records"], 0);

  const std::string strict_summary = dir.path() + "/strict.out";
  CommandResult strict = RunTrailwatch({"scan", dir.path() + "/AWSLogs", "--output", "jsonl",
                                        "--quiet", "--strict", "--summary-json", strict_summary});
  EXPECT_EQ(strict.exit_code, 1);
  EXPECT_NE(strict.err.find("record 2: record has no \"eventSource\""), std::string::npos)
      << strict.err;
  auto strict_totals = ReadSummary(strict_summary);
  EXPECT_EQ(strict_totals["records"], 5);
  EXPECT_EQ(strict_totals["records_prefiltered"], 0);
  EXPECT_EQ(strict_totals["bad_records"], 1);

  EXPECT_EQ(Column(fast.out, "event_id"), (std::vector<std::string>{"root-1", "root-escaped"}));
  EXPECT_EQ(fast.out, strict.out);
}

TEST(ScanCommand, OutputFormats) {
  TempDir dir;
  RecordSpec spec;
  spec.event_id = "e1";
  spec.identity_type = "Root";
  spec.user_agent = "agent, with \"quotes\"";
  std::string path = WriteFile(dir.path(), "f.json", LogFile({Record(spec)}));

  CommandResult csv = RunTrailwatch({"scan", path, "--output", "csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(csv.err, "");  // not a terminal: nothing on stderr
  EXPECT_EQ(csv.out,
            "time,account,region,rule,identity_type,identity,event_name,result,mfa_used,"
            "source_ip,user_agent,event_id,origin\r\n"
            "2024-05-01T12:00:00Z,111122223333,us-east-1,root-signin,Root,"
            "arn:aws:iam::111122223333:root,ConsoleLogin,Success,no,192.0.2.1,"
            "\"agent, with \"\"quotes\"\"\",e1," +
                path + "\r\n");

  CommandResult json = RunTrailwatch({"scan", path, "--output", "json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  simdjson::dom::parser parser;
  simdjson::dom::element rows;
  ASSERT_FALSE(parser.parse(json.out).get(rows)) << json.out;
  ASSERT_EQ(simdjson::dom::array(rows).size(), 1u);
  EXPECT_EQ(std::string_view(rows.at(0)["user_agent"]), "agent, with \"quotes\"");
  EXPECT_EQ(std::string_view(rows.at(0)["mfa_used"]), "no");

  CommandResult jsonl = RunTrailwatch({"scan", path, "--output", "jsonl"});
  EXPECT_EQ(Column(jsonl.out, "identity"),
            std::vector<std::string>{"arn:aws:iam::111122223333:root"});

  CommandResult table = RunTrailwatch({"scan", path});
  ASSERT_EQ(table.exit_code, 0);
  EXPECT_EQ(table.out.rfind("TIME", 0), 0u) << table.out;
  EXPECT_NE(table.out.find("\nScanned 1 file ("), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("1 match in"), std::string::npos) << table.out;

  CommandResult none = RunTrailwatch({"scan", path, "--pattern", R"({"source":["aws.iam"]})"});
  EXPECT_EQ(none.exit_code, 0);
  EXPECT_EQ(none.out.rfind("No matches.\n", 0), 0u) << none.out;
  CommandResult empty_json =
      RunTrailwatch({"scan", path, "--pattern", R"({"source":["aws.iam"]})", "--output", "json"});
  EXPECT_EQ(empty_json.out, "[]\n");
}

TEST(ScanCommand, OneAndFourThreadsGiveTheSameRows) {
  TempDir dir;
  int n = 0;
  for (int file = 0; file < 20; ++file) {
    std::vector<std::string> records;
    for (int i = 0; i < 50; ++i) {
      RecordSpec spec;
      spec.event_id = "small-" + std::to_string(n++);
      spec.time = "2024-05-01T" + std::to_string(10 + i % 10) + ":00:00Z";
      records.push_back(Record(spec));
    }
    WriteFile(dir.path(), "small/" + std::to_string(file) + ".json.gz", Gzip(LogFile(records)));
  }
  // One dominating file, split into record ranges across workers (chunks of 2048 records).
  std::vector<std::string> big;
  for (int i = 0; i < 10000; ++i) {
    RecordSpec spec;
    spec.event_id = "big-" + std::to_string(i);
    spec.time =
        "2024-05-01T" + std::to_string(10 + i % 10) + ":" + std::to_string(10 + i % 50) + ":00Z";
    big.push_back(Record(spec));
  }
  WriteFile(dir.path(), "big.json.gz", Gzip(LogFile(big)));

  CommandResult one = RunTrailwatch({"scan", dir.path(), "--output", "jsonl", "--threads", "1"});
  CommandResult four = RunTrailwatch({"scan", dir.path(), "--output", "jsonl", "--threads", "4"});
  CommandResult big_only =
      RunTrailwatch({"scan", dir.path() + "/big.json.gz", "--output", "jsonl", "--threads", "4"});
  ASSERT_EQ(one.exit_code, 0) << one.err;
  ASSERT_EQ(four.exit_code, 0) << four.err;
  EXPECT_EQ(Column(one.out, "event_id").size(), 11000u);
  EXPECT_TRUE(one.out == four.out) << "row order differs between 1 and 4 threads";
  std::vector<std::string> times = Column(one.out, "time");
  EXPECT_TRUE(std::is_sorted(times.begin(), times.end()));
  EXPECT_EQ(Column(big_only.out, "event_id").size(), 10000u);
}

TEST(ScanCommand, UsageErrors) {
  TempDir dir;
  std::string path = WriteFile(dir.path(), "f.json", "[]");
  CommandResult no_inputs = RunTrailwatch({"scan"});
  EXPECT_EQ(no_inputs.exit_code, 2);
  EXPECT_NE(no_inputs.err.find("no inputs"), std::string::npos);
  CommandResult bad_pattern = RunTrailwatch({"scan", path, "--pattern", R"({"source":[]})"});
  EXPECT_EQ(bad_pattern.exit_code, 2);
  EXPECT_NE(
      bad_pattern.err.find("Event pattern is not valid. Reason: Empty arrays are not allowed"),
      std::string::npos)
      << bad_pattern.err;
  CommandResult bad_time = RunTrailwatch({"scan", path, "--since", "last tuesday"});
  EXPECT_EQ(bad_time.exit_code, 2);
  EXPECT_NE(bad_time.err.find("--since"), std::string::npos);
  CommandResult reversed =
      RunTrailwatch({"scan", path, "--since", "2024-05-02", "--until", "2024-05-01"});
  EXPECT_EQ(reversed.exit_code, 2);
  EXPECT_EQ(RunTrailwatch({"scan", path, "--accounts", "12"}).exit_code, 2);
  EXPECT_EQ(RunTrailwatch({"scan", path, "--output", "xml"}).exit_code, 2);
  EXPECT_EQ(RunTrailwatch({"scan", path, "--threads", "-1"}).exit_code, 2);
  CommandResult missing = RunTrailwatch({"scan", dir.path() + "/nope"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find(dir.path() + "/nope: no such file"), std::string::npos);
}

TEST(ScanCommand, RulesFileAndPatternFromFile) {
  TempDir dir;
  std::string path =
      WriteFile(dir.path(), "f.json", ReadFixture("aws/cloudtrail/iam-user-consolelogin-failure.json"));
  std::string rules = WriteFile(dir.path(), "rules.yaml",
                                "iam-failures:\n"
                                "  detail:\n"
                                "    responseElements:\n"
                                "      ConsoleLogin: [Failure]\n"
                                "root: {\"detail\": {\"userIdentity\": {\"type\": [\"Root\"]}}}\n");
  CommandResult run = RunTrailwatch({"scan", path, "--rules", rules, "--output", "jsonl"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(Column(run.out, "rule"), std::vector<std::string>{"iam-failures"});
  EXPECT_EQ(Column(run.out, "identity"), std::vector<std::string>{"user/anaya"});
  std::string pattern = WriteFile(dir.path(), "p.json", R"({"source":["aws.signin"]})");
  CommandResult from_file =
      RunTrailwatch({"scan", path, "--pattern", "file://" + pattern, "--output", "jsonl"});
  EXPECT_EQ(Column(from_file.out, "rule"), std::vector<std::string>{"pattern"});
}

TEST(ScanCommand, HelpDescribesTheCommand) {
  CommandResult help = RunTrailwatch({"scan", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  for (const char* text : {"--since", "--until", "--accounts", "--regions", "--output", "--threads",
                           "--quiet", "--format", "--endpoint-url", "root-signin", "s3://"}) {
    EXPECT_NE(help.out.find(text), std::string::npos) << text;
  }
}

}  // namespace
}  // namespace trailwatch::scan
