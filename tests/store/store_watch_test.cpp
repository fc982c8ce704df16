// StoreWatch: the path still names the opened file; deleted; replaced by another file; put back.
#include "store/store_watch.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "cli/cli_test_util.h"

namespace trailwatch::store {
namespace {

using trailwatch::testing::TempDir;

TEST(StoreWatchTest, SilentWhileThePathNamesTheOpenedFile) {
  TempDir dir;
  std::string path = dir.Write("tw.db", "x");
  auto watch = StoreWatch::Begin(path);
  ASSERT_TRUE(watch.ok()) << watch.message();
  EXPECT_EQ(watch->Check(), "");
  dir.Write("tw.db", "rewritten in place: the same file");
  EXPECT_EQ(watch->Check(), "");
}

TEST(StoreWatchTest, NoticesADeletedStoreAndOneMovedBack) {
  TempDir dir;
  std::string path = dir.Write("tw.db", "x");
  auto watch = StoreWatch::Begin(path);
  ASSERT_TRUE(watch.ok());
  std::filesystem::rename(path, path + ".moved");
  EXPECT_EQ(watch->Check(), "the store file " + path + " was deleted while trailwatch runs");
  std::filesystem::rename(path + ".moved", path);
  EXPECT_EQ(watch->Check(), "");
}

TEST(StoreWatchTest, NoticesAStoreReplacedByAnotherFile) {
  TempDir dir;
  std::string path = dir.Write("tw.db", "x");
  auto watch = StoreWatch::Begin(path);
  ASSERT_TRUE(watch.ok());
  std::string other = dir.Write("restored.db", "y");
  std::filesystem::rename(other, path);
  EXPECT_EQ(watch->Check(),
            "the store file " + path + " was replaced by another file while trailwatch runs");
}

TEST(StoreWatchTest, BeginNamesAMissingPath) {
  TempDir dir;
  auto watch = StoreWatch::Begin(dir.path() + "/none.db");
  ASSERT_FALSE(watch.ok());
  EXPECT_NE(watch.message().find(dir.path() + "/none.db: cannot identify the store file"),
            std::string::npos);
}

}  // namespace
}  // namespace trailwatch::store
