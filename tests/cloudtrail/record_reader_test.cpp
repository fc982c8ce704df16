// Tests for record detection and iteration (cloudtrail/record_reader.h) on every accepted shape,
// forced formats, and the error cases: empty, whitespace, non-JSON, truncated, wrong shapes.
#include "cloudtrail/record_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "envelope/envelope.h"
#include "cloudtrail/inflate.h"
#include "cloudtrail/log_key.h"
#include "cloudtrail/padded_buffer.h"
#include "test_util.h"

namespace trailwatch::cloudtrail {
using envelope::BuildEnvelope;
using envelope::EnvelopeBuilder;
namespace {

struct Collected {
  Result<ReadSummary> summary = Error{"not run"};
  std::vector<std::string> records;
  std::vector<bool> envelopes;
  std::vector<size_t> lines;
  std::vector<size_t> indexes;
  std::vector<std::string> bad;
};

Collected ReadAll(const std::string& text, InputFormat format = InputFormat::kAuto,
                  const std::string& name = "f.json") {
  auto buffer = PaddedBuffer::CopyOf(text);
  EXPECT_TRUE(buffer.ok());
  Collected out;
  RecordReader reader(format);
  out.summary = reader.Read(
      buffer->padded_view(), name,
      [&](const RawRecord& record) {
        out.records.emplace_back(record.json);
        out.envelopes.push_back(record.is_envelope);
        out.lines.push_back(record.line);
        out.indexes.push_back(record.index);
        // The padded view must be usable by simdjson as-is (this is how envelope.h gets it).
        EXPECT_GE(record.padded_capacity, record.json.size() + simdjson::SIMDJSON_PADDING);
      },
      [&](const Error& error) { out.bad.push_back(error.message); });
  return out;
}

const char kRecordA[] =
    R"({"eventVersion":"1.08","eventSource":"s3.amazonaws.com","eventTime":"2024-01-01T00:00:00Z",)"
    R"("awsRegion":"us-east-1","eventID":"a","recipientAccountId":"111122223333"})";
const char kRecordB[] =
    R"({"eventVersion":"1.08","eventSource":"iam.amazonaws.com",)"
    R"("eventTime":"2024-01-01T00:00:01Z","awsRegion":"us-east-1","eventID":"b",)"
    R"("nested":{"x":[1,2,{"y":null}]}})";
const char kEvent[] =
    R"({"version":"0","id":"1","detail-type":"AWS API Call via CloudTrail","source":"aws.s3",)"
    R"("detail":{"eventSource":"s3.amazonaws.com"}})";

TEST(RecordReaderTest, LogFileFixtureYieldsItsRecord) {
  const std::string text =
      testing::ReadFixture("aws/cloudtrail/iam-user-consolelogin-success-no-mfa.records.json");
  ASSERT_FALSE(text.empty());
  auto got = ReadAll(text);
  ASSERT_TRUE(got.summary.ok()) << got.summary.message();
  EXPECT_EQ(got.summary->format, InputFormat::kLogFile);
  ASSERT_EQ(got.records.size(), 1u);
  EXPECT_EQ(got.summary->records, 1u);
  EXPECT_TRUE(got.records[0].starts_with("{"));
  EXPECT_TRUE(got.records[0].ends_with("}"));
  EXPECT_NE(got.records[0].find("\"eventID\":\"3fcfb182"), std::string::npos) << got.records[0];
  EXPECT_FALSE(got.envelopes[0]);
  // The record text converts (the key account stands in for the missing recipientAccountId).
  auto envelope = BuildEnvelope(got.records[0], "111122223333");
  ASSERT_TRUE(envelope.ok()) << envelope.message();
  EXPECT_EQ(envelope->region, "us-east-2");
}

// The whole path on a real-shaped object: key → inflate → records → envelope, without copying
// the record (the envelope builder parses it in place through the padded view).
TEST(RecordReaderTest, GzipLogFileToEnvelopes) {
  const std::string key =
      "AWSLogs/111122223333/CloudTrail/us-east-1/2022/11/10/"
      "111122223333_CloudTrail_us-east-1_20221110T1625Z_AbCdEfGhIjKlMnOp.json.gz";
  const auto parsed_key = ParseLogKey(key);
  ASSERT_TRUE(parsed_key.has_value());
  auto inflated = InflateGzip(testing::ReadFixture("aws/digest-vector/log-file.json.gz"));
  ASSERT_TRUE(inflated.ok()) << inflated.message();
  RecordReader reader;
  EnvelopeBuilder builder;
  std::vector<std::string> ids;
  auto summary = reader.Read(
      inflated->padded_view(), key,
      [&](const RawRecord& record) {
        auto envelope = builder.Build(record.padded_json(), parsed_key->account);
        ASSERT_TRUE(envelope.ok()) << envelope.message();
        ids.push_back(envelope->id);
      },
      [](const Error& error) { ADD_FAILURE() << error.message; });
  ASSERT_TRUE(summary.ok()) << summary.message();
  EXPECT_EQ(summary->format, InputFormat::kLogFile);
  EXPECT_EQ(ids, (std::vector<std::string>{"e9412cf2-bed5-5133-90d8-95d65a6da132"}));
}

TEST(RecordReaderTest, CompactLogFileWithSeveralRecordsAndIndexes) {
  auto got = ReadAll(std::string(R"({"Records":[)") + kRecordA + "," + kRecordB + "]}\n");
  ASSERT_TRUE(got.summary.ok()) << got.summary.message();
  EXPECT_EQ(got.summary->format, InputFormat::kLogFile);
  ASSERT_EQ(got.records.size(), 2u);
  EXPECT_EQ(got.records[0], kRecordA);
  EXPECT_EQ(got.records[1], kRecordB);
  EXPECT_EQ(got.indexes, (std::vector<size_t>{0, 1}));
  EXPECT_EQ(got.lines, (std::vector<size_t>{0, 0}));
}

// Found by fuzz/record_prefilter_fuzz: a log file whose first line ends in '}' was taken for
// JSON lines.
TEST(RecordReaderTest, LogFileWhoseFirstLineEndsInABraceIsOneDocument) {
  auto got = ReadAll(std::string("{ \"Records\":[") + kRecordA + "\n," + kRecordB + "\n]}\n");
  ASSERT_TRUE(got.summary.ok()) << got.summary.message();
  EXPECT_EQ(got.summary->format, InputFormat::kLogFile);
  EXPECT_EQ(got.records, (std::vector<std::string>{kRecordA, kRecordB}));
  EXPECT_TRUE(got.bad.empty());
}

TEST(RecordReaderTest, EmptyRecordsListIsAValidEmptyLogFile) {
  auto got = ReadAll(R"({"Records":[]})");
  ASSERT_TRUE(got.summary.ok()) << got.summary.message();
  EXPECT_EQ(got.summary->format, InputFormat::kLogFile);
  EXPECT_EQ(got.summary->records, 0u);
}

TEST(RecordReaderTest, DigestFileIsNeitherLogFileNorRecord) {
  // A digest body (docs/reference/formats.md §1.8) sits next to log files but holds no records.
  const std::string text = testing::ReadFixture("aws/digest-vector/digest-file.json");
  auto got = ReadAll(text);
  ASSERT_FALSE(got.summary.ok());  // a digest is not a log file, a record or an event
  EXPECT_TRUE(got.summary.message().starts_with(
      "f.json: not a CloudTrail log file, record or EventBridge event"))
      << got.summary.message();
}

TEST(RecordReaderTest, ArrayOfRecordsReportsNonObjectsAndGoesOn) {
  auto got = ReadAll(std::string("[") + kRecordA + ", 5, " + kRecordB + "]");
  ASSERT_TRUE(got.summary.ok()) << got.summary.message();
  EXPECT_EQ(got.summary->format, InputFormat::kRecordArray);
  ASSERT_EQ(got.records.size(), 2u);
  EXPECT_EQ(got.records[1], kRecordB);
  EXPECT_EQ(got.indexes, (std::vector<size_t>{0, 2}));
  ASSERT_EQ(got.bad.size(), 1u);
  EXPECT_EQ(got.bad[0], "f.json: [1]: not a JSON object (it is a number)");
  EXPECT_EQ(got.summary->bad_records, 1u);
}

TEST(RecordReaderTest, SingleRecordFixture) {
  const std::string text = testing::ReadFixture("aws/cloudtrail/root-consolelogin-failure.json");
  auto got = ReadAll(text);
  ASSERT_TRUE(got.summary.ok()) << got.summary.message();
  EXPECT_EQ(got.summary->format, InputFormat::kSingleRecord);
  ASSERT_EQ(got.records.size(), 1u);
  std::string trimmed = text;
  while (!trimmed.empty() && (trimmed.back() == '\n' || trimmed.back() == ' ')) trimmed.pop_back();
  EXPECT_EQ(got.records[0], trimmed);
}

TEST(RecordReaderTest, SingleEventFixtureIsAlreadyAnEnvelope) {
  const std::string text = testing::ReadFixture(
      "aws/eventbridge/root-consolelogin-success-mfa.envelope.constructed.json");
  auto got = ReadAll(text);
  ASSERT_TRUE(got.summary.ok()) << got.summary.message();
  EXPECT_EQ(got.summary->format, InputFormat::kSingleEvent);
  ASSERT_EQ(got.records.size(), 1u);
  EXPECT_TRUE(got.envelopes[0]);
  EXPECT_TRUE(testing::JsonTextsEqual(got.records[0], text));
}

TEST(RecordReaderTest, JsonLinesOfRecordsAndEventsWithABadLine) {
  const std::string text = std::string(kRecordA) + "\r\n\n" + kEvent + "\n" +
                           R"({"eventVersion":"1.0","broken":)" + "\n" + "[1]\n" + kRecordB;
  auto got = ReadAll(text);
  ASSERT_TRUE(got.summary.ok()) << got.summary.message();
  EXPECT_EQ(got.summary->format, InputFormat::kRecordLines);
  ASSERT_EQ(got.records.size(), 3u);
  EXPECT_EQ(got.records[0], kRecordA);
  EXPECT_EQ(got.records[1], kEvent);
  EXPECT_EQ(got.records[2], kRecordB);
  EXPECT_EQ(got.envelopes, (std::vector<bool>{false, true, false}));
  EXPECT_EQ(got.lines, (std::vector<size_t>{1, 3, 6}));
  ASSERT_EQ(got.bad.size(), 2u);
  EXPECT_TRUE(got.bad[0].starts_with("f.json:4: ")) << got.bad[0];
  EXPECT_EQ(got.bad[1], "f.json:5: not a JSON object");
  EXPECT_EQ(got.summary->bad_records, 2u);
}

TEST(RecordReaderTest, JsonLinesWithABrokenFirstLineAreStillDetected) {
  const std::string text = std::string(R"({"eventVersion":"1.0)") + "\n" + kRecordA + "\n";
  auto got = ReadAll(text);
  ASSERT_TRUE(got.summary.ok()) << got.summary.message();
  EXPECT_EQ(got.summary->format, InputFormat::kRecordLines);
  ASSERT_EQ(got.records.size(), 1u);
  EXPECT_EQ(got.lines[0], 2u);
  ASSERT_EQ(got.bad.size(), 1u);
  EXPECT_TRUE(got.bad[0].starts_with("f.json:1: ")) << got.bad[0];
}

TEST(RecordReaderTest, JsonLinesOfEvents) {
  auto got = ReadAll(std::string(kEvent) + "\n" + kEvent + "\n");
  ASSERT_TRUE(got.summary.ok()) << got.summary.message();
  EXPECT_EQ(got.summary->format, InputFormat::kEventLines);
  EXPECT_EQ(got.envelopes, (std::vector<bool>{true, true}));
}

TEST(RecordReaderTest, ForcedEventLinesRejectBareRecords) {
  auto got = ReadAll(std::string(kEvent) + "\n" + kRecordA + "\n", InputFormat::kEventLines);
  ASSERT_TRUE(got.summary.ok()) << got.summary.message();
  EXPECT_EQ(got.records.size(), 1u);
  ASSERT_EQ(got.bad.size(), 1u);
  EXPECT_EQ(got.bad[0],
            "f.json:2: not an EventBridge event: no \"detail-type\" and \"detail\" keys");
}

TEST(RecordReaderTest, ForcedRecordLinesTreatEveryObjectAsARecord) {
  auto got = ReadAll(std::string(kEvent) + "\n" + R"({"any":"object"})", InputFormat::kRecordLines);
  ASSERT_TRUE(got.summary.ok()) << got.summary.message();
  EXPECT_EQ(got.records.size(), 2u);
  EXPECT_EQ(got.envelopes, (std::vector<bool>{false, false}));
  // A single-line file read as JSON lines still reports line numbers.
  auto one = ReadAll(kRecordA, InputFormat::kRecordLines);
  ASSERT_TRUE(one.summary.ok());
  EXPECT_EQ(one.lines, (std::vector<size_t>{1}));
}

TEST(RecordReaderTest, ForcedLogFileNeedsRecords) {
  auto got = ReadAll(kRecordA, InputFormat::kLogFile);
  ASSERT_FALSE(got.summary.ok());
  EXPECT_EQ(got.summary.message(), "f.json: not a CloudTrail log file: no \"Records\" key");
  auto forced_record = ReadAll(R"({"any":"object"})", InputFormat::kSingleRecord);
  ASSERT_TRUE(forced_record.summary.ok());
  EXPECT_EQ(forced_record.records.size(), 1u);
}

TEST(RecordReaderTest, EmptyAndWhitespaceFiles) {
  auto zero = ReadAll("", InputFormat::kAuto, "logs/a.json.gz");
  ASSERT_FALSE(zero.summary.ok());
  EXPECT_EQ(zero.summary.message(), "logs/a.json.gz: empty file (0 bytes)");
  auto blank = ReadAll(" \n\t\n");
  ASSERT_FALSE(blank.summary.ok());
  EXPECT_EQ(blank.summary.message(), "f.json: empty file (only whitespace)");
  // The default-constructed buffer (never allocated) is handled the same way.
  PaddedBuffer empty;
  RecordReader reader;
  auto result = reader.Read(
      empty.padded_view(), "e", [](const RawRecord&) {}, [](const Error&) {});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.message(), "e: empty file (0 bytes)");
}

TEST(RecordReaderTest, NonJson) {
  auto got = ReadAll("PK\x03\x04 zip data");
  ASSERT_FALSE(got.summary.ok());
  EXPECT_EQ(got.summary.message(), "f.json: not JSON (the first character is byte 0x50)");
  auto bom = ReadAll("\xEF\xBB\xBF" + std::string(kRecordA));
  ASSERT_TRUE(bom.summary.ok()) << bom.summary.message();
  EXPECT_EQ(bom.records.size(), 1u);
}

TEST(RecordReaderTest, TruncatedLogFileIsAnError) {
  const std::string whole = std::string(R"({"Records":[)") + kRecordA + "," + kRecordB + "]}";
  for (size_t cut : {whole.size() - 1, whole.size() - 2, whole.size() / 2, size_t{14}}) {
    auto got = ReadAll(whole.substr(0, cut));
    ASSERT_FALSE(got.summary.ok()) << cut;
    EXPECT_TRUE(got.summary.message().starts_with("f.json: ")) << got.summary.message();
    EXPECT_NE(got.summary.message().find("JSON"), std::string::npos) << got.summary.message();
  }
  auto no_root_close = ReadAll(whole.substr(0, whole.size() - 1));
  EXPECT_EQ(no_root_close.summary.message(),
            "f.json: truncated JSON (an object or array is not closed)");
  // Cut after a complete record: the records before the cut are delivered, then the error.
  auto cut_after_record = ReadAll(whole.substr(0, whole.size() - 2));
  EXPECT_EQ(cut_after_record.summary.message(),
            "f.json: Records[2]: truncated JSON (the file ends before its objects/arrays close)");
  EXPECT_EQ(cut_after_record.records.size(), 2u);
}

TEST(RecordReaderTest, WrongShapes) {
  auto records_number = ReadAll(R"({"Records": 5})");
  ASSERT_FALSE(records_number.summary.ok());
  EXPECT_EQ(records_number.summary.message(),
            "f.json: \"Records\" is not an array (it is a number)");
  auto records_object = ReadAll(R"({"Records": {"a": 1}})");
  ASSERT_FALSE(records_object.summary.ok());
  EXPECT_EQ(records_object.summary.message(),
            "f.json: \"Records\" is not an array (it is an object)");
  auto element = ReadAll(R"({"Records": ["x", null]})");
  ASSERT_TRUE(element.summary.ok()) << element.summary.message();
  EXPECT_EQ(element.bad,
            (std::vector<std::string>{"f.json: Records[0]: not a JSON object (it is a string)",
                                      "f.json: Records[1]: not a JSON object (it is null)"}));
  auto other = ReadAll(R"({"s3Bucket":"b","s3ObjectKey":[]})");
  ASSERT_FALSE(other.summary.ok());
  auto scalar = ReadAll("42");
  ASSERT_FALSE(scalar.summary.ok());
  EXPECT_EQ(scalar.summary.message(), "f.json: not JSON (the first character is byte 0x34)");
  auto two_docs = ReadAll(std::string("{\n") + R"("eventVersion":"1.0"})" + "\n{\"a\":1}");
  ASSERT_FALSE(two_docs.summary.ok());
  EXPECT_EQ(two_docs.summary.message(),
            "f.json: trailing content after the first JSON value (JSON lines need one object per "
            "line)");
}

}  // namespace
}  // namespace trailwatch::cloudtrail
