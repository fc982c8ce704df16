#include "console/console_config.h"

#include <set>

#include "common/loopback_host.h"
#include "config/targets_config.h"
#include "console/console_auth.h"
#include "server/listen_address.h"

namespace trailwatch::console {
namespace {

using config::ConfigEntry;
using config::ConfigFieldReader;

std::string FieldPath(const std::string& parent, const std::string& key) {
  std::string where = parent;
  where.append(".").append(key);
  return where;
}

std::string UnknownKey(const std::string& key, const char* valid) {
  std::string what = "unknown key ";
  what.append(config::QuoteForMessage(key)).append(" (valid: ").append(valid).append(")");
  return what;
}

void LoadConsoleUsers(const ConfigFieldReader& reader, const ConfigEntry& entry,
                      const std::string& where, ConsoleConfig* out,
                      std::vector<std::string>* errors) {
  if (!entry.value.IsSequence() || entry.value.size() == 0) {
    errors->push_back(reader.Fail(entry.value.IsNull() ? entry.key_node : entry.value, where,
                                  "must be a list like [{name: alice, password_hash: '$y$...'}]")
                          .message);
    return;
  }
  std::set<std::string> names;
  for (size_t i = 0; i < entry.value.size(); ++i) {
    const YAML::Node& node = entry.value[i];
    std::string here = where + "[" + std::to_string(i) + "]";
    if (!node.IsMap()) {
      errors->push_back(
          reader.Fail(node, here, "must be a mapping {name: ..., password_hash: ...}").message);
      continue;
    }
    std::vector<ConfigEntry> fields;
    if (Status read = reader.Entries(node, here, &fields); !read.ok()) {
      errors->push_back(read.message());
      continue;
    }
    ConsoleUserConfig user;
    for (const ConfigEntry& field : fields) {
      std::string field_where = FieldPath(here, field.key);
      if (field.key == "name") {
        auto name = reader.Text(field, field_where);
        if (!name.ok()) {
          errors->push_back(name.message());
        } else if (name->size() > 128 || name->find_first_of(" \t\r\n:") != std::string::npos) {
          errors->push_back(reader.Fail(field.value, field_where,
                                        "must be at most 128 characters without spaces or ':'")
                                .message);
        } else {
          user.name = *name;
        }
      } else if (field.key == "password_hash") {
        auto hash = reader.SecretValue(field, field_where);
        if (!hash.ok()) {
          errors->push_back(hash.message());
        } else if (Status usable = CheckPasswordHash(hash->reveal()); !usable.ok()) {
          errors->push_back(reader.Fail(field.value, field_where, usable.message()).message);
        } else {
          user.password_hash = hash->reveal();
        }
      } else {
        errors->push_back(
            reader.Fail(field.key_node, field_where, UnknownKey(field.key, "name, password_hash"))
                .message);
      }
    }
    if (user.name.empty() || user.password_hash.empty()) {
      if (errors->empty()) {
        errors->push_back(reader.Fail(node, here, "needs both name and password_hash").message);
      }
      continue;
    }
    if (!names.insert(user.name).second) {
      errors->push_back(
          reader.Fail(node, here, "user " + config::QuoteForMessage(user.name) + " is listed twice")
              .message);
      continue;
    }
    out->users.push_back(std::move(user));
  }
}

void LoadConsoleAuth(const ConfigFieldReader& reader, const ConfigEntry& entry, ConsoleConfig* out,
                     std::vector<std::string>* errors) {
  const std::string where = "console.auth";
  const char* kShape = "must be none or a mapping like {token: ${env:TW_CONSOLE_TOKEN}}";
  if (entry.value.IsScalar()) {
    auto text = reader.Text(entry, where);
    if (text.ok() && *text == "none") {
      out->auth_none = true;
    } else {
      errors->push_back(reader.Fail(entry.value, where, kShape).message);
    }
    return;
  }
  if (!entry.value.IsMap()) {
    errors->push_back(
        reader.Fail(entry.value.IsNull() ? entry.key_node : entry.value, where, kShape).message);
    return;
  }
  std::vector<ConfigEntry> fields;
  if (Status read = reader.Entries(entry.value, where, &fields); !read.ok()) {
    errors->push_back(read.message());
    return;
  }
  for (const ConfigEntry& field : fields) {
    std::string field_where = FieldPath(where, field.key);
    if (field.key == "token") {
      auto token = reader.SecretValue(field, field_where);
      if (!token.ok()) {
        errors->push_back(token.message());
      } else if (Status usable = CheckConsoleToken(token->reveal()); !usable.ok()) {
        errors->push_back(reader.Fail(field.value, field_where, usable.message()).message);
      } else {
        out->token = token->reveal();
      }
    } else if (field.key == "users") {
      LoadConsoleUsers(reader, field, field_where, out, errors);
    } else if (field.key == "session") {
      auto idle = reader.Duration(field, field_where, std::chrono::minutes(1), std::chrono::hours(24 * 7));
      if (idle.ok()) {
        out->session_idle = *idle;
      } else {
        errors->push_back(idle.message());
      }
    } else {
      errors->push_back(
          reader.Fail(field.key_node, field_where, UnknownKey(field.key, "token, users, session"))
              .message);
    }
  }
  if (out->token.empty() && out->users.empty() && fields.size() == 0) {
    errors->push_back(reader.Fail(entry.value, where, "needs a token or users").message);
  }
}

void LoadConsoleTls(const ConfigFieldReader& reader, const ConfigEntry& entry, ConsoleConfig* out,
                    std::vector<std::string>* errors) {
  const std::string where = "console.tls";
  if (!entry.value.IsMap()) {
    errors->push_back(reader.Fail(entry.value.IsNull() ? entry.key_node : entry.value, where,
                                  "must be a mapping like {cert: FILE, key: FILE}")
                          .message);
    return;
  }
  std::vector<ConfigEntry> fields;
  if (Status read = reader.Entries(entry.value, where, &fields); !read.ok()) {
    errors->push_back(read.message());
    return;
  }
  for (const ConfigEntry& field : fields) {
    std::string field_where = FieldPath(where, field.key);
    if (field.key != "cert" && field.key != "key") {
      errors->push_back(
          reader.Fail(field.key_node, field_where, UnknownKey(field.key, "cert, key")).message);
      continue;
    }
    auto file = reader.FilePath(field, field_where);
    if (!file.ok()) {
      errors->push_back(file.message());
    } else if (file->empty()) {
      errors->push_back(reader.Fail(field.value, field_where, "is empty").message);
    } else {
      (field.key == "cert" ? out->tls_cert_file : out->tls_key_file) = *file;
    }
  }
  if (out->tls_cert_file.empty() != out->tls_key_file.empty()) {
    errors->push_back(reader.Fail(entry.value, where, "needs both cert and key").message);
  }
}

}  // namespace

void LoadConsoleConfig(const ConfigFieldReader& reader, const ConfigEntry& section,
                       ConsoleConfig* out, std::vector<std::string>* errors) {
  const size_t errors_before = errors->size();
  if (!section.value.IsMap()) {
    errors->push_back(reader.Fail(section.value.IsNull() ? section.key_node : section.value,
                                  "console",
                                  "must be a mapping like {listen: 127.0.0.1:8080, auth: ...}")
                          .message);
    return;
  }
  std::vector<ConfigEntry> fields;
  if (Status read = reader.Entries(section.value, "console", &fields); !read.ok()) {
    errors->push_back(read.message());
    return;
  }
  out->enabled = true;
  bool have_listen = false;
  bool have_auth = false;
  for (const ConfigEntry& field : fields) {
    std::string where = FieldPath("console", field.key);
    if (field.key == "listen") {
      have_listen = true;
      auto listen = reader.ListenAddress(field, where);
      if (!listen.ok()) {
        errors->push_back(listen.message());
        continue;
      }
      out->listen = *listen;
    } else if (field.key == "auth") {
      have_auth = true;
      LoadConsoleAuth(reader, field, out, errors);
    } else if (field.key == "retention") {
      auto retention =
          reader.Duration(field, where, std::chrono::hours(1), std::chrono::hours(24 * 3660));
      if (retention.ok()) {
        out->retention = *retention;
      } else {
        errors->push_back(retention.message());
      }
    } else if (field.key == "tls") {
      LoadConsoleTls(reader, field, out, errors);
    } else {
      errors->push_back(
          reader.Fail(field.key_node, where, UnknownKey(field.key, "listen, auth, retention, tls"))
              .message);
    }
  }
  if (!have_listen) {
    errors->push_back(reader.Fail(section.key_node, "console", "needs listen: HOST:PORT").message);
  }
  if (!have_auth) {
    errors->push_back(
        reader.Fail(section.key_node, "console",
                    "needs auth: a token or users (or auth: none, on a loopback listen address only)")
            .message);
  }
  if (errors->size() != errors_before) return;
  if (out->auth_none) {
    auto parsed = server::ParseListenAddress(out->listen);
    if (parsed.ok() && !IsLoopbackHost(parsed->host)) {
      errors->push_back(reader.Fail(section.value["auth"], "console.auth",
                                    "none is allowed only on a loopback listen address "
                                    "(127.0.0.1, ::1 or localhost), not " + parsed->host)
                            .message);
    }
  }
}

}  // namespace trailwatch::console
