// `${env:NAME}` and `${file:PATH}` references in configuration values.
//
// A reference is replaced by the variable's value or by the file's contents with one trailing
// newline removed (files written by `echo` or by secret managers end with one; a token with a
// newline in it would be sent as a broken header). `$${` writes a literal `${`. A ${file:} must be
// an ordinary file of at most 1 MiB (config/regular_file.h: no devices, FIFOs, /proc or /sys); a
// relative PATH is beside the configuration file (config/config_paths.h).
// Error messages name the reference, never what it resolved to: the value is usually a secret.
#include <cstdlib>
#include <ostream>
#include <string>

#include "config/config_paths.h"
#include "config/regular_file.h"
#include "config/targets_config.h"

namespace trailwatch::config {

namespace {

// A secret file larger than this is almost certainly the wrong file (a log, a binary).
constexpr size_t kMaxSecretFileBytes = 1 << 20;

std::optional<std::string> ProcessEnvironment(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

bool IsEnvironmentName(const std::string& name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
    bool digit = c >= '0' && c <= '9';
    if (!letter && !(digit && i > 0)) return false;
  }
  return true;
}

Result<std::string> ReadSecretFile(const std::string& path, const std::string& reference) {
  // Only an ordinary file (not a device, FIFO, /proc or /sys file), read up to the limit: the
  // error names the reference, never the content.
  Result<std::string> contents = ReadRegularFile(path, kMaxSecretFileBytes, reference);
  if (!contents.ok()) return contents;
  if (!contents->empty() && contents->back() == '\n') {
    contents->pop_back();
    if (!contents->empty() && contents->back() == '\r') contents->pop_back();
  }
  return contents;
}

}  // namespace

std::ostream& operator<<(std::ostream& out, const Secret&) { return out << Secret::Redacted(); }

bool HasReferences(const std::string& text) { return text.find("${") != std::string::npos; }

Result<std::string> SubstituteReferences(const std::string& text, EnvironmentLookup environment,
                                         const std::string& config_path) {
  if (environment == nullptr) environment = &ProcessEnvironment;
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, 3, "$${") == 0) {
      out.append("${");
      i += 3;
      continue;
    }
    if (text.compare(i, 2, "${") != 0) {
      out.push_back(text[i++]);
      continue;
    }
    size_t close = text.find('}', i + 2);
    if (close == std::string::npos) {
      // Not quoted: what follows an unterminated "${" may be a literal secret.
      return Error{"unterminated reference at character " + std::to_string(i + 1) +
                   " (\"${\" without \"}\")"};
    }
    std::string reference = text.substr(i, close + 1 - i);
    std::string body = text.substr(i + 2, close - i - 2);
    if (body.rfind("env:", 0) == 0) {
      std::string name = body.substr(4);
      if (!IsEnvironmentName(name)) {
        return Error{reference + ": not an environment variable name"};
      }
      std::optional<std::string> value = environment(name);
      if (!value) return Error{reference + ": environment variable " + name + " is not set"};
      out.append(*value);
    } else if (body.rfind("file:", 0) == 0) {
      std::string path = body.substr(5);
      if (path.empty()) return Error{reference + ": empty file path"};
      if (!config_path.empty()) path = ResolveConfigPath(config_path, path);
      Result<std::string> contents = ReadSecretFile(path, reference);
      if (!contents.ok()) return contents.error();
      out.append(*contents);
    } else {
      return Error{reference +
                   ": unknown reference (use ${env:NAME} or ${file:PATH}; $${ for a "
                   "literal ${)"};
    }
    i = close + 1;
  }
  return out;
}

}  // namespace trailwatch::config
