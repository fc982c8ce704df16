// DirectorySource with a real directory and inotify: initial scan, files completed after start
// (written in place or renamed into place, in new subdirectories), restart neither re-alerts nor
// skips, a bad file is logged, counted and not retried, and a refused Submit is retried.
#include "sources/directory_source.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "cli/cli_test_util.h"
#include "scan/scan_test_util.h"
#include "sources/source_test_util.h"
#include "store/checkpoint_store.h"

namespace trailwatch::sources {
namespace {

using scan::testing::Gzip;
using scan::testing::GzippedLogWith;
using scan::testing::LogFile;
using scan::testing::LogKey;
using scan::testing::Record;
using scan::testing::RecordSpec;
using testing::RecordingSink;
using testing::RunningSource;
using testing::Sorted;
using testing::TestContext;
using testing::WaitFor;
using trailwatch::testing::TempDir;

namespace fs = std::filesystem;

void WriteAt(const std::string& path, const std::string& bytes) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

// Written elsewhere, then renamed into place (IN_MOVED_TO), as log shippers publish files.
void MoveInto(const std::string& path, const std::string& bytes, const std::string& scratch) {
  std::string temporary = scratch + "/staging.tmp";
  WriteAt(temporary, bytes);
  fs::create_directories(fs::path(path).parent_path());
  fs::rename(temporary, path);
}

class DirectorySourceTest : public ::testing::Test {
 protected:
  std::string Key(const std::string& hhmm, const std::string& unique) {
    return logs_ + "/" + LogKey("111122223333", "us-east-1", "2024-05-01", hhmm, unique);
  }
  DirectorySourceConfig Config() {
    DirectorySourceConfig config;
    config.path = logs_;
    return config;
  }

  TempDir dir_;
  TempDir scratch_;
  std::string logs_ = dir_.path() + "/logs";
  TestContext context_{dir_.path() + "/tw.db"};
};

TEST_F(DirectorySourceTest, ScansThenWatchesAndRestartsWithoutRepeats) {
  WriteAt(Key("1200", "AAAAAAAAAAAAAAAA"), GzippedLogWith({"old-1", "old-2"}));
  WriteAt(logs_ +
              "/AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2024/05/01/"
              "111122223333_CloudTrail-Digest_us-east-1_t_us-east-1_20240501T120131Z.json.gz",
          "not read");
  WriteAt(logs_ + "/notes.txt", "not read");

  RecordingSink sink;
  {
    DirectorySource source(Config(), context_.context());
    EXPECT_EQ(source.name(), "directory:" + logs_);
    RunningSource running(source, sink);
    ASSERT_TRUE(WaitFor([&] { return sink.size() == 2; })) << context_.log_text();

    // Completed after start: in place (IN_CLOSE_WRITE), renamed into place (IN_MOVED_TO), and in a
    // directory that did not exist yet.
    WriteAt(Key("1205", "BBBBBBBBBBBBBBBB"), GzippedLogWith({"new-1"}));
    MoveInto(Key("1210", "CCCCCCCCCCCCCCCC"), GzippedLogWith({"new-2"}), scratch_.path());
    std::string next_day =
        logs_ + "/" + LogKey("111122223333", "eu-west-1", "2024-05-02", "0005", "DDDDDDDDDDDDDDDD");
    WriteAt(next_day, GzippedLogWith({"new-3"}));
    ASSERT_TRUE(WaitFor([&] { return sink.size() == 5; })) << sink.size() << "\n"
                                                           << context_.log_text();
    ASSERT_TRUE(running.Stop().ok());
  }
  EXPECT_EQ(Sorted(sink.event_ids()),
            (std::vector<std::string>{"new-1", "new-2", "new-3", "old-1", "old-2"}));
  EXPECT_EQ(context_.metrics().Get("trailwatch_source_files_total",
                                   {{"source", "directory:" + logs_}, {"result", "read"}}),
            4);
  EXPECT_GE(context_.metrics().Get("trailwatch_source_files_total",
                                   {{"source", "directory:" + logs_}, {"result", "skipped"}}),
            2);
  for (const SourceEvent& event : sink.events()) {
    EXPECT_TRUE(event.origin.starts_with(logs_ + "/AWSLogs/")) << event.origin;
  }

  // While stopped, one more file arrives; the restart reads it and nothing else.
  WriteAt(Key("1215", "EEEEEEEEEEEEEEEE"), GzippedLogWith({"while-stopped"}));
  RecordingSink after;
  {
    DirectorySource source(Config(), context_.context());
    RunningSource running(source, after);
    ASSERT_TRUE(WaitFor([&] { return after.size() == 1; })) << context_.log_text();
    // Give a wrongly repeated file every chance to show up.
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    ASSERT_TRUE(running.Stop().ok());
  }
  EXPECT_EQ(after.event_ids(), std::vector<std::string>{"while-stopped"});
}

TEST_F(DirectorySourceTest, ABadFileIsLoggedCountedAndNotRetried) {
  std::string bad = Key("1200", "BADBADBADBADBADB");
  WriteAt(bad, "this is not gzip or JSON");
  RecordingSink sink;
  {
    DirectorySource source(Config(), context_.context());
    RunningSource running(source, sink);
    std::string good = Key("1205", "GOODGOODGOODGOOD");
    WriteAt(good, GzippedLogWith({"good-1"}));
    ASSERT_TRUE(WaitFor([&] { return sink.size() == 1; })) << context_.log_text();
    ASSERT_TRUE(running.Stop().ok());
  }
  EXPECT_NE(context_.log_text().find(bad), std::string::npos) << context_.log_text();
  EXPECT_EQ(context_.metrics().Get("trailwatch_source_files_total",
                                   {{"source", "directory:" + logs_}, {"result", "failed"}}),
            1);
  auto store = store::CheckpointStore::Open(dir_.path() + "/tw.db");
  ASSERT_TRUE(store.ok());
  auto recorded = (*store)->GetFile("directory:" + logs_, bad);
  ASSERT_TRUE(recorded.ok() && recorded->has_value());
  EXPECT_TRUE((*recorded)->failed);

  // A restart does not read it again.
  TestContext again(dir_.path() + "/tw.db");
  DirectorySource source(Config(), again.context());
  RunningSource running(source, sink);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_TRUE(running.Stop().ok());
  EXPECT_EQ(again.metrics().Get("trailwatch_source_files_total",
                                {{"source", "directory:" + logs_}, {"result", "failed"}}),
            0);
}

TEST_F(DirectorySourceTest, AFileIsRecordedOnlyAfterSubmitSucceeded) {
  std::string file = Key("1200", "AAAAAAAAAAAAAAAA");
  WriteAt(file, GzippedLogWith({"e-1"}));
  RecordingSink sink;
  sink.fail = true;
  DirectorySource source(Config(), context_.context());
  RunningSource running(source, sink);
  ASSERT_TRUE(WaitFor([&] { return sink.failed_calls >= 1; }));
  auto store = store::CheckpointStore::Open(dir_.path() + "/tw.db");
  ASSERT_TRUE(store.ok());
  EXPECT_FALSE((*store)->GetFile("directory:" + logs_, file)->has_value());
  sink.fail = false;  // the outbox is back: the retry goes through
  ASSERT_TRUE(WaitFor([&] { return sink.size() == 1; })) << context_.log_text();
  ASSERT_TRUE(WaitFor([&] { return (*store)->GetFile("directory:" + logs_, file)->has_value(); }));
  ASSERT_TRUE(running.Stop().ok());
  EXPECT_EQ(sink.event_ids(), std::vector<std::string>{"e-1"});
}

TEST_F(DirectorySourceTest, AFileCaughtHalfWrittenIsReadAgainWhenComplete) {
  // At start-up a shipper is still writing: the scan sees a truncated gzip and records it as
  // failed with that size; the completed file (new size and mtime) is read.
  std::string file = Key("1200", "AAAAAAAAAAAAAAAA");
  std::string whole = GzippedLogWith({"e-1"});
  WriteAt(file, whole.substr(0, whole.size() / 2));
  RecordingSink sink;
  DirectorySource source(Config(), context_.context());
  RunningSource running(source, sink);
  ASSERT_TRUE(WaitFor([&] {
    return context_.metrics().Get("trailwatch_source_files_total",
                                  {{"source", "directory:" + logs_}, {"result", "failed"}}) == 1;
  })) << context_.log_text();
  WriteAt(file, whole);
  ASSERT_TRUE(WaitFor([&] { return sink.size() == 1; })) << context_.log_text();
  ASSERT_TRUE(running.Stop().ok());
  EXPECT_EQ(sink.event_ids(), std::vector<std::string>{"e-1"});
}

TEST_F(DirectorySourceTest, NonRecursiveIgnoresSubdirectories) {
  WriteAt(logs_ + "/top.json.gz", GzippedLogWith({"top"}));
  WriteAt(logs_ + "/sub/below.json.gz", GzippedLogWith({"below"}));
  DirectorySourceConfig config = Config();
  config.recursive = false;
  RecordingSink sink;
  DirectorySource source(config, context_.context());
  RunningSource running(source, sink);
  ASSERT_TRUE(WaitFor([&] { return sink.size() == 1; })) << context_.log_text();
  WriteAt(logs_ + "/sub/later.json.gz", GzippedLogWith({"later-below"}));
  WriteAt(logs_ + "/later.json.gz", GzippedLogWith({"later-top"}));
  ASSERT_TRUE(WaitFor([&] { return sink.size() == 2; })) << context_.log_text();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_TRUE(running.Stop().ok());
  EXPECT_EQ(sink.event_ids(), (std::vector<std::string>{"top", "later-top"}));
}

TEST_F(DirectorySourceTest, ATrailingSlashDoesNotChangeCheckpointKeys) {
  // Found by inotify in the first run, found by the scan in the second: one key, no repeat.
  DirectorySourceConfig config = Config();
  config.path = logs_ + "/./";
  fs::create_directories(logs_);
  RecordingSink sink;
  {
    DirectorySource source(config, context_.context());
    RunningSource running(source, sink);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    WriteAt(logs_ + "/new.json.gz", GzippedLogWith({"e-1"}));
    ASSERT_TRUE(WaitFor([&] { return sink.size() == 1; })) << context_.log_text();
    ASSERT_TRUE(running.Stop().ok());
  }
  DirectorySource source(config, context_.context());
  RunningSource running(source, sink);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_TRUE(running.Stop().ok());
  EXPECT_EQ(sink.event_ids(), std::vector<std::string>{"e-1"});
}

// Rotated-away logs must not leave their checkpoint rows behind for ever (a daemon runs for years):
// a complete scan of the root forgets the files that are gone.
TEST_F(DirectorySourceTest, ACompleteScanForgetsTheCheckpointsOfVanishedFiles) {
  const std::string kept = Key("1200", "AAAAAAAAAAAAAAAA");
  const std::string removed = Key("1205", "BBBBBBBBBBBBBBBB");
  WriteAt(kept, GzippedLogWith({"kept"}));
  WriteAt(removed, GzippedLogWith({"removed"}));
  RecordingSink sink;
  {
    DirectorySource source(Config(), context_.context());
    RunningSource running(source, sink);
    ASSERT_TRUE(WaitFor([&] { return sink.size() == 2; })) << context_.log_text();
    ASSERT_TRUE(running.Stop().ok());
  }
  const auto keys = [&] {
    auto store = store::CheckpointStore::Open(dir_.path() + "/tw.db");
    EXPECT_TRUE(store.ok());
    auto rows = (*store)->List("directory:" + logs_);
    EXPECT_TRUE(rows.ok());
    std::vector<std::string> out;
    for (const auto& [key, value] : *rows) out.push_back(key);
    return out;
  };
  EXPECT_EQ(keys(), (std::vector<std::string>{kept, removed}));

  fs::remove(removed);
  {
    DirectorySource source(Config(), context_.context());
    RunningSource running(source, sink);
    ASSERT_TRUE(WaitFor([&] {
      return context_.log_text().find("forgot 1 checkpoints") != std::string::npos;
    })) << context_.log_text();
    ASSERT_TRUE(running.Stop().ok());
  }
  EXPECT_EQ(keys(), std::vector<std::string>{kept});
  EXPECT_EQ(sink.size(), 2u);  // nothing read again
}

TEST_F(DirectorySourceTest, AMissingDirectoryIsAnError) {
  DirectorySourceConfig config;
  config.path = dir_.path() + "/absent";
  DirectorySource source(config, context_.context());
  RecordingSink sink;
  Status status = source.Run(std::stop_token(), sink);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find(config.path), std::string::npos) << status.message();
}

TEST_F(DirectorySourceTest, StopIsHonouredPromptly) {
  fs::create_directories(logs_);
  DirectorySource source(Config(), context_.context());
  RecordingSink sink;
  RunningSource running(source, sink);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_TRUE(running.Stop().ok());  // returns (Run polls with a 250 ms timeout)
  EXPECT_TRUE(running.finished());
}

}  // namespace
}  // namespace trailwatch::sources
