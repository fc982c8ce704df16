// ConfigFieldReader (config_fields.h): the field readers the section loaders share. Moved here from
// targets_config.cpp so that the `sources` loader reports errors exactly like `targets` does.
#include "config/config_fields.h"

#include <algorithm>
#include <charconv>
#include <set>
#include <utility>

#include "config/config_paths.h"
#include "config/regular_file.h"
#include "server/listen_address.h"

namespace trailwatch::config {

Result<YAML::Node> LoadYamlFile(const std::string& path) {
  // An ordinary file of bounded size: `--config /dev/zero` fails at once instead of filling memory.
  Result<std::string> text = ReadRegularFile(path, kMaxConfigFileBytes);
  if (!text.ok()) return text.error();
  try {
    return YAML::Load(*text);
  } catch (const YAML::Exception& e) {
    return Error{path + ":" + std::to_string(e.mark.line + 1) + ":" +
                 std::to_string(e.mark.column + 1) + ": not valid YAML (" + e.msg + ")"};
  }
}

std::string QuoteForMessage(const std::string& text) {
  std::string out = "\"";
  size_t n = 0;
  for (unsigned char c : text) {
    if (++n > 64) {
      out.append("...");
      break;
    }
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20 || c >= 0x7f) {
      static const char kHex[] = "0123456789abcdef";
      out.append("\\x");
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  out.push_back('"');
  return out;
}

std::string JoinNames(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out.append(", ");
    out.append(item);
  }
  return out;
}

bool IsQuotedScalar(const YAML::Node& node) { return node.Tag() == "!"; }

std::string ConfigFieldReader::At(const YAML::Node& node) const {
  YAML::Mark mark = node.Mark();
  if (mark.line < 0) return path_;
  return path_ + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

Error ConfigFieldReader::Fail(const YAML::Node& node, const std::string& where,
                              const std::string& what) const {
  return Error{At(node) + ": " + where + ": " + what};
}

Status ConfigFieldReader::Entries(const YAML::Node& map, const std::string& where,
                                  std::vector<ConfigEntry>* out) const {
  std::set<std::string> seen;
  for (const auto& item : map) {
    if (!item.first.IsScalar()) return Fail(item.first, where, "keys must be plain names");
    const std::string& key = item.first.Scalar();
    if (!seen.insert(key).second) {
      return Fail(item.first, where, "duplicate key " + QuoteForMessage(key));
    }
    out->push_back(ConfigEntry{key, item.first, item.second});
  }
  return Status::Ok();
}

Result<std::string> ConfigFieldReader::Text(const ConfigEntry& entry,
                                            const std::string& where) const {
  if (!entry.value.IsScalar() || (entry.value.Scalar().empty() && !IsQuotedScalar(entry.value))) {
    return Fail(entry.value.IsDefined() && !entry.value.IsNull() ? entry.value : entry.key_node,
                where, entry.key + " must be a single value");
  }
  return entry.value.Scalar();
}

Result<std::string> ConfigFieldReader::Resolved(const ConfigEntry& entry, const std::string& where,
                                                bool* secret) const {
  Result<std::string> text = Text(entry, where);
  if (!text.ok()) return text;
  *secret = HasReferences(*text);
  Result<std::string> value = SubstituteReferences(*text, environment_, path_);
  if (!value.ok()) return Fail(entry.value, where, entry.key + ": " + value.message());
  return value;
}

Result<std::string> ConfigFieldReader::FilePath(const ConfigEntry& entry,
                                                const std::string& where) const {
  bool secret = false;
  Result<std::string> value = Resolved(entry, where, &secret);
  if (!value.ok()) return value;
  return ResolveConfigPath(path_, *value);
}

Result<std::string> ConfigFieldReader::ListenAddress(const ConfigEntry& entry,
                                                     const std::string& where) const {
  bool from_reference = false;
  Result<std::string> listen = Resolved(entry, where, &from_reference);
  if (!listen.ok()) return listen;
  auto parsed = server::ParseListenAddress(*listen);
  if (!parsed.ok()) {
    std::string what = "listen ";
    what.append(ShownValue(entry, *listen)).append(" ").append(parsed.message());
    return Fail(entry.value, where, what);
  }
  return listen;
}

std::string ConfigFieldReader::ShownValue(const ConfigEntry& entry,
                                          const std::string& value) const {
  if (entry.value.IsDefined() && entry.value.IsScalar() && HasReferences(entry.value.Scalar())) {
    return "the value of " + QuoteForMessage(entry.value.Scalar());
  }
  return QuoteForMessage(value);
}

std::string ConfigFieldReader::WrittenIfReference(const ConfigEntry& entry,
                                                  const std::string& value) {
  const YAML::Node& node = entry.value;
  if (node.IsDefined() && node.IsScalar() && HasReferences(node.Scalar())) return node.Scalar();
  return value;
}

Result<Secret> ConfigFieldReader::SecretValue(const ConfigEntry& entry,
                                              const std::string& where) const {
  bool from_reference = false;
  Result<std::string> value = Resolved(entry, where, &from_reference);
  if (!value.ok()) return value.error();
  if (value->empty()) return Fail(entry.value, where, entry.key + " is empty");
  for (char c : *value) {
    if (c == '\r' || c == '\n' || c == '\0') {
      return Fail(entry.value, where, entry.key + " contains a line break or NUL");
    }
  }
  return Secret(std::move(*value));
}

Result<Secret> ConfigFieldReader::UrlValue(const ConfigEntry& entry,
                                           const std::string& where) const {
  Result<Secret> url = SecretValue(entry, where);
  if (!url.ok()) return url;
  std::string reason = CheckTargetUrl(url->reveal());
  if (!reason.empty()) return Fail(entry.value, where, entry.key + ": " + reason);
  return url;
}

Result<long> ConfigFieldReader::Integer(const ConfigEntry& entry, const std::string& where,
                                        long min, long max) const {
  Result<std::string> text = Text(entry, where);
  if (!text.ok()) return text.error();
  long value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size() || IsQuotedScalar(entry.value)) {
    return Fail(entry.value, where,
                entry.key + " must be a whole number, not " + QuoteForMessage(*text));
  }
  if (value < min || value > max) {
    return Fail(entry.value, where,
                entry.key + " must be between " + std::to_string(min) + " and " +
                    std::to_string(max) + ", not " + std::to_string(value));
  }
  return value;
}

Result<std::chrono::seconds> ConfigFieldReader::Duration(const ConfigEntry& entry,
                                                         const std::string& where,
                                                         std::chrono::seconds min,
                                                         std::chrono::seconds max) const {
  Result<std::string> text = Text(entry, where);
  if (!text.ok()) return text.error();
  std::optional<std::chrono::seconds> value = ParseDuration(*text);
  if (!value) {
    return Fail(entry.value, where,
                entry.key + " must be a duration like 10s, 15m, 24h or 1h30m, not " +
                    QuoteForMessage(*text));
  }
  if (*value < min || *value > max) {
    return Fail(entry.value, where,
                entry.key + " must be between " + std::to_string(min.count()) + "s and " +
                    std::to_string(max.count()) + "s, not " + std::to_string(value->count()) + "s");
  }
  return *value;
}

Result<bool> ConfigFieldReader::Boolean(const ConfigEntry& entry, const std::string& where) const {
  Result<std::string> text = Text(entry, where);
  if (!text.ok()) return text.error();
  if (!IsQuotedScalar(entry.value)) {
    if (*text == "true" || *text == "True" || *text == "TRUE") return true;
    if (*text == "false" || *text == "False" || *text == "FALSE") return false;
  }
  return Fail(entry.value, where,
              entry.key + " must be true or false, not " + QuoteForMessage(*text));
}

Result<std::vector<std::string>> ConfigFieldReader::TextList(const ConfigEntry& entry,
                                                             const std::string& where) const {
  if (entry.value.IsNull()) return std::vector<std::string>{};
  if (!entry.value.IsSequence()) {
    return Fail(entry.value, where, entry.key + " must be a list, like [a, b]");
  }
  std::vector<std::string> out;
  size_t index = 0;
  for (const YAML::Node& item : entry.value) {
    ConfigEntry element{entry.key + "[" + std::to_string(index) + "]", item, item};
    Result<std::string> text = Text(element, where);
    if (!text.ok()) return text.error();
    if (text->empty()) return Fail(item, where, element.key + " is empty");
    out.push_back(std::move(*text));
    ++index;
  }
  return out;
}

}  // namespace trailwatch::config
