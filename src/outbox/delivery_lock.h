// DeliveryLock: at most one delivering process per outbox store.
//
// Two deliverers on one store would each run RecoverInFlight at start-up and could re-send the
// other's in-flight entries. The lock is an flock(2) on "<store>.deliver-lock"; the kernel drops it
// when the process dies, so a SIGKILLed deliverer never leaves a stale lock behind.
//
// A shared PostgreSQL store (issue 14) takes no lock: there, many replicas deliver at once, and
// each channel is delivered by the one replica holding its lease (store/pg_outbox_queue.h), which
// never re-sends another live replica's in-flight entries. TryAcquire then returns a handle that
// holds nothing.
//
// Thread-safety: a plain RAII handle.
#pragma once

#include <memory>
#include <string>

#include "common/result.h"

namespace trailwatch::outbox {

class DeliveryLock {
 public:
  // Fails (without waiting) when another process holds the lock.
  static Result<std::unique_ptr<DeliveryLock>> TryAcquire(const std::string& store_path);
  ~DeliveryLock();
  DeliveryLock(const DeliveryLock&) = delete;
  DeliveryLock& operator=(const DeliveryLock&) = delete;

 private:
  explicit DeliveryLock(int fd) : fd_(fd) {}
  int fd_;  // -1: a shared store's handle, holding nothing
};

}  // namespace trailwatch::outbox
