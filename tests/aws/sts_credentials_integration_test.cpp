// The role providers end to end against moto_server's STS (AssumeRole,
// AssumeRoleWithWebIdentity, GetCallerIdentity) on loopback: a profile's role_arn with
// source_profile, a chain of two roles, web identity from the environment, a role assumed on top
// of the chain (per-source identity), and refresh before expiry with a short duration_seconds and
// an injected clock. Who the credentials are is asked from STS GetCallerIdentity.
#include <gtest/gtest.h>

#include <filesystem>

#include "aws/credentials.h"
#include "aws/moto_server_util.h"
#include "cli/cli_test_util.h"

namespace trailwatch::aws {
namespace {

using trailwatch::testing::FormValue;
using trailwatch::testing::MotoServer;
using trailwatch::testing::TempDir;
using trailwatch::testing::XmlText;

constexpr const char* kAccount = "123456789012";  // moto's default account

std::string RoleArn(const std::string& name) {
  return std::string("arn:aws:iam::") + kAccount + ":role/" + name;
}

class StsCredentialsTest : public trailwatch::testing::MotoSuiteBase {
 protected:
  void SetUp() override {
    RequireMoto(true);
    if (HasFatalFailure()) return;
    std::filesystem::create_directories(home_.path() + "/.aws");
    // The role must exist for moto's GetCallerIdentity to answer for its sessions.
    for (const char* name : {"reader", "hop", "irsa", "per-source"}) {
      std::string trust =
          "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":"
          "{\"AWS\":\"*\"},\"Action\":[\"sts:AssumeRole\",\"sts:AssumeRoleWithWebIdentity\"]}]}";
      auto created =
          moto_->QueryCall("iam",
                           std::string("Action=CreateRole&Version=2010-05-08&RoleName=") + name +
                               "&AssumeRolePolicyDocument=" + FormValue(trust),
                           {"testing", "testing"});
      ASSERT_TRUE(created.ok()) << created.message();
    }
  }
  Environment BaseEnvironment() const {
    return {{"HOME", home_.path()},
            {"AWS_REGION", "us-east-1"},
            {"AWS_ENDPOINT_URL", moto_->endpoint()},
            {"AWS_EC2_METADATA_DISABLED", "true"}};
  }
  // The ARN STS says these credentials belong to.
  std::string CallerArn(const Credentials& credentials) {
    auto answer = moto_->QueryCall("sts", "Action=GetCallerIdentity&Version=2011-06-15",
                                   {credentials.access_key_id, credentials.secret_access_key},
                                   credentials.session_token);
    if (!answer.ok()) return "error: " + answer.message();
    return XmlText(*answer, "Arn");
  }

  TempDir home_;
};

TEST_F(StsCredentialsTest, ProfileRoleWithSourceProfileAndEveryAssumeRoleSetting) {
  home_.Write(".aws/config",
              "[profile base]\naws_access_key_id = testing\naws_secret_access_key = testing\n"
              "[profile reader]\nrole_arn = " +
                  RoleArn("reader") +
                  "\nsource_profile = base\nrole_session_name = tw-reader\n"
                  "external_id = org-trail\nduration_seconds = 900\n");
  Environment environment = BaseEnvironment();
  environment["AWS_PROFILE"] = "reader";
  CredentialsProvider provider(environment);
  auto before = std::chrono::system_clock::now();
  auto credentials = provider.Get();
  ASSERT_TRUE(credentials.ok()) << credentials.message() << "\n" << moto_->Log();
  EXPECT_FALSE(credentials->session_token.empty());
  EXPECT_EQ(credentials->source, "role " + RoleArn("reader") + " via profile base");
  ASSERT_TRUE(credentials->expiration);
  // duration_seconds = 900 reached STS: the session ends in 15 minutes.
  EXPECT_LE(std::chrono::abs(*credentials->expiration - (before + std::chrono::seconds(900))),
            std::chrono::seconds(5));
  EXPECT_EQ(CallerArn(*credentials),
            std::string("arn:aws:sts::") + kAccount + ":assumed-role/reader/tw-reader");
}

TEST_F(StsCredentialsTest, ChainedRolesAssumeEachHopWithThePreviousOnesCredentials) {
  home_.Write(".aws/credentials",
              "[base]\naws_access_key_id = testing\n"
              "aws_secret_access_key = testing\n");
  home_.Write(".aws/config", "[profile hop]\nrole_arn = " + RoleArn("hop") +
                                 "\nsource_profile = base\nrole_session_name = first-hop\n"
                                 "[profile reader]\nrole_arn = " +
                                 RoleArn("reader") +
                                 "\nsource_profile = hop\nrole_session_name = second-hop\n");
  Environment environment = BaseEnvironment();
  CredentialsOptions options;
  options.profile = "reader";
  CredentialsProvider provider(environment, options);
  auto credentials = provider.Get();
  ASSERT_TRUE(credentials.ok()) << credentials.message();
  EXPECT_EQ(credentials->source,
            "role " + RoleArn("reader") + " via role " + RoleArn("hop") + " via profile base");
  EXPECT_EQ(CallerArn(*credentials),
            std::string("arn:aws:sts::") + kAccount + ":assumed-role/reader/second-hop");
}

TEST_F(StsCredentialsTest, WebIdentityFromTheEnvironment) {
  Environment environment = BaseEnvironment();
  environment["AWS_WEB_IDENTITY_TOKEN_FILE"] = home_.Write("token", "eyJ.irsa-token.sig\n");
  environment["AWS_ROLE_ARN"] = RoleArn("irsa");
  environment["AWS_ROLE_SESSION_NAME"] = "pod-abc";
  CredentialsProvider provider(environment);
  auto credentials = provider.Get();
  ASSERT_TRUE(credentials.ok()) << credentials.message();
  EXPECT_EQ(credentials->source, "web identity " + RoleArn("irsa"));
  EXPECT_EQ(CallerArn(*credentials),
            std::string("arn:aws:sts::") + kAccount + ":assumed-role/irsa/pod-abc");
}

TEST_F(StsCredentialsTest, RoleOnTopOfTheChainForOneSource) {
  Environment environment = BaseEnvironment();
  environment["AWS_ACCESS_KEY_ID"] = "testing";
  environment["AWS_SECRET_ACCESS_KEY"] = "testing";
  CredentialsOptions options;
  options.role_arn = RoleArn("per-source");
  options.role_session_name = "trailwatch-s3";
  options.external_id = "secret-handshake";
  CredentialsProvider provider(environment, options);
  auto credentials = provider.Get();
  ASSERT_TRUE(credentials.ok()) << credentials.message();
  EXPECT_EQ(credentials->source, "role " + RoleArn("per-source") + " via environment");
  EXPECT_EQ(CallerArn(*credentials),
            std::string("arn:aws:sts::") + kAccount + ":assumed-role/per-source/trailwatch-s3");
}

// Refresh before expiry: a 15-minute session is assumed again once the (injected) clock is
// within 5 minutes of its end, and kept before that.
TEST_F(StsCredentialsTest, AssumedRoleIsRefreshedFiveMinutesBeforeItExpires) {
  home_.Write(".aws/config",
              "[profile base]\naws_access_key_id = testing\naws_secret_access_key = testing\n"
              "[profile reader]\nrole_arn = " +
                  RoleArn("reader") + "\nsource_profile = base\nduration_seconds = 900\n");
  auto offset = std::make_shared<std::atomic<int>>(0);  // seconds added to the real clock
  CredentialsOptions options;
  options.profile = "reader";
  options.now = [offset] {
    return std::chrono::system_clock::now() + std::chrono::seconds(offset->load());
  };
  CredentialsProvider provider(BaseEnvironment(), options);
  auto first = provider.Get();
  ASSERT_TRUE(first.ok()) << first.message();
  *offset = 9 * 60;  // 6 minutes left
  auto kept = provider.Get();
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->access_key_id, first->access_key_id);
  *offset = 11 * 60;  // 4 minutes left
  auto fresh = provider.Get();
  ASSERT_TRUE(fresh.ok()) << fresh.message();
  EXPECT_NE(fresh->access_key_id, first->access_key_id);
  // (moto's clock is the real one: the new session ends when the first did, to the second.)
  EXPECT_GE(*fresh->expiration, *first->expiration);
  EXPECT_TRUE(CallerArn(*fresh).starts_with(std::string("arn:aws:sts::") + kAccount +
                                            ":assumed-role/reader/"))
      << CallerArn(*fresh);
}

}  // namespace
}  // namespace trailwatch::aws
