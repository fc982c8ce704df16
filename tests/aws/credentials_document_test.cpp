// The credentials documents of the container endpoint and instance metadata, and the ISO 8601
// times of STS, credential_process and the SSO cache.
#include "aws/credentials_document.h"

#include <gtest/gtest.h>

namespace trailwatch::aws {
namespace {

int64_t Seconds(std::optional<std::chrono::system_clock::time_point> when) {
  return when ? std::chrono::duration_cast<std::chrono::seconds>(when->time_since_epoch()).count()
              : -1;
}

TEST(CredentialsDocumentTest, Iso8601FormsAwsWrites) {
  EXPECT_EQ(Seconds(ParseIso8601("2026-12-05T20:00:00Z")), 1796500800);
  EXPECT_EQ(Seconds(ParseIso8601("2026-12-05T20:00:00.123Z")), 1796500800);  // STS, SSO cache
  EXPECT_EQ(Seconds(ParseIso8601("2026-12-05T20:00:00+00:00")), 1796500800);
  EXPECT_EQ(Seconds(ParseIso8601("2026-12-05T20:00:00")), 1796500800);
  EXPECT_EQ(Seconds(ParseIso8601("2026-12-05T20:00:00+02:00")), -1);  // not misread as UTC
  EXPECT_EQ(Seconds(ParseIso8601("tomorrow")), -1);
  EXPECT_EQ(Seconds(ParseIso8601("")), -1);
}

TEST(CredentialsDocumentTest, ContainerDocumentErrorsNeverQuoteIt) {
  auto good = ParseCredentialsJson(
      R"({"AccessKeyId":"ASIA","SecretAccessKey":"s","Token":"t","Expiration":"2026-12-05T20:00:00Z"})",
      "ecs");
  ASSERT_TRUE(good.ok()) << good.message();
  EXPECT_EQ(good->session_token, "t");
  EXPECT_EQ(Seconds(good->expiration), 1796500800);
  EXPECT_EQ(good->source, "ecs");

  for (const std::string& body :
       {std::string(R"({"SecretAccessKey":"SECRET-1"})"), std::string("SECRET-1 not json"),
        std::string(R"({"Code":"Failure","SecretAccessKey":"SECRET-1"})")}) {
    auto bad = ParseCredentialsJson(body, "imds");
    ASSERT_FALSE(bad.ok()) << body;
    EXPECT_EQ(bad.message().find("SECRET-1"), std::string::npos) << bad.message();
  }
}

}  // namespace
}  // namespace trailwatch::aws
