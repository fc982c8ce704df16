// `trailwatch send-test`: the sample alert through the outbox to a fake Slack webhook.
#include <gtest/gtest.h>
#include <simdjson.h>

#include "cli/cli_test_util.h"
#include "targets/fake_servers_util.h"

namespace trailwatch {
namespace {

using testing::FakeHttpServer;
using testing::FakeResponse;
using testing::RunTrailwatch;
using testing::ScriptedAnswers;

std::string Config(const testing::TempDir& dir, const std::string& webhook_url) {
  return dir.Write("trailwatch.yaml", "store: " + dir.path() +
                                          "/trailwatch.db\n"
                                          "targets:\n"
                                          "  - name: security-slack\n"
                                          "    type: slack\n"
                                          "    webhook_url: " +
                                          webhook_url + "\n");
}

TEST(SendTestCommand, DeliversTheSampleAlertAndPrintsTheAnswer) {
  FakeHttpServer fake([](const testing::FakeRequest&) { return FakeResponse::Text(200, "ok"); });
  testing::TempDir dir;
  std::string config = Config(dir, fake.Url("/services/T000/B000/SECRETPATH"));
  auto result = RunTrailwatch({"send-test", "--config", config, "--target", "security-slack"});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("delivered"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("HTTP 200"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find(": ok"), std::string::npos) << result.out;
  ASSERT_EQ(fake.RequestCount(), 1u);
  simdjson::dom::parser parser;
  simdjson::dom::element message;
  ASSERT_EQ(parser.parse(fake.Requests()[0].body).get(message), simdjson::SUCCESS);
  std::string_view text;
  ASSERT_EQ(message["text"].get(text), simdjson::SUCCESS);
  EXPECT_NE(text.find("Root"), std::string_view::npos) << text;
  // Not to be mistaken for a real root sign-in in a production channel.
  EXPECT_NE(text.find("TEST"), std::string_view::npos) << text;
  std::string_view header;
  // (not at_pointer: GCC 12 warns falsely inside it, see CMakeLists.txt)
  ASSERT_EQ(message["blocks"].at(0)["text"]["text"].get(header), simdjson::SUCCESS);
  EXPECT_NE(header.find("TEST"), std::string_view::npos) << header;
  EXPECT_NE(fake.Requests()[0].body.find("192.0.2.0"), std::string::npos);
  // Through the outbox: the entry is there, delivered. A second test is a new alert (fresh
  // eventID), not a duplicate.
  auto second = RunTrailwatch({"send-test", "--config", config, "--target", "security-slack"});
  EXPECT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(fake.RequestCount(), 2u);
  auto list = RunTrailwatch({"outbox", "list", "--config", config, "--state", "delivered"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("trailwatch-send-test"), std::string::npos) << list.out;
}

TEST(SendTestCommand, ReportsAPermanentFailureWithoutTheSecretUrl) {
  ScriptedAnswers answers({FakeResponse::Text(404, "no_service")});
  FakeHttpServer fake(answers.Handler());
  testing::TempDir dir;
  std::string config = Config(dir, fake.Url("/services/T000/B000/SECRETPATH"));
  auto result = RunTrailwatch({"send-test", "--config", config, "--target", "security-slack"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.out.find("no_service"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("dead"), std::string::npos) << result.out;
  EXPECT_EQ((result.out + result.err).find("SECRETPATH"), std::string::npos);
  // The dead entry can be listed, retried and purged.
  auto dead = RunTrailwatch({"outbox", "list", "--config", config, "--state", "dead"});
  EXPECT_NE(dead.out.find("no_service"), std::string::npos) << dead.out;
  EXPECT_EQ(dead.out.find("SECRETPATH"), std::string::npos);
  auto retry = RunTrailwatch({"outbox", "retry", "--dead", "--config", config});
  EXPECT_EQ(retry.exit_code, 0) << retry.err;
  EXPECT_NE(retry.out.find("1 entries queued again"), std::string::npos) << retry.out;
  auto deliver = RunTrailwatch({"deliver", "--config", config, "--until-empty"});
  EXPECT_EQ(deliver.exit_code, 0) << deliver.err;
  EXPECT_NE(deliver.out.find("delivered 1"), std::string::npos) << deliver.out;
  auto purge = RunTrailwatch({"outbox", "purge", "--dead", "--config", config});
  EXPECT_EQ(purge.exit_code, 0);
  EXPECT_NE(purge.out.find("0 entries purged"), std::string::npos) << purge.out;
}

TEST(SendTestCommand, TransientFailureLeavesTheAlertQueued) {
  ScriptedAnswers answers({FakeResponse::Text(500, "rollup_error")});
  FakeHttpServer fake(answers.Handler());
  testing::TempDir dir;
  std::string config = Config(dir, fake.Url("/services/T/B/SECRETPATH"));
  auto result = RunTrailwatch({"send-test", "--config", config, "--target", "security-slack"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.out.find("will be retried"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("rollup_error"), std::string::npos) << result.out;
  auto pending = RunTrailwatch({"outbox", "list", "--config", config, "--state", "pending"});
  EXPECT_NE(pending.out.find("trailwatch-send-test"), std::string::npos) << pending.out;
}

TEST(SendTestCommand, UnknownTargetIsAUsageError) {
  testing::TempDir dir;
  std::string config = Config(dir, "http://127.0.0.1:9/x");
  auto result = RunTrailwatch({"send-test", "--config", config, "--target", "nope"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("no target named \"nope\""), std::string::npos) << result.err;
}

}  // namespace
}  // namespace trailwatch
