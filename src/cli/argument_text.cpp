#include "cli/argument_text.h"

#include <string_view>

#include "config/regular_file.h"

namespace trailwatch::cli {

namespace {
constexpr std::string_view kFilePrefix = "file://";
}  // namespace

std::string ArgumentFilePath(const std::string& value) {
  if (!value.starts_with(kFilePrefix)) return value;
  return value.substr(kFilePrefix.size());
}

CLI::Option* AcceptFileUrl(CLI::Option* option) {
  return option->transform([](std::string value) { return ArgumentFilePath(value); });
}

Result<std::string> ReadArgumentText(const std::string& value, const std::string& option) {
  if (!value.starts_with(kFilePrefix)) return value;
  std::string path = value.substr(kFilePrefix.size());
  if (path.empty()) return Error{option + ": file:// needs a path, like file://pattern.json"};
  Result<std::string> content = config::ReadRegularFile(path, kMaxArgumentFileBytes);
  if (!content.ok()) return Error{option + ": cannot read " + content.message()};
  return content;
}

}  // namespace trailwatch::cli
