// The random numbers and text shared by the log generator and the benchmark corpora
// (loggen/random_text.h). Every generated corpus depends on exactly how these consume random
// numbers, so known values are pinned: splitmix64's published outputs for seed 0, and UUIDs, ids
// and seeds as the generator drew them before the helpers were shared (issue 11).
#include "loggen/random_text.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "cloudtrail/uuid.h"

namespace trailwatch::loggen {
namespace {

TEST(LoggenRandom, IsSplitmix64) {
  Random r(0);
  EXPECT_EQ(r.Next(), 0xE220A8397B1DCDAFull);
  EXPECT_EQ(r.Next(), 0x6E789E6AA1B965F4ull);
  EXPECT_EQ(r.Next(), 0x06C45D188009454Full);
}

TEST(LoggenRandom, RangesStayInBounds) {
  Random r(5);
  for (int i = 0; i < 10000; ++i) {
    EXPECT_LT(r.Below(7), 7u);
    uint32_t between = r.Between(3, 5);
    EXPECT_GE(between, 3u);
    EXPECT_LE(between, 5u);
    double uniform = r.Uniform();
    EXPECT_GE(uniform, 0.0);
    EXPECT_LT(uniform, 1.0);
    double scaled = r.Uniform(-2.0, 2.0);
    EXPECT_GE(scaled, -2.0);
    EXPECT_LT(scaled, 2.0);
  }
}

TEST(LoggenRandom, PinnedUuidsSeedsAndIds) {
  Random r(1);
  EXPECT_EQ(Uuid(r), "17eb9055-861e-40a8-b31e-86cdcf75b7a4");
  std::string appended = "id=";
  AppendUuid(r, &appended);
  EXPECT_EQ(appended, "id=adc7c518-c673-4218-a63a-4580fffc224f");
  EXPECT_EQ(DeriveSeed(42, 3, 7), 13642533445390761369ull);
  Random c(7);
  std::string key;
  AppendChars(c, kBase32, 20, &key);
  EXPECT_EQ(key, "X4CL2RW6BJLMOQGYPHVY");
}

TEST(LoggenRandom, UuidsAreVersion4AndDistinct) {
  Random r(99);
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string uuid = Uuid(r);
    auto parsed = cloudtrail::Uuid::Parse(uuid);
    ASSERT_TRUE(parsed.has_value()) << uuid;
    EXPECT_EQ(parsed->ToString(), uuid) << "canonical lower-case form";
    EXPECT_EQ(uuid[14], '4') << uuid;
    EXPECT_NE(std::string("89ab").find(uuid[19]), std::string::npos) << uuid;
    seen.insert(uuid);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(LoggenText, NumbersAndTimes) {
  std::string out;
  AppendUint(&out, 0);
  out.push_back(' ');
  AppendUint(&out, 18446744073709551615ull);
  out.push_back(' ');
  AppendPadded(&out, 7, 3);
  out.push_back(' ');
  AppendPadded(&out, 12345, 2);
  EXPECT_EQ(out, "0 18446744073709551615 007 12345");

  std::string time;
  AppendTime(0, &time);
  EXPECT_EQ(time, "1970-01-01T00:00:00Z");
  time.clear();
  AppendTime(1709251199, &time);  // the last second of a leap day
  EXPECT_EQ(time, "2024-02-29T23:59:59Z");
  time.clear();
  AppendTime(1714521600, &time);
  EXPECT_EQ(time, "2024-05-01T00:00:00Z");

  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(2024, 3, 1) - DaysFromCivil(2024, 2, 28), 2);
  CivilDate date = CivilFromDays(DaysFromCivil(2000, 2, 29));
  EXPECT_EQ(date.year, 2000);
  EXPECT_EQ(date.month, 2);
  EXPECT_EQ(date.day, 29);
}

}  // namespace
}  // namespace trailwatch::loggen
