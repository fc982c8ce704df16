// Cases from the EventBridge User Guide ("Amazon EventBridge input transformation", the EC2
// example event and its template/output table) and the InputTransformer API reference.
#include <gtest/gtest.h>
#include <simdjson.h>

#include "render/render_test_util.h"
#include "render/renderers.h"

namespace trailwatch::render {
namespace {

using namespace testing;  // NOLINT

// The example event of the EventBridge User Guide.
constexpr const char* kEc2Event = R"({
  "version": "0",
  "id": "7bf73129-1428-4cd3-a780-95db273d1602",
  "detail-type": "EC2 Instance State-change Notification",
  "source": "aws.ec2",
  "account": "123456789012",
  "time": "2015-11-11T21:29:54Z",
  "region": "us-east-1",
  "resources": [
    "arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"
  ],
  "detail": {
    "instance-id": "i-0123456789",
    "state": "RUNNING"
  }
})";

config::InputTransformerConfig Ec2Transformer(const std::string& input_template) {
  config::InputTransformerConfig transformer;
  transformer.input_paths = {
      {"timestamp", "$.time"}, {"instance", "$.detail.instance-id"}, {"state", "$.detail.state"}};
  transformer.input_template = input_template;
  return transformer;
}

std::string Apply(const std::string& input_template, const std::string& event = kEc2Event) {
  Result<std::string> out =
      ApplyInputTransformer(Ec2Transformer(input_template), event, {"example", ""});
  EXPECT_TRUE(out.ok()) << input_template << ": " << (out.ok() ? "" : out.message());
  return out.ok() ? *out : "";
}

std::string ApplyError(const config::InputTransformerConfig& transformer,
                       const std::string& event = kEc2Event) {
  Result<std::string> out = ApplyInputTransformer(transformer, event);
  EXPECT_FALSE(out.ok()) << transformer.input_template;
  return out.ok() ? "" : out.message();
}

TEST(InputTransformerTest, DocumentedExamples) {
  EXPECT_EQ(Apply(R"("instance <instance> is in <state>")"),
            R"("instance i-0123456789 is in RUNNING")");
  EXPECT_EQ(Apply(R"("instance \"<instance>\" is in <state>")"),
            R"("instance \"i-0123456789\" is in RUNNING")");
  EXPECT_EQ(Apply(R"({"instance" : <instance>, "state": <state>})"),
            R"({"instance" : "i-0123456789", "state": "RUNNING"})");
  EXPECT_EQ(Apply(R"({"instance" : <instance>, "state": "<state>", )"
                  R"("instanceStatus": "instance \"<instance>\" is in <state>"})"),
            R"({"instance" : "i-0123456789", "state": "RUNNING", )"
            R"("instanceStatus": "instance \"i-0123456789\" is in RUNNING"})");
  EXPECT_EQ(
      Apply(R"({"instance" : <instance>, "state": [ 9, <state>, true ], "Transformed" : "Yes"})"),
      R"({"instance" : "i-0123456789", "state": [ 9, "RUNNING", true ], "Transformed" : "Yes"})");
  EXPECT_EQ(Apply(R"("<aws.events.rule-name> triggered")"), R"("example triggered")");
  // API reference: a template that is not JSON is text.
  EXPECT_EQ(Apply("<instance> is in state <state>"), "i-0123456789 is in state RUNNING");
}

TEST(InputTransformerTest, ReservedVariables) {
  std::string out =
      Apply(R"({"instance": <instance>, "ruleName": <aws.events.rule-name>, )"
            R"("originalEvent": <aws.events.event>, "full": <aws.events.event.json>, )"
            R"("received": "<aws.events.event.ingestion-time>"})");
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_EQ(parser.parse(out).get(root), simdjson::SUCCESS) << out;
  EXPECT_EQ(std::string(root["ruleName"].get_string().value()), "example");
  // <aws.events.event> is the event without `detail`; <aws.events.event.json> the whole event.
  EXPECT_EQ(std::string(root.at_pointer("/originalEvent/source").get_string().value()), "aws.ec2");
  EXPECT_TRUE(root.at_pointer("/originalEvent/detail").error() == simdjson::NO_SUCH_FIELD);
  EXPECT_EQ(std::string(root.at_pointer("/full/detail/state").get_string().value()), "RUNNING");
  // Without a known ingestion time, the envelope's time.
  EXPECT_EQ(std::string(root["received"].get_string().value()), "2015-11-11T21:29:54Z");
}

TEST(InputTransformerTest, ValuesOfOtherTypesAndArrayIndices) {
  config::InputTransformerConfig transformer;
  transformer.input_paths = {{"detail", "$.detail"},
                             {"resource", "$.resources[0]"},
                             {"count", "$.detail.count"},
                             {"flag", "$.detail.flag"}};
  transformer.input_template =
      R"({"d": <detail>, "r": <resource>, "n": <count>, "b": <flag>, "s": "n=<count> d=<detail>"})";
  Result<std::string> out = ApplyInputTransformer(
      transformer, R"({"resources":["arn:1","arn:2"],"detail":{"count":3,"flag":false}})");
  ASSERT_TRUE(out.ok()) << out.message();
  EXPECT_EQ(*out, R"({"d": {"count":3,"flag":false}, "r": "arn:1", "n": 3, "b": false, )"
                  R"("s": "n=3 d={\"count\":3,\"flag\":false}"})");
}

TEST(InputTransformerTest, MissingPathsBecomeNullOrNothing) {
  config::InputTransformerConfig transformer;
  transformer.input_paths = {
      {"missing", "$.detail.nope"}, {"null", "$.detail.n"}, {"deep", "$.resources[5].x"}};
  transformer.input_template = R"({"a": <missing>, "b": "x<missing>y", "c": <null>, "d": <deep>})";
  Result<std::string> out =
      ApplyInputTransformer(transformer, R"({"resources":[],"detail":{"n":null}})");
  ASSERT_TRUE(out.ok()) << out.message();
  EXPECT_EQ(*out, R"({"a": null, "b": "xy", "c": null, "d": null})");
  transformer.input_template = "[<missing>]";
  EXPECT_EQ(*ApplyInputTransformer(transformer, "{}"), "[null]");
  transformer.input_template = "who: <missing>.";
  EXPECT_EQ(*ApplyInputTransformer(transformer, "{}"), "who: .");
}

TEST(InputTransformerTest, AttackerControlledStringsCannotBreakTheJson) {
  config::InputTransformerConfig transformer;
  transformer.input_paths = {{"user", "$.detail.userIdentity.userName"}};
  transformer.input_template = R"({"text": "failed sign-in by <user>", "user": <user>})";
  std::string event = FailedSignInEnvelope(R"(x", "admin": true, "y": "\)", "ua");
  Result<std::string> out = ApplyInputTransformer(transformer, event);
  ASSERT_TRUE(out.ok()) << out.message();
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_EQ(parser.parse(*out).get(root), simdjson::SUCCESS) << *out;
  EXPECT_EQ(root.get_object().size(), 2u);  // no injected "admin" member
  EXPECT_EQ(std::string(root["user"].get_string().value()), R"(x", "admin": true, "y": "\)");
  EXPECT_EQ(std::string(root["text"].get_string().value()),
            R"(failed sign-in by x", "admin": true, "y": "\)");
}

TEST(InputTransformerTest, ErrorsNameThePlaceholderOrPath) {
  config::InputTransformerConfig transformer = Ec2Transformer(R"({<instance>: 1})");
  EXPECT_EQ(ApplyError(transformer),
            "input_template: placeholder <instance> cannot be used as an object key");
  transformer.input_template = "<typo> happened";
  EXPECT_EQ(ApplyError(transformer),
            "input_template: placeholder <typo> is not defined in input_paths");
  transformer.input_template = R"({"arn": <aws.events.rule-arn>})";
  EXPECT_EQ(ApplyError(transformer),
            "input_template: <aws.events.rule-arn> is not available outside EventBridge");
  transformer.input_template = R"({"e": "<aws.events.event>"})";
  EXPECT_EQ(ApplyError(transformer),
            "input_template: <aws.events.event> can only be used as a JSON value (its content is "
            "JSON, not text)");
  transformer.input_template = R"({"a": <instance>,})";
  EXPECT_EQ(ApplyError(transformer).substr(0, 46),
            "input_template: the result is not valid JSON (");
  transformer.input_template = "x";
  transformer.input_paths["bad"] = "$.detail[*]";
  EXPECT_EQ(ApplyError(transformer),
            "input_paths.bad: JSON path \"$.detail[*]\": wildcards are not supported");
  EXPECT_EQ(ApplyError(Ec2Transformer("x"), "not json").substr(0, 42),
            "input transformer: the event is not JSON (");
}

TEST(InputTransformerTest, LiteralAngleBracketsThatAreNotPlaceholders) {
  EXPECT_EQ(Apply(R"("1 < 2 and <> and <a b>: <state>")"), R"("1 < 2 and <> and <a b>: RUNNING")");
}

}  // namespace
}  // namespace trailwatch::render
