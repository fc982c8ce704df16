// ConnectionLimiter: counts the server's open connections, in total and per client address, and
// refuses a new one beyond max_connections or max_connections_per_client. A granted connection
// holds a ConnectionSlot; the slot gives its place back when destroyed.
//
// The per-address table holds only addresses with an open connection, so it is bounded by
// max_connections.
//
// Thread-safety: TryAcquire and slot destruction may run on any thread.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

namespace trailwatch::server {

class ConnectionLimiter;

class ConnectionSlot {
 public:
  ConnectionSlot() = default;
  ConnectionSlot(ConnectionLimiter* limiter, std::string address)
      : limiter_(limiter), address_(std::move(address)) {}
  ConnectionSlot(ConnectionSlot&& other) noexcept
      : limiter_(std::exchange(other.limiter_, nullptr)), address_(std::move(other.address_)) {}
  ConnectionSlot& operator=(ConnectionSlot&& other) noexcept;
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;
  ~ConnectionSlot();

  bool granted() const { return limiter_ != nullptr; }

 private:
  ConnectionLimiter* limiter_ = nullptr;
  std::string address_;
};

class ConnectionLimiter {
 public:
  enum class Refusal { kNone, kTotal, kPerClient };

  ConnectionLimiter(size_t max_total, size_t max_per_client)
      : max_total_(max_total), max_per_client_(max_per_client) {}

  // A granted slot, or an empty one and *refusal saying which limit was reached.
  ConnectionSlot TryAcquire(const std::string& address, Refusal* refusal);

  size_t open() const;

 private:
  friend class ConnectionSlot;
  void Release(const std::string& address);

  const size_t max_total_;
  const size_t max_per_client_;
  mutable std::mutex mutex_;
  size_t open_ = 0;
  std::unordered_map<std::string, size_t> per_client_;
};

}  // namespace trailwatch::server
