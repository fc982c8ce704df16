#include "render/alert_view.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "render/render_test_util.h"

namespace trailwatch::render {
namespace {

using namespace testing;  // NOLINT

constexpr const char* kRootArn = "arn:aws:iam::111122223333:root";

TEST(AlertViewTest, RootSignInWithoutMfa) {
  AlertView view = SampleView(kRootSuccessNoMfa);
  EXPECT_EQ(view.title, "Root user signed in to the AWS console");
  EXPECT_EQ(view.rule, "root-console-signin");
  EXPECT_EQ(view.severity, route::Severity::kHigh);
  EXPECT_EQ(view.emoji, ":rotating_light:");
  EXPECT_EQ(view.emoji_text, "\xF0\x9F\x9A\xA8");
  EXPECT_EQ(view.account_id, "111122223333");
  EXPECT_EQ(view.account_alias, "production");
  EXPECT_EQ(view.region, "us-east-1");
  EXPECT_EQ(view.identity_type, "Root");
  EXPECT_EQ(view.identity, kRootArn);
  EXPECT_EQ(view.source_ip, "192.0.2.0");
  EXPECT_EQ(view.user_agent,
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.12; rv:62.0) Gecko/20100101 Firefox/62.0");
  EXPECT_EQ(view.user_agent_short,
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.12; rv:62.0)\xE2\x80\xA6");
  EXPECT_EQ(view.mfa_used, "no");
  EXPECT_TRUE(view.sign_in);
  EXPECT_EQ(view.result, "Success");
  EXPECT_EQ(view.error_message, "");
  EXPECT_EQ(view.event_name, "ConsoleLogin");
  EXPECT_EQ(view.event_source, "signin.amazonaws.com");
  EXPECT_EQ(view.event_id, "deb1e1f9-c99b-4612-8e9f-21f93b5d79c0");
  EXPECT_EQ(view.event_time, "2022-11-10T16:24:34Z");
  EXPECT_EQ(view.event_epoch, 1668097474);
  EXPECT_EQ(view.console_url,
            "https://us-east-1.console.aws.amazon.com/cloudtrailv2/home?region=us-east-1#/events/"
            "deb1e1f9-c99b-4612-8e9f-21f93b5d79c0");
}

TEST(AlertViewTest, RootSignInWithUpperCaseYesIsMfaUsed) {
  AlertView view = SampleView(kRootSuccessMfa);
  EXPECT_EQ(view.title, "Root user signed in to the AWS console");
  EXPECT_EQ(view.mfa_used, "yes");  // "YES" in AWS's example: compared case-insensitively
}

TEST(AlertViewTest, RootSignInFailure) {
  AlertView view = SampleView(kRootFailure, route::Severity::kMedium);
  EXPECT_EQ(view.title, "Root sign-in failed");
  EXPECT_EQ(view.result, "Failure");
  EXPECT_EQ(view.error_message, "Failed authentication");
  EXPECT_EQ(view.mfa_used, "no");
  EXPECT_EQ(view.emoji, ":no_entry:");  // a refused sign-in below high severity
  EXPECT_EQ(view.event_id, "a4fbbe77-91a0-4238-804a-64314184edb6");
  EXPECT_EQ(view.user_agent_short, "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_6)\xE2\x80\xA6");
}

TEST(AlertViewTest, IamUserFailureWithoutArnUsesUserName) {
  AlertView view = SampleView(kIamUserFailure);
  EXPECT_EQ(view.identity, "user/anaya");
  EXPECT_EQ(view.identity_type, "IAMUser");
  EXPECT_EQ(view.title, "Console sign-in failed for user/anaya");
  EXPECT_EQ(view.result, "Failure");
  EXPECT_EQ(view.mfa_used, "yes");
  EXPECT_EQ(view.emoji, ":rotating_light:");  // high severity keeps the severity emoji
}

TEST(AlertViewTest, IamUserSignIns) {
  AlertView with_mfa = SampleView(kIamUserSuccessMfa);
  EXPECT_EQ(with_mfa.title, "Console sign-in by arn:aws:iam::111122223333:user/anaya");
  EXPECT_EQ(with_mfa.mfa_used, "yes");
  EXPECT_EQ(with_mfa.result, "Success");

  AlertView without_mfa = SampleView(kIamUserSuccessNoMfa);
  EXPECT_EQ(without_mfa.title, "Console sign-in without MFA");
  EXPECT_EQ(without_mfa.mfa_used, "no");
  EXPECT_EQ(without_mfa.region, "us-east-2");
  EXPECT_EQ(without_mfa.account_id, "111122223333");  // no recipientAccountId: envelope account
  EXPECT_EQ(without_mfa.console_url,
            "https://us-east-2.console.aws.amazon.com/cloudtrailv2/home?region=us-east-2#/events/"
            "3fcfb182-98f8-4744-bd45-10a395ab61cb");
}

TEST(AlertViewTest, ApiCallsAreTitledByEventNameAndIdentity) {
  AlertView view = SampleView(kRootEnableMfaDevice);
  EXPECT_EQ(view.title, std::string("EnableMFADevice by ") + kRootArn);
  EXPECT_EQ(view.event_source, "iam.amazonaws.com");
  EXPECT_EQ(view.result, "Success");
  EXPECT_EQ(view.mfa_used, "");  // not a sign-in
  EXPECT_FALSE(view.sign_in);
  EXPECT_EQ(view.user_agent_short, "Coral/Netty4");
  EXPECT_EQ(view.event_id, "EXAMPLEb-7dae-48cb-895f-20e86EXAMPLE");

  AlertView password = SampleView(kRootPasswordUpdated);
  EXPECT_EQ(password.title, std::string("PasswordUpdated by ") + kRootArn);
  EXPECT_EQ(password.result, "Success");    // responseElements.PasswordUpdated
  EXPECT_EQ(password.mfa_used, "unknown");  // a sign-in event without MFAUsed: never "no"

  AlertView check = SampleView(kIamUserCheckMfa);
  EXPECT_EQ(check.title, "CheckMfa by user/anaya");  // this sample has no arn
}

TEST(AlertViewTest, ErrorCodeIsTheResult) {
  route::Alert alert;
  alert.rule = "r";
  alert.envelope.json =
      R"({"detail":{"eventName":"StopLogging","eventSource":"cloudtrail.amazonaws.com",)"
      R"("userIdentity":{"type":"AssumedRole","principalId":"AROA:bob"},"errorCode":)"
      R"("AccessDenied","errorMessage":"not allowed","awsRegion":"eu-west-1","eventID":"e-1"}})";
  Result<AlertView> view = MakeAlertView(alert, {});
  ASSERT_TRUE(view.ok()) << view.message();
  EXPECT_EQ(view->result, "AccessDenied");
  EXPECT_EQ(view->error_message, "not allowed");
  EXPECT_EQ(view->identity, "AROA:bob");  // no arn, no userName: the principal id
  EXPECT_EQ(view->title, "StopLogging by AROA:bob");
  EXPECT_EQ(view->account_alias, "");
}

TEST(AlertViewTest, MfaIdentifierWithoutMfaUsedMeansYes) {
  route::Alert alert;
  alert.rule = "r";
  alert.envelope.json =
      R"({"detail":{"eventName":"ConsoleLogin","eventSource":"signin.amazonaws.com",)"
      R"("userIdentity":{"type":"IAMUser","userName":"bob"},"responseElements":)"
      R"({"ConsoleLogin":"Success"},"additionalEventData":{"MFAIdentifier":"arn:x"}}})";
  Result<AlertView> view = MakeAlertView(alert, {});
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->mfa_used, "yes");
  EXPECT_EQ(view->title, "Console sign-in by user/bob");
  EXPECT_EQ(view->console_url, "");  // no region, no event id

  alert.envelope.json =
      R"({"detail":{"eventName":"ConsoleLogin","eventSource":"signin.amazonaws.com",)"
      R"("userIdentity":{"type":"IAMUser","userName":"bob"},"responseElements":)"
      R"({"ConsoleLogin":"Weird"}}})";
  view = MakeAlertView(alert, {});
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->mfa_used, "unknown");  // missing is unknown, not "no"
  EXPECT_EQ(view->result, "Failure");    // anything but "Success" is a failure (§2.2)
  EXPECT_EQ(view->title, "Console sign-in failed for user/bob");
}

TEST(AlertViewTest, AcceptsABareRecordAndRejectsNonJson) {
  std::ifstream in(std::string(TW_FIXTURES_DIR) +
                   "/aws/cloudtrail/root-consolelogin-success-no-mfa.json");
  std::ostringstream text;
  text << in.rdbuf();
  route::Alert alert;
  alert.rule = "r";
  alert.envelope.json = text.str();
  Result<AlertView> view = MakeAlertView(alert, Aliases());
  ASSERT_TRUE(view.ok()) << view.message();
  EXPECT_EQ(view->title, "Root user signed in to the AWS console");
  EXPECT_EQ(view->account_alias, "production");

  alert.envelope.json = "not json";
  view = MakeAlertView(alert, {});
  ASSERT_FALSE(view.ok());
  EXPECT_NE(view.message().find("rule \"r\": the event is not JSON"), std::string::npos);
  alert.envelope.json = "[1]";
  EXPECT_FALSE(MakeAlertView(alert, {}).ok());
}

TEST(AlertViewTest, AlertEventIdWinsAndSeverityPicksTheEmoji) {
  route::Alert alert = SampleAlert(kRootSuccessNoMfa, route::Severity::kCritical);
  alert.envelope.event_id = "override-id";
  Result<AlertView> view = MakeAlertView(alert, {});
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->event_id, "override-id");
  EXPECT_EQ(view->emoji, ":boom:");
  EXPECT_EQ(SampleView(kRootSuccessNoMfa, route::Severity::kMedium).emoji, ":warning:");
  EXPECT_EQ(SampleView(kRootSuccessNoMfa, route::Severity::kLow).emoji, ":information_source:");
  EXPECT_EQ(SampleView(kRootSuccessNoMfa, route::Severity::kInfo).emoji, ":loudspeaker:");
}

TEST(AlertViewTest, ShortensUserAgents) {
  EXPECT_EQ(ShortenUserAgent("Coral/Netty4"), "Coral/Netty4");
  EXPECT_EQ(ShortenUserAgent(std::string(60, 'a')), std::string(60, 'a'));
  // No space in the second half: a hard cut, 59 characters plus the ellipsis.
  EXPECT_EQ(ShortenUserAgent(std::string(100, 'a')), std::string(59, 'a') + "\xE2\x80\xA6");
  // Multi-byte characters are never split: 100 × "é" gives 59 whole ones.
  std::string accents;
  for (int i = 0; i < 100; ++i) accents += "\xC3\xA9";
  std::string shortened = ShortenUserAgent(accents);
  EXPECT_EQ(shortened.size(), 59u * 2 + 3);
  EXPECT_EQ(shortened.substr(shortened.size() - 3), "\xE2\x80\xA6");
}

TEST(AlertViewTest, BuildsConsoleUrls) {
  EXPECT_EQ(CloudTrailEventUrl("eu-west-1", "a b/c"),
            "https://eu-west-1.console.aws.amazon.com/cloudtrailv2/home?region=eu-west-1#/events/"
            "a%20b%2Fc");
  EXPECT_EQ(CloudTrailEventUrl("evil.example/x", "id"), "");
  EXPECT_EQ(CloudTrailEventUrl("us-east-1", ""), "");
}

}  // namespace
}  // namespace trailwatch::render
