#include "cli/argument_text.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace trailwatch::cli {

Result<std::string> ReadArgumentText(const std::string& value, const std::string& option) {
  static constexpr std::string_view kFilePrefix = "file://";
  if (value.compare(0, kFilePrefix.size(), kFilePrefix) != 0) return value;
  std::string path = value.substr(kFilePrefix.size());
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{option + ": cannot read " + path + ": " + std::strerror(errno)};
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

}  // namespace trailwatch::cli
