// Issue #10 item 3, end to end: `trailwatch run` (the real binary) with a directory source is
// given gzip bombs; each is refused with an error naming the file, the process's peak resident
// set stays within the documented limit plus a small constant, its resident set returns near the
// baseline afterwards, and a good CloudTrail file dropped after them still alerts.
//
// The bombs are those of the security review, made by cloudtrail/gzip_bomb_util.h in milliseconds:
//   * 1 GB of zeros in ~1 MB (gzip -9), and 2.2 GB of zeros in ~10 MB (gzip -1): refused by the
//     first-block JSON test after 64 KiB of output.
//   * `{"Records":[` and 1 GiB of spaces in ~1 MB: its first block is JSON, so it is stopped by
//     max_inflated_bytes, set to 48 MiB in the config to make the bound tight (with the default
//     1 GiB the 100x ratio limit would stop it at ~100 MB).
// Memory is read from /proc/<pid>/status: VmHWM (peak) and VmRSS (now). Not under ASan (its shadow
// memory is not the service's); bounded in time by the waits (60 s each at most).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "cli/cli_test_util.h"
#include "cloudtrail/gzip_bomb_util.h"
#include "scan/scan_test_util.h"
#include "service/service_process_util.h"

namespace trailwatch::sources {
namespace {

using std::chrono::seconds;
using trailwatch::testing::ServiceProcess;
using trailwatch::testing::TempDir;

constexpr long kMiB = 1024;  // in the KB units of /proc/<pid>/status

// One "VmXXX:   1234 kB" line of /proc/<pid>/status, in KB; -1 when absent.
long StatusKb(pid_t pid, const std::string& field) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (!line.starts_with(field + ":")) continue;
    return std::stol(line.substr(field.size() + 1));
  }
  return -1;
}

// Writes `bytes` to dir/name and closes it: the close is what the directory source reacts to.
void Drop(const std::string& dir, const std::string& name, const std::string& bytes) {
  std::ofstream out(dir + "/" + name, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

TEST(GzipBombTest, DirectorySourceRefusesBombsWithinBoundedMemoryAndStillAlerts) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer's shadow memory and quarantine are not the service's memory";
#endif
  TempDir dir;
  const std::string logs = dir.path() + "/logs";
  std::filesystem::create_directories(logs);
  constexpr long kMaxInflatedMiB = 48;
  const std::string config =
      dir.Write("trailwatch.yaml",
                "store: " + dir.path() +
                    "/tw.db\n"
                    "sources:\n"
                    "  - {type: directory, path: " +
                    logs + ", max_inflated_bytes: " + std::to_string(kMaxInflatedMiB << 20) +
                    "}\n"
                    "targets:\n"
                    "  - {name: console, type: stdout}\n"
                    "rules:\n"
                    "  - {pack: root-signin, targets: [console]}\n");
  ServiceProcess service({"run", "--config", config, "--log-format", "json"}, dir.path());
  ASSERT_TRUE(service.WaitForStderr("watching for new files", seconds(60))) << service.Stderr();
  const long baseline_rss = StatusKb(service.pid(), "VmRSS");
  const long baseline_peak = StatusKb(service.pid(), "VmHWM");
  ASSERT_GT(baseline_rss, 0);

  struct Bomb {
    std::string name;
    std::string gzip;
    std::string error;  // what the log says after "<path>: "
  };
  const Bomb bombs[] = {
      {"zeros-1g.json.gz", cloudtrail::testing::GzipZeros(1'000'000'000, 9),
       "not a JSON log file: inflated byte 0 is 0x00"},
      {"zeros-2g2.json.gz", cloudtrail::testing::GzipZeros(2'200'000'000, 1),
       "not a JSON log file: inflated byte 0 is 0x00"},
      {"spaces-1g.json.gz",
       cloudtrail::testing::GzipBomb("{\"Records\":[", ' ', uint64_t{1} << 30, 9),
       "gzip: inflated size exceeds the limit of " + std::to_string(kMaxInflatedMiB << 20) +
           " bytes (max_inflated_bytes"},
  };
  ASSERT_LT(bombs[0].gzip.size(), size_t{1100} << 10);  // the review's sizes: ~1 MB ...
  ASSERT_GT(bombs[1].gzip.size(), size_t{9} << 20);     // ... and ~10 MB
  ASSERT_LT(bombs[1].gzip.size(), size_t{11} << 20);
  for (const Bomb& bomb : bombs) {
    SCOPED_TRACE(bomb.name);
    Drop(logs, bomb.name, bomb.gzip);
    ASSERT_TRUE(service.WaitForStderr(logs + "/" + bomb.name + ": " + bomb.error, seconds(60)))
        << service.Stderr();
  }

  // A root console sign-in after the bombs: the source is still reading, and alerts.
  Drop(logs, "good.json",
       "{\"Records\":[" +
           trailwatch::testing::ReadFixture("aws/cloudtrail/root-consolelogin-success-mfa.json") + "]}");
  ASSERT_TRUE(service.WaitForStdout("\"rule\":\"root-signin\"", seconds(60))) << service.Stderr();

  const long peak = StatusKb(service.pid(), "VmHWM");
  const long rss = StatusKb(service.pid(), "VmRSS");
  std::printf("baseline RSS %ld KB (peak %ld KB); after the bombs: peak %ld KB, RSS %ld KB\n",
              baseline_rss, baseline_peak, peak, rss);
  // The bound: the 48 MiB inflate limit (the spaces bomb fills it), plus the largest file's
  // stored bytes (~10 MB, read whole), plus 16 MiB for everything else (the first-block buffer,
  // parser and thread stacks). Without the limits the first bomb alone reached 1 GB.
  EXPECT_LT(peak - baseline_peak, (kMaxInflatedMiB + 11 + 16) * kMiB);
  // Afterwards the large buffers are freed and trimmed: back within 16 MiB of the baseline.
  EXPECT_LT(rss - baseline_rss, 16 * kMiB);
  EXPECT_EQ(trailwatch::testing::CountOccurrences(service.Stderr(), "recorded as failed"), 3u)
      << service.Stderr();
}

}  // namespace
}  // namespace trailwatch::sources
