// CheckStoreIntegrity: a missing or sound store passes; damaged pages, or a file that is not a
// SQLite database, are refused with the file named and what to do.
#include "store/store_integrity.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "cli/cli_test_util.h"
#include "outbox/outbox.h"
#include "store/store_test_util.h"

namespace trailwatch::store {
namespace {

using trailwatch::testing::TempDir;

TEST(StoreIntegrityTest, AMissingStoreIsFineAndIsNotCreated) {
  TempDir dir;
  std::string path = dir.path() + "/new.db";
  EXPECT_TRUE(CheckStoreIntegrity(path).ok());
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(StoreIntegrityTest, ASoundStorePasses) {
  TempDir dir;
  std::string path = dir.path() + "/tw.db";
  ASSERT_TRUE(outbox::Outbox::Open(path).ok());
  Status checked = CheckStoreIntegrity(path);
  EXPECT_TRUE(checked.ok()) << checked.message();
}

TEST(StoreIntegrityTest, DamagedPagesAreRefusedWithTheFileAndWhatToDo) {
  TempDir dir;
  std::string path = dir.path() + "/tw.db";
  testing::WriteDamagedStore(path);
  Status checked = CheckStoreIntegrity(path);
  ASSERT_FALSE(checked.ok());
  const std::string& message = checked.message();
  EXPECT_EQ(message.rfind(path + ": the store is damaged (SQLite quick_check: ", 0), 0u) << message;
  EXPECT_NE(message.find(".recover"), std::string::npos) << message;
  EXPECT_NE(message.find("mv " + path + " " + path + ".damaged"), std::string::npos) << message;
}

TEST(StoreIntegrityTest, AFileThatIsNotADatabaseIsRefused) {
  TempDir dir;
  std::string path = dir.Write("tw.db", std::string(8192, 'n'));
  Status checked = CheckStoreIntegrity(path);
  ASSERT_FALSE(checked.ok());
  EXPECT_NE(checked.message().find("the store is damaged"), std::string::npos) << checked.message();
  EXPECT_NE(checked.message().find("not a database"), std::string::npos) << checked.message();
}

}  // namespace
}  // namespace trailwatch::store
