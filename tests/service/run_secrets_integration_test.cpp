// `trailwatch validate` and `trailwatch run`, the real binary, with the store and a directory
// source's path given through ${env:} references whose values hold a marker: neither the summary,
// nor any log line, nor an error at start-up prints the marker (issue 10, item 4).
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>

#include "cli/cli_test_util.h"
#include "service/service_process_util.h"

namespace trailwatch::testing {
namespace {

using std::chrono::seconds;

constexpr char kMarker[] = "XXXXSECRET";

constexpr char kConfig[] =
    "store: ${env:TW_STORE}\n"
    "sources:\n"
    "  - {type: directory, path: '${env:TW_LOG_DIR}'}\n"
    "rules:\n"
    "  - {pack: root-signin, targets: [console]}\n"
    "targets:\n"
    "  - {name: console, type: stdout}\n";

struct SecretPaths {
  TempDir dir;
  std::string config;
  std::map<std::string, std::string> environment;
  SecretPaths() {
    config = dir.Write("trailwatch.yaml", kConfig);
    std::string logs = dir.path() + "/" + kMarker + "-logs";
    std::filesystem::create_directories(logs);
    environment = {{"TW_STORE", dir.path() + "/" + kMarker + "-store/trailwatch.db"},
                   {"TW_LOG_DIR", logs}};
  }
};

TEST(RunSecrets, ValidatePrintsTheReferencesNotTheirValues) {
  SecretPaths setup;
  CommandResult r = RunTrailwatch({"validate", "--config", setup.config}, "", &setup.environment);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("store ${env:TW_STORE}"), std::string::npos) << r.out;
  EXPECT_EQ((r.out + r.err).find(kMarker), std::string::npos) << r.out << r.err;
}

TEST(RunSecrets, RunLogsTheSourceAndStoreByTheirReferences) {
  SecretPaths setup;
  ServiceProcess run({"run", "--config", setup.config, "--log-format", "json"}, setup.dir.path(),
                     setup.environment);
  ASSERT_TRUE(run.WaitForStderr("initial scan done", seconds(20))) << run.Stderr();
  run.Signal(SIGTERM);
  EXPECT_EQ(run.WaitExit(seconds(20)), 0) << run.Stderr();
  std::string log = run.Stderr();
  EXPECT_NE(log.find("directory:${env:TW_LOG_DIR}: initial scan done"), std::string::npos) << log;
  EXPECT_NE(log.find("store ${env:TW_STORE}"), std::string::npos) << log;
  EXPECT_EQ(log.find(kMarker), std::string::npos) << log;
}

TEST(RunSecrets, AnErrorAboutAReferencedPathDoesNotPrintIt) {
  SecretPaths setup;
  std::filesystem::remove(setup.environment["TW_LOG_DIR"]);  // the source cannot start
  ServiceProcess run({"run", "--config", setup.config, "--log-format", "json"}, setup.dir.path(),
                     setup.environment);
  int exit_code = run.WaitExit(seconds(20));
  std::string log = run.Stderr();
  EXPECT_NE(exit_code, 0) << log;
  EXPECT_NE(log.find("${env:TW_LOG_DIR}"), std::string::npos) << log;
  EXPECT_EQ(log.find(kMarker), std::string::npos) << log;
}

TEST(RunSecrets, StoreCommandsDoNotPrintAReferencedStorePath) {
  SecretPaths setup;
  // A store under a regular file cannot be opened: every command fails, naming the store.
  std::string blocker = setup.dir.Write(std::string(kMarker) + "-file", "not a directory");
  setup.environment["TW_STORE"] = blocker + "/trailwatch.db";
  const std::vector<std::vector<std::string>> commands = {
      {"deliver", "--config", setup.config},
      {"send-test", "--config", setup.config, "--target", "console"},
      {"outbox", "list", "--config", setup.config},
  };
  for (const auto& command : commands) {
    CommandResult r = RunTrailwatch(command, "", &setup.environment);
    EXPECT_NE(r.exit_code, 0) << command[0] << ": " << r.err;
    EXPECT_NE(r.err.find("${env:TW_STORE}"), std::string::npos) << command[0] << ": " << r.err;
    EXPECT_EQ((r.out + r.err).find(kMarker), std::string::npos) << command[0] << ": " << r.err;
  }
}

}  // namespace
}  // namespace trailwatch::testing
