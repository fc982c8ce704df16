// ReadRegularFile (config/regular_file.h): ordinary files are read whole; devices, FIFOs,
// directories, /proc and /sys files (also through a symlink) and files over the limit are refused
// at once, with errors that name the path and never the content.
#include "config/regular_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "cli/cli_test_util.h"

namespace trailwatch::config {
namespace {

std::string ErrorOf(const Result<std::string>& result) {
  EXPECT_FALSE(result.ok());
  return result.ok() ? std::string() : result.message();
}

TEST(ReadRegularFile, ReadsAnOrdinaryFileWhole) {
  testing::TempDir dir;
  std::string content = "{\"source\": [\"aws.signin\"]}\n";
  for (int i = 0; i < 5000; ++i) content += "padding line " + std::to_string(i) + "\n";
  std::string path = dir.Write("pattern.json", content);
  auto read = ReadRegularFile(path, content.size());
  ASSERT_TRUE(read.ok()) << read.message();
  EXPECT_EQ(*read, content) << "exactly the limit is allowed";
  auto empty = ReadRegularFile(dir.Write("empty", ""), 10);
  ASSERT_TRUE(empty.ok()) << empty.message();
  EXPECT_EQ(*empty, "");
}

TEST(ReadRegularFile, MissingFileAndDirectory) {
  testing::TempDir dir;
  EXPECT_EQ(ErrorOf(ReadRegularFile(dir.path() + "/nope.json", 100)),
            dir.path() + "/nope.json: no such file");
  EXPECT_EQ(ErrorOf(ReadRegularFile(dir.path(), 100)),
            dir.path() + ": not a regular file (a directory, device, FIFO or socket)");
}

TEST(ReadRegularFile, DevicesAreRefusedWithoutReading) {
  for (const char* device : {"/dev/zero", "/dev/urandom", "/dev/null"}) {
    auto started = std::chrono::steady_clock::now();
    EXPECT_EQ(ErrorOf(ReadRegularFile(device, 1 << 20)),
              std::string(device) + ": not a regular file (a directory, device, FIFO or socket)");
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
  }
}

TEST(ReadRegularFile, AFifoIsRefusedWithoutWaitingForAWriter) {
  testing::TempDir dir;
  std::string fifo = dir.path() + "/pipe";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(ErrorOf(ReadRegularFile(fifo, 100)),
            fifo + ": not a regular file (a directory, device, FIFO or socket)");
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
}

TEST(ReadRegularFile, ProcFilesAreRefusedEvenThroughASymlink) {
  ASSERT_EQ(setenv("TW_REGULAR_FILE_CANARY", "canary-4f1d", 1), 0);
  for (const char* path : {"/proc/self/environ", "/proc/self/status", "/proc/cpuinfo"}) {
    std::string error = ErrorOf(ReadRegularFile(path, 1 << 20));
    EXPECT_EQ(error, std::string(path) + ": a /proc or /sys file is not accepted");
    EXPECT_EQ(error.find("canary"), std::string::npos);
  }
  testing::TempDir dir;
  std::string link = dir.path() + "/innocent.json";
  ASSERT_EQ(symlink("/proc/self/environ", link.c_str()), 0);
  std::string error = ErrorOf(ReadRegularFile(link, 1 << 20));
  EXPECT_EQ(error, link + ": a /proc or /sys file is not accepted");
  EXPECT_EQ(error.find("canary"), std::string::npos);
  unsetenv("TW_REGULAR_FILE_CANARY");
}

TEST(ReadRegularFile, SysFilesAreRefused) {
  // The first readable regular file under /sys (which ones exist depends on the kernel).
  std::string found;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(
           "/sys/kernel", std::filesystem::directory_options::skip_permission_denied, ec);
       !ec && it != std::filesystem::recursive_directory_iterator() && found.empty();
       it.increment(ec)) {
    std::error_code type_error;
    if (it->is_regular_file(type_error) && access(it->path().c_str(), R_OK) == 0) {
      found = it->path().string();
    }
  }
  if (found.empty()) GTEST_SKIP() << "no readable file under /sys/kernel on this machine";
  EXPECT_EQ(ErrorOf(ReadRegularFile(found, 1 << 20)),
            found + ": a /proc or /sys file is not accepted");
}

TEST(ReadRegularFile, OverTheLimitIsRefusedWithoutQuotingTheContent) {
  testing::TempDir dir;
  std::string path = dir.Write("big.json", "SECRET-CONTENT-0123456789");
  std::string error = ErrorOf(ReadRegularFile(path, 10));
  EXPECT_EQ(error, path + ": larger than 10 bytes");
  EXPECT_EQ(ErrorOf(ReadRegularFile(path, 10, "file://big.json")),
            "file://big.json: larger than 10 bytes")
      << "the caller may show the path its own way";
}

TEST(ReadRegularFile, UnreadableFileNamesTheReason) {
  if (geteuid() == 0) GTEST_SKIP() << "root reads any file";
  testing::TempDir dir;
  std::string path = dir.Write("locked.json", "{}");
  ASSERT_EQ(chmod(path.c_str(), 0), 0);
  EXPECT_EQ(ErrorOf(ReadRegularFile(path, 10)), path + ": cannot open (Permission denied)");
}

}  // namespace
}  // namespace trailwatch::config
