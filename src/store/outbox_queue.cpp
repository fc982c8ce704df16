// The backend-independent helpers of OutboxQueue (outbox_queue.h).
#include "store/outbox_queue.h"

namespace trailwatch::store {

std::string ClipStoredText(const std::string& text) {
  if (text.size() <= kMaxStoredText) return text;
  std::string clipped = text.substr(0, kMaxStoredText);
  clipped.append("…");
  return clipped;
}

std::string ExpiredReason(const QueueRow& row, int64_t now_ms, int64_t max_age_ms) {
  std::string why = "expired: queued " + std::to_string((now_ms - row.queued_at) / 1000) +
                    " s ago, older than max_age (" + std::to_string(max_age_ms / 1000) + " s); ";
  if (row.attempts == 0) {
    why.append("never sent");
  } else {
    why.append("not sent again after ");
    why.append(std::to_string(row.attempts));
    why.append(" attempts; last error: ");
    why.append(row.last_error);
  }
  return ClipStoredText(why);
}

void AddStateCount(QueueStats* stats, int64_t state, int64_t count) {
  switch (static_cast<QueueState>(state)) {
    case QueueState::kPending:
      stats->pending = count;
      break;
    case QueueState::kInFlight:
      stats->in_flight = count;
      break;
    case QueueState::kDelivered:
      stats->delivered = count;
      break;
    case QueueState::kDead:
      stats->dead = count;
      break;
  }
}

}  // namespace trailwatch::store
