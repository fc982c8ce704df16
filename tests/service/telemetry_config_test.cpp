// The `telemetry:` section of the service configuration (service/service_config.h): on by default
// on loopback, `false` turns it off, `{listen: HOST:PORT}` moves it; errors name the field.
#include <gtest/gtest.h>

#include "cli/cli_test_util.h"
#include "service/service_config.h"

namespace trailwatch::service {
namespace {

using testing::TempDir;

Result<ServiceConfig> LoadWithTelemetry(const TempDir& dir, const std::string& telemetry) {
  std::string text = "store: " + dir.path() + "/t.db\n" + telemetry;
  return LoadServiceConfig(dir.Write("c.yaml", text),
                           [](const std::string&) { return std::optional<std::string>(); });
}

TEST(TelemetryConfigTest, OnByDefaultOnLoopback) {
  TempDir dir;
  auto config = LoadWithTelemetry(dir, "");
  ASSERT_TRUE(config.ok()) << config.message();
  EXPECT_TRUE(config->telemetry.enabled);
  EXPECT_EQ(config->telemetry.listen, "127.0.0.1:9464");
  EXPECT_FALSE(config->telemetry.listen_configured);
}

TEST(TelemetryConfigTest, FalseTurnsItOffAndTrueKeepsTheDefault) {
  TempDir dir;
  auto off = LoadWithTelemetry(dir, "telemetry: false\n");
  ASSERT_TRUE(off.ok()) << off.message();
  EXPECT_FALSE(off->telemetry.enabled);
  auto on = LoadWithTelemetry(dir, "telemetry: true\n");
  ASSERT_TRUE(on.ok()) << on.message();
  EXPECT_TRUE(on->telemetry.enabled);
  EXPECT_EQ(on->telemetry.listen, "127.0.0.1:9464");
  auto disabled = LoadWithTelemetry(dir, "telemetry: {listen: \"[::1]:9100\", enabled: false}\n");
  ASSERT_TRUE(disabled.ok()) << disabled.message();
  EXPECT_FALSE(disabled->telemetry.enabled);
}

TEST(TelemetryConfigTest, ListenMovesIt) {
  TempDir dir;
  auto config = LoadWithTelemetry(dir, "telemetry:\n  listen: 0.0.0.0:9100\n");
  ASSERT_TRUE(config.ok()) << config.message();
  EXPECT_TRUE(config->telemetry.enabled);
  EXPECT_EQ(config->telemetry.listen, "0.0.0.0:9100");
  EXPECT_TRUE(config->telemetry.listen_configured);
  auto v6 = LoadWithTelemetry(dir, "telemetry: {listen: \"[::1]:0\"}\n");
  ASSERT_TRUE(v6.ok()) << v6.message();
  EXPECT_EQ(v6->telemetry.listen, "[::1]:0");
}

TEST(TelemetryConfigTest, ErrorsNameTheField) {
  TempDir dir;
  auto no_port = LoadWithTelemetry(dir, "telemetry:\n  listen: localhost\n");
  ASSERT_FALSE(no_port.ok());
  EXPECT_NE(no_port.message().find("c.yaml:3:11: telemetry.listen: listen \"localhost\" must be "
                                   "host:port, like 127.0.0.1:8080"),
            std::string::npos)
      << no_port.message();

  auto big_port = LoadWithTelemetry(dir, "telemetry: {listen: \"127.0.0.1:99999\"}\n");
  ASSERT_FALSE(big_port.ok());
  EXPECT_NE(big_port.message().find("telemetry.listen: listen \"127.0.0.1:99999\" the port must "
                                    "be a number from 0 to 65535"),
            std::string::npos)
      << big_port.message();

  auto unknown = LoadWithTelemetry(dir, "telemetry:\n  port: 9464\n");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.message().find(
                "c.yaml:3:3: telemetry.port: unknown key \"port\" (valid: listen, enabled)"),
            std::string::npos)
      << unknown.message();

  auto word = LoadWithTelemetry(dir, "telemetry: off\n");
  ASSERT_FALSE(word.ok());
  EXPECT_NE(word.message().find("c.yaml:2:12: telemetry: must be false, true or a mapping like "
                                "{listen: 127.0.0.1:9464}"),
            std::string::npos)
      << word.message();

  auto empty = LoadWithTelemetry(dir, "telemetry:\n");
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.message().find("telemetry: must be false, true or a mapping"), std::string::npos)
      << empty.message();

  auto flag = LoadWithTelemetry(dir, "telemetry: {enabled: maybe}\n");
  ASSERT_FALSE(flag.ok());
  EXPECT_NE(flag.message().find("telemetry.enabled"), std::string::npos) << flag.message();
}

TEST(TelemetryConfigTest, AListenAddressFromAReferenceIsNotQuoted) {
  TempDir dir;
  auto config = LoadServiceConfig(
      dir.Write("c.yaml", "store: " + dir.path() + "/t.db\ntelemetry: {listen: \"${env:OPS}\"}\n"),
      [](const std::string& name) {
        return name == "OPS" ? std::optional<std::string>("h1dden-host") : std::nullopt;
      });
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.message().find("telemetry.listen: listen the value of \"${env:OPS}\" must be "
                                  "host:port"),
            std::string::npos)
      << config.message();
  EXPECT_EQ(config.message().find("h1dden-host"), std::string::npos);
}

}  // namespace
}  // namespace trailwatch::service
