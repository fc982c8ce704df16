// CheckpointStore: get/put/delete/list per source, file checkpoints, reopening the file, and
// sharing the file with a second connection (the outbox's, or another process's).
#include "store/checkpoint_store.h"

#include <gtest/gtest.h>

#include "cli/cli_test_util.h"

namespace trailwatch::store {
namespace {

using trailwatch::testing::TempDir;

TEST(CheckpointStoreTest, PutGetDeleteList) {
  TempDir dir;
  auto store = CheckpointStore::Open(dir.path() + "/tw.db");
  ASSERT_TRUE(store.ok()) << store.message();
  auto& checkpoints = **store;
  auto missing = checkpoints.Get("s3://a/", "last:x");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());

  ASSERT_TRUE(checkpoints.Put("s3://a/", "last:x", "key-1").ok());
  ASSERT_TRUE(checkpoints.Put("s3://a/", "last:x", "key-2").ok());  // replaces
  ASSERT_TRUE(checkpoints.Put("s3://a/", "last:y", "key-9").ok());
  ASSERT_TRUE(checkpoints.Put("s3://b/", "last:x", "other").ok());
  EXPECT_EQ(**checkpoints.Get("s3://a/", "last:x"), "key-2");
  EXPECT_EQ(**checkpoints.Get("s3://b/", "last:x"), "other");

  auto listed = checkpoints.List("s3://a/");
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(*listed,
            (std::map<std::string, std::string>{{"last:x", "key-2"}, {"last:y", "key-9"}}));

  ASSERT_TRUE(checkpoints.Delete("s3://a/", "last:x").ok());
  ASSERT_TRUE(checkpoints.Delete("s3://a/", "never-there").ok());
  EXPECT_FALSE(checkpoints.Get("s3://a/", "last:x")->has_value());
  EXPECT_EQ(checkpoints.List("s3://a/")->size(), 1u);
}

TEST(CheckpointStoreTest, FileCheckpointsCompareSizeAndMtime) {
  TempDir dir;
  auto store = CheckpointStore::Open(dir.path() + "/tw.db");
  ASSERT_TRUE(store.ok()) << store.message();
  auto& checkpoints = **store;
  const std::string source = "directory:/logs";
  EXPECT_FALSE(*checkpoints.FileSeen(source, "/logs/a.json.gz", 10, 5));
  ASSERT_TRUE(
      checkpoints.MarkFileSeen(source, "/logs/a.json.gz", FileCheckpoint{10, 5, false}).ok());
  EXPECT_TRUE(*checkpoints.FileSeen(source, "/logs/a.json.gz", 10, 5));
  EXPECT_FALSE(*checkpoints.FileSeen(source, "/logs/a.json.gz", 11, 5));  // grew
  EXPECT_FALSE(*checkpoints.FileSeen(source, "/logs/a.json.gz", 10, 6));  // rewritten
  EXPECT_FALSE(*checkpoints.FileSeen("directory:/other", "/logs/a.json.gz", 10, 5));

  ASSERT_TRUE(checkpoints.MarkFileSeen(source, "/logs/b.json", FileCheckpoint{7, 8, true}).ok());
  auto failed = checkpoints.GetFile(source, "/logs/b.json");
  ASSERT_TRUE(failed.ok());
  ASSERT_TRUE(failed->has_value());
  EXPECT_TRUE((*failed)->failed);
  EXPECT_TRUE(*checkpoints.FileSeen(source, "/logs/b.json", 7, 8));  // failed files are not retried
}

TEST(CheckpointStoreTest, FormatsAndParsesFileCheckpoints) {
  FileCheckpoint file{123456789012, 1714567890123456789, true};
  std::string text = FormatFileCheckpoint(file);
  EXPECT_EQ(text, "123456789012 1714567890123456789 failed");
  auto parsed = ParseFileCheckpoint(text);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->size, file.size);
  EXPECT_EQ(parsed->mtime_ns, file.mtime_ns);
  EXPECT_TRUE(parsed->failed);
  EXPECT_FALSE(ParseFileCheckpoint("12 34").has_value());
  EXPECT_FALSE(ParseFileCheckpoint("12 34 maybe").has_value());
  EXPECT_FALSE(ParseFileCheckpoint("12 34 ok trailing").has_value());
  EXPECT_FALSE(ParseFileCheckpoint("AWSLogs/x.json.gz").has_value());
}

TEST(CheckpointStoreTest, SurvivesReopeningAndSharesTheFile) {
  TempDir dir;
  std::string path = dir.path() + "/tw.db";
  {
    auto store = CheckpointStore::Open(path);
    ASSERT_TRUE(store.ok()) << store.message();
    ASSERT_TRUE((*store)->Put("sqs:q", "k", "v1").ok());
  }
  auto first = CheckpointStore::Open(path);
  auto second = CheckpointStore::Open(path);  // a second connection, as another process would
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(**(*first)->Get("sqs:q", "k"), "v1");
  ASSERT_TRUE((*second)->Put("sqs:q", "k", "v2").ok());
  EXPECT_EQ(**(*first)->Get("sqs:q", "k"), "v2");
}

TEST(CheckpointStoreTest, OpenErrorsNameThePath) {
  auto store = CheckpointStore::Open("/nonexistent-dir-for-trailwatch/tw.db");
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.message().find("/nonexistent-dir-for-trailwatch/tw.db"), std::string::npos)
      << store.message();
}

}  // namespace
}  // namespace trailwatch::store
