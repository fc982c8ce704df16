// `trailwatch outbox list|retry` and `trailwatch deliver` with entries the configuration cannot
// send: entries older than max_age (dead without a send, the reason listed) and entries of
// targets removed from the configuration (flagged, dead-lettered with a warning, queued again by
// `outbox retry --dead` once the target is back).
#include <gtest/gtest.h>

#include <chrono>

#include "cli/cli_test_util.h"
#include "outbox/outbox.h"
#include "targets/fake_servers_util.h"
#include "targets/sample_alert.h"

namespace trailwatch {
namespace {

using testing::FakeHttpServer;
using testing::FakeResponse;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

class OutboxCommandTest : public ::testing::Test {
 protected:
  OutboxCommandTest()
      : fake_([](const testing::FakeRequest&) { return FakeResponse::Text(200, "ok"); }) {}

  std::string Config(bool with_gone) {
    std::string text = "store: " + dir_.path() + "/trailwatch.db\ntargets:\n" + Target("kept") +
                       (with_gone ? Target("gone") : "");
    return dir_.Write(with_gone ? "with-gone.yaml" : "without-gone.yaml", text);
  }
  std::string Target(const std::string& name) {
    return "  - name: " + name + "\n    type: webhook\n    url: " + fake_.Url("/" + name) +
           "\n    rate_per_second: 100\n    burst: 100\n    max_age: 1h\n";
  }
  void Enqueue(const std::string& target, const std::string& event_id, int64_t at_ms) {
    auto store = outbox::Outbox::Open(dir_.path() + "/trailwatch.db");
    ASSERT_TRUE(store.ok()) << store.message();
    auto alert = targets::SampleRootSignInAlert(event_id, "root-signin");
    ASSERT_TRUE(alert.ok());
    ASSERT_TRUE((*store)->Enqueue({{target, target, *alert}}, at_ms).ok());
  }

  testing::TempDir dir_;
  FakeHttpServer fake_;
};

TEST_F(OutboxCommandTest, ExpiredAndUnconfiguredEntriesAreListedWithTheReason) {
  Enqueue("kept", "too-old", NowMs() - 2 * 3600 * 1000);  // max_age is 1h
  Enqueue("kept", "fresh", NowMs());
  Enqueue("gone", "g1", NowMs());
  Enqueue("gone", "g2", NowMs());
  std::string config = Config(/*with_gone=*/false);

  auto listed = testing::RunTrailwatch({"outbox", "list", "--config", config});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_EQ(Count(listed.out, "[target not in the configuration]"), 2u) << listed.out;
  EXPECT_NE(listed.err.find("2 entries are for targets that are not in"), std::string::npos)
      << listed.err;

  auto delivered = testing::RunTrailwatch({"deliver", "--config", config, "--until-empty"});
  ASSERT_EQ(delivered.exit_code, 0) << delivered.err;
  // (the log is JSON lines off a terminal: the quotes are escaped)
  EXPECT_NE(delivered.err.find("2 entries were queued for target \\\"gone\\\", which is not in the "
                               "configuration"),
            std::string::npos)
      << delivered.err;
  EXPECT_NE(delivered.out.find("delivered 1, retried 0, dead 1 (1 expired by max_age before a "
                               "send), 2 dead-lettered for targets not in the configuration"),
            std::string::npos)
      << delivered.out;
  ASSERT_EQ(fake_.RequestCount(), 1u) << "only the fresh entry was sent";
  EXPECT_NE(fake_.Requests()[0].body.find("\"eventID\":\"fresh\""), std::string::npos);

  auto dead = testing::RunTrailwatch({"outbox", "list", "--config", config, "--state", "dead"});
  ASSERT_EQ(dead.exit_code, 0) << dead.err;
  EXPECT_NE(dead.out.find("expired: queued"), std::string::npos) << dead.out;
  EXPECT_NE(dead.out.find("older than max_age (3600 s); never sent"), std::string::npos)
      << dead.out;
  EXPECT_EQ(Count(dead.out, "target \"gone\" is not in the configuration"), 2u) << dead.out;

  // Without the target, retry leaves its entries dead (they would only die again) and says so.
  auto retried = testing::RunTrailwatch({"outbox", "retry", "--config", config, "--dead"});
  ASSERT_EQ(retried.exit_code, 0) << retried.err;
  EXPECT_NE(retried.out.find("1 entries queued again"), std::string::npos) << retried.out;
  EXPECT_NE(retried.err.find("2 dead entries of target \"gone\" stay dead"), std::string::npos)
      << retried.err;
  auto one = testing::RunTrailwatch({"outbox", "retry", "--config", config, "3"});
  EXPECT_EQ(one.exit_code, 1);
  EXPECT_NE(one.err.find("add the target back first"), std::string::npos) << one.err;

  // The target is back: retry queues its entries, deliver sends them.
  std::string restored = Config(/*with_gone=*/true);
  auto back = testing::RunTrailwatch({"outbox", "retry", "--config", restored, "--dead"});
  ASSERT_EQ(back.exit_code, 0) << back.err;
  EXPECT_NE(back.out.find("2 entries queued again"), std::string::npos) << back.out;
  auto sent = testing::RunTrailwatch({"deliver", "--config", restored, "--until-empty"});
  ASSERT_EQ(sent.exit_code, 0) << sent.err;
  size_t to_gone = 0;
  for (const auto& request : fake_.Requests()) to_gone += request.path == "/gone";
  EXPECT_EQ(to_gone, 2u);
  // The revived too-old entry counts max_age from `outbox retry`: it was sent too.
  EXPECT_EQ(fake_.RequestCount(), 4u);
}

}  // namespace
}  // namespace trailwatch
