// The shared config and credentials files (shared_config.h).
// https://docs.aws.amazon.com/sdkref/latest/guide/file-format.html
#include "aws/shared_config.h"

#include <algorithm>
#include <cctype>
#include <fstream>

namespace trailwatch::aws {

namespace {

std::string Trim(std::string_view text) {
  size_t start = text.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return {};
  size_t end = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(start, end - start + 1));
}

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::optional<std::map<std::string, ProfileSettings>> ReadIni(const std::string& path) {
  if (path.empty()) return std::nullopt;
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::map<std::string, ProfileSettings> file;
  ProfileSettings* section = nullptr;
  std::string line;
  while (std::getline(in, line)) {
    bool indented = !line.empty() && (line[0] == ' ' || line[0] == '\t');
    std::string text = Trim(line);
    if (text.empty() || text[0] == '#' || text[0] == ';') continue;
    if (text.front() == '[') {
      size_t close = text.find(']');
      if (close == std::string::npos) continue;
      // "[profile  name]" and "[ default ]" are accepted as the CLI does.
      std::string name = Trim(std::string_view(text).substr(1, close - 1));
      for (const char* kind : {"profile", "sso-session"}) {
        std::string_view prefix(kind);
        if (name.starts_with(prefix) && name.size() > prefix.size() &&
            (name[prefix.size()] == ' ' || name[prefix.size()] == '\t')) {
          name = std::string(kind) + " " + Trim(std::string_view(name).substr(prefix.size()));
        }
      }
      section = &file[name];
      continue;
    }
    if (indented || !section) continue;
    size_t equals = text.find('=');
    if (equals == std::string::npos) continue;
    std::string key = Lower(Trim(std::string_view(text).substr(0, equals)));
    (*section)[key] = Trim(std::string_view(text).substr(equals + 1));
  }
  return file;
}

}  // namespace

ProfileChoice ChooseProfile(const Environment& environment, const std::string& option) {
  ProfileChoice choice;
  if (!option.empty()) {
    choice.name = option;
    choice.explicit_choice = true;
    choice.from_option = true;
    return choice;
  }
  choice.name = EnvironmentValue(environment, "AWS_PROFILE");
  if (choice.name.empty()) choice.name = EnvironmentValue(environment, "AWS_DEFAULT_PROFILE");
  choice.explicit_choice = !choice.name.empty();
  if (choice.name.empty()) choice.name = "default";
  return choice;
}

std::string ExpandHome(const std::string& path, const Environment& environment) {
  if (path == "~" || path.starts_with("~/")) {
    std::string home = EnvironmentValue(environment, "HOME");
    if (home.empty()) return {};
    return home + path.substr(1);
  }
  return path;
}

SharedConfig SharedConfig::Load(const Environment& environment) {
  SharedConfig config;
  std::string credentials = EnvironmentValue(environment, "AWS_SHARED_CREDENTIALS_FILE");
  std::string config_file = EnvironmentValue(environment, "AWS_CONFIG_FILE");
  config.credentials_path_ =
      ExpandHome(credentials.empty() ? "~/.aws/credentials" : credentials, environment);
  config.config_path_ =
      ExpandHome(config_file.empty() ? "~/.aws/config" : config_file, environment);
  config.credentials_ = ReadIni(config.credentials_path_);
  config.config_ = ReadIni(config.config_path_);
  return config;
}

std::optional<ProfileSettings> SharedConfig::Profile(const std::string& name) const {
  std::optional<ProfileSettings> settings;
  if (config_) {
    auto it = config_->find("profile " + name);
    // "[default]" and "[profile default]" both name the default profile in the config file.
    if (it == config_->end() && name == "default") it = config_->find("default");
    if (it != config_->end()) settings = it->second;
  }
  if (credentials_) {
    auto it = credentials_->find(name);
    if (it != credentials_->end()) {
      if (!settings) settings.emplace();
      for (const auto& [key, value] : it->second) (*settings)[key] = value;
    }
  }
  return settings;
}

std::optional<ProfileSettings> SharedConfig::SsoSession(const std::string& name) const {
  if (!config_) return std::nullopt;
  auto it = config_->find("sso-session " + name);
  if (it == config_->end()) return std::nullopt;
  return it->second;
}

std::string SharedConfig::Describe() const {
  std::string text;
  text += credentials_path_.empty() ? "no credentials file (HOME not set)"
                                    : credentials_path_ + (credentials_ ? "" : " (missing)");
  text += ", ";
  text += config_path_.empty() ? "no config file (HOME not set)"
                               : config_path_ + (config_ ? "" : " (missing)");
  return text;
}

std::string Setting(const ProfileSettings& settings, const std::string& key) {
  auto it = settings.find(key);
  return it == settings.end() ? std::string() : it->second;
}

}  // namespace trailwatch::aws
