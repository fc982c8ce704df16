// Scan's one-walk path (scan/scanner.cpp MatchInOneWalk) must give what the two-parse path gives:
// EventMatcher::ParseRecord + envelope::FillEnvelopeHeader + MatchParsedRecord against
// EnvelopeBuilder::BuildHeader + EventMatcher::MatchRecord, on a generated corpus and on edge-case
// records (escaped keys, duplicate keys, nulls, offsets in eventTime), for rules that read the
// envelope header, the record, and the very fields the header is made of.
#include <gtest/gtest.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/cli_test_util.h"
#include "envelope/envelope.h"
#include "cloudtrail/inflate.h"
#include "loggen/log_generator.h"
#include "cloudtrail/padded_buffer.h"
#include "cloudtrail/record_reader.h"
#include "pattern/compiler.h"
#include "pattern/event_matcher.h"
#include "pattern/pattern_set.h"

namespace trailwatch::scan {
namespace {

using pattern::CapturedField;
using pattern::HeaderField;

std::shared_ptr<const pattern::PatternSet> RulesOf(const std::vector<std::string>& jsons) {
  std::vector<pattern::PatternSet::NamedPattern> patterns;
  for (size_t i = 0; i < jsons.size(); ++i) {
    pattern::CompileResult compiled = pattern::CompilePattern(jsons[i]);
    EXPECT_TRUE(compiled.ok()) << jsons[i];
    // Appended rather than "r" + ...: GCC 12 warns falsely (-Wstringop-overflow) on the inlined
    // concatenation.
    std::string name = "r";
    name.append(std::to_string(i));
    patterns.push_back({std::move(name), std::move(compiled.pattern)});
  }
  auto set = pattern::PatternSet::Build(std::move(patterns));
  EXPECT_TRUE(set.ok());
  return *set;
}

// Rule sets: header only; record only; both, including the captured fields themselves; "id".
const std::vector<std::vector<std::string>> kRuleSets = {
    {R"({"detail-type":["AWS Console Sign In via CloudTrail"],"detail":{"userIdentity":{"type":["Root"]}}})"},
    {R"({"source":["aws.s3"]})", R"({"region":["eu-west-1"],"time":[{"prefix":"2025-01"}]})",
     R"({"account":[{"anything-but":"111122223333"}]})"},
    {R"({"detail":{"eventName":[{"prefix":"Get"}],"awsRegion":["us-east-1"]}})",
     R"({"detail":{"eventType":["AwsApiCall"],"eventSource":[{"suffix":"amazonaws.com"}]}})",
     R"({"detail":{"recipientAccountId":[{"exists":false}]}})",
     R"({"detail":{"eventID":[{"exists":true}]},"detail-type":[{"prefix":"AWS"}]})",
     R"({"detail":{"eventTime":[{"exists":true}],"eventType":[null]}})",
     R"({"detail":{"resources":{"type":["AWS::S3::Object"]}}})"},
    {R"({"id":[{"exists":true}]})",
     R"({"version":["0"],"detail":{"errorCode":[{"exists":true}]}})"},
};

struct Outcome {
  bool ok = false;
  std::string error;
  std::vector<uint32_t> ids;
  std::array<std::string, 6> header;  // id, detail-type, source, account, time, region
};

std::array<HeaderField, 7> HeaderOf(const envelope::Envelope& e) {
  return {{{"version", "0"},
           {"id", e.id},
           {"detail-type", e.detail_type},
           {"source", e.source},
           {"account", e.account},
           {"time", e.time},
           {"region", e.region}}};
}

Outcome TwoParses(const pattern::PatternSet& set, pattern::EventMatcher& matcher,
                  const cloudtrail::RawRecord& record, std::string_view key_account) {
  envelope::EnvelopeBuilder builder;
  Outcome out;
  auto envelope = builder.BuildHeader(record.padded_json(), key_account, set.Reads("id"));
  if (!envelope.ok()) {
    out.error = envelope.message();
    return out;
  }
  auto ids = matcher.MatchRecord(record.json, record.padded_capacity, HeaderOf(*envelope));
  if (!ids.ok()) {
    out.error = ids.message();
    return out;
  }
  out.ok = true;
  out.ids = **ids;
  out.header = {envelope->id,      envelope->detail_type, envelope->source,
                envelope->account, envelope->time,        envelope->region};
  return out;
}

// What MatchInOneWalk does; `applies` false when it would hand the record to the two-parse path.
Outcome OneWalk(const pattern::PatternSet& set, pattern::EventMatcher& matcher,
                const cloudtrail::RawRecord& record, std::string_view key_account, bool* applies) {
  // Every member given (a list naming only the key trips -Wmissing-field-initializers).
  constexpr auto kAbsent = CapturedField::State::kAbsent;
  std::array<CapturedField, 7> captured{{{"eventID", false, kAbsent, {}},
                                         {"eventType", false, kAbsent, {}},
                                         {"eventSource", false, kAbsent, {}},
                                         {"eventTime", false, kAbsent, {}},
                                         {"awsRegion", false, kAbsent, {}},
                                         {"recipientAccountId", false, kAbsent, {}},
                                         {"userIdentity", true, kAbsent, {}}}};
  Outcome out;
  *applies = false;
  if (!matcher.ParseRecord(record.json, record.padded_capacity, captured).ok()) return out;
  std::array<std::optional<std::string_view>, 6> values;
  for (size_t i = 0; i < values.size(); ++i) {
    if (captured[i].state == CapturedField::State::kOther) return out;
    if (captured[i].state == CapturedField::State::kString) values[i] = captured[i].value;
  }
  // identity_account stays unset, as in Scanner's MatchInOneWalk.
  envelope::RecordHeaderFields fields{values[0], values[1], values[2],   values[3],
                                        values[4], values[5], std::nullopt};
  if ((!values[5] || values[5]->empty()) && key_account.empty()) return out;
  envelope::Envelope envelope;
  if (!envelope::FillEnvelopeHeader(fields, record.json, key_account, set.Reads("id"), {},
                                      &envelope)
           .ok()) {
    return out;
  }
  auto ids = matcher.MatchParsedRecord(HeaderOf(envelope));
  if (!ids.ok()) return out;
  *applies = true;
  out.ok = true;
  out.ids = **ids;
  out.header = {envelope.id,      envelope.detail_type, envelope.source,
                envelope.account, envelope.time,        envelope.region};
  return out;
}

// Checks every record of `text` under every rule set; returns how many took the one-walk path.
size_t CheckFile(std::string_view text, std::string_view key_account, const std::string& name) {
  auto buffer = cloudtrail::PaddedBuffer::CopyOf(text);
  EXPECT_TRUE(buffer.ok());
  std::vector<cloudtrail::RawRecord> records;
  cloudtrail::RecordReader reader;
  auto read = reader.Read(
      buffer->padded_view(), name, [&](const cloudtrail::RawRecord& r) { records.push_back(r); },
      [](const Error&) {});
  EXPECT_TRUE(read.ok()) << name;
  size_t fast = 0;
  for (const auto& rules : kRuleSets) {
    auto set = RulesOf(rules);
    pattern::EventMatcher one(set), two(set);
    for (const cloudtrail::RawRecord& record : records) {
      bool applies = false;
      Outcome reference = TwoParses(*set, two, record, key_account);
      Outcome fast_outcome = OneWalk(*set, one, record, key_account, &applies);
      if (!applies) continue;  // the scanner re-evaluates it the two-parse way
      ++fast;
      EXPECT_TRUE(reference.ok) << name << " record " << record.index << ": " << reference.error;
      EXPECT_EQ(fast_outcome.ids, reference.ids) << name << " record " << record.index;
      EXPECT_EQ(fast_outcome.header, reference.header) << name << " record " << record.index;
    }
  }
  return fast;
}

TEST(OneWalkTest, GeneratedCorpusMatchesTheTwoParsePath) {
  trailwatch::testing::TempDir dir;
  cloudtrail::LogGeneratorOptions options;
  options.out_dir = std::filesystem::path(dir.path()) / "corpus";
  options.target_bytes = 3'000'000;
  options.seed = 11;
  options.threads = 1;
  auto report = cloudtrail::GenerateLogs(options);
  ASSERT_TRUE(report.ok()) << report.message();
  cloudtrail::Inflater inflater;
  size_t files = 0, fast = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(options.out_dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    auto inflated = inflater.Inflate(bytes.str());
    ASSERT_TRUE(inflated.ok()) << entry.path();
    fast += CheckFile(inflated->view(), "", entry.path().string());
    ++files;
  }
  EXPECT_EQ(files, report->files);
  EXPECT_EQ(fast, report->records * kRuleSets.size());  // every generated record takes it
}

TEST(OneWalkTest, EdgeCaseRecordsMatchTheTwoParsePath) {
  const std::string base =
      R"("eventSource":"signin.amazonaws.com","awsRegion":"us-east-1","eventName":"ConsoleLogin",)"
      R"("userIdentity":{"type":"Root","accountId":"444455556666"})";
  const std::vector<std::string> records = {
      // Escaped keys and values: the walk sees the unescaped text, as BuildHeader does.
      "{" + base +
          R"(,"event\u0054ype":"AwsConsole\u0053ignIn","eventTime":"2025-01-02T03:04:05Z","recipientAccountId":"111122223333","eventID":"a"})",
      // Duplicate keys: the last one wins for the header; both are leaves for the rules.
      "{" + base +
          R"(,"eventType":"AwsApiCall","eventType":"AwsConsoleSignIn","eventTime":"2025-01-02T03:04:05Z","recipientAccountId":"111122223333"})",
      // null eventType (defaults to an API call), eventTime with an offset and fractions.
      "{" + base +
          R"(,"eventType":null,"eventTime":"2025-01-02T05:04:05.123+02:00","recipientAccountId":"111122223333","eventID":"b"})",
      // Lower-case eventType spelling; a leap second; no eventID (id from the record text).
      "{" + base +
          R"(,"eventType":"awsconsolesignin","eventTime":"2016-12-31T23:59:60Z","recipientAccountId":"111122223333"})",
      // Empty recipientAccountId: the account comes from the key (or the fallback path).
      "{" + base +
          R"(,"eventType":"AwsConsoleSignIn","eventTime":"2025-01-02T03:04:05Z","recipientAccountId":""})",
      // Not-a-string header fields and missing ones: the fallback reports them.
      "{" + base + R"(,"eventType":5,"eventTime":"2025-01-02T03:04:05Z","recipientAccountId":"1"})",
      R"({"eventTime":"2025-01-02T03:04:05Z","awsRegion":"us-east-1"})",
      R"({"eventSource":"s3.amazonaws.com","eventTime":"yesterday","awsRegion":"us-east-1","recipientAccountId":"1"})",
      // A syntax error inside userIdentity: bad for BuildHeader whether or not a rule reads it.
      R"({"eventSource":"s3.amazonaws.com","eventTime":"2025-01-02T03:04:05Z","awsRegion":"us-east-1","recipientAccountId":"1","userIdentity":{"type" "Root"}})",
  };
  std::string file = R"({"Records":[)";
  for (size_t i = 0; i < records.size(); ++i) file += (i ? "," : "") + records[i];
  file += "]}";
  EXPECT_EQ(CheckFile(file, "", "edge.json"), 4 * kRuleSets.size());
  EXPECT_EQ(CheckFile(file, "999988887777", "edge.json"), 5 * kRuleSets.size());
}

}  // namespace
}  // namespace trailwatch::scan
