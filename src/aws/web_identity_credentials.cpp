#include "aws/web_identity_credentials.h"

#include "aws/credentials_document.h"

namespace trailwatch::aws {

namespace {

}  // namespace

Result<Credentials> AssumeRoleWithWebIdentityFile(const Environment& environment,
                                                  const std::string& region,
                                                  const std::string& token_file,
                                                  const AssumeRoleRequest& request,
                                                  const std::string& label) {
  auto token = ReadTrimmedFile(token_file);
  if (!token) return Error{label + ": cannot read the web identity token file " + token_file};
  if (token->empty())
    return Error{label + ": the web identity token file " + token_file + " is empty"};
  auto credentials =
      AssumeRoleWithWebIdentity(ResolveStsEndpoint(environment, region), request, *token);
  if (!credentials.ok()) return Error{label + ": " + credentials.message()};
  return credentials;
}

ProviderResult WebIdentityCredentials(const Environment& environment, const std::string& region) {
  std::string token_file = EnvironmentValue(environment, "AWS_WEB_IDENTITY_TOKEN_FILE");
  if (token_file.empty()) {
    return ProviderResult::Skipped("web identity (AWS_WEB_IDENTITY_TOKEN_FILE not set)");
  }
  AssumeRoleRequest request;
  request.role_arn = EnvironmentValue(environment, "AWS_ROLE_ARN");
  request.role_session_name = EnvironmentValue(environment, "AWS_ROLE_SESSION_NAME");
  if (request.role_arn.empty()) {
    return ProviderResult::Failed(
        "web identity: AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not");
  }
  auto credentials =
      AssumeRoleWithWebIdentityFile(environment, region, token_file, request, "web identity");
  if (!credentials.ok()) return ProviderResult::Failed(credentials.message());
  return ProviderResult::Found(std::move(credentials.value()));
}

}  // namespace trailwatch::aws
