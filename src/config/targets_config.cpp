// Loader for the `store`, `accounts` and `targets` sections (see targets_config.h and
// docs/configuration.md).
//
// Every error starts with `file:line:column: <section path>: ` and names the key. Values of keys
// that hold secrets (webhook_url, token, url, headers, hmac_secret) and any value that came from a
// ${...} reference are never quoted in an error: a typo in a Slack webhook URL must not end up in
// a terminal scroll-back or a CI log.
#include "config/targets_config.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <set>
#include <utility>

#include "common/loopback_host.h"
#include "config/config_fields.h"

namespace trailwatch::config {

namespace {

constexpr size_t kMaxInputPaths = 100;           // EventBridge InputPathsMap limit
constexpr size_t kMaxInputTemplateBytes = 8192;  // EventBridge InputTemplate limit

const char* const kReservedVariables[] = {"aws.events.rule-name", "aws.events.rule-arn",
                                          "aws.events.event", "aws.events.event.json",
                                          "aws.events.event.ingestion-time"};

bool AllDigits(const std::string& text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.';
}

// RFC 7230 token characters, for header names.
bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// Loads one config file's three sections; keeps the path and environment for messages.
class TargetsLoader : private ConfigFieldReader {
 public:
  TargetsLoader(const std::string& path, EnvironmentLookup environment)
      : ConfigFieldReader(path, environment) {}

  Result<TargetsConfig> Load(const YAML::Node& root);

 private:
  using Entry = ConfigEntry;

  Status LoadStore(const YAML::Node& node, TargetsConfig* config) const;
  Status LoadAccounts(const YAML::Node& node, TargetsConfig* config) const;
  Status LoadTarget(const YAML::Node& node, size_t index, TargetConfig* target) const;
  Status LoadHeaders(const Entry& entry, const std::string& where, TargetConfig* target) const;
  Status LoadInputTransformer(const Entry& entry, const std::string& where,
                              TargetConfig* target) const;
};

Status TargetsLoader::LoadStore(const YAML::Node& node, TargetsConfig* config) const {
  Entry entry{"store", node, node};
  if (node.IsMap()) {
    // store: {dsn: ..., lease: 15s} — the shared PostgreSQL store of replicas (issue 14), written
    // as a mapping so that the DSN can come from a reference and the lease be tuned.
    std::vector<Entry> entries;
    if (Status s = Entries(node, "store", &entries); !s.ok()) return s;
    bool has_dsn = false;
    for (const Entry& field : entries) {
      if (field.key == "dsn") {
        bool secret = false;
        Result<std::string> dsn = Resolved(field, "store.dsn", &secret);
        if (!dsn.ok()) return dsn.error();
        if (!IsPostgresUri(*dsn)) {
          return Fail(field.value, "store.dsn",
                      "must be a postgresql:// URI (postgresql://USER@HOST:PORT/DATABASE); a "
                      "SQLite store is written as store: PATH");
        }
        config->store = std::move(*dsn);
        has_dsn = true;
      } else if (field.key == "lease") {
        auto lease = Duration(field, "store.lease", std::chrono::seconds(3),
                              std::chrono::seconds(600));
        if (!lease.ok()) return lease.error();
        config->store_lease = *lease;
      } else {
        return Fail(field.key_node, "store",
                    "unknown key " + QuoteForMessage(field.key) + " (dsn, lease)");
      }
    }
    if (!has_dsn) return Fail(node, "store", "the mapping form needs dsn: postgresql://...");
    return Status::Ok();
  }
  if (node.IsScalar()) {
    // A postgresql:// URI is not a path: it is neither made relative to the configuration's
    // folder nor checked as a file.
    bool secret = false;
    Result<std::string> text = Resolved(entry, "store", &secret);
    if (!text.ok()) return text.error();
    if (IsPostgresUri(*text)) {
      config->store = std::move(*text);
      return Status::Ok();
    }
  }
  // A relative store is beside the configuration file (config/config_paths.h); the default,
  // when the file names none, stays in the working directory.
  Result<std::string> value = FilePath(entry, "store");
  if (!value.ok()) return value.error();
  if (value->empty()) return Fail(node, "store", "the store path is empty");
  config->store = std::move(*value);
  return Status::Ok();
}

Status TargetsLoader::LoadAccounts(const YAML::Node& node, TargetsConfig* config) const {
  if (node.IsNull()) return Status::Ok();
  if (!node.IsMap()) {
    return Fail(node, "accounts", "must be a mapping of account id to alias");
  }
  std::vector<Entry> entries;
  if (Status s = Entries(node, "accounts", &entries); !s.ok()) return s;
  for (const Entry& entry : entries) {
    const std::string& id = entry.key;
    std::string where = "accounts[" + QuoteForMessage(id) + "]";
    if (!IsQuotedScalar(entry.key_node) && AllDigits(id) && (id.size() != 12 || id[0] == '0')) {
      // Unquoted, YAML tools read the key as a number: leading zeros are lost (or, with a
      // leading 0, it is read as octal by YAML 1.1 readers). Ask for the safe spelling.
      return Fail(entry.key_node, "accounts",
                  "account id " + id + " is not written as 12 digits; quote account ids (\"" +
                      std::string(id.size() < 12 ? 12 - id.size() : 0, '0') + id +
                      "\") so that leading zeros are kept");
    }
    if (id.size() != 12 || !AllDigits(id)) {
      return Fail(
          entry.key_node, "accounts",
          "account id " + QuoteForMessage(id) + " must be 12 digits, like \"111122223333\"");
    }
    Result<std::string> alias = Text(entry, where);
    if (!alias.ok()) return alias.error();
    if (alias->empty()) return Fail(entry.value, where, "the alias is empty");
    config->accounts[id] = std::move(*alias);
  }
  return Status::Ok();
}

Status TargetsLoader::LoadHeaders(const Entry& entry, const std::string& where,
                                  TargetConfig* target) const {
  if (!entry.value.IsMap()) return Fail(entry.value, where, "headers must be a mapping");
  std::vector<Entry> headers;
  if (Status s = Entries(entry.value, where + " headers", &headers); !s.ok()) return s;
  for (const Entry& header : headers) {
    const std::string& name = header.key;
    if (name.empty() || !std::all_of(name.begin(), name.end(), IsTokenChar)) {
      return Fail(header.key_node, where,
                  "header name " + QuoteForMessage(name) + " is not a valid name");
    }
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == "content-type" || lower == "content-length" || lower == "host" ||
        lower == "transfer-encoding" || lower == "x-trailwatch-signature" ||
        lower == "x-trailwatch-timestamp" || lower == "idempotency-key" ||
        lower == "user-agent") {
      return Fail(header.key_node, where, "header " + name + " is set by trailwatch");
    }
    Entry keyed{"headers." + name, header.key_node, header.value};
    Result<Secret> value = SecretValue(keyed, where);
    if (!value.ok()) return value.error();
    target->headers[name] = std::move(*value);
  }
  return Status::Ok();
}

Status TargetsLoader::LoadInputTransformer(const Entry& entry, const std::string& where,
                                           TargetConfig* target) const {
  std::string here = where + " input_transformer";
  if (!entry.value.IsMap()) {
    return Fail(entry.value, where,
                "input_transformer must be a mapping with input_paths and "
                "input_template");
  }
  std::vector<Entry> entries;
  if (Status s = Entries(entry.value, here, &entries); !s.ok()) return s;
  InputTransformerConfig transformer;
  bool has_template = false;
  for (const Entry& item : entries) {
    if (item.key == "input_template") {
      Result<std::string> text = Text(item, here);
      if (!text.ok()) return text.error();
      if (text->empty()) return Fail(item.value, here, "input_template is empty");
      if (text->size() > kMaxInputTemplateBytes) {
        return Fail(item.value, here, "input_template is longer than 8192 bytes");
      }
      transformer.input_template = std::move(*text);
      has_template = true;
    } else if (item.key == "input_paths") {
      if (item.value.IsNull()) continue;
      if (!item.value.IsMap()) {
        return Fail(item.value, here, "input_paths must be a mapping of name to JSON path");
      }
      std::vector<Entry> paths;
      if (Status s = Entries(item.value, here + " input_paths", &paths); !s.ok()) return s;
      if (paths.size() > kMaxInputPaths) {
        return Fail(item.value, here, "input_paths has more than 100 entries");
      }
      for (const Entry& path : paths) {
        std::string name_where = here + " input_paths";
        if (path.key.empty() || !std::all_of(path.key.begin(), path.key.end(), IsNameChar)) {
          return Fail(
              path.key_node, name_where,
              "name " + QuoteForMessage(path.key) + " may use only letters, digits, _, - and .");
        }
        std::string lower = path.key;
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (lower.rfind("aws.", 0) == 0) {
          return Fail(
              path.key_node, name_where,
              "name " + QuoteForMessage(path.key) + " is reserved (names starting with aws.)");
        }
        Result<std::string> text = Text(path, name_where);
        if (!text.ok()) return text.error();
        Result<std::vector<InputPathStep>> steps = ParseInputPath(*text);
        if (!steps.ok()) return Fail(path.value, name_where, path.key + ": " + steps.message());
        transformer.input_paths[path.key] = std::move(*text);
      }
    } else {
      return Fail(
          item.key_node, here,
          "unknown key " + QuoteForMessage(item.key) + " (valid: input_paths, input_template)");
    }
  }
  if (!has_template) return Fail(entry.value, here, "input_template is required");
  // Every <name> placeholder must be defined (a typo would otherwise send a literal "<nmae>").
  const std::string& text = transformer.input_template;
  for (size_t open = text.find('<'); open != std::string::npos; open = text.find('<', open + 1)) {
    size_t end = open + 1;
    while (end < text.size() && IsNameChar(text[end])) ++end;
    if (end == open + 1 || end >= text.size() || text[end] != '>') continue;
    std::string name = text.substr(open + 1, end - open - 1);
    if (transformer.input_paths.count(name) != 0) continue;
    if (name == "aws.events.rule-arn") {
      return Fail(entry.value, here,
                  "input_template: <aws.events.rule-arn> is not available (trailwatch rules have "
                  "no ARN); use <aws.events.rule-name>");
    }
    if (std::find(std::begin(kReservedVariables), std::end(kReservedVariables), name) !=
        std::end(kReservedVariables)) {
      continue;
    }
    return Fail(entry.value, here,
                "input_template: placeholder <" + name + "> is not defined in input_paths");
  }
  target->input_transformer = std::move(transformer);
  return Status::Ok();
}

Status TargetsLoader::LoadTarget(const YAML::Node& node, size_t index, TargetConfig* target) const {
  std::string where = "targets[" + std::to_string(index) + "]";
  target->line = node.Mark().line + 1;
  if (!node.IsMap()) return Fail(node, where, "a target must be a mapping with name and type");
  std::vector<Entry> entries;
  if (Status s = Entries(node, where, &entries); !s.ok()) return s;
  auto find = [&](const std::string& key) -> const Entry* {
    for (const Entry& entry : entries) {
      if (entry.key == key) return &entry;
    }
    return nullptr;
  };

  const Entry* name = find("name");
  if (name == nullptr) return Fail(node, where, "missing key \"name\"");
  Result<std::string> name_text = Text(*name, where);
  if (!name_text.ok()) return name_text.error();
  if (name_text->empty() || name_text->size() > 64 ||
      !std::all_of(name_text->begin(), name_text->end(), IsNameChar)) {
    return Fail(name->value, where,
                "name " + QuoteForMessage(*name_text) +
                    " must be 1-64 letters, digits, '_', '-' or '.' (it appears in the outbox and "
                    "in `send-test --target`)");
  }
  target->name = *name_text;
  where += " (" + target->name + ")";

  const Entry* type = find("type");
  if (type == nullptr)
    return Fail(node, where, "missing key \"type\" (slack, teams, webhook, stdout)");
  Result<std::string> type_text = Text(*type, where);
  if (!type_text.ok()) return type_text.error();
  std::vector<std::string> allowed = {
      "name",  "type",    "input_transformer", "max_concurrency", "rate_per_second",
      "burst", "timeout", "max_attempts",      "max_age",         "group_rules"};
  if (*type_text == "slack") {
    target->type = TargetConfig::Type::kSlack;
    allowed.insert(allowed.end(), {"webhook_url", "token", "channel", "thread_window"});
  } else if (*type_text == "teams") {
    target->type = TargetConfig::Type::kTeams;
    allowed.insert(allowed.end(), {"webhook_url"});
  } else if (*type_text == "webhook") {
    target->type = TargetConfig::Type::kWebhook;
    allowed.insert(allowed.end(), {"url", "headers", "hmac_secret"});
  } else if (*type_text == "stdout") {
    target->type = TargetConfig::Type::kStdout;
  } else {
    return Fail(type->value, where,
                "unknown type " + QuoteForMessage(*type_text) + " (slack, teams, webhook, stdout)");
  }

  static const std::set<std::string> kTypeSpecific = {
      "webhook_url", "token", "channel", "thread_window", "url", "headers", "hmac_secret"};
  for (const Entry& entry : entries) {
    if (std::find(allowed.begin(), allowed.end(), entry.key) != allowed.end()) continue;
    if (kTypeSpecific.count(entry.key) != 0) {
      return Fail(entry.key_node, where,
                  "key " + QuoteForMessage(entry.key) + " does not apply to type " + *type_text +
                      " (valid: " + JoinNames(allowed) + ")");
    }
    return Fail(
        entry.key_node, where,
        "unknown key " + QuoteForMessage(entry.key) + " (valid: " + JoinNames(allowed) + ")");
  }

  using std::chrono::hours;
  using std::chrono::minutes;
  using std::chrono::seconds;
  for (const Entry& entry : entries) {
    const std::string& key = entry.key;
    if (key == "name" || key == "type") continue;
    if (key == "webhook_url") {
      Result<Secret> url = UrlValue(entry, where);
      if (!url.ok()) return url.error();
      target->webhook_url = std::move(*url);
    } else if (key == "url") {
      Result<Secret> url = UrlValue(entry, where);
      if (!url.ok()) return url.error();
      target->url = std::move(*url);
    } else if (key == "token") {
      Result<Secret> token = SecretValue(entry, where);
      if (!token.ok()) return token.error();
      target->token = std::move(*token);
    } else if (key == "hmac_secret") {
      Result<Secret> secret = SecretValue(entry, where);
      if (!secret.ok()) return secret.error();
      target->hmac_secret = std::move(*secret);
    } else if (key == "channel") {
      bool from_reference = false;
      Result<std::string> channel = Resolved(entry, where, &from_reference);
      if (!channel.ok()) return channel.error();
      // chat.postMessage takes names too, but ids survive renames (docs/reference/formats.md §7.2).
      bool id = channel->size() >= 9 && channel->size() <= 24 &&
                std::string_view("CGD").find((*channel)[0]) != std::string_view::npos &&
                std::all_of(channel->begin(), channel->end(), [](char c) {
                  return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
                });
      if (!id) {
        return Fail(entry.value, where,
                    "channel must be a Slack channel id like C0123456789" +
                        (from_reference ? std::string() : ", not " + QuoteForMessage(*channel)) +
                        " (in Slack: channel details, bottom of the About tab)");
      }
      target->channel = std::move(*channel);
    } else if (key == "headers") {
      if (Status s = LoadHeaders(entry, where, target); !s.ok()) return s;
    } else if (key == "input_transformer") {
      if (Status s = LoadInputTransformer(entry, where, target); !s.ok()) return s;
    } else if (key == "rate_per_second") {
      Result<std::string> text = Text(entry, where);
      if (!text.ok()) return text.error();
      char* end = nullptr;
      errno = 0;
      double rate = std::strtod(text->c_str(), &end);
      if (IsQuotedScalar(entry.value) || end != text->c_str() + text->size() || errno != 0 ||
          !std::isfinite(rate)) {
        return Fail(entry.value, where,
                    "rate_per_second must be a number, not " + QuoteForMessage(*text));
      }
      if (rate <= 0 || rate > 100) {
        return Fail(entry.value, where, "rate_per_second must be above 0 and at most 100");
      }
      target->rate_per_second = rate;
    } else if (key == "burst") {
      Result<long> value = Integer(entry, where, 1, 1000);
      if (!value.ok()) return value.error();
      target->burst = static_cast<int>(*value);
    } else if (key == "max_concurrency") {
      Result<long> value = Integer(entry, where, 1, 64);
      if (!value.ok()) return value.error();
      target->max_concurrency = static_cast<int>(*value);
    } else if (key == "max_attempts") {
      Result<long> value = Integer(entry, where, 1, 1000);
      if (!value.ok()) return value.error();
      target->max_attempts = static_cast<int>(*value);
    } else if (key == "thread_window") {
      Result<seconds> value = Duration(entry, where, seconds(0), hours(24));
      if (!value.ok()) return value.error();
      target->thread_window = *value;
    } else if (key == "timeout") {
      Result<seconds> value = Duration(entry, where, seconds(1), minutes(5));
      if (!value.ok()) return value.error();
      target->timeout = *value;
    } else if (key == "max_age") {
      Result<seconds> value = Duration(entry, where, minutes(1), hours(24 * 30));
      if (!value.ok()) return value.error();
      target->max_age = *value;
    } else if (key == "group_rules") {
      Result<bool> value = Boolean(entry, where);
      if (!value.ok()) return value.error();
      target->group_rules = *value;
    }
  }

  switch (target->type) {
    case TargetConfig::Type::kSlack: {
      bool webhook = find("webhook_url") != nullptr;
      bool token = find("token") != nullptr;
      bool channel = find("channel") != nullptr;
      if (webhook && (token || channel)) {
        return Fail(node, where,
                    "give either webhook_url (incoming webhook) or token and channel (Web API), "
                    "not both");
      }
      if (!webhook && !token && !channel) {
        return Fail(node, where, "missing webhook_url, or token and channel");
      }
      if (token != channel) {
        return Fail(node, where, token ? "token needs channel" : "channel needs token");
      }
      break;
    }
    case TargetConfig::Type::kTeams:
      if (find("webhook_url") == nullptr) return Fail(node, where, "missing key \"webhook_url\"");
      break;
    case TargetConfig::Type::kWebhook:
      if (find("url") == nullptr) return Fail(node, where, "missing key \"url\"");
      break;
    case TargetConfig::Type::kStdout:
      break;
  }
  return Status::Ok();
}

Result<TargetsConfig> TargetsLoader::Load(const YAML::Node& root) {
  TargetsConfig config;
  config.path = path();
  if (!root.IsDefined() || root.IsNull()) return config;
  if (!root.IsMap()) return Error{At(root) + ": the configuration must be a mapping"};
  for (const auto& item : root) {
    if (!item.first.IsScalar()) continue;  // other loaders report it
    const std::string& key = item.first.Scalar();
    if (key == "store") {
      if (Status s = LoadStore(item.second, &config); !s.ok()) return Error{s.message()};
    } else if (key == "accounts") {
      if (Status s = LoadAccounts(item.second, &config); !s.ok()) return Error{s.message()};
    } else if (key == "targets") {
      if (item.second.IsNull()) continue;
      if (!item.second.IsSequence()) {
        return Error{At(item.second) + ": targets: must be a list of targets"};
      }
      std::map<std::string, int> names;  // name -> line of its definition
      size_t index = 0;
      for (const YAML::Node& node : item.second) {
        TargetConfig target;
        if (Status s = LoadTarget(node, index, &target); !s.ok()) return Error{s.message()};
        auto [it, inserted] = names.emplace(target.name, target.line);
        if (!inserted) {
          return Error{At(node) + ": targets[" + std::to_string(index) + "] (" + target.name +
                       "): duplicate target name, first defined on line " +
                       std::to_string(it->second)};
        }
        config.targets.push_back(std::move(target));
        ++index;
      }
    }
  }
  return config;
}

}  // namespace

const TargetConfig* TargetsConfig::Find(const std::string& name) const {
  for (const TargetConfig& target : targets) {
    if (target.name == name) return &target;
  }
  return nullptr;
}

std::string CheckTargetUrl(const std::string& url) {
  for (unsigned char c : url) {
    if (c <= 0x20 || c == 0x7f) return "the URL contains spaces or control characters";
  }
  size_t colon = url.find("://");
  if (colon == std::string::npos) return "not an absolute URL (https://host/path)";
  std::string scheme = url.substr(0, colon);
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  size_t authority_start = colon + 3;
  size_t authority_end = url.find_first_of("/?#", authority_start);
  std::string authority = url.substr(authority_start, authority_end == std::string::npos
                                                          ? std::string::npos
                                                          : authority_end - authority_start);
  if (authority.find('@') != std::string::npos) {
    return "user names or passwords in the URL are not supported (use headers)";
  }
  std::string host = authority;
  std::string port;
  if (!host.empty() && host[0] == '[') {
    size_t close = host.find(']');
    if (close == std::string::npos) return "malformed IPv6 host";
    port = host.substr(close + 1);
    host = host.substr(0, close + 1);
  } else {
    size_t port_colon = host.rfind(':');
    if (port_colon != std::string::npos) {
      port = host.substr(port_colon);
      host = host.substr(0, port_colon);
    }
  }
  if (host.empty() || host == "[]") return "the URL has no host";
  if (!port.empty()) {
    if (port[0] != ':' || !AllDigits(port.substr(1)) || port.size() > 6 ||
        std::stol(port.substr(1)) > 65535 || std::stol(port.substr(1)) == 0) {
      return "malformed port";
    }
  }
  if (scheme == "https") return "";
  if (scheme == "http") {
    if (IsLoopbackHost(host)) return "";
    return "must be https:// (http:// is allowed only for loopback hosts: 127.0.0.1, localhost, "
           "[::1])";
  }
  return "must be an https:// URL";
}

std::optional<std::chrono::seconds> ParseDuration(const std::string& text) {
  constexpr long long kMax = 10LL * 366 * 24 * 3600;
  if (text.empty()) return std::nullopt;
  long long total = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    long long number = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      number = number * 10 + (text[i] - '0');
      if (number > kMax) return std::nullopt;
      ++i;
    }
    if (i == start || i == text.size()) return std::nullopt;  // no digits, or no unit
    long long unit = 0;
    switch (text[i]) {
      case 's':
        unit = 1;
        break;
      case 'm':
        unit = 60;
        break;
      case 'h':
        unit = 3600;
        break;
      case 'd':
        unit = 86400;
        break;
      default:
        return std::nullopt;
    }
    ++i;
    total += number * unit;
    if (total > kMax) return std::nullopt;
  }
  return std::chrono::seconds(total);
}

Result<std::vector<InputPathStep>> ParseInputPath(const std::string& path) {
  auto fail = [&](const std::string& why) {
    return Error{"JSON path " + QuoteForMessage(path) + ": " + why};
  };
  if (path.empty() || path[0] != '$')
    return fail("must start with \"$\" (like $.detail.eventName)");
  std::vector<InputPathStep> steps;
  size_t i = 1;
  while (i < path.size()) {
    if (path[i] == '.') {
      size_t start = ++i;
      while (i < path.size() && path[i] != '.' && path[i] != '[') {
        char c = path[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-' || c == '/' || c == '@' || c == ':';
        if (c == '*') return fail("wildcards are not supported");
        if (!ok) return fail("unexpected character " + QuoteForMessage(std::string(1, c)));
        ++i;
      }
      if (i == start) return fail("empty name after \".\"");
      steps.push_back(InputPathStep{path.substr(start, i - start), -1});
    } else if (path[i] == '[') {
      size_t close = path.find(']', i);
      if (close == std::string::npos) return fail("missing \"]\"");
      std::string digits = path.substr(i + 1, close - i - 1);
      if (digits == "*") return fail("wildcards are not supported");
      if (!AllDigits(digits) || digits.size() > 9) {
        return fail(
            "array indices must be numbers (dot notation for names, as EventBridge "
            "requires)");
      }
      steps.push_back(InputPathStep{{}, std::stol(digits)});
      i = close + 1;
    } else {
      return fail("expected \".\" or \"[\" at position " + std::to_string(i + 1));
    }
  }
  return steps;
}

Result<TargetsConfig> LoadTargetsConfig(const YAML::Node& root, const std::string& path,
                                        EnvironmentLookup environment) {
  try {
    TargetsLoader loader(path, environment);
    return loader.Load(root);
  } catch (const YAML::Exception& e) {
    return Error{path + ":" + std::to_string(e.mark.line + 1) + ":" +
                 std::to_string(e.mark.column + 1) + ": " + e.msg};
  }
}

Result<TargetsConfig> LoadTargetsConfigFile(const std::string& path) {
  auto root = LoadYamlFile(path);
  if (!root.ok()) return root.error();
  std::vector<ReferenceValue> values = ReferenceValues(*root, nullptr, path);
  Result<TargetsConfig> config = LoadTargetsConfig(*root, path);
  if (!config.ok()) return Error{RedactReferenceValues(config.message(), values)};
  config->reference_values = std::move(values);
  return config;
}

std::string TargetsConfig::Shown(const std::string& text) const {
  return RedactReferenceValues(text, reference_values);
}

}  // namespace trailwatch::config
