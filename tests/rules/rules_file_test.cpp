#include "rules/rules_file.h"

#include <gtest/gtest.h>

namespace trailwatch::rules {
namespace {

TEST(RulesFileTest, JsonKeepsThePatternTextExactly) {
  auto rules = ParseRules(R"({
  "a": {"x": ["1"], "x": ["2"]},
  "b": "{\"y\": [true]}"
})", "r.json");
  ASSERT_TRUE(rules.ok()) << rules.message();
  ASSERT_EQ(rules->size(), 2u);
  EXPECT_EQ((*rules)[0].name, "a");
  EXPECT_EQ((*rules)[0].json, R"({"x": ["1"], "x": ["2"]})");  // duplicates kept for last-wins
  EXPECT_EQ((*rules)[0].line, 2);
  EXPECT_EQ((*rules)[1].name, "b");
  EXPECT_EQ((*rules)[1].json, R"({"y": [true]})");
  EXPECT_EQ((*rules)[1].line, 3);
}

TEST(RulesFileTest, YamlConvertsToJsonWithTypes) {
  auto rules = ParseRules(
      "root-signin:\n"
      "  detail-type: [\"AWS Console Sign In via CloudTrail\"]\n"
      "  detail:\n"
      "    userIdentity:\n"
      "      type: [Root]\n"
      "typed:\n"
      "  n: [300, -1.5e3]\n"
      "  b: [true, false, null]\n"
      "  s: ['300', \"true\", yes]\n"
      "as-string: '{\"z\": [1]}'\n",
      "r.yaml");
  ASSERT_TRUE(rules.ok()) << rules.message();
  ASSERT_EQ(rules->size(), 3u);
  EXPECT_EQ((*rules)[0].json,
            R"({"detail-type":["AWS Console Sign In via CloudTrail"],"detail":{"userIdentity":{"type":["Root"]}}})");
  EXPECT_EQ((*rules)[0].line, 1);
  EXPECT_EQ((*rules)[1].json, R"({"n":[300,-1.5e3],"b":[true,false,null],"s":["300","true","yes"]})");
  EXPECT_EQ((*rules)[1].line, 6);
  EXPECT_EQ((*rules)[2].json, R"({"z": [1]})");
}

TEST(RulesFileTest, ErrorsNameFileAndLine) {
  auto bad_yaml = ParseRules("a:\n  x: [1\n", "r.yaml");
  ASSERT_FALSE(bad_yaml.ok());
  EXPECT_EQ(bad_yaml.message().rfind("r.yaml:", 0), 0u) << bad_yaml.message();
  auto not_map = ParseRules("- a\n- b\n", "r.yaml");
  ASSERT_FALSE(not_map.ok());
  EXPECT_EQ(not_map.message(), "r.yaml: a rules file must be a mapping of rule name to event pattern");
  auto duplicate = ParseRules("a: {x: [1]}\na: {x: [2]}\n", "r.yaml");
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(duplicate.message(), "r.yaml:2: duplicate rule name \"a\"");
  auto bad_json = ParseRules("{\"a\": {\"x\": [1]", "r.json");
  ASSERT_FALSE(bad_json.ok());
  EXPECT_EQ(bad_json.message().rfind("r.json", 0), 0u) << bad_json.message();
}

TEST(RulesFileTest, MissingFileIsNamed) {
  auto rules = LoadRulesFile("/nonexistent/rules.yaml");
  ASSERT_FALSE(rules.ok());
  EXPECT_EQ(rules.message(), "cannot read the rules file /nonexistent/rules.yaml: no such file");
}

}  // namespace
}  // namespace trailwatch::rules
