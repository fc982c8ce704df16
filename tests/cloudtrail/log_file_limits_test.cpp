// Tests for the log-file limits (cloudtrail/log_file_limits.h) as the inflater enforces them, with
// both engines: the first-block JSON test refuses a gzip bomb of zeros before a large buffer is
// filled, the compression-ratio and inflated-size limits stop output at the limit (the buffer
// never grows past it), and ordinary files are untouched. The bombs inflate to gigabytes; every
// test here produces at most a few tens of MB, so each runs in well under a second.
#include "cloudtrail/log_file_limits.h"

#include <gtest/gtest.h>

#include <string>

#include "cloudtrail/gzip_bomb_util.h"
#include "cloudtrail/inflate.h"
#include "cloudtrail/padded_buffer.h"

namespace trailwatch::cloudtrail {
namespace {

using testing::GzipBomb;
using testing::GzipText;
using testing::GzipZeros;

constexpr uint64_t kGB = 1'000'000'000;

// Overwrites the gzip ISIZE trailer (the last 4 bytes) with `size`: a bomb may lie about its size.
std::string WithIsize(std::string gzip, uint32_t size) {
  for (int i = 0; i < 4; ++i)
    gzip[gzip.size() - 4 + i] = static_cast<char>((size >> (8 * i)) & 0xff);
  return gzip;
}

class LogFileLimitsTest : public ::testing::TestWithParam<InflateEngine> {
 protected:
  // Inflates with `limits` (and this test's engine) into out_; returns the status.
  Status Inflate(std::string_view gzip, const LogFileLimits& limits = {}) {
    InflateOptions options = limits.ToInflateOptions();
    options.engine = GetParam();
    Inflater inflater(options);
    return inflater.InflateInto(gzip, out_);
  }
  PaddedBuffer out_;
};

// The first bomb: 1 GB of zeros in ~1 MB. Refused by its first block: the buffer never
// grows beyond the size below which the first block is checked after inflating.
TEST_P(LogFileLimitsTest, ZerosAreRefusedByTheFirstBlockBeforeTheRestIsInflated) {
  const std::string bomb = GzipZeros(1 * kGB, 9);
  ASSERT_LT(bomb.size(), size_t{1100} << 10);
  Status status = Inflate(bomb);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message(),
            "not a JSON log file: inflated byte 0 is 0x00 (JSON text never holds a zero byte; a "
            "gzip bomb of zeros does)");
  EXPECT_LE(out_.capacity(), kCheckFirstBlockBefore);
}

// The second bomb (2.2 GB in ~10 MB, gzip -1), with an ISIZE trailer that claims 100
// bytes so that no size is known in advance: refused before the buffer passes the check size.
TEST_P(LogFileLimitsTest, ABombLyingAboutItsSizeIsRefusedWhenTheBufferWouldGrow) {
  const std::string bomb = WithIsize(GzipZeros(2'200'000'000, 1), 100);
  ASSERT_GT(bomb.size(), size_t{9} << 20);
  Status status = Inflate(bomb);
  ASSERT_FALSE(status.ok());
  EXPECT_TRUE(status.message().starts_with("not a JSON log file: inflated byte 0 is 0x00"))
      << status.message();
  EXPECT_LE(out_.capacity(), kCheckFirstBlockBefore);
}

// JSON at the start, then 256 MiB of spaces (~1000x): past the 64 MiB floor the ratio limit
// (100x of ~250 KB) stops it at the floor, and the buffer is never larger than that.
TEST_P(LogFileLimitsTest, AJsonLookingBombIsStoppedByTheCompressionRatio) {
  const std::string bomb = GzipBomb("{\"Records\":[", ' ', uint64_t{256} << 20, 9);
  Status status = Inflate(bomb);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message(), "gzip: inflates to more than 100 times its " +
                                  std::to_string(bomb.size()) +
                                  " compressed bytes (max_compression_ratio; CloudTrail JSON "
                                  "compresses about 10-20 times, a gzip bomb about 1000 times)");
  EXPECT_LE(out_.capacity(), kRatioFloorBytes + 1);

  LogFileLimits no_ratio;
  no_ratio.max_compression_ratio = 0;
  no_ratio.max_inflated_bytes = uint64_t{16} << 20;
  out_.Release();  // a reused buffer keeps its capacity
  status = Inflate(bomb, no_ratio);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message(),
            "gzip: inflated size exceeds the limit of 16777216 bytes (max_inflated_bytes; a "
            "corrupt file or a gzip bomb)");
  EXPECT_LE(out_.capacity(), (size_t{16} << 20) + 1);
}

// Below the floor a file may compress as well as it likes: 32 MiB at ~1000x.
TEST_P(LogFileLimitsTest, HighRatioBelowTheFloorIsAllowed) {
  const uint64_t spaces = uint64_t{32} << 20;
  Status status = Inflate(GzipBomb("{\"Records\":[", ' ', spaces, 9));
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(out_.size(), 12 + spaces);
}

TEST_P(LogFileLimitsTest, InflatedSizeLimitIsExactAndRatioLimitCanBeOff) {
  LogFileLimits limits;
  limits.max_inflated_bytes = uint64_t{1} << 20;
  limits.max_compression_ratio = 0;
  std::string json(size_t{1} << 20, ' ');  // [ spaces ]: exactly the limit
  json.front() = '[';
  json.back() = ']';
  ASSERT_TRUE(Inflate(GzipText(json), limits).ok());
  EXPECT_EQ(out_.size(), json.size());
  json.push_back('\n');
  EXPECT_FALSE(Inflate(GzipText(json), limits).ok());
}

TEST_P(LogFileLimitsTest, SmallNonJsonFilesAreNamedAndJsonFilesPass) {
  Status text = Inflate(GzipText("hello"));
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.message(),
            "not a JSON log file: the inflated text starts with byte 0x68 (a CloudTrail log file "
            "starts with '{' or '[')");
  EXPECT_EQ(out_.size(), 0u);
  EXPECT_TRUE(Inflate(GzipText("\xEF\xBB\xBF \n{\"Records\":[]}")).ok());
  EXPECT_TRUE(Inflate(GzipText("[]")).ok());
  EXPECT_TRUE(Inflate(GzipText("")).ok());  // the record reader names an empty file
}

INSTANTIATE_TEST_SUITE_P(LogFileLimits, LogFileLimitsTest,
                         ::testing::Values(InflateEngine::kLibdeflate, InflateEngine::kIsal),
                         [](const ::testing::TestParamInfo<InflateEngine>& info) {
                           return info.param == InflateEngine::kIsal ? "Isal" : "Libdeflate";
                         });

TEST(CheckLogFileStartTest, ZeroBytesAnywhereInTheFirstBlockAreRefused) {
  std::string block(100, ' ');
  block[0] = '{';
  block[50] = '\0';
  Status status = CheckLogFileStart(block);
  ASSERT_FALSE(status.ok());
  EXPECT_TRUE(status.message().starts_with("not a JSON log file: inflated byte 50 is 0x00"));
}

TEST(CheckLogFileStartTest, AFullBlockOfWhitespaceIsRefusedAShortOneIsNot) {
  EXPECT_TRUE(CheckLogFileStart(std::string(1000, ' ')).ok());
  Status status = CheckLogFileStart(std::string(kFirstBlockBytes, '\n'));
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message(),
            "not a JSON log file: the first 65536 inflated bytes are all whitespace");
}

TEST(CheckStoredSizeTest, NamesTheKey) {
  LogFileLimits limits;
  EXPECT_EQ(limits.max_file_bytes, uint64_t{1} << 30);
  EXPECT_TRUE(CheckStoredSize(uint64_t{1} << 30, limits).ok());
  Status status = CheckStoredSize((uint64_t{1} << 30) + 1, limits);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message(),
            "1073741825 bytes is over the limit of 1073741824 bytes per file (max_file_bytes)");
}

}  // namespace
}  // namespace trailwatch::cloudtrail
