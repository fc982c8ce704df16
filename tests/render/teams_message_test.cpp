#include <gtest/gtest.h>
#include <simdjson.h>

#include "render/display_text.h"
#include "render/render_test_util.h"
#include "render/renderers.h"

namespace trailwatch::render {
namespace {

using namespace testing;  // NOLINT
using simdjson::dom::element;

// The text of the single TextRun of a RichTextBlock.
std::string RunText(element block) { return StringAt(block, "/inlines/0/text"); }

// (title, value) of every fact row (ColumnSet) in the card body.
std::vector<std::pair<std::string, std::string>> Facts(element card) {
  std::vector<std::pair<std::string, std::string>> facts;
  simdjson::dom::array body = card["body"].get_array().value();
  for (element block : body) {
    if (StringAt(block, "/type") != "ColumnSet") continue;
    facts.emplace_back(RunText(block.at_pointer("/columns/0/items/0").value()),
                       RunText(block.at_pointer("/columns/1/items/0").value()));
  }
  return facts;
}

// Every element "type" in the card body, recursively.
void CollectTypes(element e, std::vector<std::string>* types) { CollectStrings(e, "type", types); }

TEST(TeamsMessageTest, WorkflowsMessageWithAnAdaptiveCard) {
  std::string body = RenderTeamsMessage(SampleView(kRootSuccessMfa));
  simdjson::dom::parser parser;
  element root;
  ASSERT_EQ(parser.parse(body).get(root), simdjson::SUCCESS) << body;

  EXPECT_EQ(StringAt(root, "/type"), "message");
  ASSERT_EQ(root["attachments"].get_array().size(), 1u);
  EXPECT_EQ(StringAt(root, "/attachments/0/contentType"),
            "application/vnd.microsoft.card.adaptive");
  EXPECT_TRUE(root.at_pointer("/attachments/0/contentUrl").is_null());
  element card = root.at_pointer("/attachments/0/content").value();
  EXPECT_EQ(StringAt(card, "/type"), "AdaptiveCard");
  EXPECT_EQ(StringAt(card, "/version"), "1.4");
  EXPECT_EQ(StringAt(card, "/$schema"), "http://adaptivecards.io/schemas/adaptive-card.json");

  EXPECT_EQ(StringAt(card, "/body/0/type"), "RichTextBlock");
  EXPECT_EQ(RunText(card.at_pointer("/body/0").value()),
            "\xF0\x9F\x9A\xA8 [HIGH] Root user signed in to the AWS console");
  EXPECT_EQ(StringAt(card, "/body/0/inlines/0/weight"), "Bolder");
  EXPECT_EQ(StringAt(card, "/body/0/inlines/0/size"), "Large");

  EXPECT_EQ(StringAt(card, "/body/1/type"), "ColumnSet");
  EXPECT_EQ(StringAt(card, "/body/1/columns/0/items/0/inlines/0/weight"), "Bolder");
  std::vector<std::pair<std::string, std::string>> facts = Facts(card);
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

  simdjson::dom::array blocks = card["body"].get_array().value();
  ASSERT_EQ(blocks.size(), 1 + expected.size() + 1);
  element context = blocks.at(blocks.size() - 1).value();
  EXPECT_EQ(RunText(context),
            "rule root-console-signin \xC2\xB7 event deb1e1f9-c99b-4612-8e9f-21f93b5d79c0");
  EXPECT_TRUE(context.at_pointer("/inlines/0/isSubtle").get_bool().value());

  ASSERT_EQ(card["actions"].get_array().size(), 1u);
  EXPECT_EQ(StringAt(card, "/actions/0/type"), "Action.OpenUrl");
  EXPECT_EQ(StringAt(card, "/actions/0/title"), "Open in CloudTrail");
  EXPECT_EQ(StringAt(card, "/actions/0/url"),
            "https://us-east-1.console.aws.amazon.com/cloudtrailv2/home?region=us-east-1#/events/"
            "deb1e1f9-c99b-4612-8e9f-21f93b5d79c0");
}

TEST(TeamsMessageTest, HugeValuesStayWellUnderTheMessageLimit) {
  route::Alert alert;
  alert.rule = "r";
  alert.envelope.json = FailedSignInEnvelope(std::string(5 * 1024, 'x') + "\n\"quoted\"",
                                          std::string(10 * 1024, 'y'));
  Result<AlertView> view = MakeAlertView(alert, {});
  ASSERT_TRUE(view.ok());
  view->user_agent_short = view->user_agent;
  std::string body = RenderTeamsMessage(*view);
  EXPECT_LT(body.size(), 28u * 1024 / 4);
  simdjson::dom::parser parser;
  element root;
  ASSERT_EQ(parser.parse(body).get(root), simdjson::SUCCESS);
  element card = root.at_pointer("/attachments/0/content").value();
  for (const auto& [title, value] : Facts(card)) EXPECT_LE(TextLength(value), 500u) << title;
  EXPECT_LE(TextLength(RunText(card.at_pointer("/body/0").value())), 200u);
}

// Adaptive Cards parse TextBlock text and FactSet titles/values as Markdown (bold, italic, lists,
// links). Event content must not be able to add a link or formatting: the card holds no element
// that Teams parses as Markdown, and hostile values arrive as plain TextRun text, unchanged.
TEST(TeamsMessageTest, HostileValuesCannotInjectMarkdown) {
  const std::string name = "[Reset your password](https://evil.example/login) **urgent** _now_";
  const std::string agent = "1. step\r- item <b>x</b> ![img](https://evil.example/i.png) `code`";
  route::Alert alert;
  alert.rule = "r";
  alert.envelope.json = FailedSignInEnvelope(name, agent);
  Result<AlertView> view = MakeAlertView(alert, {});
  ASSERT_TRUE(view.ok()) << view.message();
  view->user_agent_short = view->user_agent;
  std::string body = RenderTeamsMessage(*view);
  simdjson::dom::parser parser;
  element root;
  ASSERT_EQ(parser.parse(body).get(root), simdjson::SUCCESS) << body;
  element card = root.at_pointer("/attachments/0/content").value();

  std::vector<std::string> types;
  CollectTypes(card["body"].value(), &types);
  for (const std::string& type : types) {
    EXPECT_TRUE(type == "RichTextBlock" || type == "TextRun" || type == "ColumnSet" ||
                type == "Column")
        << "element " << type << " may be rendered as Markdown";
  }
  // No text outside TextRuns: no "text" member in a non-TextRun element, no FactSet "value".
  std::vector<std::string> values;
  CollectStrings(card["body"].value(), "value", &values);
  EXPECT_TRUE(values.empty());

  // The hostile values are shown as they are (the identity and user agent rows, and the title).
  bool identity_shown = false, agent_shown = false;
  for (const auto& [title, value] : Facts(card)) {
    if (title == "Identity") identity_shown = value.find(name) != std::string::npos;
    if (title == "User agent")
      agent_shown = value.find("![img](https://evil.example/i.png)") != std::string::npos;
  }
  EXPECT_TRUE(identity_shown) << body;
  EXPECT_TRUE(agent_shown) << body;
  // The only link in the card is the console button.
  std::vector<std::string> urls;
  CollectStrings(card, "url", &urls);
  ASSERT_EQ(urls.size(), 1u);
  EXPECT_EQ(urls[0].find("evil"), std::string::npos);
}

}  // namespace
}  // namespace trailwatch::render
