// SSO profiles against a fake SSO portal on 127.0.0.1 (AWS_ENDPOINT_URL_SSO): the cached token
// found by the SHA-1 of the session name (sso-session profiles) or of the start URL (legacy
// profiles), GetRoleCredentials' request, and the errors for a missing, expired or refused token.
#include "aws/sso_credentials.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "aws/credentials.h"
#include "aws/fake_sts_util.h"
#include "cli/cli_test_util.h"
#include "targets/fake_servers_util.h"

namespace trailwatch::aws {
namespace {

using trailwatch::testing::FakeHttpServer;
using trailwatch::testing::FakeRequest;
using trailwatch::testing::FakeResponse;
using trailwatch::testing::IsoTime;
using trailwatch::testing::TempDir;

constexpr const char* kAccessToken = "aoa-sso-access-token-SECRET";

class SsoCredentialsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(home_.path() + "/.aws/sso/cache");
    home_.Write(".aws/config",
                "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\n"
                "sso_role_name = ReadOnly\nregion = eu-west-1\n"
                "[sso-session corp]\nsso_region = eu-central-1\n"
                "sso_start_url = https://corp.awsapps.com/start\n"
                "sso_registration_scopes = sso:account:access\n"
                "[profile legacy]\nsso_start_url = https://old.awsapps.com/start\n"
                "sso_region = us-east-1\nsso_account_id = 444455556666\n"
                "sso_role_name = Audit\n");
    environment_ = {{"HOME", home_.path()},
                    {"AWS_EC2_METADATA_DISABLED", "true"},
                    {"AWS_ENDPOINT_URL_SSO", portal_.Url("")}};
  }
  void CacheToken(const std::string& key, std::chrono::system_clock::time_point expires) {
    home_.Write(".aws/sso/cache/" + SsoCacheFileName(key),
                std::string("{\"startUrl\":\"https://corp.awsapps.com/start\",\"region\":"
                            "\"eu-central-1\",\"accessToken\":\"") +
                    kAccessToken + "\",\"expiresAt\":\"" + IsoTime(expires) +
                    "\",\"refreshToken\":\"refresh-SECRET\"}");
  }
  Result<Credentials> Get(const std::string& profile) {
    CredentialsOptions options;
    options.profile = profile;
    CredentialsProvider provider(environment_, options);
    return provider.Get();
  }
  FakeResponse Answer(const FakeRequest& request) {
    if (request.Header("x-amz-sso_bearer_token") != kAccessToken) {
      return FakeResponse::Json(401, "{\"message\":\"Session token not found or invalid\"}");
    }
    return FakeResponse::Json(
        200,
        "{\"roleCredentials\":{\"accessKeyId\":\"ASIASSO\",\"secretAccessKey\":\"sso-secret\","
        "\"sessionToken\":\"sso-session-token\",\"expiration\":" +
            std::to_string(expiration_ms_) + "}}");
  }

  int64_t expiration_ms_ = 0;
  TempDir home_;
  FakeHttpServer portal_{[this](const FakeRequest& request) { return Answer(request); }};
  Environment environment_;
};

TEST_F(SsoCredentialsTest, CacheFileNameIsTheSha1OfTheKey) {
  // sha1("corp") and sha1("https://old.awsapps.com/start"), computed with sha1sum.
  EXPECT_EQ(SsoCacheFileName("corp"), "ee0bfd2552fbd840c02cc48b6e823320543c450f.json");
  EXPECT_EQ(SsoCacheFileName("https://old.awsapps.com/start"),
            "33d5ca4bf3b1a62edb96b47f7c203034a43ac435.json");
}

TEST_F(SsoCredentialsTest, SsoSessionProfileGetsRoleCredentialsFromThePortal) {
  auto now = std::chrono::system_clock::now();
  expiration_ms_ = std::chrono::duration_cast<std::chrono::milliseconds>(
                       (now + std::chrono::hours(1)).time_since_epoch())
                       .count();
  CacheToken("corp", now + std::chrono::hours(8));
  auto credentials = Get("dev");
  ASSERT_TRUE(credentials.ok()) << credentials.message();
  EXPECT_EQ(credentials->access_key_id, "ASIASSO");
  EXPECT_EQ(credentials->secret_access_key, "sso-secret");
  EXPECT_EQ(credentials->session_token, "sso-session-token");
  ASSERT_TRUE(credentials->expiration);
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(
                credentials->expiration->time_since_epoch())
                .count(),
            expiration_ms_);
  EXPECT_EQ(credentials->source, "profile dev (SSO 111122223333/ReadOnly)");
  ASSERT_EQ(portal_.RequestCount(), 1u);
  FakeRequest sent = portal_.Requests()[0];
  EXPECT_EQ(sent.method, "GET");
  EXPECT_EQ(sent.path, "/federation/credentials?account_id=111122223333&role_name=ReadOnly");
}

TEST_F(SsoCredentialsTest, LegacyProfileFindsTheTokenByStartUrl) {
  expiration_ms_ = 4102444800000;  // 2100-01-01
  CacheToken("https://old.awsapps.com/start",
             std::chrono::system_clock::now() + std::chrono::hours(1));
  auto credentials = Get("legacy");
  ASSERT_TRUE(credentials.ok()) << credentials.message();
  EXPECT_EQ(credentials->source, "profile legacy (SSO 444455556666/Audit)");
  EXPECT_EQ(portal_.Requests()[0].path,
            "/federation/credentials?account_id=444455556666&role_name=Audit");
}

TEST_F(SsoCredentialsTest, MissingExpiredOrRefusedTokenSaysToLogIn) {
  auto missing = Get("dev");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.message().find("profile dev: SSO: no cached SSO token"), std::string::npos)
      << missing.message();
  EXPECT_NE(missing.message().find("run `aws sso login --profile dev`"), std::string::npos)
      << missing.message();

  CacheToken("corp", std::chrono::system_clock::now() - std::chrono::minutes(1));
  auto expired = Get("dev");
  ASSERT_FALSE(expired.ok());
  EXPECT_NE(expired.message().find("expired at"), std::string::npos) << expired.message();
  EXPECT_NE(expired.message().find("aws sso login --profile dev"), std::string::npos);
  EXPECT_EQ(portal_.RequestCount(), 0u);

  // A token the portal refuses (revoked): the same advice.
  home_.Write(".aws/sso/cache/" + SsoCacheFileName("corp"),
              "{\"accessToken\":\"revoked-SECRET\",\"expiresAt\":\"" +
                  IsoTime(std::chrono::system_clock::now() + std::chrono::hours(1)) + "\"}");
  auto refused = Get("dev");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.message().find("HTTP 401"), std::string::npos) << refused.message();
  EXPECT_NE(refused.message().find("aws sso login --profile dev"), std::string::npos);
  for (const std::string& message : {missing.message(), expired.message(), refused.message()}) {
    EXPECT_EQ(message.find("SECRET"), std::string::npos) << message;
  }
}

TEST_F(SsoCredentialsTest, MisconfiguredProfilesNameWhatIsMissing) {
  home_.Write(".aws/config",
              "[profile nosession]\nsso_session = gone\nsso_account_id = 1\nsso_role_name = R\n"
              "[profile norole]\nsso_session = corp\nsso_account_id = 111122223333\n"
              "[sso-session corp]\nsso_region = eu-central-1\n");
  auto no_session = Get("nosession");
  ASSERT_FALSE(no_session.ok());
  EXPECT_NE(no_session.message().find("there is no [sso-session gone] section"), std::string::npos)
      << no_session.message();
  auto no_role = Get("norole");
  ASSERT_FALSE(no_role.ok());
  EXPECT_NE(no_role.message().find("sso_account_id and sso_role_name are required"),
            std::string::npos)
      << no_role.message();
}

}  // namespace
}  // namespace trailwatch::aws
