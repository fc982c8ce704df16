// Profiles (profile_credentials.h).
// https://docs.aws.amazon.com/sdkref/latest/guide/feature-assume-role-credentials.html
#include "aws/profile_credentials.h"

#include <charconv>
#include <vector>

#include "aws/container_credentials.h"
#include "aws/credential_process.h"
#include "aws/environment_credentials.h"
#include "aws/instance_metadata_credentials.h"
#include "aws/shared_config.h"
#include "aws/sso_credentials.h"
#include "aws/sts_client.h"
#include "aws/web_identity_credentials.h"

namespace trailwatch::aws {

namespace {

struct ProfileResolver {
  const SharedConfig& config;
  const Environment& environment;
  const CredentialsOptions& options;
  std::chrono::system_clock::time_point now;
  std::string sts_region;

  // The static keys of a profile; nullopt when it has none.
  static std::optional<Credentials> StaticKeys(const ProfileSettings& settings,
                                               const std::string& name) {
    Credentials credentials;
    credentials.access_key_id = Setting(settings, "aws_access_key_id");
    credentials.secret_access_key = Setting(settings, "aws_secret_access_key");
    credentials.session_token = Setting(settings, "aws_session_token");
    credentials.source = "profile " + name;
    if (credentials.access_key_id.empty() || credentials.secret_access_key.empty()) {
      return std::nullopt;
    }
    return credentials;
  }

  static std::string Path(const std::vector<std::string>& chain) {
    std::string text;
    for (const std::string& name : chain) {
      if (!text.empty()) text += " -> ";
      text += name;
    }
    return text;
  }

  // The credentials of profile `name`; `chain` holds the profiles that led here (cycles).
  // Skipped only for a profile without any credential setting.
  ProviderResult Resolve(const std::string& name, std::vector<std::string> chain) {
    const std::string label = "profile " + name;
    for (const std::string& seen : chain) {
      if (seen == name) {
        chain.push_back(name);
        return ProviderResult::Failed(label + ": source_profile loop: " + Path(chain));
      }
    }
    chain.push_back(name);
    auto settings = config.Profile(name);
    if (!settings) {
      return ProviderResult::Failed(label + " not found in " + config.Describe() +
                                    (chain.size() > 1
                                         ? " (source_profile of " + chain[chain.size() - 2] + ")"
                                         : std::string()));
    }
    if (!Setting(*settings, "role_arn").empty()) return AssumeRoleProfile(name, *settings, chain);
    if (IsSsoProfile(*settings)) {
      auto credentials = SsoCredentials(config, name, *settings, environment, now);
      if (!credentials.ok()) return ProviderResult::Failed(credentials.message());
      return ProviderResult::Found(std::move(credentials.value()));
    }
    std::string process = Setting(*settings, "credential_process");
    if (!process.empty()) {
      auto credentials = RunCredentialProcess(process, name, environment, options.process_timeout);
      if (!credentials.ok()) return ProviderResult::Failed(credentials.message());
      return ProviderResult::Found(std::move(credentials.value()));
    }
    if (auto keys = StaticKeys(*settings, name)) return ProviderResult::Found(std::move(*keys));
    return ProviderResult::Skipped(label + " (in " + config.Describe() +
                                   ": no aws_access_key_id / aws_secret_access_key, role_arn, "
                                   "sso_session, sso_start_url or credential_process)");
  }

  ProviderResult AssumeRoleProfile(const std::string& name, const ProfileSettings& settings,
                                   const std::vector<std::string>& chain) {
    const std::string label = "profile " + name;
    if (!Setting(settings, "mfa_serial").empty()) {
      return ProviderResult::Failed(
          label +
          ": mfa_serial is set, which needs an MFA code typed at a terminal; trailwatch "
          "runs unattended and cannot ask. Use a role whose trust policy does not require "
          "MFA for this workload, or a credential_process / SSO profile");
    }
    AssumeRoleRequest request;
    request.role_arn = Setting(settings, "role_arn");
    request.role_session_name = Setting(settings, "role_session_name");
    request.external_id = Setting(settings, "external_id");
    std::string duration = Setting(settings, "duration_seconds");
    if (!duration.empty()) {
      int seconds = 0;
      auto [end, error] =
          std::from_chars(duration.data(), duration.data() + duration.size(), seconds);
      // STS accepts 900 s up to the role's maximum session duration (at most 12 h).
      if (error != std::errc() || end != duration.data() + duration.size() || seconds < 900 ||
          seconds > 43200) {
        return ProviderResult::Failed(label + ": duration_seconds must be 900 to 43200, not " +
                                      duration);
      }
      request.duration_seconds = seconds;
    }
    std::string token_file = Setting(settings, "web_identity_token_file");
    std::string source_profile = Setting(settings, "source_profile");
    std::string credential_source = Setting(settings, "credential_source");
    int sources = !token_file.empty() + !source_profile.empty() + !credential_source.empty();
    if (sources == 0) {
      return ProviderResult::Failed(label +
                                    ": role_arn needs source_profile, credential_source "
                                    "or web_identity_token_file");
    }
    if (sources > 1) {
      return ProviderResult::Failed(label +
                                    ": give only one of source_profile, credential_source "
                                    "and web_identity_token_file with role_arn");
    }
    if (!token_file.empty()) {
      auto credentials =
          AssumeRoleWithWebIdentityFile(environment, sts_region, token_file, request, label);
      if (!credentials.ok()) return ProviderResult::Failed(credentials.message());
      credentials->source = label + " (" + credentials->source + ")";
      return ProviderResult::Found(std::move(credentials.value()));
    }

    ProviderResult source;
    if (!source_profile.empty()) {
      if (source_profile == name) {
        // A profile that is its own source uses its static keys (as the SDKs do).
        auto keys = StaticKeys(settings, name);
        if (!keys) {
          return ProviderResult::Failed(label +
                                        ": source_profile is itself, but it has no "
                                        "aws_access_key_id / aws_secret_access_key");
        }
        source = ProviderResult::Found(std::move(*keys));
      } else {
        source = Resolve(source_profile, chain);
        if (!source.credentials && source.error.empty()) {
          source = ProviderResult::Failed("profile " + source_profile + " (source_profile of " +
                                          name + ") has no credentials");
        }
      }
    } else if (credential_source == "Environment") {
      source = EnvironmentCredentials(environment);
    } else if (credential_source == "Ec2InstanceMetadata") {
      source = InstanceMetadataCredentials(environment);
    } else if (credential_source == "EcsContainer") {
      source = ContainerCredentials(environment);
    } else {
      return ProviderResult::Failed(label +
                                    ": credential_source must be Environment, "
                                    "Ec2InstanceMetadata or EcsContainer, not " +
                                    credential_source);
    }
    if (!source.credentials) {
      if (!source.error.empty()) {
        // A failure further down the chain already names its profile.
        return ProviderResult::Failed(source.error.starts_with("profile ")
                                          ? label + " -> " + source.error
                                          : label + ": " + source.error);
      }
      return ProviderResult::Failed(label + ": credential_source " + credential_source +
                                    " found no credentials: " + source.skipped);
    }
    auto assumed = AssumeRole(ResolveStsEndpoint(environment, sts_region), sts_region,
                              *source.credentials, request);
    if (!assumed.ok()) return ProviderResult::Failed(label + ": " + assumed.message());
    return ProviderResult::Found(std::move(assumed.value()));
  }
};

}  // namespace

ProviderResult ProfileCredentials(const Environment& environment, const CredentialsOptions& options,
                                  std::chrono::system_clock::time_point now) {
  ProfileChoice choice = ChooseProfile(environment, options.profile);
  SharedConfig config = SharedConfig::Load(environment);
  const std::string via = choice.from_option ? "--profile/profile: " : "AWS_PROFILE: ";
  if (!config.Profile(choice.name)) {
    std::string why = "profile " + choice.name + " (not found in " + config.Describe() + ")";
    // A chosen profile that does not exist is an error, as in the AWS CLI.
    if (choice.explicit_choice) return ProviderResult::Failed(via + why);
    return ProviderResult::Skipped(why);
  }
  std::string region =
      options.region.empty() ? ResolveRegion(environment, choice.name) : options.region;
  ProfileResolver resolver{config, environment, options, now, region};
  ProviderResult result = resolver.Resolve(choice.name, {});
  if (!result.credentials && result.error.empty() && choice.explicit_choice) {
    return ProviderResult::Failed(via + result.skipped);
  }
  return result;
}

}  // namespace trailwatch::aws
