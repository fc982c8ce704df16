// cloudtrail::LogFileTimeSeconds: the delivery time in a CloudTrail log file's name (§1.1), for
// the sources' newest-object metric.
#include <gtest/gtest.h>

#include "cloudtrail/log_key.h"

namespace trailwatch::cloudtrail {
namespace {

TEST(LogFileTimeTest, ReadsTheTimeInTheName) {
  // 2022-11-10T16:25:00Z
  EXPECT_EQ(
      LogFileTimeSeconds("111122223333_CloudTrail_us-east-1_20221110T1625Z_a1b2c3d4e5f6a7b8.json"),
      1668097500);
  EXPECT_EQ(LogFileTimeSeconds("111122223333_CloudTrail_us-east-2_19700101T0001Z_x.json.gz"), 60);
  // The last one counts (a prefix or region could look alike).
  EXPECT_EQ(LogFileTimeSeconds("a_20000101T0000Z_b_19700101T0002Z_c.json"), 120);
}

TEST(LogFileTimeTest, NamesWithoutAValidTime) {
  EXPECT_EQ(LogFileTimeSeconds("events.json"), std::nullopt);
  EXPECT_EQ(LogFileTimeSeconds(""), std::nullopt);
  EXPECT_EQ(LogFileTimeSeconds("x_20221310T1625Z_y.json"), std::nullopt);  // month 13
  EXPECT_EQ(LogFileTimeSeconds("x_20220230T1625Z_y.json"), std::nullopt);  // 30 February
  EXPECT_EQ(LogFileTimeSeconds("x_20221110T2460Z_y.json"), std::nullopt);
  EXPECT_EQ(LogFileTimeSeconds("x_2022111OT1625Z_y.json"), std::nullopt);
  EXPECT_EQ(LogFileTimeSeconds("x_20221110T1625Z"), std::nullopt);  // no '_' after it
}

}  // namespace
}  // namespace trailwatch::cloudtrail
