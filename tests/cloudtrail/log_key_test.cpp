// Tests for CloudTrail key parsing (cloudtrail/log_key.h, docs/reference/formats.md §1.1).
#include "cloudtrail/log_key.h"

#include <gtest/gtest.h>

#include <random>
#include <regex>
#include <string>
#include <vector>

#include "test_util.h"

namespace trailwatch::cloudtrail {
namespace {

TEST(LogKeyTest, SingleAccountTrailWithoutPrefix) {
  const std::string key =
      "AWSLogs/111122223333/CloudTrail/us-east-2/2015/08/01/"
      "111122223333_CloudTrail_us-east-2_20150801T0210Z_Mu0KsOhtH1ar15ZZ.json.gz";
  auto parsed = ParseLogKey(key);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->prefix, "");
  EXPECT_EQ(parsed->org_id, "");
  EXPECT_EQ(parsed->account, "111122223333");
  EXPECT_EQ(parsed->kind, LogKind::kCloudTrail);
  EXPECT_EQ(parsed->region, "us-east-2");
  EXPECT_EQ(parsed->year, 2015);
  EXPECT_EQ(parsed->month, 8);
  EXPECT_EQ(parsed->day, 1);
  EXPECT_EQ(parsed->file_name,
            "111122223333_CloudTrail_us-east-2_20150801T0210Z_Mu0KsOhtH1ar15ZZ.json.gz");
}

TEST(LogKeyTest, OrganizationTrailWithMultiLevelPrefix) {
  auto parsed = ParseLogKey(
      "trails/prod/AWSLogs/o-exampleorgid/444455556666/CloudTrail/eu-west-1/2024/02/29/f.json.gz");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->prefix, "trails/prod");
  EXPECT_EQ(parsed->org_id, "o-exampleorgid");
  EXPECT_EQ(parsed->account, "444455556666");
  EXPECT_EQ(parsed->region, "eu-west-1");
  EXPECT_EQ(parsed->year, 2024);
  EXPECT_EQ(parsed->month, 2);
  EXPECT_EQ(parsed->day, 29);
  EXPECT_EQ(parsed->file_name, "f.json.gz");
}

TEST(LogKeyTest, DigestAndInsightKinds) {
  auto digest = ParseLogKey(
      "AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2022/11/10/"
      "111122223333_CloudTrail-Digest_us-east-1_main_us-east-1_20221110T170131Z.json.gz");
  ASSERT_TRUE(digest.has_value());
  EXPECT_EQ(digest->kind, LogKind::kDigest);
  auto insight = ParseLogKey("AWSLogs/111122223333/CloudTrail-Insight/us-east-1/2022/11/10/x.gz");
  ASSERT_TRUE(insight.has_value());
  EXPECT_EQ(insight->kind, LogKind::kInsight);
}

// §1.1: AWS's own SNS sample has a us-east-2 folder and a us-west-2 file name; accept it.
TEST(LogKeyTest, AcceptsFolderRegionDifferentFromFileNameRegion) {
  const std::string message =
      testing::ReadFixture("aws/cloudtrail/sns-logfile-notification-message-single.json");
  const std::string marker = "\"s3ObjectKey\": [\"";
  const size_t start = message.find(marker);
  ASSERT_NE(start, std::string::npos);
  const size_t end = message.find('"', start + marker.size());
  const std::string key = message.substr(start + marker.size(), end - start - marker.size());
  auto parsed = ParseLogKey(key);
  ASSERT_TRUE(parsed.has_value()) << key;
  EXPECT_EQ(parsed->region, "us-east-2");
  EXPECT_EQ(parsed->account, "123456789012");
  EXPECT_EQ(parsed->file_name,
            "123456789012_CloudTrail_us-west-2_20131213T1920Z_LnPgDQnpkSKEsppV.json.gz");
}

TEST(LogKeyTest, AbsoluteFilePathsKeepTheirDirectoryAsPrefix) {
  auto parsed = ParseLogKey("/data/logs/AWSLogs/111122223333/CloudTrail/us-east-1/2022/11/10/a");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->prefix, "/data/logs");
}

TEST(LogKeyTest, RejectsNonCloudTrailKeys) {
  const char* keys[] = {
      "",
      "HappyFace.jpg",
      "AWSLogs/111122223333/CloudTrail/us-east-1/2022/11/10/",           // no file name
      "AWSLogs/11112222333/CloudTrail/us-east-1/2022/11/10/f",           // 11-digit account
      "AWSLogs/111122223333/cloudtrail/us-east-1/2022/11/10/f",          // kind is case-sensitive
      "AWSLogs/111122223333/CloudTrail/US-EAST-1/2022/11/10/f",          // region lower case
      "AWSLogs/111122223333/CloudTrail/us-east-1/2022/1/10/f",           // MM is two digits
      "AWSLogs/111122223333/CloudTrail/us-east-1/2022/11/10/extra/f",    // one level too deep
      "Logs/111122223333/CloudTrail/us-east-1/2022/11/10/f",             // not AWSLogs
      "/AWSLogs/111122223333/CloudTrail/us-east-1/2022/11/10/f",         // empty prefix
      "AWSLogs/o-short/111122223333/CloudTrail/us-east-1/2022/11/10/f",  // org id too short
      "AWSLogs/o-UPPERCASE1/111122223333/CloudTrail/us-east-1/2022/11/10/f",
      "111122223333/CloudTrail/us-east-1/2022/11/10/f",  // nothing before the account
  };
  for (const char* key : keys) EXPECT_FALSE(ParseLogKey(key).has_value()) << key;
}

// Differential check against the §1.1 regex itself (std::regex, ECMAScript) on generated keys,
// so the hand-written split keeps the regex's semantics including its ambiguity resolution.
TEST(LogKeyTest, AgreesWithTheReferenceRegex) {
  const std::regex reference(
      R"(^(?:(.+)/)?AWSLogs/(?:(o-[a-z0-9]{10,32})/)?(\d{12})/)"
      R"((CloudTrail|CloudTrail-Digest|CloudTrail-Insight)/([a-z0-9-]+)/(\d{4})/(\d{2})/(\d{2})/)"
      R"(([^/]+)$)");
  const std::vector<std::string> parts = {"AWSLogs",
                                          "o-abcdefghij",
                                          "o-abc",
                                          "111122223333",
                                          "CloudTrail",
                                          "CloudTrail-Digest",
                                          "CloudTrail-Insight",
                                          "us-east-1",
                                          "2022",
                                          "11",
                                          "10",
                                          "f.json.gz",
                                          "",
                                          "x",
                                          "AWSLogs",
                                          "o-0123456789abcdef0123456789abcdef",
                                          "o-0123456789abcdef0123456789abcdefg"};
  std::mt19937 rng(12345);
  const std::string good[] = {"p",         "AWSLogs", "o-abcdefghij", "111122223333", "CloudTrail",
                              "us-east-1", "2022",    "11",           "10",           "f.json.gz"};
  int matched = 0;
  for (int i = 0; i < 20000; ++i) {
    std::vector<std::string> components(std::begin(good), std::end(good));
    // Mutate: drop, replace or insert a few components.
    const int edits = static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      const size_t at = rng() % (components.size() + 1);
      switch (rng() % 3) {
        case 0:
          if (at < components.size()) components.erase(components.begin() + at);
          break;
        case 1:
          if (at < components.size()) components[at] = parts[rng() % parts.size()];
          break;
        default:
          components.insert(components.begin() + at, parts[rng() % parts.size()]);
      }
    }
    std::string key;
    for (size_t c = 0; c < components.size(); ++c) key += (c ? "/" : "") + components[c];
    std::smatch m;
    const bool expected = std::regex_match(key, m, reference);
    const auto parsed = ParseLogKey(key);
    ASSERT_EQ(parsed.has_value(), expected) << key;
    if (!expected) continue;
    ++matched;
    ASSERT_EQ(parsed->prefix, m[1].str()) << key;
    ASSERT_EQ(parsed->org_id, m[2].str()) << key;
    ASSERT_EQ(parsed->account, m[3].str()) << key;
    ASSERT_EQ(parsed->region, m[5].str()) << key;
    ASSERT_EQ(parsed->year, std::stoi(m[6].str())) << key;
    ASSERT_EQ(parsed->file_name, m[9].str()) << key;
  }
  EXPECT_GT(matched, 1000);  // the generator must exercise the matching side too
}

}  // namespace
}  // namespace trailwatch::cloudtrail
