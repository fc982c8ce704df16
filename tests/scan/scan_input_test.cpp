// FolderNumber: the year/month/day folder names of the S3 walk, whatever their length.
#include "scan/scan_input.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "scan/key_pruning.h"

namespace trailwatch::scan {
namespace {

TEST(ScanInputFolderNumber, ReadsRealFolderNames) {
  EXPECT_EQ(FolderNumber("2024"), 2024);
  EXPECT_EQ(FolderNumber("01"), 1);
  EXPECT_EQ(FolderNumber("31"), 31);
  EXPECT_EQ(FolderNumber("0"), 0);
  EXPECT_EQ(FolderNumber(""), 0);
  EXPECT_EQ(FolderNumber("99999"), kMaxFolderNumber);
}

// A name of 10 or more digits overflowed int (undefined behaviour); it is clamped now.
TEST(ScanInputFolderNumber, ClampsLongNamesWithoutOverflow) {
  EXPECT_EQ(FolderNumber("100000"), kMaxFolderNumber);
  EXPECT_EQ(FolderNumber("2147483647"), kMaxFolderNumber);
  EXPECT_EQ(FolderNumber("9999999999"), kMaxFolderNumber);
  EXPECT_EQ(FolderNumber("00000000002024"), 2024);  // leading zeros are not overflow
  EXPECT_EQ(FolderNumber(std::string(40, '9')), kMaxFolderNumber);
}

// The clamped numbers feed ScanFilter's day arithmetic, which must stay within int too.
TEST(ScanInputFolderNumber, ClampedNumbersArePrunedByTimeBounds) {
  ScanFilter filter;
  filter.since = std::chrono::sys_days{std::chrono::year{2024} / 5 / 1};
  filter.until = std::chrono::sys_days{std::chrono::year{2024} / 5 / 31};
  const int huge = FolderNumber("99999999999");
  EXPECT_FALSE(filter.YearMayHold(huge));
  EXPECT_FALSE(filter.MonthMayHold(2024, huge));
  EXPECT_FALSE(filter.DayMayHold(2024, 5, huge));
  EXPECT_TRUE(filter.DayMayHold(2024, 5, FolderNumber("0000000015")));
  ScanFilter since_only;
  since_only.since = filter.since;
  EXPECT_TRUE(since_only.YearMayHold(huge));
  EXPECT_TRUE(since_only.MonthMayHold(huge, huge));
  EXPECT_TRUE(since_only.DayMayHold(huge, huge, huge));
}

}  // namespace
}  // namespace trailwatch::scan
