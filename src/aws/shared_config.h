// The AWS shared configuration files, read like the AWS CLI and SDKs read them:
// ~/.aws/credentials (sections `[name]`) and ~/.aws/config (sections `[profile name]`, `[default]`
// and `[sso-session name]`), or AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE.
//
// INI as botocore parses it: full-line comments start with '#' or ';' (no inline comments: a
// secret may contain '#'); keys are case-insensitive; indented lines under a key are nested
// settings (`s3 =` blocks) and are ignored. A profile's settings are its config-file section
// overlaid with its credentials-file section (the credentials file wins for a key in both).
//
// Thread-safety: a SharedConfig is a plain value, read once per credential resolution.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "aws/credentials.h"

namespace trailwatch::aws {

using ProfileSettings = std::map<std::string, std::string>;

// The profile in use: `option` when set (explicit), else AWS_PROFILE (explicit), else "default".
struct ProfileChoice {
  std::string name;
  bool explicit_choice = false;
  bool from_option = false;  // given as --profile / profile:, not AWS_PROFILE
};
ProfileChoice ChooseProfile(const Environment& environment, const std::string& option);

class SharedConfig {
 public:
  static SharedConfig Load(const Environment& environment);

  // nullopt when neither file has the profile.
  std::optional<ProfileSettings> Profile(const std::string& name) const;
  // The `[sso-session name]` section of the config file.
  std::optional<ProfileSettings> SsoSession(const std::string& name) const;
  // "<credentials path>[ (missing)], <config path>[ (missing)]", for messages.
  std::string Describe() const;

 private:
  using IniFile = std::map<std::string, ProfileSettings>;
  std::string credentials_path_;  // empty: HOME not set
  std::string config_path_;
  std::optional<IniFile> credentials_;
  std::optional<IniFile> config_;
};

// A value of `settings`, empty when absent.
std::string Setting(const ProfileSettings& settings, const std::string& key);

// "~/..." with HOME; empty when HOME is needed and not set.
std::string ExpandHome(const std::string& path, const Environment& environment);

}  // namespace trailwatch::aws
