// LogObjectReader: one CloudTrail object's bytes -> envelopes with origin, batches, bad records
// counted but not fatal, unreadable files, digest and non-CloudTrail names skipped.
#include "sources/log_object_reader.h"

#include <gtest/gtest.h>

#include "cloudtrail/gzip_bomb_util.h"
#include "scan/scan_test_util.h"
#include "sources/source_test_util.h"

namespace trailwatch::sources {
namespace {

using trailwatch::testing::ReadFixture;
using scan::testing::Gzip;
using scan::testing::LogFile;
using scan::testing::LogKey;
using scan::testing::Record;
using scan::testing::RecordSpec;
using testing::EventIdOf;

std::string RecordWithId(const std::string& id) {
  RecordSpec spec;
  spec.event_id = id;
  return Record(spec);
}

struct Collected {
  std::vector<std::vector<SourceEvent>> batches;
  LogObjectReader::BatchSink sink() {
    return [this](std::span<const SourceEvent> events) {
      batches.emplace_back(events.begin(), events.end());
      return Status::Ok();
    };
  }
  std::vector<std::string> ids() const {
    std::vector<std::string> out;
    for (const auto& batch : batches)
      for (const auto& event : batch) out.push_back(EventIdOf(event.envelope.json));
    return out;
  }
};

TEST(LogObjectReaderTest, ClassifiesNames) {
  std::string key = LogKey("111122223333", "us-east-1", "2024-05-01", "1205", "AbCdEfGhIjKlMnOp");
  EXPECT_EQ(ClassifyLogObject(key), LogObjectClass::kLogFile);
  EXPECT_EQ(ClassifyLogObject("team/" + key), LogObjectClass::kLogFile);
  EXPECT_EQ(ClassifyLogObject("AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2024/05/01/"
                              "111122223333_CloudTrail-Digest_us-east-1_main_us-east-1_"
                              "20240501T120131Z.json.gz"),
            LogObjectClass::kDigest);
  EXPECT_EQ(
      ClassifyLogObject("AWSLogs/111122223333/CloudTrail-Insight/us-east-1/2024/05/01/x.json.gz"),
      LogObjectClass::kInsight);
  EXPECT_EQ(ClassifyLogObject("/logs/readme.txt"), LogObjectClass::kOther);
  EXPECT_EQ(ClassifyLogObject("/logs/.x.json.gz.tmp"), LogObjectClass::kOther);
  EXPECT_EQ(ClassifyLogObject("/logs/events.json"), LogObjectClass::kLogFile);
  EXPECT_EQ(ClassifyLogObject("/logs/events.jsonl.gz"), LogObjectClass::kLogFile);
  EXPECT_STREQ(LogObjectClassName(LogObjectClass::kDigest), "digest");
}

TEST(LogObjectReaderTest, GzipAndPlainFilesBecomeEnvelopesWithOrigin) {
  std::string file = LogFile({RecordWithId("e-1"), RecordWithId("e-2")});
  for (const std::string& bytes : {file, Gzip(file)}) {
    LogObjectReader reader;
    Collected got;
    auto outcome = reader.Read("x.json.gz", bytes, "s3://b/x.json.gz", got.sink());
    ASSERT_EQ(outcome.state, LogObjectOutcome::State::kDone) << outcome.error;
    EXPECT_EQ(outcome.events, 2u);
    EXPECT_EQ(got.ids(), (std::vector<std::string>{"e-1", "e-2"}));
    EXPECT_EQ(got.batches[0][0].origin, "s3://b/x.json.gz");
    EXPECT_NE(got.batches[0][0].envelope.json.find(
                  "\"detail-type\":\"AWS Console Sign In via CloudTrail\""),
              std::string::npos);
  }
}

// The source's LogFileLimits: a gzip bomb (1 GB of zeros) and a file over max_file_bytes are
// unreadable, named by origin; the same reader then reads a good file (its large buffers freed).
TEST(LogObjectReaderTest, LimitsRefuseBombsAndLargeFilesByName) {
  cloudtrail::LogFileLimits limits;
  limits.max_file_bytes = uint64_t{1} << 20;
  LogObjectReader reader(limits);
  Collected got;
  auto bomb = reader.Read("b.json.gz", cloudtrail::testing::GzipZeros(1'000'000'000, 9),
                          "s3://b/b.json.gz", got.sink());
  EXPECT_EQ(bomb.state, LogObjectOutcome::State::kUnreadable);
  EXPECT_TRUE(bomb.error.starts_with("s3://b/b.json.gz: not a JSON log file: inflated byte 0"))
      << bomb.error;
  auto large = reader.Read("l.json", std::string((size_t{1} << 20) + 1, ' '), "s3://b/l.json",
                           got.sink());
  EXPECT_EQ(large.state, LogObjectOutcome::State::kUnreadable);
  EXPECT_EQ(large.error,
            "s3://b/l.json: 1048577 bytes is over the limit of 1048576 bytes per file "
            "(max_file_bytes)");
  // A JSON start and 100 MB of spaces: stopped by the 100x ratio at 64 MiB, then freed.
  auto spaces = reader.Read(
      "s.json.gz", cloudtrail::testing::GzipBomb("{\"Records\":[", ' ', 100'000'000, 9),
      "s3://b/s.json.gz", got.sink());
  EXPECT_EQ(spaces.state, LogObjectOutcome::State::kUnreadable);
  EXPECT_NE(spaces.error.find("(max_compression_ratio;"), std::string::npos) << spaces.error;
  reader.ReturnFreedMemory();
  auto good = reader.Read("g.json.gz", Gzip(LogFile({RecordWithId("e-1")})), "s3://b/g.json.gz",
                          got.sink());
  EXPECT_EQ(good.state, LogObjectOutcome::State::kDone) << good.error;
  EXPECT_EQ(got.ids(), std::vector<std::string>{"e-1"});
}

TEST(LogObjectReaderTest, TheKeyAccountIsTheFallbackAccount) {
  // The AWS sample record has no recipientAccountId; the account comes from the key.
  std::string record = ReadFixture("aws/cloudtrail/root-consolelogin-success-mfa.json");
  std::string key = LogKey("444455556666", "us-east-1", "2024-05-01", "1205", "AbCdEfGhIjKlMnOp");
  LogObjectReader reader;
  Collected got;
  auto outcome = reader.Read(key, LogFile({record}), "s3://b/" + key, got.sink());
  ASSERT_EQ(outcome.state, LogObjectOutcome::State::kDone) << outcome.error;
  ASSERT_EQ(got.batches.size(), 1u);
  EXPECT_NE(got.batches[0][0].envelope.json.find("\"account\":"), std::string::npos);
}

TEST(LogObjectReaderTest, EventBridgeEventsPassThrough) {
  std::string envelope =
      ReadFixture("aws/eventbridge/root-consolelogin-success-mfa.envelope.constructed.json");
  LogObjectReader reader;
  Collected got;
  auto outcome = reader.Read("", envelope, "sqs:m-1", got.sink());
  ASSERT_EQ(outcome.state, LogObjectOutcome::State::kDone) << outcome.error;
  ASSERT_EQ(outcome.events, 1u);
  // Validated (ValidateEnvelope) and kept minified, with its header read.
  simdjson::dom::parser parser;
  EXPECT_EQ(got.batches[0][0].envelope.json, simdjson::minify(parser.parse(envelope).value()));
  EXPECT_EQ(got.batches[0][0].envelope.event_id, "deb1e1f9-c99b-4612-8e9f-21f93b5d79c0");
  EXPECT_EQ(got.batches[0][0].envelope.source, "aws.signin");
}

TEST(LogObjectReaderTest, BatchesAreBounded) {
  std::vector<std::string> records;
  for (int i = 0; i < 7; ++i) records.push_back(RecordWithId("e-" + std::to_string(i)));
  LogObjectReader reader(3);
  Collected got;
  auto outcome = reader.Read("x.json", LogFile(records), "x.json", got.sink());
  ASSERT_EQ(outcome.state, LogObjectOutcome::State::kDone);
  ASSERT_EQ(got.batches.size(), 3u);
  EXPECT_EQ(got.batches[0].size(), 3u);
  EXPECT_EQ(got.batches[2].size(), 1u);
  EXPECT_EQ(got.ids().size(), 7u);
}

TEST(LogObjectReaderTest, BadRecordsAreCountedNotFatal) {
  // A record without eventTime cannot become an envelope; a number is not a record.
  std::string file = "{\"Records\":[" + RecordWithId("e-1") +
                     ",{\"eventVersion\":\"1.08\",\"eventID\":\"x\"},5," + RecordWithId("e-2") +
                     "]}";
  LogObjectReader reader;
  Collected got;
  auto outcome = reader.Read("x.json", file, "/logs/x.json", got.sink());
  ASSERT_EQ(outcome.state, LogObjectOutcome::State::kDone) << outcome.error;
  EXPECT_EQ(got.ids(), (std::vector<std::string>{"e-1", "e-2"}));
  EXPECT_EQ(outcome.bad_records, 2u);
  ASSERT_EQ(outcome.bad_record_errors.size(), 2u);
  EXPECT_NE(outcome.bad_record_errors[0].find("/logs/x.json"), std::string::npos)
      << outcome.bad_record_errors[0];
}

TEST(LogObjectReaderTest, UnreadableFilesNameTheOrigin) {
  LogObjectReader reader;
  Collected got;
  std::string gzip = Gzip(LogFile({RecordWithId("e-1")}));
  auto truncated =
      reader.Read("x.json.gz", gzip.substr(0, gzip.size() / 2), "s3://b/x.json.gz", got.sink());
  EXPECT_EQ(truncated.state, LogObjectOutcome::State::kUnreadable);
  EXPECT_NE(truncated.error.find("s3://b/x.json.gz"), std::string::npos) << truncated.error;
  auto not_json = reader.Read("y.json", "hello", "/logs/y.json", got.sink());
  EXPECT_EQ(not_json.state, LogObjectOutcome::State::kUnreadable);
  EXPECT_NE(not_json.error.find("/logs/y.json"), std::string::npos) << not_json.error;
  auto empty = reader.Read("z.json", "", "/logs/z.json", got.sink());
  EXPECT_EQ(empty.state, LogObjectOutcome::State::kUnreadable);
  EXPECT_TRUE(got.batches.empty());
}

TEST(LogObjectReaderTest, ASinkFailureStopsTheObject) {
  std::vector<std::string> records;
  for (int i = 0; i < 5; ++i) records.push_back(RecordWithId("e-" + std::to_string(i)));
  LogObjectReader reader(2);
  int calls = 0;
  auto outcome = reader.Read("x.json", LogFile(records), "x.json",
                             [&](std::span<const SourceEvent>) -> Status {
                               ++calls;
                               return Error{"outbox unavailable"};
                             });
  EXPECT_EQ(outcome.state, LogObjectOutcome::State::kSubmitFailed);
  EXPECT_EQ(calls, 1);  // no further batches after the first refusal
  EXPECT_NE(outcome.error.find("outbox unavailable"), std::string::npos);
  EXPECT_EQ(outcome.events, 0u);
}

}  // namespace
}  // namespace trailwatch::sources
