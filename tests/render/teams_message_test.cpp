#include <gtest/gtest.h>
#include <simdjson.h>

#include "render/display_text.h"
#include "render/render_test_util.h"
#include "render/renderers.h"

namespace trailwatch::render {
namespace {

using namespace testing;  // NOLINT
using simdjson::dom::element;

std::string Str(element e, std::string_view pointer) {
  std::string_view text;
  if (e.at_pointer(pointer).get_string().get(text) != simdjson::SUCCESS) return "<missing>";
  return std::string(text);
}

TEST(TeamsMessageTest, WorkflowsMessageWithAnAdaptiveCard) {
  std::string body = RenderTeamsMessage(SampleView(kRootSuccessMfa));
  simdjson::dom::parser parser;
  element root;
  ASSERT_EQ(parser.parse(body).get(root), simdjson::SUCCESS) << body;

  EXPECT_EQ(Str(root, "/type"), "message");
  ASSERT_EQ(root["attachments"].get_array().size(), 1u);
  EXPECT_EQ(Str(root, "/attachments/0/contentType"), "application/vnd.microsoft.card.adaptive");
  EXPECT_TRUE(root.at_pointer("/attachments/0/contentUrl").is_null());
  element card = root.at_pointer("/attachments/0/content").value();
  EXPECT_EQ(Str(card, "/type"), "AdaptiveCard");
  EXPECT_EQ(Str(card, "/version"), "1.4");
  EXPECT_EQ(Str(card, "/$schema"), "http://adaptivecards.io/schemas/adaptive-card.json");

  EXPECT_EQ(Str(card, "/body/0/type"), "TextBlock");
  EXPECT_EQ(Str(card, "/body/0/text"),
            "\xF0\x9F\x9A\xA8 [HIGH] Root user signed in to the AWS console");
  EXPECT_EQ(Str(card, "/body/0/weight"), "Bolder");
  EXPECT_TRUE(card.at_pointer("/body/0/wrap").get_bool().value());

  EXPECT_EQ(Str(card, "/body/1/type"), "FactSet");
  std::vector<std::pair<std::string, std::string>> facts;
  simdjson::dom::array fact_list = card.at_pointer("/body/1/facts").get_array().value();
  for (element fact : fact_list) {
    facts.emplace_back(Str(fact, "/title"), Str(fact, "/value"));
  }
  std::vector<std::pair<std::string, std::string>> expected = {
      {"Account", "111122223333 (production)"},
      {"Region", "us-east-1"},
      {"Identity", "arn:aws:iam::111122223333:root (Root)"},
      {"Source IP", "192.0.2.0"},
      {"User agent", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.12; rv:62.0)\xE2\x80\xA6"},
      {"MFA used", "Yes"},
      {"Result", "Success"},
      {"Time (UTC)", "2022-11-10T16:24:34Z"},
      {"Event", "ConsoleLogin \xC2\xB7 signin.amazonaws.com"},
  };
  EXPECT_EQ(facts, expected);

  EXPECT_EQ(Str(card, "/body/2/text"),
            "rule root-console-signin \xC2\xB7 event deb1e1f9-c99b-4612-8e9f-21f93b5d79c0");
  EXPECT_TRUE(card.at_pointer("/body/2/isSubtle").get_bool().value());

  ASSERT_EQ(card["actions"].get_array().size(), 1u);
  EXPECT_EQ(Str(card, "/actions/0/type"), "Action.OpenUrl");
  EXPECT_EQ(Str(card, "/actions/0/title"), "Open in CloudTrail");
  EXPECT_EQ(Str(card, "/actions/0/url"),
            "https://us-east-1.console.aws.amazon.com/cloudtrailv2/home?region=us-east-1#/events/"
            "deb1e1f9-c99b-4612-8e9f-21f93b5d79c0");
}

TEST(TeamsMessageTest, HugeValuesStayWellUnderTheMessageLimit) {
  alerts::Alert alert;
  alert.rule = "r";
  alert.event_json = FailedSignInEnvelope(std::string(5 * 1024, 'x') + "\n\"quoted\"",
                                          std::string(10 * 1024, 'y'));
  Result<AlertView> view = MakeAlertView(alert, {});
  ASSERT_TRUE(view.ok());
  view->user_agent_short = view->user_agent;
  std::string body = RenderTeamsMessage(*view);
  EXPECT_LT(body.size(), 28u * 1024 / 4);
  simdjson::dom::parser parser;
  element root;
  ASSERT_EQ(parser.parse(body).get(root), simdjson::SUCCESS);
  simdjson::dom::array fact_list = root.at_pointer("/attachments/0/content/body/1/facts").get_array().value();
  for (element fact : fact_list) {
    EXPECT_LE(TextLength(Str(fact, "/value")), 500u);
  }
  EXPECT_LE(TextLength(Str(root, "/attachments/0/content/body/0/text")), 200u);
}

}  // namespace
}  // namespace trailwatch::render
