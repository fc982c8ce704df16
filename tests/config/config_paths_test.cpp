// Relative paths in the configuration resolve against the configuration file's folder
// (config/config_paths.h): ResolveConfigPath, the store, ${file:PATH} (and the redaction net that
// must find what it read), and the folder check `validate` makes. No test changes the working
// directory: configuration files live in temporary folders named absolutely, and relative
// configuration paths are checked against current_path().
#include "config/config_paths.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "cli/cli_test_util.h"
#include "config/reference_values.h"
#include "config/targets_config.h"

namespace trailwatch::config {
namespace {

using testing::TempDir;

TEST(ResolveConfigPath, AbsoluteAndEmptyPathsAreKept) {
  EXPECT_EQ(ResolveConfigPath("/etc/trailwatch/trailwatch.yaml", "/var/lib/x.db"), "/var/lib/x.db");
  EXPECT_EQ(ResolveConfigPath("/etc/trailwatch/trailwatch.yaml", ""), "");
}

TEST(ResolveConfigPath, RelativePathsAreBesideTheConfigurationFile) {
  EXPECT_EQ(ResolveConfigPath("/etc/trailwatch/trailwatch.yaml", "logs"), "/etc/trailwatch/logs");
  EXPECT_EQ(ResolveConfigPath("/etc/trailwatch/trailwatch.yaml", "./a/../b/c.db"),
            "/etc/trailwatch/b/c.db");
  EXPECT_EQ(ResolveConfigPath("/etc/trailwatch/trailwatch.yaml", "../state/x.db"),
            "/etc/state/x.db");
}

TEST(ResolveConfigPath, ARelativeConfigurationIsMadeAbsolute) {
  // The name must not depend on how --config was spelled: sources are named (and checkpointed)
  // by their path.
  std::string expected = (std::filesystem::current_path() / "conf/logs").string();
  EXPECT_EQ(ResolveConfigPath("conf/trailwatch.yaml", "logs"), expected);
  EXPECT_EQ(ResolveConfigPath("./conf/trailwatch.yaml", "./logs"), expected);
  EXPECT_EQ(ResolveConfigPath("trailwatch.yaml", "logs"),
            (std::filesystem::current_path() / "logs").string());
}

TEST(CheckReadableFolder, NamesThePathAndTheProblem) {
  TempDir dir;
  EXPECT_TRUE(CheckReadableFolder(dir.path()).ok());
  Status missing = CheckReadableFolder(dir.path() + "/nope");
  EXPECT_EQ(missing.message(), "folder " + dir.path() + "/nope does not exist");
  std::string file = dir.Write("file.json", "{}");
  EXPECT_EQ(CheckReadableFolder(file).message(), file + " is not a folder");
  EXPECT_EQ(CheckReadableFolder(file + "/below").message(),
            "folder " + file + "/below does not exist");
}

TEST(ConfigPaths, FileReferencesAreReadBesideTheConfiguration) {
  TempDir dir;
  dir.Write("hook-url", "http://127.0.0.1:9/hook\n");
  std::string config_path = dir.path() + "/trailwatch.yaml";
  auto value = SubstituteReferences("${file:hook-url}", nullptr, config_path);
  ASSERT_TRUE(value.ok()) << value.message();
  EXPECT_EQ(*value, "http://127.0.0.1:9/hook");
  // Without a configuration file the working directory is meant, as before.
  EXPECT_FALSE(SubstituteReferences("${file:hook-url}", nullptr).ok());
}

TEST(ConfigPaths, StoreAndTargetSecretsResolveAgainstTheConfigurationFolder) {
  TempDir dir;
  dir.Write("hook-url", "http://127.0.0.1:9/XXXXSECRET-hook\n");
  std::string config_path = dir.path() + "/trailwatch.yaml";
  YAML::Node root = YAML::Load(
      "store: state/trailwatch.db\n"
      "targets:\n"
      "  - {name: hook, type: webhook, url: '${file:hook-url}'}\n");
  auto config = LoadTargetsConfig(root, config_path);
  ASSERT_TRUE(config.ok()) << config.message();
  EXPECT_EQ(config->store, dir.path() + "/state/trailwatch.db");
  ASSERT_EQ(config->targets.size(), 1u);
  EXPECT_EQ(config->targets[0].url.reveal(), "http://127.0.0.1:9/XXXXSECRET-hook");

  // The redaction net reads the same file, so the value is hidden wherever it shows up.
  std::vector<ReferenceValue> values = ReferenceValues(root, nullptr, config_path);
  EXPECT_EQ(RedactReferenceValues("posting to http://127.0.0.1:9/XXXXSECRET-hook failed", values),
            "posting to ${file:hook-url} failed");
}

TEST(ConfigPaths, TheDefaultStoreStaysInTheWorkingDirectory) {
  // Not written in the file: under systemd the working directory is the state folder.
  auto config = LoadTargetsConfig(YAML::Load("targets: []\n"), "/etc/trailwatch/trailwatch.yaml");
  ASSERT_TRUE(config.ok()) << config.message();
  EXPECT_EQ(config->store, "./trailwatch.db");
}

}  // namespace
}  // namespace trailwatch::config
