#include "common/result.h"

#include <gtest/gtest.h>

namespace trailwatch {
namespace {

TEST(ResultTest, HoldsValueOrError) {
  Result<int> good = 7;
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 7);
  Result<int> bad = Error{"events.json:3: not JSON"};
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.message(), "events.json:3: not JSON");
}

TEST(ResultTest, StringValueIsNotAnError) {
  Result<std::string> text = std::string("ok");
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "ok");
}

TEST(StatusTest, DefaultIsOk) {
  EXPECT_TRUE(Status().ok());
  Status failed = Error{"boom"};
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(failed.message(), "boom");
}

}  // namespace
}  // namespace trailwatch
