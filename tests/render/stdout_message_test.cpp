#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>

#include "render/render_test_util.h"
#include "render/renderers.h"

namespace trailwatch::render {
namespace {

using namespace testing;  // NOLINT
using simdjson::dom::element;

TEST(StdoutMessageTest, TerminalFormIsAFewReadableLines) {
  route::Alert alert = SampleAlert(kRootFailure, route::Severity::kMedium);
  Result<AlertView> view = MakeAlertView(alert, Aliases());
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(RenderStdout(*view, alert, true),
            "\xE2\x9B\x94 [MEDIUM] Root sign-in failed\n"
            "  account    111122223333 (production)  us-east-1\n"
            "  identity   arn:aws:iam::111122223333:root (Root)\n"
            "  from       192.0.2.0  Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_6)\xE2\x80\xA6\n"
            "  result     Failure  MFA no  Failed authentication\n"
            "  time       2022-11-10T16:24:34Z\n"
            "  rule       root-console-signin  event a4fbbe77-91a0-4238-804a-64314184edb6\n"
            "  console    https://us-east-1.console.aws.amazon.com/cloudtrailv2/home?"
            "region=us-east-1#/events/a4fbbe77-91a0-4238-804a-64314184edb6\n");
}

TEST(StdoutMessageTest, TerminalFormNeutralisesEscapeSequences) {
  route::Alert alert;
  alert.rule = "r";
  alert.envelope.json = FailedSignInEnvelope("bob\x1b[2J\x1b]0;owned\x07\nfake line", "ua\r\xC2\x9B");
  Result<AlertView> view = MakeAlertView(alert, {});
  ASSERT_TRUE(view.ok());
  std::string text = RenderStdout(*view, alert, true);
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
  EXPECT_EQ(text.find('\x07'), std::string::npos);
  EXPECT_EQ(text.find('\r'), std::string::npos);
  EXPECT_NE(text.find("user/bob\\x1b[2J\\x1b]0;owned\\x07\\x0afake line"), std::string::npos)
      << text;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 8);  // only our own line breaks
}

TEST(StdoutMessageTest, JsonFormIsOneLinePerAlert) {
  route::Alert alert = SampleAlert(kRootSuccessMfa);
  // A pretty-printed envelope still gives exactly one line.
  alert.envelope.json.insert(1, "\n  ");
  Result<AlertView> view = MakeAlertView(alert, Aliases());
  ASSERT_TRUE(view.ok());
  std::string line = RenderStdout(*view, alert, false);
  ASSERT_FALSE(line.empty());
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1);

  simdjson::dom::parser parser;
  element root;
  ASSERT_EQ(parser.parse(line).get(root), simdjson::SUCCESS) << line;
  auto str = [&](std::string_view key) { return std::string(root[key].get_string().value()); };
  EXPECT_EQ(str("rule"), "root-console-signin");
  EXPECT_EQ(str("severity"), "high");
  EXPECT_EQ(str("title"), "Root user signed in to the AWS console");
  EXPECT_EQ(str("account"), "111122223333");
  EXPECT_EQ(str("account_alias"), "production");
  EXPECT_EQ(str("region"), "us-east-1");
  EXPECT_EQ(str("identity"), "arn:aws:iam::111122223333:root");
  EXPECT_EQ(str("source_ip"), "192.0.2.0");
  EXPECT_EQ(str("mfa_used"), "yes");
  EXPECT_EQ(str("result"), "Success");
  EXPECT_EQ(str("time"), "2022-11-10T16:24:34Z");
  EXPECT_EQ(str("event_id"), "deb1e1f9-c99b-4612-8e9f-21f93b5d79c0");
  EXPECT_EQ(std::string(
                root.at_pointer("/event/detail/additionalEventData/MFAUsed").get_string().value()),
            "YES");
  EXPECT_EQ(std::string(root.at_pointer("/event/detail-type").get_string().value()),
            "AWS Console Sign In via CloudTrail");
}

}  // namespace
}  // namespace trailwatch::render
