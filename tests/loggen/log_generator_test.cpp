// Tests for the CloudTrail corpus generator (loggen/log_generator.h): same seed → same bytes,
// every key parses as a CloudTrail key, every file inflates into {"Records":[...]} whose records
// carry the required fields and convert to EventBridge envelopes, the report matches what is on
// disk (records, bytes, root sign-ins), and the total size is within 10% of the request.
#include "loggen/log_generator.h"

#include <gtest/gtest.h>
#include <simdjson.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "envelope/envelope.h"
#include "cloudtrail/inflate.h"
#include "cloudtrail/log_key.h"
#include "cloudtrail/uuid.h"

namespace trailwatch::cloudtrail {
using envelope::BuildEnvelope;
using envelope::EnvelopeBuilder;
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "trailwatch-gen-XXXXXX").string();
    path_ = mkdtemp(pattern.data()) ? fs::path(pattern) : fs::path();
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string ReadBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// Relative path (a CloudTrail key) → file bytes, for every file under `root`.
std::map<std::string, std::string> ReadTree(const fs::path& root) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file()) {
      files[fs::relative(entry.path(), root).string()] = ReadBytes(entry.path());
    }
  }
  return files;
}

LogGeneratorOptions SmallOptions(const fs::path& out) {
  LogGeneratorOptions options;
  options.out_dir = out;
  options.target_bytes = 3'000'000;
  options.seed = 42;
  options.accounts = 6;
  options.regions = 5;
  options.days = 4;
  options.end = {2024, 3, 1};  // the span crosses February 29th
  options.threads = 2;
  return options;
}

TEST(LogGeneratorTest, SameSeedWritesSameBytesAndOtherSeedDoesNot) {
  TempDir a, b, c;
  LogGeneratorOptions options = SmallOptions(a.path() / "out");
  auto first = GenerateLogs(options);
  ASSERT_TRUE(first.ok()) << first.message();
  options.out_dir = b.path() / "out";
  options.threads = 1;  // the thread count does not change the output
  auto second = GenerateLogs(options);
  ASSERT_TRUE(second.ok()) << second.message();
  EXPECT_EQ(LogGeneratorReportJson(*first), LogGeneratorReportJson(*second));
  const auto tree_a = ReadTree(a.path() / "out");
  const auto tree_b = ReadTree(b.path() / "out");
  ASSERT_EQ(tree_a.size(), first->files);
  EXPECT_TRUE(tree_a == tree_b);

  options.out_dir = c.path() / "out";
  options.seed = 43;
  auto other = GenerateLogs(options);
  ASSERT_TRUE(other.ok()) << other.message();
  EXPECT_FALSE(ReadTree(c.path() / "out") == tree_a);
}

// What a file holds, checked record by record.
struct Scanned {
  uint64_t files = 0;
  uint64_t records = 0;
  uint64_t compressed = 0;
  uint64_t uncompressed = 0;
  uint64_t root_sign_ins = 0;
  uint64_t root_records = 0;
  uint64_t console_sign_ins = 0;
  std::set<std::string> event_types;
  std::set<std::string> identity_types;
  std::set<std::string> event_sources;
  std::set<std::string> event_ids;
  std::set<std::string> accounts;
  std::set<std::string> regions;
};

void CheckCorpus(const fs::path& root, const LogGeneratorOptions& options, Scanned* out) {
  simdjson::dom::parser parser;
  EnvelopeBuilder envelopes;
  const auto files = ReadTree(root);
  for (const auto& [key, gzip] : files) {
    SCOPED_TRACE(key);
    ++out->files;
    out->compressed += gzip.size();

    // The key: §1.1 layout, file name consistent with the folders.
    auto parsed = ParseLogKey(key);
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(parsed->kind, LogKind::kCloudTrail);
    EXPECT_EQ(parsed->prefix, "");
    EXPECT_EQ(parsed->org_id, options.org_id);
    out->accounts.insert(std::string(parsed->account));
    out->regions.insert(std::string(parsed->region));
    char date[16];
    std::snprintf(date, sizeof date, "%04d%02d%02d", parsed->year, parsed->month, parsed->day);
    const std::string name_prefix = std::string(parsed->account) + "_CloudTrail_" +
                                    std::string(parsed->region) + "_" + date + "T";
    EXPECT_TRUE(parsed->file_name.starts_with(name_prefix)) << parsed->file_name;
    EXPECT_TRUE(parsed->file_name.ends_with(".json.gz"));
    // <prefix>HHmmZ_<16 chars>.json.gz
    EXPECT_EQ(parsed->file_name.size(), name_prefix.size() + 4 + 2 + 16 + 8);
    const int day_number = parsed->year * 10000 + parsed->month * 100 + parsed->day;
    EXPECT_GE(day_number, 20240227);  // four days ending 2024-03-01 (a leap year)
    EXPECT_LE(day_number, 20240301);
    const std::string delivery =
        std::string(parsed->file_name.substr(name_prefix.size() - 9, 14));  // YYYYMMDDTHHmmZ
    const std::string delivery_time = delivery.substr(0, 4) + "-" + delivery.substr(4, 2) + "-" +
                                      delivery.substr(6, 2) + "T" + delivery.substr(9, 2) + ":" +
                                      delivery.substr(11, 2) + ":00Z";

    // The content: one gzip member holding {"Records":[...]}.
    auto inflated = InflateGzip(gzip);
    ASSERT_TRUE(inflated.ok()) << inflated.message();
    out->uncompressed += inflated->size();
    simdjson::dom::element document;
    ASSERT_EQ(parser.parse(inflated->data(), inflated->size(), false).get(document),
              simdjson::SUCCESS);
    simdjson::dom::array records;
    ASSERT_EQ(document["Records"].get_array().get(records), simdjson::SUCCESS);
    ASSERT_GT(records.size(), 0u);
    std::string previous_time;
    for (simdjson::dom::element record : records) {
      ++out->records;
      std::string_view value;
      for (const char* field :
           {"eventVersion", "eventTime", "eventSource", "eventName", "awsRegion", "sourceIPAddress",
            "eventID", "eventType", "recipientAccountId", "eventCategory"}) {
        ASSERT_EQ(record[field].get_string().get(value), simdjson::SUCCESS) << field;
        ASSERT_FALSE(value.empty()) << field;
      }
      for (const char* field : {"requestParameters", "responseElements"}) {
        simdjson::dom::element present;
        ASSERT_EQ(record[field].get(present), simdjson::SUCCESS) << field;
        EXPECT_TRUE(present.is_null() || present.is_object()) << field;
      }
      simdjson::dom::object identity;
      ASSERT_EQ(record["userIdentity"].get_object().get(identity), simdjson::SUCCESS);

      const std::string_view version = record["eventVersion"].get_string().value();
      EXPECT_TRUE(version == "1.08" || version == "1.09") << version;
      const std::string_view region = record["awsRegion"].get_string().value();
      EXPECT_EQ(region, parsed->region);
      EXPECT_EQ(record["recipientAccountId"].get_string().value(), parsed->account);
      const std::string time(record["eventTime"].get_string().value());
      EXPECT_EQ(time.size(), 20u);
      EXPECT_LT(time, delivery_time);  // events come before their file's delivery
      EXPECT_GE(time, previous_time);  // and in order
      previous_time = time;
      const std::string event_id(record["eventID"].get_string().value());
      EXPECT_TRUE(Uuid::Parse(event_id).has_value()) << event_id;
      EXPECT_TRUE(out->event_ids.insert(event_id).second) << "duplicate eventID " << event_id;
      const std::string_view event_type = record["eventType"].get_string().value();
      out->event_types.insert(std::string(event_type));
      out->event_sources.insert(std::string(record["eventSource"].get_string().value()));
      if (event_type == "AwsApiCall") {
        EXPECT_EQ(record["requestID"].get_string().get(value), simdjson::SUCCESS);
        bool read_only;
        EXPECT_EQ(record["readOnly"].get_bool().get(read_only), simdjson::SUCCESS);
      }

      std::string_view identity_type;
      if (identity["type"].get_string().get(identity_type) == simdjson::SUCCESS) {
        out->identity_types.insert(std::string(identity_type));
      } else {
        EXPECT_EQ(event_type, "AwsServiceEvent");  // a service event names only invokedBy
      }
      if (event_type == "AwsConsoleSignIn") {
        ++out->console_sign_ins;
        EXPECT_EQ(record["eventSource"].get_string().value(), "signin.amazonaws.com");
        simdjson::dom::object response;
        ASSERT_EQ(record["responseElements"].get_object().get(response), simdjson::SUCCESS);
      }
      if (identity_type == "Root") {
        ++out->root_records;
        EXPECT_EQ(region, "us-east-1");  // docs/reference/formats.md §2.4
        if (event_type == "AwsConsoleSignIn") {
          ++out->root_sign_ins;
          EXPECT_EQ(record["eventName"].get_string().value(), "ConsoleLogin");
          std::string_view result;
          ASSERT_EQ(record["responseElements"]["ConsoleLogin"].get_string().get(result),
                    simdjson::SUCCESS);
          EXPECT_TRUE(result == "Success" || result == "Failure");
          std::string_view mfa;
          EXPECT_EQ(record["additionalEventData"]["MFAUsed"].get_string().get(mfa),
                    simdjson::SUCCESS);
        }
      }

      // The record converts to the EventBridge envelope the scanner will match on.
      const std::string text = simdjson::to_string(record);
      auto envelope = envelopes.Build(std::string_view(text), parsed->account);
      ASSERT_TRUE(envelope.ok()) << envelope.message();
      EXPECT_FALSE(envelope->event_type_unknown) << event_type;
    }
  }
}

TEST(LogGeneratorTest, KeysParseFilesInflateRecordsAreCompleteAndReportMatches) {
  TempDir dir;
  const LogGeneratorOptions options = SmallOptions(dir.path() / "out");
  auto report = GenerateLogs(options);
  ASSERT_TRUE(report.ok()) << report.message();

  Scanned scanned;
  CheckCorpus(options.out_dir, options, &scanned);
  EXPECT_EQ(scanned.files, report->files);
  EXPECT_EQ(scanned.records, report->records);
  EXPECT_EQ(scanned.compressed, report->compressed_bytes);
  EXPECT_EQ(scanned.uncompressed, report->uncompressed_bytes);
  EXPECT_EQ(scanned.root_sign_ins, report->root_sign_ins);
  EXPECT_GE(report->root_sign_ins, 1u);  // rare, but a corpus always has one to find
  EXPECT_EQ(scanned.root_records, report->root_sign_ins + report->root_api_calls);
  EXPECT_EQ(scanned.console_sign_ins, report->console_sign_ins);

  // Size within ±10% of the request, and several files of different sizes.
  const double ratio =
      static_cast<double>(report->uncompressed_bytes) / static_cast<double>(options.target_bytes);
  EXPECT_GT(ratio, 0.9);
  EXPECT_LT(ratio, 1.1);
  EXPECT_GT(report->files, 10u);
  EXPECT_LT(report->compressed_bytes, report->uncompressed_bytes / 4);
  EXPECT_GT(report->largest_file_compressed_bytes, 8 * report->smallest_file_compressed_bytes);

  // Variety: the event types, identities, services, accounts and regions the brief lists.
  for (const char* type :
       {"AwsApiCall", "AwsServiceEvent", "AwsConsoleAction", "AwsConsoleSignIn"}) {
    EXPECT_TRUE(scanned.event_types.count(type)) << type;
  }
  for (const char* type : {"AssumedRole", "IAMUser", "AWSService", "Root"}) {
    EXPECT_TRUE(scanned.identity_types.count(type)) << type;
  }
  for (const char* source :
       {"ec2.amazonaws.com", "s3.amazonaws.com", "sts.amazonaws.com", "kms.amazonaws.com",
        "lambda.amazonaws.com", "iam.amazonaws.com", "signin.amazonaws.com"}) {
    EXPECT_TRUE(scanned.event_sources.count(source)) << source;
  }
  EXPECT_GE(scanned.accounts.size(), 3u);
  EXPECT_GE(scanned.regions.size(), 3u);
  EXPECT_TRUE(scanned.regions.count("us-east-1"));
}

TEST(LogGeneratorTest, OrganizationTrailLayout) {
  TempDir dir;
  LogGeneratorOptions options = SmallOptions(dir.path() / "out");
  options.target_bytes = 400'000;
  options.org_id = "o-a1b2c3d4e5";
  auto report = GenerateLogs(options);
  ASSERT_TRUE(report.ok()) << report.message();
  Scanned scanned;
  CheckCorpus(options.out_dir, options, &scanned);
  EXPECT_EQ(scanned.files, report->files);
  EXPECT_EQ(scanned.root_sign_ins, report->root_sign_ins);
  EXPECT_GE(report->root_sign_ins, 1u);
}

// --file-size: the many-small-files shape of 5-minute deliveries (issue 16). Every file is in the
// range (filled up to its planned size, so at most one record beyond MAX), the last one included.
TEST(LogGeneratorTest, UniformFileSizesStayInTheRange) {
  TempDir dir;
  LogGeneratorOptions options = SmallOptions(dir.path() / "out");
  options.min_file_bytes = 100'000;
  options.max_file_bytes = 260'000;
  auto report = GenerateLogs(options);
  ASSERT_TRUE(report.ok()) << report.message();
  Scanned scanned;
  CheckCorpus(options.out_dir, options, &scanned);
  EXPECT_EQ(scanned.files, report->files);
  EXPECT_EQ(scanned.root_sign_ins, report->root_sign_ins);
  EXPECT_GE(report->files, 3'000'000u / 260'000);
  EXPECT_LE(report->files, 3'000'000u / 100'000);
  for (const auto& [key, gzip] : ReadTree(options.out_dir)) {
    auto inflated = InflateGzip(gzip);
    ASSERT_TRUE(inflated.ok()) << key;
    EXPECT_GE(inflated->size(), options.min_file_bytes) << key;
    EXPECT_LE(inflated->size(), options.max_file_bytes + 20'000) << key;
  }

  options.max_file_bytes = 150'000;  // less than twice MIN: the last file could not fit
  EXPECT_NE(ValidateLogGeneratorOptions(options).message().find("--file-size"), std::string::npos);
}

TEST(LogGeneratorTest, RejectsBadOptionsAndNonEmptyOutput) {
  TempDir dir;
  LogGeneratorOptions options = SmallOptions(dir.path() / "out");
  options.org_id = "o-UPPER12345";
  EXPECT_NE(ValidateLogGeneratorOptions(options).message().find("--org"), std::string::npos);
  options.org_id.clear();
  options.regions = 0;
  EXPECT_NE(ValidateLogGeneratorOptions(options).message().find("--regions"), std::string::npos);
  options.regions = 2;
  options.accounts = 0;
  EXPECT_NE(ValidateLogGeneratorOptions(options).message().find("--accounts"), std::string::npos);
  options.accounts = 2;
  EXPECT_TRUE(ValidateLogGeneratorOptions(options).ok());

  fs::create_directories(options.out_dir);
  std::ofstream(options.out_dir / "something") << "x";
  auto report = GenerateLogs(options);
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.message().find("not empty"), std::string::npos) << report.message();
}

TEST(LogGeneratorTest, ParsesCalendarDates) {
  auto leap = ParseCalendarDate("2024-02-29");
  ASSERT_TRUE(leap.ok()) << leap.message();
  EXPECT_EQ(leap->year, 2024);
  EXPECT_EQ(leap->month, 2);
  EXPECT_EQ(leap->day, 29);
  for (const char* bad :
       {"2025-02-29", "2025-13-01", "2025-1-01", "20250101", "2025-01-32", "abcd-01-01", ""}) {
    auto date = ParseCalendarDate(bad);
    ASSERT_FALSE(date.ok()) << bad;
    EXPECT_NE(date.message().find(bad), std::string::npos) << date.message();
  }
}

}  // namespace
}  // namespace trailwatch::cloudtrail
