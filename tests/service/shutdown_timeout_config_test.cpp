// The top-level `shutdown_timeout` key of the service configuration: default, a value, and errors
// with file:line:column.
#include <gtest/gtest.h>

#include "cli/cli_test_util.h"
#include "service/service_config.h"

namespace trailwatch::service {
namespace {

using trailwatch::testing::TempDir;

// A minimal valid configuration, with `extra` appended at the top level.
Result<ServiceConfig> LoadWithStdoutTarget(const TempDir& dir, const std::string& extra) {
  std::string path = dir.Write("trailwatch.yaml", "store: " + dir.path() +
                                                      "/tw.db\n"
                                                      "targets:\n"
                                                      "  - {name: console, type: stdout}\n" +
                                                      extra);
  return LoadServiceConfig(path);
}

TEST(ShutdownTimeoutConfigTest, DefaultsToTenSeconds) {
  TempDir dir;
  auto config = LoadWithStdoutTarget(dir, "");
  ASSERT_TRUE(config.ok()) << config.message();
  EXPECT_EQ(config->shutdown_timeout, std::chrono::seconds(10));
}

TEST(ShutdownTimeoutConfigTest, TakesADuration) {
  TempDir dir;
  auto config = LoadWithStdoutTarget(dir, "shutdown_timeout: 1m30s\n");
  ASSERT_TRUE(config.ok()) << config.message();
  EXPECT_EQ(config->shutdown_timeout, std::chrono::seconds(90));
  auto zero = LoadWithStdoutTarget(dir, "shutdown_timeout: 0s\n");
  ASSERT_TRUE(zero.ok()) << zero.message();
  EXPECT_EQ(zero->shutdown_timeout, std::chrono::seconds(0));
}

TEST(ShutdownTimeoutConfigTest, RefusesBadValuesWithTheirPlace) {
  TempDir dir;
  auto too_long = LoadWithStdoutTarget(dir, "shutdown_timeout: 1h\n");
  ASSERT_FALSE(too_long.ok());
  EXPECT_NE(too_long.message().find("trailwatch.yaml:4:19: shutdown_timeout: shutdown_timeout must "
                                    "be between 0s and 600s, not 3600s"),
            std::string::npos)
      << too_long.message();
  auto bare = LoadWithStdoutTarget(dir, "shutdown_timeout: 10\n");
  ASSERT_FALSE(bare.ok());
  EXPECT_NE(bare.message().find("must be a duration like 10s"), std::string::npos)
      << bare.message();
}

}  // namespace
}  // namespace trailwatch::service
