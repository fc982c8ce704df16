#include "targets/target_test_util.h"

#include <gtest/gtest.h>

#include "targets/sample_alert.h"

namespace trailwatch::testing {

outbox::Entry SampleOutboxEntry(const std::string& target, const std::string& event_id,
                                int64_t id) {
  outbox::Entry entry;
  entry.id = id;
  entry.alert = targets::SampleRootSignInAlert(event_id, "root-signin").value();
  entry.target = target;
  entry.idempotency_key = outbox::IdempotencyKey(target, entry.alert);
  return entry;
}

route::Alert SampleRootSignIn(const std::string& event_id, const std::string& rule) {
  Result<route::Alert> alert = targets::SampleRootSignInAlert(event_id, rule);
  EXPECT_TRUE(alert.ok()) << alert.message();
  return alert.value();
}

std::unique_ptr<targets::Target> MakeTargetOrFail(const config::TargetConfig& config,
                                                  targets::TargetContext context) {
  auto target = targets::MakeTarget(config, context);
  EXPECT_TRUE(target.ok()) << target.message();
  if (!target.ok()) return nullptr;
  return std::move(target.value());
}

}  // namespace trailwatch::testing
