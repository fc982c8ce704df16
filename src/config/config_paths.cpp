#include "config/config_paths.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace trailwatch::config {

std::string ResolveConfigPath(const std::string& config_path, const std::string& path) {
  std::filesystem::path written(path);
  if (path.empty() || written.is_absolute()) return path;
  std::filesystem::path joined = std::filesystem::path(config_path).parent_path() / written;
  std::error_code error;
  std::filesystem::path absolute = std::filesystem::absolute(joined, error);
  // Without a working directory (deleted under us) the joined path is still right relative to it.
  if (error) return joined.lexically_normal().string();
  return absolute.lexically_normal().string();
}

Status CheckReadableFolder(const std::string& path) {
  struct stat status {};
  if (stat(path.c_str(), &status) != 0) {
    int error = errno;
    if (error == ENOENT || error == ENOTDIR) return Error{"folder " + path + " does not exist"};
    return Error{"folder " + path + " cannot be reached (" + std::strerror(error) + ")"};
  }
  if (!S_ISDIR(status.st_mode)) return Error{path + " is not a folder"};
  if (access(path.c_str(), R_OK | X_OK) != 0) {
    int error = errno;
    return Error{"folder " + path + " is not readable (" + std::strerror(error) + ")"};
  }
  return Status::Ok();
}

}  // namespace trailwatch::config
