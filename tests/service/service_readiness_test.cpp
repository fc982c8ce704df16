// Service::ReadinessProblems (what the ops listener's /readyz answers) through a service's life:
// not started, running, reloading back to running, stopped; and the ops listener's port.
#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <filesystem>

#include "cli/cli_test_util.h"
#include "service/service.h"

namespace trailwatch::service {
namespace {

using testing::TempDir;

ServiceConfig Config(const TempDir& dir, const std::string& telemetry) {
  std::filesystem::create_directories(dir.path() + "/logs");
  std::string path = dir.Write("c.yaml", "store: " + dir.path() + "/t.db\n" + telemetry +
                                             "sources:\n  - {type: directory, path: " + dir.path() +
                                             "/logs}\n"
                                             "rules:\n  - pack: root-signin\n    targets: [out]\n"
                                             "targets:\n  - {name: out, type: stdout}\n");
  auto config = LoadServiceConfig(path);
  EXPECT_TRUE(config.ok()) << config.message();
  return config.ok() ? std::move(config.value()) : ServiceConfig{};
}

std::shared_ptr<spdlog::logger> QuietLog() {
  return std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_mt>());
}

TEST(ServiceReadinessTest, SourcesNotStartedRunningReloadedStopped) {
  TempDir dir;
  Service service(QuietLog());
  EXPECT_EQ(service.ReadinessProblems(), "sources: not started\n");
  EXPECT_EQ(service.ops_port(), 0);
  ASSERT_TRUE(service.Start(Config(dir, "telemetry: {listen: 127.0.0.1:0}\n")).ok());
  EXPECT_EQ(service.ReadinessProblems(), "");
  EXPECT_GT(service.ops_port(), 0);
  EXPECT_EQ(service.metrics().Get("trailwatch_up"), 1);
  ASSERT_TRUE(service.Reload(Config(dir, "telemetry: {listen: 127.0.0.1:0}\n")).ok());
  EXPECT_EQ(service.ReadinessProblems(), "");
  service.Stop();
  EXPECT_EQ(service.ReadinessProblems(), "sources: stopped\n");
  EXPECT_EQ(service.ops_port(), 0);
}

TEST(ServiceReadinessTest, TelemetryFalseStartsNoListenerAndBuildInfoIsSet) {
  TempDir dir;
  Service service(QuietLog());
  ASSERT_TRUE(service.Start(Config(dir, "telemetry: false\n")).ok());
  EXPECT_EQ(service.ops_port(), 0);
  std::string metrics = service.metrics().RenderPrometheus();
  EXPECT_NE(metrics.find("# TYPE trailwatch_build_info gauge\ntrailwatch_build_info{version=\""),
            std::string::npos)
      << metrics;
  service.Stop();
}

}  // namespace
}  // namespace trailwatch::service
