// --since/--until/--accounts/--regions parsing and the pruning decisions made from keys alone.
#include "scan/key_pruning.h"

#include <gtest/gtest.h>

#include "cloudtrail/event_time.h"

namespace trailwatch::scan {
namespace {

TimePoint At(const char* text) { return *cloudtrail::ParseEventTime(text); }

TEST(KeyPruning, TimeArgumentForms) {
  TimePoint now = At("2024-05-10T12:00:00Z");
  EXPECT_EQ(*ParseTimeArgument("2024-05-01T08:30:00Z", now, false), At("2024-05-01T08:30:00Z"));
  EXPECT_EQ(*ParseTimeArgument("2024-05-01T10:30:00+02:00", now, false),
            At("2024-05-01T08:30:00Z"));
  EXPECT_EQ(*ParseTimeArgument("2024-05-01", now, false), At("2024-05-01T00:00:00Z"));
  EXPECT_EQ(*ParseTimeArgument("2024-05-01", now, true), At("2024-05-01T23:59:59Z"));
  EXPECT_EQ(*ParseTimeArgument("90d", now, false), At("2024-02-10T12:00:00Z"));
  EXPECT_EQ(*ParseTimeArgument("12h", now, false), At("2024-05-10T00:00:00Z"));
  EXPECT_EQ(*ParseTimeArgument("30m", now, false), At("2024-05-10T11:30:00Z"));
  for (const char* bad : {"", "yesterday", "90", "d", "90x", "2024-13-01", "2024-05-01T00:00:00"}) {
    auto parsed = ParseTimeArgument(bad, now, false);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_NE(parsed.message().find("RFC 3339"), std::string::npos);
  }
}

TEST(KeyPruning, AccountAndRegionLists) {
  auto accounts = ParseAccountList("111122223333, 444455556666");
  ASSERT_TRUE(accounts.ok());
  EXPECT_EQ(*accounts, (std::vector<std::string>{"111122223333", "444455556666"}));
  EXPECT_FALSE(ParseAccountList("1111").ok());
  EXPECT_FALSE(ParseAccountList(",").ok());
  auto regions = ParseRegionList("us-east-1,eu-west-1");
  ASSERT_TRUE(regions.ok());
  EXPECT_EQ(regions->size(), 2u);
  EXPECT_FALSE(ParseRegionList("US_EAST").ok());
}

TEST(KeyPruning, DeliveryTimeFromFileName) {
  EXPECT_EQ(DeliveryTimeFromFileName(
                "111122223333_CloudTrail_us-east-2_20150801T0210Z_Mu0KsOhtH1ar15ZZ.json.gz"),
            At("2015-08-01T02:10:00Z"));
  EXPECT_FALSE(DeliveryTimeFromFileName("export.json.gz").has_value());
  EXPECT_FALSE(DeliveryTimeFromFileName("a_20151301T0210Z_x.json.gz").has_value());
}

PruneReason PruneKey(const ScanFilter& filter, const char* key) {
  auto parsed = cloudtrail::ParseLogKey(key);
  EXPECT_TRUE(parsed.has_value()) << key;
  return filter.Prune(*parsed);
}

TEST(KeyPruning, ByDeliveryDayWithTheDelayAllowance) {
  ScanFilter filter;
  filter.since = At("2024-05-02T00:00:00Z");
  filter.until = At("2024-05-02T23:59:59Z");
  const char* kDay1 = "AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/01/f.json.gz";
  const char* kDay2 = "AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/02/f.json.gz";
  const char* kDay3 = "AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/03/f.json.gz";
  const char* kDay4 = "AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/04/f.json.gz";
  EXPECT_EQ(PruneKey(filter, kDay1), PruneReason::kTime);
  EXPECT_EQ(PruneKey(filter, kDay2), PruneReason::kKept);
  // Delivered the day after --until: may hold late-delivered events (kDeliveryDelayAllowance).
  EXPECT_EQ(PruneKey(filter, kDay3), PruneReason::kKept);
  EXPECT_EQ(PruneKey(filter, kDay4), PruneReason::kTime);
  EXPECT_TRUE(filter.YearMayHold(2024));
  EXPECT_FALSE(filter.YearMayHold(2023));
  EXPECT_FALSE(filter.MonthMayHold(2024, 4));
  EXPECT_TRUE(filter.MonthMayHold(2024, 5));
  EXPECT_FALSE(filter.MonthMayHold(2024, 6));
}

TEST(KeyPruning, ByDeliveryMinuteInTheFileName) {
  ScanFilter filter;
  filter.since = At("2024-05-02T13:00:00Z");
  // Delivered 12:05: every event in it is older than 12:06, far before --since.
  EXPECT_EQ(PruneKey(filter,
                     "AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/02/"
                     "111122223333_CloudTrail_us-east-1_20240502T1205Z_abc.json.gz"),
            PruneReason::kTime);
  // Delivered 12:50: within the clock slack, kept.
  EXPECT_EQ(PruneKey(filter,
                     "AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/02/"
                     "111122223333_CloudTrail_us-east-1_20240502T1250Z_abc.json.gz"),
            PruneReason::kKept);
  ScanFilter until;
  until.until = At("2024-05-01T00:00:00Z");
  EXPECT_EQ(PruneKey(until,
                     "AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/02/"
                     "111122223333_CloudTrail_us-east-1_20240502T0001Z_abc.json.gz"),
            PruneReason::kTime);
  EXPECT_EQ(PruneKey(until,
                     "AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/01/"
                     "111122223333_CloudTrail_us-east-1_20240501T2359Z_abc.json.gz"),
            PruneReason::kKept);
}

TEST(KeyPruning, ByAccountAndRegionIncludingOrgTrails) {
  ScanFilter filter;
  filter.accounts = {"111122223333"};
  filter.regions = {"eu-west-1"};
  EXPECT_EQ(PruneKey(filter, "AWSLogs/444455556666/CloudTrail/eu-west-1/2024/05/01/f.json.gz"),
            PruneReason::kAccount);
  EXPECT_EQ(PruneKey(filter, "AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/01/f.json.gz"),
            PruneReason::kRegion);
  EXPECT_EQ(PruneKey(filter,
                     "trail/AWSLogs/o-abcdefghij/111122223333/CloudTrail/eu-west-1/2024/"
                     "05/01/f.json.gz"),
            PruneReason::kKept);
  EXPECT_TRUE(filter.TimeWanted(At("1999-01-01T00:00:00Z")));  // no time bounds
}

}  // namespace
}  // namespace trailwatch::scan
