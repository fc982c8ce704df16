#include <gtest/gtest.h>
#include <simdjson.h>

#include "render/display_text.h"
#include "render/render_test_util.h"
#include "render/renderers.h"

namespace trailwatch::render {
namespace {

using namespace testing;  // NOLINT
using simdjson::dom::element;

struct Parsed {
  simdjson::dom::parser parser;
  element root;
};

// Parses a rendered body; fails the test if it is not JSON.
void Parse(const std::string& json, Parsed* parsed) {
  ASSERT_EQ(parsed->parser.parse(json).get(parsed->root), simdjson::SUCCESS) << json;
}

std::vector<std::string> FieldTexts(element root) {
  std::vector<std::string> texts;
  simdjson::dom::array field_list = root.at_pointer("/blocks/1/fields").get_array().value();
  for (element field : field_list) {
    texts.emplace_back(field["text"].get_string().value());
  }
  return texts;
}

TEST(SlackMessageTest, RootSignInMessage) {
  Parsed p;
  Parse(RenderSlackMessage(SampleView(kRootSuccessNoMfa)), &p);
  EXPECT_EQ(StringAt(p.root, "/text"),
            "[HIGH] Root user signed in to the AWS console \xE2\x80\x94 account 111122223333 "
            "(production)");
  ASSERT_EQ(p.root["blocks"].get_array().size(), 4u);

  EXPECT_EQ(StringAt(p.root, "/blocks/0/type"), "header");
  EXPECT_EQ(StringAt(p.root, "/blocks/0/text/type"), "plain_text");
  EXPECT_EQ(StringAt(p.root, "/blocks/0/text/text"),
            ":rotating_light: Root user signed in to the AWS console");

  EXPECT_EQ(StringAt(p.root, "/blocks/1/type"), "section");
  std::vector<std::string> expected = {
      "*Account*\n111122223333 (production)",
      "*Region*\nus-east-1",
      "*Identity*\narn:aws:iam::111122223333:root (Root)",
      "*Source IP*\n192.0.2.0",
      "*User agent*\nMozilla/5.0 (Macintosh; Intel Mac OS X 10.12; rv:62.0)\xE2\x80\xA6",
      "*MFA used*\nNo",
      "*Result*\nSuccess",
      "*Time (UTC)*\n2022-11-10T16:24:34Z\nlocal: "
      "<!date^1668097474^{date_short_pretty} {time}|2022-11-10T16:24:34Z>",
      "*Event*\nConsoleLogin \xC2\xB7 signin.amazonaws.com",
  };
  EXPECT_EQ(FieldTexts(p.root), expected);
  simdjson::dom::array field_list = p.root.at_pointer("/blocks/1/fields").get_array().value();
  for (element field : field_list) {
    EXPECT_EQ(StringAt(field, "/type"), "mrkdwn");
  }

  EXPECT_EQ(StringAt(p.root, "/blocks/2/type"), "actions");
  EXPECT_EQ(StringAt(p.root, "/blocks/2/elements/0/type"), "button");
  EXPECT_EQ(StringAt(p.root, "/blocks/2/elements/0/text/text"), "Open in CloudTrail");
  EXPECT_EQ(StringAt(p.root, "/blocks/2/elements/0/url"),
            "https://us-east-1.console.aws.amazon.com/cloudtrailv2/home?region=us-east-1#/events/"
            "deb1e1f9-c99b-4612-8e9f-21f93b5d79c0");

  EXPECT_EQ(StringAt(p.root, "/blocks/3/type"), "context");
  EXPECT_EQ(StringAt(p.root, "/blocks/3/elements/0/text"),
            "*high* \xC2\xB7 rule `root-console-signin` \xC2\xB7 event "
            "`deb1e1f9-c99b-4612-8e9f-21f93b5d79c0`");
}

// send-test's sample is a real-looking root sign-in: every renderer must say it is a test.
TEST(SlackMessageTest, ATestAlertSaysTestInTheHeaderTheTextAndEveryOtherRenderer) {
  route::Alert alert = SampleAlert(kRootSuccessNoMfa, route::Severity::kCritical);
  alert.test = true;
  Result<AlertView> view = MakeAlertView(alert, Aliases());
  ASSERT_TRUE(view.ok());
  Parsed p;
  Parse(RenderSlackMessage(*view), &p);
  EXPECT_EQ(StringAt(p.root, "/blocks/0/text/text"),
            ":test_tube: TEST: Root user signed in to the AWS console (sample from trailwatch "
            "send-test)");
  EXPECT_EQ(StringAt(p.root, "/text").rfind("[CRITICAL] TEST: Root user signed in", 0), 0u)
      << StringAt(p.root, "/text");
  EXPECT_EQ(StringAt(p.root, "/blocks/3/elements/0/text").rfind("*critical* \xC2\xB7 ", 0), 0u);
  EXPECT_NE(RenderTeamsMessage(*view).find("TEST: Root user signed in"), std::string::npos);
  EXPECT_NE(RenderStdout(*view, alert, false).find("\"title\":\"TEST: Root"), std::string::npos);
  EXPECT_NE(RenderStdout(*view, alert, true).find("TEST: Root"), std::string::npos);
  // A real alert never does.
  Result<AlertView> real = MakeAlertView(SampleAlert(kRootSuccessNoMfa), Aliases());
  ASSERT_TRUE(real.ok());
  EXPECT_EQ(real->title.find("TEST"), std::string::npos);
}

// Issue 13, item 7: a grouped alert names every rule that matched, the highest-severity one first
// — in Slack's context line, the Teams footer, and both stdout forms (JSON: `rules` beside `rule`).
TEST(SlackMessageTest, AGroupedAlertNamesEveryRuleInEveryRenderer) {
  route::Alert alert = SampleAlert(kRootSuccessNoMfa, route::Severity::kCritical, "root-signin");
  alert.grouped = true;
  alert.also_rules = {"root-activity", "a<b"};
  Result<AlertView> view = MakeAlertView(alert, Aliases());
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->rule, "root-signin");
  EXPECT_EQ(view->rules, (std::vector<std::string>{"root-signin", "root-activity", "a<b"}));
  Parsed p;
  Parse(RenderSlackMessage(*view), &p);
  EXPECT_EQ(StringAt(p.root, "/blocks/3/elements/0/text"),
            "*critical* \xC2\xB7 rules `root-signin`, `root-activity`, `a&lt;b` \xC2\xB7 event "
            "`deb1e1f9-c99b-4612-8e9f-21f93b5d79c0`");
  EXPECT_NE(RenderTeamsMessage(*view).find(
                "rules root-signin, root-activity, a<b \xC2\xB7 event deb1e1f9"),
            std::string::npos)
      << RenderTeamsMessage(*view);
  EXPECT_NE(RenderStdout(*view, alert, true)
                .find("  rules      root-signin, root-activity, a<b  event deb1e1f9"),
            std::string::npos)
      << RenderStdout(*view, alert, true);
  std::string json = RenderStdout(*view, alert, false);
  EXPECT_NE(json.find(R"("rule":"root-signin","rules":["root-signin","root-activity","a<b"],)"),
            std::string::npos)
      << json;
  // Alone, a rule is "rule `x`" as before; the JSON still has `rules`.
  Result<AlertView> single = MakeAlertView(SampleAlert(kRootSuccessNoMfa), Aliases());
  ASSERT_TRUE(single.ok());
  EXPECT_NE(RenderStdout(*single, SampleAlert(kRootSuccessNoMfa), false)
                .find(R"("rules":["root-console-signin"])"),
            std::string::npos);
  // Many rules: the first ten, then how many more.
  std::vector<std::string> many;
  for (int i = 0; i < 12; ++i) many.push_back(std::string("r").append(std::to_string(i)));
  EXPECT_EQ(RulesText(many, "`"),
            "rules `r0`, `r1`, `r2`, `r3`, `r4`, `r5`, `r6`, `r7`, `r8`, `r9` and 2 more");
  EXPECT_EQ(RulesText({"only"}, ""), "rule only");
}

TEST(SlackMessageTest, FailureShowsTheErrorAndRepeatsAreCounted) {
  Parsed p;
  Parse(RenderSlackMessage(SampleView(kIamUserFailure), SlackRenderOptions{3}), &p);
  EXPECT_EQ(StringAt(p.root, "/blocks/0/text/text"),
            ":rotating_light: Console sign-in failed for user/anaya");
  std::vector<std::string> fields = FieldTexts(p.root);
  EXPECT_EQ(fields[2], "*Identity*\nuser/anaya (IAMUser)");
  EXPECT_EQ(fields[5], "*MFA used*\nYes");
  EXPECT_EQ(fields[6], "*Result*\nFailure \xE2\x80\x94 Failed authentication");
  EXPECT_EQ(StringAt(p.root, "/blocks/3/elements/0/text"),
            "*high* \xC2\xB7 rule `root-console-signin` \xC2\xB7 event "
            "`d38ce1b3-4575-4cb8-a632-611b8243bfc3` \xC2\xB7 seen 3 times");
  EXPECT_NE(StringAt(p.root, "/text").find("(seen 3 times)"), std::string::npos);
}

TEST(SlackMessageTest, ApiCallHasNoMfaField) {
  Parsed p;
  Parse(RenderSlackMessage(SampleView(kRootEnableMfaDevice)), &p);
  std::vector<std::string> fields = FieldTexts(p.root);
  ASSERT_EQ(fields.size(), 8u);
  EXPECT_EQ(fields[4], "*User agent*\nCoral/Netty4");
  EXPECT_EQ(fields[5], "*Result*\nSuccess");
  EXPECT_EQ(StringAt(p.root, "/blocks/0/text/text"),
            ":rotating_light: EnableMFADevice by arn:aws:iam::111122223333:root");
}

TEST(SlackMessageTest, EscapesMentionsAndLinksFromTheEvent) {
  route::Alert alert;
  alert.rule = "console-signin-failures";
  alert.severity = route::Severity::kLow;
  alert.envelope.json =
      FailedSignInEnvelope("<!channel> <https://evil.example|reset> & <@U123>", "curl <!here>");
  Result<AlertView> view = MakeAlertView(alert, {});
  ASSERT_TRUE(view.ok()) << view.message();
  Parsed p;
  Parse(RenderSlackMessage(*view), &p);

  // Every mrkdwn text and the top-level text: no raw < or > from the event survives.
  std::vector<std::string> mrkdwn = FieldTexts(p.root);
  mrkdwn.push_back(StringAt(p.root, "/blocks/3/elements/0/text"));
  mrkdwn.push_back(StringAt(p.root, "/text"));
  for (const std::string& text : mrkdwn) {
    EXPECT_EQ(text.find("<!channel>"), std::string::npos) << text;
    EXPECT_EQ(text.find("<!here>"), std::string::npos) << text;
    EXPECT_EQ(text.find("<https://evil"), std::string::npos) << text;
    EXPECT_EQ(text.find("<@U123>"), std::string::npos) << text;
  }
  EXPECT_EQ(mrkdwn[2],
            "*Identity*\nuser/&lt;!channel&gt; &lt;https://evil.example|reset&gt; &amp; "
            "&lt;@U123&gt; (IAMUser)");
  EXPECT_EQ(mrkdwn[4], "*User agent*\ncurl &lt;!here&gt;");
  EXPECT_EQ(StringAt(p.root, "/text"),
            "[LOW] Console sign-in failed for user/&lt;!channel&gt; &lt;https://evil.example|"
            "reset&gt; &amp; &lt;@U123&gt; \xE2\x80\x94 account 111122223333");
  // The header is plain_text: Slack does not parse mentions there, so it stays readable.
  EXPECT_EQ(StringAt(p.root, "/blocks/0/text/text"),
            ":no_entry: Console sign-in failed for user/<!channel> <https://evil.example|reset> "
            "& <@U123>");
}

TEST(SlackMessageTest, RespectsBlockKitLimitsWithHugeValues) {
  std::string user_agent;
  while (user_agent.size() < 10 * 1024) user_agent += "Mozilla/5.0 <b>&amp; ";
  std::string user_name(5 * 1024, '&');
  route::Alert alert;
  alert.rule = std::string(500, 'r');
  alert.envelope.json = FailedSignInEnvelope(user_name, user_agent);
  Result<AlertView> view = MakeAlertView(alert, {});
  ASSERT_TRUE(view.ok()) << view.message();
  view->user_agent_short = view->user_agent;  // even unshortened it must fit
  std::string body = RenderSlackMessage(*view, SlackRenderOptions{1000000});
  Parsed p;
  Parse(body, &p);

  simdjson::dom::array blocks = p.root["blocks"].get_array().value();
  EXPECT_LE(blocks.size(), 50u);
  EXPECT_LE(TextLength(StringAt(p.root, "/blocks/0/text/text")), 150u);
  size_t fields_total = 0;
  std::vector<std::string> fields = FieldTexts(p.root);
  EXPECT_LE(fields.size(), 10u);
  for (const std::string& text : fields) {
    EXPECT_LE(TextLength(text), 2000u);
    fields_total += TextLength(text);
    // Truncation never leaves half an entity: every & starts &amp; &lt; or &gt;.
    for (size_t at = text.find('&'); at != std::string::npos; at = text.find('&', at + 1)) {
      std::string rest = text.substr(at, 5);
      EXPECT_TRUE(rest == "&amp;" || rest.substr(0, 4) == "&lt;" || rest.substr(0, 4) == "&gt;")
          << text.substr(at > 20 ? at - 20 : 0, 40);
    }
  }
  EXPECT_LE(fields_total, 3000u);
  EXPECT_NE(fields[2].find("\xE2\x80\xA6"), std::string::npos);  // identity visibly cut
  EXPECT_NE(fields[4].find("\xE2\x80\xA6"), std::string::npos);  // user agent visibly cut
  EXPECT_LE(TextLength(StringAt(p.root, "/blocks/2/elements/0/text/text")), 75u);
  EXPECT_LE(StringAt(p.root, "/blocks/2/elements/0/url").size(), 3000u);
  EXPECT_LE(TextLength(StringAt(p.root, "/blocks/3/elements/0/text")), 2000u);
  EXPECT_LE(TextLength(StringAt(p.root, "/text")), 300u);
  EXPECT_LT(body.size(), 8000u);  // far below the ≈13.2k msg_blocks_too_long threshold
}

TEST(SlackMessageTest, NoButtonWithoutAConsoleUrl) {
  AlertView view = SampleView(kRootSuccessNoMfa);
  view.console_url.clear();
  view.event_epoch = 0;
  Parsed p;
  Parse(RenderSlackMessage(view), &p);
  ASSERT_EQ(p.root["blocks"].get_array().size(), 3u);
  EXPECT_EQ(StringAt(p.root, "/blocks/2/type"), "context");
  EXPECT_EQ(FieldTexts(p.root)[7], "*Time (UTC)*\n2022-11-10T16:24:34Z");  // no date token
}

TEST(SlackMessageTest, TextHelpers) {
  EXPECT_EQ(EscapeSlack("a&b<c>d"), "a&amp;b&lt;c&gt;d");
  EXPECT_EQ(TruncateText("abcdef", 4), "abc\xE2\x80\xA6");
  EXPECT_EQ(TruncateText("abc", 3), "abc");
  EXPECT_EQ(TextLength("\xF0\x9F\x9A\xA8"), 2u);  // an emoji is two UTF-16 units
  EXPECT_EQ(TruncateText("\xF0\x9F\x9A\xA8\xF0\x9F\x9A\xA8", 3), "\xF0\x9F\x9A\xA8\xE2\x80\xA6");
  EXPECT_EQ(EscapeSlackTruncated("ab&cd", 5), "ab\xE2\x80\xA6");  // not "ab&am…"
  EXPECT_EQ(PrintableLine("a\x1b[2Jb\n\xC2\x9B"), "a\\x1b[2Jb\\x0a\\u009b");
  EXPECT_EQ(SingleLine("a\nb\tc"), "a b c");
}

}  // namespace
}  // namespace trailwatch::render
