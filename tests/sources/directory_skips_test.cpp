// DirectorySource and entries that are not regular files: symbolic links (not followed), FIFOs
// and sockets are skipped and each path is logged once, found by the start-up scan or by inotify.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>

#include "cli/cli_test_util.h"
#include "scan/scan_test_util.h"
#include "service/service_process_util.h"
#include "sources/directory_source.h"
#include "sources/source_test_util.h"

namespace trailwatch::sources {
namespace {

using testing::RecordingSink;
using testing::RunningSource;
using testing::TestContext;
using testing::WaitFor;
using trailwatch::testing::CountOccurrences;
using trailwatch::testing::TempDir;

namespace fs = std::filesystem;

class DirectorySkipsTest : public ::testing::Test {
 protected:
  // A log file's path (relative to the logs directory) and gzipped content with one event.
  std::string Key(const std::string& unique) {
    return scan::testing::LogKey("111122223333", "us-east-1", "2024-05-01", "1200", unique);
  }
  std::string Log(const std::string& event_id) {
    scan::testing::RecordSpec spec;
    spec.event_id = event_id;
    return scan::testing::Gzip(scan::testing::LogFile({scan::testing::Record(spec)}));
  }
  // Waits until the sink holds `event_id`.
  bool Received(const RecordingSink& sink, const std::string& event_id) {
    return WaitFor([&] {
      auto ids = sink.event_ids();
      return std::find(ids.begin(), ids.end(), event_id) != ids.end();
    });
  }

  TempDir dir_;
  TempDir outside_;
  std::string logs_ = dir_.path() + "/logs";
  TestContext context_{dir_.path() + "/tw.db"};
};

TEST_F(DirectorySkipsTest, SymlinksAndFifosAreSkippedAndEachLoggedOnce) {
  scan::testing::WriteFile(logs_, Key("REAL"), Log("real-1"));
  std::string secret = scan::testing::WriteFile(outside_.path(), "other.json.gz", Log("outside-1"));
  std::string link = logs_ + "/" + Key("LINK");
  fs::create_symlink(secret, link);
  std::string fifo = logs_ + "/" + Key("FIFO");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  fs::create_directory_symlink(outside_.path(), logs_ + "/AWSLogs/linked-dir");

  DirectorySourceConfig config;
  config.path = logs_;
  DirectorySource source(config, context_.context());
  RecordingSink sink;
  RunningSource running(source, sink);
  ASSERT_TRUE(Received(sink, "real-1")) << context_.log_text();
  ASSERT_TRUE(WaitFor([&] { return context_.log_text().find(fifo) != std::string::npos; }));
  std::string log = context_.log_text();
  EXPECT_EQ(
      CountOccurrences(log, "skipping " + link + ": a symbolic link (links are not followed)"), 1u)
      << log;
  EXPECT_EQ(CountOccurrences(log, "skipping " + fifo + ": a FIFO (named pipe)"), 1u) << log;
  EXPECT_EQ(CountOccurrences(log, "linked-dir: a symbolic link"), 1u) << log;

  // A symbolic link renamed into place (inotify IN_MOVED_TO), twice: one line.
  std::string moved = logs_ + "/" + Key("MOVED");
  std::string staging = outside_.path() + "/staging";
  fs::create_symlink(secret, staging);
  fs::rename(staging, moved);
  ASSERT_TRUE(WaitFor([&] { return context_.log_text().find(moved) != std::string::npos; }));
  fs::rename(moved, staging);
  fs::rename(staging, moved);
  // A real file after it: once its event is in, the second rename has been handled too.
  std::string later = outside_.path() + "/later";
  scan::testing::WriteFile(outside_.path(), "later", Log("real-2"));
  fs::rename(later, logs_ + "/" + Key("LATER"));
  ASSERT_TRUE(Received(sink, "real-2")) << context_.log_text();
  EXPECT_EQ(CountOccurrences(context_.log_text(), "skipping " + moved + ": a symbolic link"), 1u)
      << context_.log_text();

  ASSERT_TRUE(running.Stop().ok());
  auto ids = sink.event_ids();
  EXPECT_EQ(std::count(ids.begin(), ids.end(), "outside-1"), 0) << "a link was followed";
}

}  // namespace
}  // namespace trailwatch::sources
