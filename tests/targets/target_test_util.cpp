#include "targets/target_test_util.h"

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

}  // namespace trailwatch::testing
