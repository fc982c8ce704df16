#include "store/store_watch.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

namespace trailwatch::store {
namespace {

// errno of a failed stat, 0 on success.
int Identify(const std::string& path, FileIdentity* identity) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return errno;
  identity->device = static_cast<uint64_t>(info.st_dev);
  identity->inode = static_cast<uint64_t>(info.st_ino);
  return 0;
}

}  // namespace

Result<StoreWatch> StoreWatch::Begin(const std::string& path) {
  FileIdentity identity;
  if (int error = Identify(path, &identity); error != 0) {
    return Error{path + ": cannot identify the store file: " + std::strerror(error)};
  }
  return StoreWatch(path, identity);
}

std::string StoreWatch::Check() const {
  FileIdentity now;
  int error = Identify(path_, &now);
  if (error == ENOENT) return "the store file " + path_ + " was deleted while trailwatch runs";
  if (error != 0) {
    return "the store file " + path_ + " cannot be checked (" + std::strerror(error) + ")";
  }
  if (now != opened_) {
    return "the store file " + path_ + " was replaced by another file while trailwatch runs";
  }
  return "";
}

}  // namespace trailwatch::store
