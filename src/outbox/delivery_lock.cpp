#include "outbox/delivery_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/store_address.h"

namespace trailwatch::outbox {

Result<std::unique_ptr<DeliveryLock>> DeliveryLock::TryAcquire(const std::string& store_path) {
  if (IsPostgresUri(store_path)) return std::unique_ptr<DeliveryLock>(new DeliveryLock(-1));
  std::string path = store_path + ".deliver-lock";
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Error{path + ": " + std::strerror(errno)};
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int error = errno;
    close(fd);
    if (error == EWOULDBLOCK) {
      return Error{store_path + ": another trailwatch process is delivering from this store"};
    }
    return Error{path + ": " + std::strerror(error)};
  }
  return std::unique_ptr<DeliveryLock>(new DeliveryLock(fd));
}

DeliveryLock::~DeliveryLock() {
  if (fd_ >= 0) close(fd_);
}

}  // namespace trailwatch::outbox
