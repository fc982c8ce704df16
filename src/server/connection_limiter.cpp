#include "server/connection_limiter.h"

namespace trailwatch::server {

ConnectionSlot& ConnectionSlot::operator=(ConnectionSlot&& other) noexcept {
  if (this != &other) {
    if (limiter_ != nullptr) limiter_->Release(address_);
    limiter_ = std::exchange(other.limiter_, nullptr);
    address_ = std::move(other.address_);
  }
  return *this;
}

ConnectionSlot::~ConnectionSlot() {
  if (limiter_ != nullptr) limiter_->Release(address_);
}

ConnectionSlot ConnectionLimiter::TryAcquire(const std::string& address, Refusal* refusal) {
  std::lock_guard lock(mutex_);
  if (open_ >= max_total_) {
    *refusal = Refusal::kTotal;
    return {};
  }
  size_t& mine = per_client_[address];
  if (mine >= max_per_client_) {
    if (mine == 0) per_client_.erase(address);
    *refusal = Refusal::kPerClient;
    return {};
  }
  ++mine;
  ++open_;
  *refusal = Refusal::kNone;
  return ConnectionSlot(this, address);
}

size_t ConnectionLimiter::open() const {
  std::lock_guard lock(mutex_);
  return open_;
}

void ConnectionLimiter::Release(const std::string& address) {
  std::lock_guard lock(mutex_);
  --open_;
  auto it = per_client_.find(address);
  if (it != per_client_.end() && --it->second == 0) per_client_.erase(it);
}

}  // namespace trailwatch::server
