// GuardedSink: passes batches on until told to refuse them, then fails them with the reason
// without reaching the inner sink; Accept lets them through again.
#include "service/guarded_sink.h"

#include <gtest/gtest.h>

#include "sources/source_test_util.h"

namespace trailwatch::service {
namespace {

TEST(GuardedSinkTest, RefusesWithTheReasonUntilAcceptedAgain) {
  sources::testing::RecordingSink inner;
  GuardedSink sink(&inner);
  envelope::SourceEvent event;
  event.envelope.id = "1";
  event.envelope.json = R"({"id":"1"})";
  event.origin = "test";
  const std::vector<envelope::SourceEvent> events = {event};
  ASSERT_TRUE(sink.Submit("src", events).ok());
  EXPECT_EQ(inner.size(), 1u);

  sink.Refuse("the store file ./tw.db was deleted while trailwatch runs");
  Status refused = sink.Submit("src", events);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.message(),
            "events refused: the store file ./tw.db was deleted while trailwatch runs");
  EXPECT_EQ(inner.submit_calls.load(), 1) << "a refused batch never reaches the pipeline";

  sink.Accept();
  ASSERT_TRUE(sink.Submit("src", events).ok());
  EXPECT_EQ(inner.size(), 2u);
}

}  // namespace
}  // namespace trailwatch::service
