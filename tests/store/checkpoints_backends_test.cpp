// CheckpointStore on both backends (SQLite file, shared PostgreSQL): get/put/replace/delete per
// source, DeleteKeys with keys that need escaping (commas, quotes, braces, backslashes, spaces,
// the word NULL, unicode), List in byte order, the file checkpoints built on Get/Put, and a second
// connection seeing the first's writes.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cli/cli_test_util.h"
#include "store/pg_checkpoints.h"
#include "store/pg_connection.h"
#include "store/pg_schema.h"
#include "store/pg_test_cluster_util.h"
#include "store/sqlite_checkpoints.h"

namespace trailwatch::store {
namespace {

using trailwatch::testing::TempDir;

// Makes CheckpointStores on one store of the backend named by the test parameter; every Open() is
// a separate connection (pool), as another replica would have.
class CheckpointsBackendsTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "postgresql") dsn_ = testing::PgTestCluster::Shared().NewDatabase();
    store_ = Open();
    ASSERT_NE(store_, nullptr);
  }

  std::unique_ptr<CheckpointStore> Open() {
    if (GetParam() == "postgresql") {
      auto pool = std::make_shared<PgPool>(dsn_, 4,
                                           [](PgConnection& c) { return MigratePostgres(c); });
      return std::make_unique<PgCheckpoints>(std::move(pool));
    }
    auto store = SqliteCheckpoints::Open(dir_.path() + "/tw.db");
    EXPECT_TRUE(store.ok()) << store.message();
    if (!store.ok()) return nullptr;
    return std::move(*store);
  }

  std::map<std::string, std::string> List(const std::string& source) {
    auto listed = store_->List(source);
    EXPECT_TRUE(listed.ok()) << listed.message();
    return listed.ok() ? *listed : std::map<std::string, std::string>{};
  }

  TempDir dir_;
  std::string dsn_;
  std::unique_ptr<CheckpointStore> store_;
};

// Keys a literal or a naive join would break: separators, quotes, braces, escapes, spaces, the
// array literal's NULL, an empty key, unicode.
const std::vector<std::string>& AwkwardKeys() {
  static const std::vector<std::string> keys = {
      "a,b",      "\"quoted\"", "{braced}", "back\\slash", "\\\"", " spaced ", "NULL",
      "null",     "",           "é/ü/日本",  "}{,\"\\",     "'single'",
  };
  return keys;
}

TEST_P(CheckpointsBackendsTest, PutGetReplaceDelete) {
  auto missing = store_->Get("s3://a/", "last:x");
  ASSERT_TRUE(missing.ok()) << missing.message();
  EXPECT_FALSE(missing->has_value());

  ASSERT_TRUE(store_->Put("s3://a/", "last:x", "key-1").ok());
  ASSERT_TRUE(store_->Put("s3://a/", "last:x", "key-2").ok());  // replaces
  ASSERT_TRUE(store_->Put("s3://b/", "last:x", "other").ok());
  EXPECT_EQ(**store_->Get("s3://a/", "last:x"), "key-2");
  EXPECT_EQ(**store_->Get("s3://b/", "last:x"), "other");
  ASSERT_TRUE(store_->Put("s3://a/", "empty", "").ok());
  auto empty = store_->Get("s3://a/", "empty");
  ASSERT_TRUE(empty.ok() && empty->has_value());
  EXPECT_EQ(**empty, "");  // an empty value is a value, not a missing row

  ASSERT_TRUE(store_->Delete("s3://a/", "last:x").ok());
  ASSERT_TRUE(store_->Delete("s3://a/", "never-there").ok());
  EXPECT_FALSE(store_->Get("s3://a/", "last:x")->has_value());
  EXPECT_EQ(**store_->Get("s3://b/", "last:x"), "other");  // another source's row
}

TEST_P(CheckpointsBackendsTest, DeleteKeysTakesAwkwardKeysLiterally) {
  for (const std::string& key : AwkwardKeys()) {
    ASSERT_TRUE(store_->Put("dir", key, "v:" + key).ok()) << key;
    ASSERT_TRUE(store_->Put("other", key, "o:" + key).ok()) << key;
  }
  // Look-alikes of the keys deleted below, which must stay: a literal built by joining with
  // commas or dropping the quotes/escapes would match these instead (or as well).
  for (const char* key : {"a", "b", "quoted", "braced", "backslash", "spaced", "\\"}) {
    ASSERT_TRUE(store_->Put("dir", key, "lookalike").ok()) << key;
  }
  for (const std::string& key : AwkwardKeys()) EXPECT_EQ(**store_->Get("dir", key), "v:" + key);

  ASSERT_TRUE(store_->DeleteKeys("dir", AwkwardKeys()).ok());
  for (const std::string& key : AwkwardKeys()) {
    EXPECT_FALSE(store_->Get("dir", key)->has_value()) << key;
    EXPECT_EQ(**store_->Get("other", key), "o:" + key) << key;  // another source: untouched
  }
  EXPECT_EQ(List("dir"), (std::map<std::string, std::string>{{"a", "lookalike"},
                                                             {"b", "lookalike"},
                                                             {"quoted", "lookalike"},
                                                             {"braced", "lookalike"},
                                                             {"backslash", "lookalike"},
                                                             {"spaced", "lookalike"},
                                                             {"\\", "lookalike"}}));
  EXPECT_EQ(List("other").size(), AwkwardKeys().size());

  ASSERT_TRUE(store_->DeleteKeys("dir", {}).ok());  // nothing to do
  ASSERT_TRUE(store_->DeleteKeys("dir", {"a", "not-there"}).ok());
  EXPECT_EQ(List("dir").size(), 6u);
}

TEST_P(CheckpointsBackendsTest, ListsOneSourceInByteOrder) {
  // Byte order puts upper case before lower case and multi-byte UTF-8 last; a linguistic
  // collation would not.
  for (std::string key : {"b", "B", "a", "A", "é", "z", "_", "a,b", "a b", "10", "9"}) {
    ASSERT_TRUE(store_->Put("src", key, key + "!").ok()) << key;
  }
  ASSERT_TRUE(store_->Put("src2", "a", "elsewhere").ok());
  auto listed = store_->List("src");
  ASSERT_TRUE(listed.ok()) << listed.message();
  std::vector<std::string> keys;
  for (const auto& [key, value] : *listed) {
    keys.push_back(key);
    EXPECT_EQ(value, key + "!");
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"10", "9", "A", "B", "_", "a", "a b", "a,b", "b", "z",
                                            "é"}));
  EXPECT_TRUE(List("nothing-here").empty());
}

TEST_P(CheckpointsBackendsTest, FileCheckpoints) {
  const std::string source = "directory:/logs";
  EXPECT_FALSE(*store_->FileSeen(source, "/logs/a.json.gz", 10, 5));
  EXPECT_FALSE(store_->GetFile(source, "/logs/a.json.gz")->has_value());
  ASSERT_TRUE(store_->MarkFileSeen(source, "/logs/a.json.gz", FileCheckpoint{10, 5, false}).ok());
  EXPECT_TRUE(*store_->FileSeen(source, "/logs/a.json.gz", 10, 5));
  EXPECT_FALSE(*store_->FileSeen(source, "/logs/a.json.gz", 11, 5));  // grew
  EXPECT_FALSE(*store_->FileSeen(source, "/logs/a.json.gz", 10, 6));  // rewritten
  EXPECT_FALSE(*store_->FileSeen("directory:/other", "/logs/a.json.gz", 10, 5));

  const int64_t big = 1714567890123456789;
  ASSERT_TRUE(store_->MarkFileSeen(source, "/logs/b, \"c\".json", FileCheckpoint{7, big, true}).ok());
  auto failed = store_->GetFile(source, "/logs/b, \"c\".json");
  ASSERT_TRUE(failed.ok()) << failed.message();
  ASSERT_TRUE(failed->has_value());
  EXPECT_EQ((*failed)->size, 7);
  EXPECT_EQ((*failed)->mtime_ns, big);
  EXPECT_TRUE((*failed)->failed);
  EXPECT_TRUE(*store_->FileSeen(source, "/logs/b, \"c\".json", 7, big));

  // A value that is not a file checkpoint reads as none.
  ASSERT_TRUE(store_->Put(source, "last:x", "AWSLogs/x.json.gz").ok());
  auto other = store_->GetFile(source, "last:x");
  ASSERT_TRUE(other.ok()) << other.message();
  EXPECT_FALSE(other->has_value());
}

TEST_P(CheckpointsBackendsTest, ASecondConnectionSeesTheWrites) {
  auto second = Open();
  ASSERT_NE(second, nullptr);
  ASSERT_TRUE(store_->Put("sqs:q", "k", "v1").ok());
  EXPECT_EQ(**second->Get("sqs:q", "k"), "v1");
  ASSERT_TRUE(second->Put("sqs:q", "k", "v2").ok());
  EXPECT_EQ(**store_->Get("sqs:q", "k"), "v2");
  ASSERT_TRUE(second->DeleteKeys("sqs:q", {"k"}).ok());
  EXPECT_FALSE(store_->Get("sqs:q", "k")->has_value());
}

TEST(PgTextArrayTest, QuotesEveryElement) {
  EXPECT_EQ(PgTextArray({}), "{}");
  EXPECT_EQ(PgTextArray({"a", "b,c"}), R"({"a","b,c"})");
  EXPECT_EQ(PgTextArray({"x\"y", "p\\q", "", "NULL"}), R"({"x\"y","p\\q","","NULL"})");
}

INSTANTIATE_TEST_SUITE_P(Backends, CheckpointsBackendsTest,
                         ::testing::Values("sqlite", "postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

}  // namespace
}  // namespace trailwatch::store
