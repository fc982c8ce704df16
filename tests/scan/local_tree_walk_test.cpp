// DiscoverLocalTree: the parallel folder walk finds what the single-threaded
// std::filesystem walk found, on any number of threads.
#include "scan/local_tree_walk.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "cli/cli_test_util.h"
#include "scan/scan_test_util.h"

namespace trailwatch::scan {
namespace {

using testing::LogKey;
using testing::WriteFile;
using trailwatch::testing::TempDir;

std::vector<std::string> Origins(const Discovery& discovery) {
  std::vector<std::string> origins;
  for (const ScanInput& input : discovery.inputs) origins.push_back(input.origin);
  std::sort(origins.begin(), origins.end());
  return origins;
}

// A small trail: log files in several day folders, a digest, a non-log file, a file symlink
// (read) and a folder symlink (not followed, so its files are not found twice).
class LocalTreeWalkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int day = 1; day <= 9; ++day) {
      const std::string date = "2024-05-0" + std::to_string(day);
      for (const char* region : {"us-east-1", "eu-west-1"}) {
        WriteFile(dir_.path(), LogKey("111122223333", region, date, "1200", "a" + date),
                  std::string(static_cast<size_t>(100 + day), 'x'));
      }
    }
    WriteFile(dir_.path(),
              "AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2024/05/01/"
              "111122223333_CloudTrail-Digest_us-east-1_trail_us-east-1_20240501T1200Z.json.gz",
              "d");
    WriteFile(dir_.path(), "notes/readme.txt", "not a log");
    WriteFile(dir_.path(), "outside/extra.json", "{}");
    std::filesystem::create_directory_symlink(dir_.path() + "/AWSLogs", dir_.path() + "/again");
    std::filesystem::create_symlink(dir_.path() + "/outside/extra.json",
                                    dir_.path() + "/notes/linked.json");
  }

  TempDir dir_;
};

TEST_F(LocalTreeWalkTest, FindsSizesAndSkipsOnAnyThreadCount) {
  Discovery one;
  DiscoverLocalTree(dir_.path(), ScanFilter{}, 1, one);
  EXPECT_TRUE(one.errors.empty());
  // 18 log files, outside/extra.json and the file symlink to it; nothing through "again".
  ASSERT_EQ(one.inputs.size(), 20u);
  EXPECT_EQ(one.skipped.digest, 1u);
  EXPECT_EQ(one.skipped.other, 1u);
  for (const std::string& origin : Origins(one)) {
    EXPECT_EQ(origin.find("/again/"), std::string::npos) << origin;
  }
  for (const ScanInput& input : one.inputs) {
    EXPECT_EQ(input.size, std::filesystem::file_size(input.path)) << input.path;
    EXPECT_EQ(input.origin, input.path);
    if (input.origin.find("AWSLogs/") != std::string::npos) {
      EXPECT_EQ(input.key_account, "111122223333");
    }
  }
  for (int threads : {2, 3, 8}) {
    Discovery many;
    DiscoverLocalTree(dir_.path(), ScanFilter{}, threads, many);
    EXPECT_TRUE(many.errors.empty());
    EXPECT_EQ(Origins(many), Origins(one)) << threads << " threads";
    EXPECT_EQ(many.skipped.digest, 1u);
    EXPECT_EQ(many.skipped.other, 1u);
  }
}

TEST_F(LocalTreeWalkTest, PathsJoinLikeStdFilesystem) {
  Discovery slash;
  DiscoverLocalTree(dir_.path() + "/", ScanFilter{}, 2, slash);
  for (const std::string& origin : Origins(slash)) {
    EXPECT_EQ(origin.find("//"), std::string::npos) << origin;
    EXPECT_EQ(origin.rfind(dir_.path() + "/", 0), 0u) << origin;
  }
}

TEST_F(LocalTreeWalkTest, PrunedFilesAreCountedNotListed) {
  ScanFilter filter;
  filter.regions = {"eu-west-1"};
  Discovery found;
  DiscoverLocalTree(dir_.path(), filter, 2, found);
  EXPECT_EQ(found.skipped.pruned_region, 9u);
  EXPECT_EQ(found.inputs.size(), 11u);  // 9 eu-west-1 files and the two files outside AWSLogs
}

TEST(LocalTreeWalk, MissingRootIsAnErrorNamingIt) {
  TempDir dir;
  Discovery found;
  DiscoverLocalTree(dir.path() + "/absent", ScanFilter{}, 2, found);
  ASSERT_EQ(found.errors.size(), 1u);
  EXPECT_EQ(found.errors[0], dir.path() + "/absent: No such file or directory");
  EXPECT_TRUE(found.inputs.empty());
}

}  // namespace
}  // namespace trailwatch::scan
