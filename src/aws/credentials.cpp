// The credential provider chain and the refreshing provider (credentials.h). The order follows
// the AWS SDKs and Tools reference guide, "Understand the credential provider chain":
// https://docs.aws.amazon.com/sdkref/latest/guide/standardized-credentials.html
#include "aws/credentials.h"

#include <vector>

#include "aws/container_credentials.h"
#include "aws/environment_credentials.h"
#include "aws/instance_metadata_credentials.h"
#include "aws/profile_credentials.h"
#include "aws/shared_config.h"
#include "aws/sts_client.h"
#include "aws/web_identity_credentials.h"

extern char** environ;

namespace trailwatch::aws {

std::string EnvironmentValue(const Environment& environment, const std::string& name) {
  auto it = environment.find(name);
  return it == environment.end() ? std::string() : it->second;
}

namespace {

using Clock = std::chrono::system_clock;

// SDKs refresh temporary credentials this long before they expire.
constexpr auto kRefreshMargin = std::chrono::minutes(5);

std::string Join(const std::vector<std::string>& parts) {
  std::string text;
  for (const std::string& part : parts) {
    if (!text.empty()) text += "; ";
    text += part;
  }
  return text;
}

Result<Credentials> ResolveChain(const Environment& environment, const CredentialsOptions& options,
                                 Clock::time_point now) {
  ProfileChoice profile = ChooseProfile(environment, options.profile);
  std::string region =
      options.region.empty() ? ResolveRegion(environment, options.profile) : options.region;
  std::vector<std::string> tried;
  auto links = {
      std::function<ProviderResult()>([&] {
        // An explicitly given profile replaces the environment's credentials (the AWS CLI's
        // --profile does the same); AWS_PROFILE does not.
        if (profile.from_option) {
          return ProviderResult::Skipped("environment (not used: profile " + profile.name +
                                         " given)");
        }
        return EnvironmentCredentials(environment);
      }),
      std::function<ProviderResult()>([&] {
        if (profile.from_option) {
          return ProviderResult::Skipped("web identity (not used: profile " + profile.name +
                                         " given)");
        }
        return WebIdentityCredentials(environment, region);
      }),
      std::function<ProviderResult()>(
          [&] { return ProfileCredentials(environment, options, now); }),
      std::function<ProviderResult()>([&] { return ContainerCredentials(environment); }),
      std::function<ProviderResult()>([&] { return InstanceMetadataCredentials(environment); }),
  };
  for (const auto& link : links) {
    ProviderResult result = link();
    if (result.credentials) return std::move(*result.credentials);
    if (!result.error.empty()) {
      return Error{"AWS credentials: " + result.error +
                   (tried.empty() ? std::string() : "; tried before: " + Join(tried))};
    }
    tried.push_back(result.skipped);
  }
  return Error{"no AWS credentials found; tried: " + Join(tried)};
}

bool Fresh(const Credentials& credentials, Clock::time_point now) {
  return !credentials.expiration || *credentials.expiration - kRefreshMargin > now;
}

bool Unexpired(const Credentials& credentials, Clock::time_point now) {
  return !credentials.expiration || *credentials.expiration > now;
}

}  // namespace

Environment ProcessEnvironment() {
  Environment environment;
  for (char** entry = environ; entry && *entry; ++entry) {
    std::string_view text(*entry);
    size_t equals = text.find('=');
    if (equals == std::string_view::npos) continue;
    environment.emplace(std::string(text.substr(0, equals)), std::string(text.substr(equals + 1)));
  }
  return environment;
}

CredentialsProvider::CredentialsProvider(Environment environment)
    : CredentialsProvider(std::move(environment), CredentialsOptions{}) {}

CredentialsProvider::CredentialsProvider(Environment environment, CredentialsOptions options)
    : environment_(std::move(environment)), options_(std::move(options)) {
  if (!options_.now) options_.now = [] { return Clock::now(); };
  if (!options_.role_arn.empty()) {
    CredentialsOptions chain = options_;
    chain.role_arn.clear();
    chain.external_id.clear();
    chain.role_session_name.clear();
    source_ = std::make_unique<CredentialsProvider>(environment_, std::move(chain));
  }
}

CredentialsProvider::~CredentialsProvider() = default;

Result<Credentials> CredentialsProvider::Resolve() {
  if (!source_) return ResolveChain(environment_, options_, options_.now());
  auto caller = source_->Get();
  const std::string label = "role_arn " + options_.role_arn;
  if (!caller.ok())
    return Error{label + ": the credentials to assume it with: " + caller.message()};
  AssumeRoleRequest request;
  request.role_arn = options_.role_arn;
  request.external_id = options_.external_id;
  request.role_session_name = options_.role_session_name;
  std::string region =
      options_.region.empty() ? ResolveRegion(environment_, options_.profile) : options_.region;
  auto assumed = AssumeRole(ResolveStsEndpoint(environment_, region), region, *caller, request);
  if (!assumed.ok()) return Error{label + ": " + assumed.message()};
  return assumed;
}

Result<Credentials> CredentialsProvider::Get() {
  Clock::time_point now = options_.now();
  {
    std::lock_guard lock(mutex_);
    if (cached_ && Fresh(*cached_, now)) return *cached_;
  }
  std::unique_lock refresh(refresh_mutex_, std::try_to_lock);
  if (!refresh.owns_lock()) {
    // Another thread is fetching: credentials that have not expired yet serve meanwhile, so a
    // refresh never holds up the requests of a running scan or source.
    {
      std::lock_guard lock(mutex_);
      if (cached_ && Unexpired(*cached_, now)) return *cached_;
    }
    refresh.lock();
  }
  {
    std::lock_guard lock(mutex_);
    if (cached_ && Fresh(*cached_, options_.now())) return *cached_;  // fetched meanwhile
  }
  Result<Credentials> resolved = Resolve();
  std::lock_guard lock(mutex_);
  if (resolved.ok()) {
    cached_ = resolved.value();
    return resolved;
  }
  // A failed refresh keeps using credentials that have not expired yet (the SDKs do the same);
  // the next Get() tries again.
  if (cached_ && cached_->expiration && *cached_->expiration > now) return *cached_;
  return resolved;
}

std::string ResolveRegion(const Environment& environment, const std::string& profile) {
  for (const char* name : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
    std::string region = EnvironmentValue(environment, name);
    if (!region.empty()) return region;
  }
  ProfileChoice choice = ChooseProfile(environment, profile);
  if (auto settings = SharedConfig::Load(environment).Profile(choice.name)) {
    std::string region = Setting(*settings, "region");
    if (!region.empty()) return region;
  }
  return "us-east-1";
}

std::string ResolveS3Endpoint(const Environment& environment) {
  for (const char* name : {"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"}) {
    std::string endpoint = EnvironmentValue(environment, name);
    while (endpoint.ends_with('/')) endpoint.pop_back();
    if (!endpoint.empty()) return endpoint;
  }
  return {};
}

}  // namespace trailwatch::aws
