// STS requests against a fake STS on 127.0.0.1 (what each request carries: signature or not, the
// form fields, the regional endpoint) and the chain's order with every provider configured at
// once. moto_server covers the same end to end (sts_credentials_integration_test.cpp).
#include "aws/sts_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <tuple>
#include <vector>

#include "aws/credentials.h"
#include "aws/fake_sts_util.h"
#include "cli/cli_test_util.h"
#include "targets/fake_servers_util.h"

namespace trailwatch::aws {
namespace {

using trailwatch::testing::FakeHttpServer;
using trailwatch::testing::FakeRequest;
using trailwatch::testing::FakeResponse;
using trailwatch::testing::IsoTime;
using trailwatch::testing::ParseForm;
using trailwatch::testing::StsCredentialsXml;
using trailwatch::testing::StsErrorXml;
using trailwatch::testing::TempDir;

const auto kInAnHour = [] { return std::chrono::system_clock::now() + std::chrono::hours(1); };

TEST(StsClientTest, RegionalEndpointByDefaultAndTheOverridesInOrder) {
  EXPECT_EQ(ResolveStsEndpoint({}, "eu-west-1"), "https://sts.eu-west-1.amazonaws.com");
  EXPECT_EQ(ResolveStsEndpoint({}, "cn-north-1"), "https://sts.cn-north-1.amazonaws.com.cn");
  EXPECT_EQ(ResolveStsEndpoint({{"AWS_ENDPOINT_URL", "http://127.0.0.1:1/"}}, "eu-west-1"),
            "http://127.0.0.1:1");
  EXPECT_EQ(
      ResolveStsEndpoint({{"AWS_ENDPOINT_URL", "http://a"}, {"AWS_ENDPOINT_URL_STS", "http://b"}},
                         "eu-west-1"),
      "http://b");
}

TEST(StsClientTest, AssumeRoleIsASignedFormPostWithEveryField) {
  auto expiration = kInAnHour();
  FakeHttpServer sts([&](const FakeRequest&) {
    return FakeResponse::Text(
        200, StsCredentialsXml("AssumeRole", "ASIAROLE", "role-secret", "role-token", expiration));
  });
  Credentials caller{"AKIDCALLER", "caller-secret", "caller-token", std::nullopt, "environment"};
  AssumeRoleRequest request;
  request.role_arn = "arn:aws:iam::444455556666:role/trail reader";
  request.role_session_name = "tw-test";
  request.external_id = "ext:id/1";
  request.duration_seconds = 900;
  auto credentials = AssumeRole(sts.Url(""), "eu-west-1", caller, request);
  ASSERT_TRUE(credentials.ok()) << credentials.message();
  EXPECT_EQ(credentials->access_key_id, "ASIAROLE");
  EXPECT_EQ(credentials->secret_access_key, "role-secret");
  EXPECT_EQ(credentials->session_token, "role-token");
  ASSERT_TRUE(credentials->expiration);
  EXPECT_EQ(IsoTime(*credentials->expiration), IsoTime(expiration));
  EXPECT_EQ(credentials->source,
            "role arn:aws:iam::444455556666:role/trail reader via environment");

  ASSERT_EQ(sts.RequestCount(), 1u);
  FakeRequest sent = sts.Requests()[0];
  EXPECT_EQ(sent.method, "POST");
  EXPECT_TRUE(sent.Header("content-type").starts_with("application/x-www-form-urlencoded"));
  EXPECT_TRUE(sent.Header("authorization").starts_with("AWS4-HMAC-SHA256 Credential=AKIDCALLER/"))
      << sent.Header("authorization");
  EXPECT_NE(sent.Header("authorization").find("/eu-west-1/sts/aws4_request"), std::string::npos);
  EXPECT_EQ(sent.Header("x-amz-security-token"), "caller-token");
  auto form = ParseForm(sent.body);
  EXPECT_EQ(form["Action"], "AssumeRole");
  EXPECT_EQ(form["Version"], "2011-06-15");
  EXPECT_EQ(form["RoleArn"], "arn:aws:iam::444455556666:role/trail reader");
  EXPECT_EQ(form["RoleSessionName"], "tw-test");
  EXPECT_EQ(form["ExternalId"], "ext:id/1");
  EXPECT_EQ(form["DurationSeconds"], "900");
}

TEST(StsClientTest, AssumeRoleErrorNamesTheRoleTheCodeAndTheCallerButNoSecret) {
  FakeHttpServer sts([&](const FakeRequest&) {
    return FakeResponse::Text(403, StsErrorXml("AccessDenied", "not authorized to assume"));
  });
  Credentials caller{"AKIDCALLER", "caller-secret-value", "caller-token-value", std::nullopt,
                     "profile base"};
  AssumeRoleRequest request;
  request.role_arn = "arn:aws:iam::444455556666:role/R";
  auto credentials = AssumeRole(sts.Url(""), "us-east-1", caller, request);
  ASSERT_FALSE(credentials.ok());
  const std::string& message = credentials.message();
  EXPECT_NE(message.find("STS AssumeRole arn:aws:iam::444455556666:role/R"), std::string::npos)
      << message;
  EXPECT_NE(message.find("AccessDenied: not authorized to assume (HTTP 403)"), std::string::npos)
      << message;
  EXPECT_NE(message.find("[caller from profile base]"), std::string::npos) << message;
  EXPECT_EQ(message.find("caller-secret-value"), std::string::npos);
  EXPECT_EQ(message.find("caller-token-value"), std::string::npos);
  EXPECT_EQ(sts.RequestCount(), 1u);  // AccessDenied is not retried
}

TEST(StsClientTest, WebIdentityIsUnsignedAndItsTokenNeverAppearsInAnError) {
  const std::string token = "eyJhbGciOiJSUzI1NiJ9.web-identity-token-value";
  std::atomic<bool> refuse{false};
  FakeHttpServer sts([&](const FakeRequest&) {
    if (refuse) {
      // An identity provider echoing the token it refused.
      return FakeResponse::Text(400, StsErrorXml("InvalidIdentityToken", "bad token " + token));
    }
    return FakeResponse::Text(
        200, StsCredentialsXml("AssumeRoleWithWebIdentity", "ASIAWEB", "s", "t", kInAnHour()));
  });
  AssumeRoleRequest request;
  request.role_arn = "arn:aws:iam::111122223333:role/irsa";
  auto credentials = AssumeRoleWithWebIdentity(sts.Url(""), request, token);
  ASSERT_TRUE(credentials.ok()) << credentials.message();
  EXPECT_EQ(credentials->access_key_id, "ASIAWEB");
  EXPECT_EQ(credentials->source, "web identity arn:aws:iam::111122223333:role/irsa");
  FakeRequest sent = sts.Requests()[0];
  EXPECT_EQ(sent.Header("authorization"), "");
  auto form = ParseForm(sent.body);
  EXPECT_EQ(form["Action"], "AssumeRoleWithWebIdentity");
  EXPECT_EQ(form["WebIdentityToken"], token);
  EXPECT_TRUE(form["RoleSessionName"].starts_with("trailwatch-")) << form["RoleSessionName"];

  refuse = true;
  auto refused = AssumeRoleWithWebIdentity(sts.Url(""), request, token);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.message().find("InvalidIdentityToken"), std::string::npos) << refused.message();
  EXPECT_EQ(refused.message().find(token), std::string::npos) << refused.message();
}

// Every provider configured at once; removing the one that answered reveals the next.
TEST(CredentialChainTest, OrderIsEnvironmentWebIdentityProfileContainerInstanceMetadata) {
  FakeHttpServer sts([&](const FakeRequest& request) {
    auto form = ParseForm(request.body);
    if (form["Action"] != "AssumeRoleWithWebIdentity") return FakeResponse::Text(400, "");
    return FakeResponse::Text(
        200, StsCredentialsXml("AssumeRoleWithWebIdentity", "ASIAWEB", "s", "t", kInAnHour()));
  });
  FakeHttpServer ecs([&](const FakeRequest&) {
    return FakeResponse::Json(200,
                              "{\"AccessKeyId\":\"ASIAECS\",\"SecretAccessKey\":\"s\","
                              "\"Token\":\"t\",\"Expiration\":\"" +
                                  IsoTime(kInAnHour()) + "\"}");
  });
  FakeHttpServer imds([&](const FakeRequest& request) {
    if (request.method == "PUT") return FakeResponse::Text(200, "session");
    if (request.path == "/latest/meta-data/iam/security-credentials/") {
      return FakeResponse::Text(200, "role");
    }
    return FakeResponse::Json(200,
                              "{\"Code\":\"Success\",\"AccessKeyId\":\"ASIAIMDS\","
                              "\"SecretAccessKey\":\"s\",\"Token\":\"t\",\"Expiration\":\"" +
                                  IsoTime(kInAnHour()) + "\"}");
  });
  TempDir home;
  std::filesystem::create_directories(home.path() + "/.aws/sso/cache");
  home.Write(".aws/credentials",
             "[default]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = p\n");
  Environment environment = {
      {"HOME", home.path()},
      {"AWS_ACCESS_KEY_ID", "AKIDENV"},
      {"AWS_SECRET_ACCESS_KEY", "e"},
      {"AWS_WEB_IDENTITY_TOKEN_FILE", home.Write("token", "web-token")},
      {"AWS_ROLE_ARN", "arn:aws:iam::111122223333:role/irsa"},
      {"AWS_ENDPOINT_URL_STS", sts.Url("")},
      {"AWS_CONTAINER_CREDENTIALS_FULL_URI", ecs.Url("/creds")},
      {"AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.Url("")},
  };
  auto first = [&] {
    CredentialsProvider provider(environment);
    auto credentials = provider.Get();
    return credentials.ok() ? credentials->access_key_id : "error: " + credentials.message();
  };
  EXPECT_EQ(first(), "AKIDENV");
  environment.erase("AWS_ACCESS_KEY_ID");
  EXPECT_EQ(first(), "ASIAWEB");
  environment.erase("AWS_WEB_IDENTITY_TOKEN_FILE");
  EXPECT_EQ(first(), "AKIDPROFILE");
  environment["AWS_SHARED_CREDENTIALS_FILE"] = home.path() + "/none";
  EXPECT_EQ(first(), "ASIAECS");
  environment.erase("AWS_CONTAINER_CREDENTIALS_FULL_URI");
  EXPECT_EQ(first(), "ASIAIMDS");
  EXPECT_EQ(sts.RequestCount(), 1u);
  EXPECT_EQ(ecs.RequestCount(), 1u);
}

TEST(CredentialChainTest, ProfileWithWebIdentityTokenFileAndCredentialSourceEnvironment) {
  FakeHttpServer sts([&](const FakeRequest& request) {
    auto form = ParseForm(request.body);
    std::string id = form["Action"] == "AssumeRole" ? "ASIAROLE" : "ASIAWEB";
    return FakeResponse::Text(200, StsCredentialsXml(form["Action"], id, "s", "t", kInAnHour()));
  });
  TempDir home;
  std::filesystem::create_directories(home.path() + "/.aws/sso/cache");
  home.Write(".aws/config",
             "[profile pod]\nrole_arn = arn:aws:iam::111122223333:role/pod\n"
             "web_identity_token_file = " +
                 home.path() +
                 "/token\nrole_session_name = pod-1\n"
                 "[profile env]\nrole_arn = arn:aws:iam::111122223333:role/env\n"
                 "credential_source = Environment\nexternal_id = xyz\n");
  home.Write("token", "pod-token\n");
  Environment environment = {{"HOME", home.path()},
                             {"AWS_EC2_METADATA_DISABLED", "true"},
                             {"AWS_ENDPOINT_URL_STS", sts.Url("")},
                             {"AWS_PROFILE", "pod"}};
  {
    CredentialsProvider provider(environment);
    auto credentials = provider.Get();
    ASSERT_TRUE(credentials.ok()) << credentials.message();
    EXPECT_EQ(credentials->access_key_id, "ASIAWEB");
    EXPECT_EQ(credentials->source, "profile pod (web identity arn:aws:iam::111122223333:role/pod)");
    auto form = ParseForm(sts.Requests().back().body);
    EXPECT_EQ(form["WebIdentityToken"], "pod-token");
    EXPECT_EQ(form["RoleSessionName"], "pod-1");
  }
  environment["AWS_PROFILE"] = "env";
  environment["AWS_ACCESS_KEY_ID"] = "AKIDENV";
  environment["AWS_SECRET_ACCESS_KEY"] = "env-secret";
  CredentialsOptions options;
  options.profile = "env";  // explicit: the environment's keys only as the role's source
  CredentialsProvider provider(environment, options);
  auto credentials = provider.Get();
  ASSERT_TRUE(credentials.ok()) << credentials.message();
  EXPECT_EQ(credentials->access_key_id, "ASIAROLE");
  EXPECT_EQ(credentials->source, "role arn:aws:iam::111122223333:role/env via environment");
  FakeRequest sent = sts.Requests().back();
  EXPECT_TRUE(sent.Header("authorization").starts_with("AWS4-HMAC-SHA256 Credential=AKIDENV/"));
  EXPECT_EQ(ParseForm(sent.body)["ExternalId"], "xyz");
}

// credential_source = EcsContainer / Ec2InstanceMetadata: the role is assumed with the task's or
// the instance's credentials (each from its fake endpoint), signed with their key and token.
TEST(CredentialChainTest, CredentialSourceContainerAndInstanceMetadata) {
  FakeHttpServer sts([&](const FakeRequest&) {
    return FakeResponse::Text(200,
                              StsCredentialsXml("AssumeRole", "ASIAROLE", "s", "t", kInAnHour()));
  });
  FakeHttpServer ecs([&](const FakeRequest&) {
    return FakeResponse::Json(200,
                              "{\"AccessKeyId\":\"ASIATASK\",\"SecretAccessKey\":\"s\","
                              "\"Token\":\"task-token\",\"Expiration\":\"" +
                                  IsoTime(kInAnHour()) + "\"}");
  });
  FakeHttpServer imds([&](const FakeRequest& request) {
    if (request.method == "PUT") return FakeResponse::Text(200, "session");
    if (request.path == "/latest/meta-data/iam/security-credentials/") {
      return FakeResponse::Text(200, "instance-role");
    }
    return FakeResponse::Json(200,
                              "{\"Code\":\"Success\",\"AccessKeyId\":\"ASIAINSTANCE\","
                              "\"SecretAccessKey\":\"s\",\"Token\":\"instance-token\","
                              "\"Expiration\":\"" +
                                  IsoTime(kInAnHour()) + "\"}");
  });
  TempDir home;
  std::filesystem::create_directories(home.path() + "/.aws");
  home.Write(".aws/config",
             "[profile task]\nrole_arn = arn:aws:iam::444455556666:role/r\n"
             "credential_source = EcsContainer\n"
             "[profile instance]\nrole_arn = arn:aws:iam::444455556666:role/r\n"
             "credential_source = Ec2InstanceMetadata\n");
  Environment environment = {{"HOME", home.path()},
                             {"AWS_ENDPOINT_URL_STS", sts.Url("")},
                             {"AWS_CONTAINER_CREDENTIALS_FULL_URI", ecs.Url("/creds")},
                             {"AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.Url("")}};
  for (const auto& [profile, key, token, source] :
       std::vector<std::tuple<std::string, std::string, std::string, std::string>>{
           {"task", "ASIATASK", "task-token", "ecs"},
           {"instance", "ASIAINSTANCE", "instance-token", "imds"}}) {
    CredentialsOptions options;
    options.profile = profile;
    CredentialsProvider provider(environment, options);
    auto credentials = provider.Get();
    ASSERT_TRUE(credentials.ok()) << credentials.message();
    EXPECT_EQ(credentials->access_key_id, "ASIAROLE");
    EXPECT_EQ(credentials->source, "role arn:aws:iam::444455556666:role/r via " + source);
    FakeRequest sent = sts.Requests().back();
    EXPECT_TRUE(sent.Header("authorization").starts_with("AWS4-HMAC-SHA256 Credential=" + key))
        << sent.Header("authorization");
    EXPECT_EQ(sent.Header("x-amz-security-token"), token);
  }
}

}  // namespace
}  // namespace trailwatch::aws
