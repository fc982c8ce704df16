// Relative paths in a configuration file resolve against the file's folder, wherever trailwatch
// is started (issue 12): the binary runs in the tests' working directory while the configuration
// lives in a temporary folder. `validate` shows the resolved store and refuses a directory source
// whose folder is missing or not a folder; `run` reads the folder and writes the store beside the
// configuration.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <string>

#include "cli/cli_test_util.h"
#include "service/service_process_util.h"

namespace trailwatch::testing {
namespace {

using std::chrono::seconds;

const std::string kSampleLog =
    std::string(TW_SOURCE_DIR) +
    "/examples/cloudtrail/AWSLogs/111122223333/CloudTrail/us-east-1/2022/11/10/"
    "111122223333_CloudTrail_us-east-1_20221110T1625Z_a1b2c3d4e5f6a7b8.json";

// A configuration in `dir`/conf naming everything relatively: the folder source, the store, a
// ${file:} secret and a file:// pattern.
std::string WriteConfiguration(const TempDir& dir, const std::string& source_path) {
  std::filesystem::create_directories(dir.path() + "/conf/logs");
  std::filesystem::copy_file(kSampleLog, dir.path() + "/conf/logs/sample.json");
  dir.Write("conf/hook-url", "http://127.0.0.1:9/hook\n");
  dir.Write("conf/root.json", R"({"detail": {"userIdentity": {"type": ["Root"]}}})");
  return dir.Write("conf/trailwatch.yaml",
                   "store: state/tw.db\n"
                   "sources:\n"
                   "  - {type: directory, path: " +
                       source_path +
                       "}\n"
                       "rules:\n"
                       "  - {pack: root-signin, targets: [console]}\n"
                       "  - {name: any-root, pattern: file://root.json, targets: [console]}\n"
                       "targets:\n"
                       "  - {name: console, type: stdout, rate_per_second: 100, burst: 100}\n"
                       "  - {name: hook, type: webhook, url: '${file:hook-url}'}\n");
}

TEST(ConfigPathsTest, ValidateResolvesAgainstTheConfigurationFolder) {
  TempDir dir;
  std::string config = WriteConfiguration(dir, "logs");
  ASSERT_NE(std::filesystem::current_path().string(), dir.path() + "/conf");
  CommandResult result = RunTrailwatch({"validate", "--config", config});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("store " + dir.path() + "/conf/state/tw.db"), std::string::npos)
      << result.out;
}

TEST(ConfigPathsTest, ValidateReportsAMissingSourceFolder) {
  TempDir dir;
  std::string config = WriteConfiguration(dir, "no-such-logs");
  CommandResult result = RunTrailwatch({"validate", "--config", config});
  EXPECT_EQ(result.exit_code, 2);
  std::string folder = dir.path() + "/conf/no-such-logs";
  EXPECT_NE(result.err.find(config + ":3: sources[0] (directory:" + folder + "): folder " + folder +
                            " does not exist"),
            std::string::npos)
      << result.err;
}

TEST(ConfigPathsTest, ValidateReportsASourcePathThatIsNotAFolder) {
  TempDir dir;
  std::string config = WriteConfiguration(dir, "logs/sample.json");
  CommandResult result = RunTrailwatch({"validate", "--config", config});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find(dir.path() + "/conf/logs/sample.json is not a folder"),
            std::string::npos)
      << result.err;
}

TEST(ConfigPathsTest, RunReadsTheFolderAndWritesTheStoreBesideTheConfiguration) {
  TempDir dir;
  std::string config = WriteConfiguration(dir, "logs");
  TempDir output;
  ServiceProcess service({"run", "--config", config, "--log-format", "json"}, output.path());
  ASSERT_TRUE(service.WaitForStdout("\"rule\":\"root-signin\"", seconds(60))) << service.Stderr();
  EXPECT_TRUE(service.WaitForStdout("\"rule\":\"any-root\"", seconds(30))) << service.Stderr();
  service.Signal(SIGINT);
  EXPECT_EQ(service.WaitExit(seconds(30)), 0) << service.Stderr();
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/conf/state/tw.db"));
  EXPECT_FALSE(std::filesystem::exists("state/tw.db"));
  EXPECT_NE(service.Stderr().find("directory:" + dir.path() + "/conf/logs"), std::string::npos)
      << service.Stderr();
}

}  // namespace
}  // namespace trailwatch::testing
