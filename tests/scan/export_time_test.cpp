// Scan reads eventTime in the SIEM/Athena export form (`2024-11-25 17:51:21.000000000`: space, any
// fraction, no zone) as UTC, on both of its paths (the one walk, and the two parses a record goes
// down when its account comes from userIdentity), while the live sources' envelope refuses it.
// The envelope matched carries `time` as `YYYY-MM-DDTHH:MM:SSZ`; the record (`detail`) is unchanged.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "cli/cli_test_util.h"
#include "cloudtrail/event_time.h"
#include "envelope/envelope.h"
#include "pattern/compiler.h"
#include "pattern/pattern_set.h"
#include "scan/match_row.h"
#include "scan/scan_input.h"
#include "scan/scan_test_util.h"
#include "scan/scanner.h"

namespace trailwatch::scan {
namespace {

using testing::LogFile;
using testing::Record;
using testing::RecordSpec;
using testing::WriteFile;
using trailwatch::testing::TempDir;

constexpr const char* kExportTime = "2024-11-25 17:51:21.000000000";

// A root console sign-in without recipientAccountId: its account comes from
// userIdentity.accountId, which sends it down scan's two-parse path. `region` empty: no awsRegion.
std::string RecordWithoutRecipient(const std::string& event_id, const std::string& time,
                                   const std::string& region = "eu-west-1") {
  std::string out =
      R"({"eventVersion":"1.05","userIdentity":{"type":"Root","principalId":"222233334444",)"
      R"("arn":"arn:aws:iam::222233334444:root","accountId":"222233334444"},"eventTime":")";
  out.append(time);
  out.append(R"(","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin",)");
  if (!region.empty()) {
    out.append(R"("awsRegion":")");
    out.append(region);
    out.append(R"(",)");
  }
  out.append(R"("sourceIPAddress":"192.0.2.1","responseElements":{"ConsoleLogin":"Success"},)");
  out.append(R"("eventID":")");
  out.append(event_id);
  out.append(R"(","eventType":"AwsConsoleSignIn"})");
  return out;
}

std::shared_ptr<const pattern::PatternSet> Rules() {
  std::vector<pattern::PatternSet::NamedPattern> patterns;
  // "time": the envelope's, normalised. "detail": the record's own text, unchanged.
  for (const auto& [name, json] :
       std::vector<std::pair<std::string, std::string>>{
           {"envelope-time", R"({"time":["2024-11-25T17:51:21Z"]})"},
           {"record-time", R"({"detail":{"eventTime":["2024-11-25 17:51:21.000000000"]}})"}}) {
    pattern::CompileResult compiled = pattern::CompilePattern(json);
    EXPECT_TRUE(compiled.ok()) << json;
    patterns.push_back({name, std::move(compiled.pattern)});
  }
  auto set = pattern::PatternSet::Build(std::move(patterns));
  EXPECT_TRUE(set.ok());
  return *set;
}

ScanResult Scan(const std::string& dir, ScanOptions options) {
  Discovery discovery = DiscoverInputs({dir}, options.filter, nullptr);
  EXPECT_TRUE(discovery.errors.empty());
  Progress progress(false, discovery.inputs.size(), 0);
  Scanner scanner(Rules(), std::move(options), nullptr, &progress);
  return scanner.Run(discovery.inputs);
}

TEST(ScanExportTime, LiveEnvelopeRefusesWhatScanReads) {
  RecordSpec spec;
  spec.event_id = "live";
  spec.time = kExportTime;
  auto envelope = envelope::BuildEnvelope(Record(spec));
  ASSERT_FALSE(envelope.ok());
  EXPECT_EQ(envelope.message(),
            "record field \"eventTime\" is not an RFC 3339 time: \"2024-11-25 17:51:21.000000000\"");
}

TEST(ScanExportTime, BothPathsMatchWithTheNormalisedTime) {
  TempDir dir;
  RecordSpec spec;
  spec.event_id = "one-walk";
  spec.time = kExportTime;
  RecordSpec rfc = spec;
  rfc.event_id = "rfc3339";
  rfc.time = "2024-11-25T17:51:21Z";
  WriteFile(dir.path(), "export.json",
            LogFile({Record(spec), RecordWithoutRecipient("two-parse", kExportTime), Record(rfc)}));
  for (bool strict : {false, true}) {
    ScanOptions options;
    options.threads = 1;
    options.strict = strict;
    ScanResult result = Scan(dir.path(), options);
    EXPECT_EQ(result.summary.records, 3u);
    EXPECT_EQ(result.summary.bad_records, 0u);
    // The RFC 3339 record matches "envelope-time" only; the two export-form records both rules.
    ASSERT_EQ(result.rows.size(), 5u);
    std::multiset<std::string> seen;
    for (const MatchRow& row : result.rows) {
      EXPECT_EQ(row.time, "2024-11-25T17:51:21Z") << row.event_id;
      seen.insert(row.event_id + " " + row.rule);
      if (row.event_id == "two-parse") {
        EXPECT_EQ(row.account, "222233334444");
        EXPECT_EQ(row.region, "eu-west-1");
      } else {
        EXPECT_EQ(row.account, "111122223333");
        EXPECT_EQ(row.region, "us-east-1");
      }
    }
    EXPECT_EQ(seen, (std::multiset<std::string>{
                        "one-walk envelope-time", "one-walk record-time",
                        "two-parse envelope-time", "two-parse record-time",
                        "rfc3339 envelope-time"}));
  }
}

TEST(ScanExportTime, TimeFilterUsesTheNormalisedTime) {
  TempDir dir;
  RecordSpec spec;
  spec.event_id = "one-walk";
  spec.time = "2024-11-25 23:59:59.999999999";  // still the 25th: the fraction is dropped
  WriteFile(dir.path(), "export.json",
            LogFile({Record(spec), RecordWithoutRecipient("two-parse", spec.time)}));
  ScanOptions options;
  options.threads = 1;
  options.filter.until = *cloudtrail::ParseEventTime("2024-11-25T23:59:59Z");
  ScanResult kept = Scan(dir.path(), options);
  EXPECT_EQ(kept.summary.records_filtered, 0u);
  options.filter.until.reset();
  options.filter.since = *cloudtrail::ParseEventTime("2024-11-26T00:00:00Z");
  ScanResult dropped = Scan(dir.path(), options);
  EXPECT_EQ(dropped.summary.records_filtered, 2u);
  EXPECT_EQ(dropped.summary.bad_records, 0u);
  EXPECT_TRUE(dropped.rows.empty());
}

TEST(ScanExportTime, OtherTimesAndFaultsStayBadRecords) {
  TempDir dir;
  RecordSpec t_without_zone;
  t_without_zone.event_id = "t-without-zone";
  t_without_zone.time = "2024-11-25T17:51:21";  // not the export form: still refused
  WriteFile(dir.path(), "bad.json",
            LogFile({Record(t_without_zone), RecordWithoutRecipient("no-region", kExportTime, ""),
                     RecordWithoutRecipient("garbage-time", "2024-11-25 17:51")}));
  ScanOptions options;
  options.threads = 1;
  ScanResult result = Scan(dir.path(), options);
  EXPECT_EQ(result.summary.records, 3u);
  EXPECT_EQ(result.summary.bad_records, 3u);
  EXPECT_TRUE(result.rows.empty());
}

TEST(ScanExportTime, ReadHeaderFieldsReadsAsBuildHeaderDoes) {
  MatchRowReader reader;
  auto fields = reader.ReadHeaderFields(
      R"({"eventTime":"x","eventTime":"2024-11-25 17:51:21","eventType":null,"awsRegion":"r",)"
      R"("eventSource":"s","userIdentity":{"accountId":"1","accountId":7},"eventID":"e"})");
  ASSERT_TRUE(fields.ok()) << fields.message();
  EXPECT_EQ(fields->event_time, "2024-11-25 17:51:21");  // the last of duplicate keys
  EXPECT_FALSE(fields->event_type.has_value());          // null is absent
  EXPECT_FALSE(fields->recipient_account.has_value());
  EXPECT_EQ(fields->identity_account, "1");  // a non-string accountId is ignored
  EXPECT_EQ(fields->region, "r");
  EXPECT_EQ(fields->event_source, "s");
  EXPECT_EQ(fields->event_id, "e");

  auto number = reader.ReadHeaderFields(R"({"awsRegion":5})");
  ASSERT_FALSE(number.ok());
  EXPECT_EQ(number.message(), "record field \"awsRegion\" is not a string");
  EXPECT_FALSE(reader.ReadHeaderFields("[1]").ok());
  EXPECT_FALSE(reader.ReadHeaderFields("{").ok());
}

}  // namespace
}  // namespace trailwatch::scan
