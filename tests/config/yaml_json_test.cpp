#include "config/yaml_json.h"

#include <gtest/gtest.h>

namespace trailwatch::config {
namespace {

std::string Convert(const std::string& yaml) {
  auto json = YamlToJson(YAML::Load(yaml), "t.yaml");
  EXPECT_TRUE(json.ok());
  return json.ok() ? *json : "";
}

TEST(YamlJsonTest, ScalarsFollowTheCoreSchema) {
  EXPECT_EQ(Convert("[1, 1.5, -2e3, true, False, TRUE, null, ~, '', \"x\", x, '1', 0x10, 1_000]"),
            R"([1,1.5,-2e3,true,false,true,null,null,"","x","x","1","0x10","1_000"])");
}

TEST(YamlJsonTest, EscapesStrings) {
  EXPECT_EQ(Convert("a: \"q\\\"b\\\\s\\n\\t\\x01\""), R"({"a":"q\"b\\s\n\t\u0001"})");
}

TEST(YamlJsonTest, KeepsKeyOrder) {
  EXPECT_EQ(Convert("b: 1\na: 2\nc: {z: [], y: {}}"), R"({"b":1,"a":2,"c":{"z":[],"y":{}}})");
}

TEST(YamlJsonTest, RejectsNonScalarKeys) {
  auto json = YamlToJson(YAML::Load("? [a]\n: 1\n"), "t.yaml");
  ASSERT_FALSE(json.ok());
  EXPECT_NE(json.message().find("t.yaml:1:"), std::string::npos) << json.message();
}

}  // namespace
}  // namespace trailwatch::config
