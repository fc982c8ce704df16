// Tests for UUID parsing/formatting and UUIDv5 (cloudtrail/uuid.h).
#include "cloudtrail/uuid.h"

#include <gtest/gtest.h>

namespace trailwatch::cloudtrail {
namespace {

TEST(UuidTest, ParseAndFormatRoundTrip) {
  auto uuid = Uuid::Parse("C1F1E4FF-8e19-482f-9b6e-5b65860592b7");
  ASSERT_TRUE(uuid.has_value());
  EXPECT_EQ(uuid->ToString(), "c1f1e4ff-8e19-482f-9b6e-5b65860592b7");
  EXPECT_EQ(*uuid, kEnvelopeIdNamespace);
}

TEST(UuidTest, ParseRejectsMalformedText) {
  EXPECT_FALSE(Uuid::Parse("").has_value());
  EXPECT_FALSE(Uuid::Parse("c1f1e4ff8e19-482f-9b6e-5b65860592b7x").has_value());
  EXPECT_FALSE(Uuid::Parse("c1f1e4ff-8e19-482f-9b6e-5b65860592bg").has_value());
  EXPECT_FALSE(Uuid::Parse("c1f1e4ff-8e19-482f-9b6e-5b65860592b").has_value());
}

// RFC 4122 Appendix B style vector, cross-checked with Python's uuid.uuid5(NAMESPACE_DNS, ...).
TEST(UuidTest, V5MatchesPythonForDnsNamespace) {
  auto ns = Uuid::Parse("6ba7b810-9dad-11d1-80b4-00c04fd430c8");
  ASSERT_TRUE(ns.has_value());
  auto id = UuidV5(*ns, "python.org");
  ASSERT_TRUE(id.ok()) << id.message();
  EXPECT_EQ(id->ToString(), "886313e1-3b8a-5372-9b90-0c9aee199e5d");
}

// docs/reference/formats.md §3.4 worked example.
TEST(UuidTest, V5OfEventIdInProjectNamespace) {
  auto id = UuidV5(kEnvelopeIdNamespace, "deb1e1f9-c99b-4612-8e9f-21f93b5d79c0");
  ASSERT_TRUE(id.ok()) << id.message();
  EXPECT_EQ(id->ToString(), "e9412cf2-bed5-5133-90d8-95d65a6da132");
}

}  // namespace
}  // namespace trailwatch::cloudtrail
