// The credentials chain: each link with an injected Environment, temp profile files and fake
// ECS / instance-metadata servers on 127.0.0.1 (never the real link-local addresses).
#include "aws/credentials.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "aws/fake_sts_util.h"
#include "targets/fake_servers_util.h"

namespace trailwatch::aws {
namespace {

using trailwatch::testing::FakeHttpServer;
using trailwatch::testing::FakeRequest;
using trailwatch::testing::FakeResponse;
using trailwatch::testing::IsoTime;

class CredentialsDir {
 public:
  CredentialsDir() {
    path_ =
        std::filesystem::temp_directory_path() /
        ("trailwatch-credentials-" + std::to_string(getpid()) + "-" + std::to_string(counter_++));
    std::filesystem::create_directories(path_);
  }
  ~CredentialsDir() { std::filesystem::remove_all(path_); }
  std::string Write(const std::string& name, const std::string& text) const {
    std::filesystem::path file = path_ / name;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file) << text;
    return file.string();
  }
  std::string path() const { return path_.string(); }

 private:
  static inline std::atomic<int> counter_{0};
  std::filesystem::path path_;
};

// No HOME, no IMDS: a chain that contacts nothing unless a test says so.
Environment Isolated() { return {{"AWS_EC2_METADATA_DISABLED", "true"}}; }

std::string CredentialsJson(const std::string& id, const std::string& secret,
                            const std::string& token,
                            std::chrono::system_clock::time_point expiration) {
  return "{\"Code\":\"Success\",\"Type\":\"AWS-HMAC\",\"AccessKeyId\":\"" + id +
         "\",\"SecretAccessKey\":\"" + secret + "\",\"Token\":\"" + token + "\",\"Expiration\":\"" +
         IsoTime(expiration) + "\"}";
}

TEST(CredentialsTest, EnvironmentComesFirst) {
  CredentialsDir home;
  home.Write(".aws/credentials",
             "[default]\naws_access_key_id = FROMFILE\n"
             "aws_secret_access_key = file-secret\n");
  Environment environment = Isolated();
  environment["HOME"] = home.path();
  environment["AWS_ACCESS_KEY_ID"] = "AKIDENV";
  environment["AWS_SECRET_ACCESS_KEY"] = "env-secret";
  environment["AWS_SESSION_TOKEN"] = "env-token";
  CredentialsProvider provider(environment);
  auto credentials = provider.Get();
  ASSERT_TRUE(credentials.ok()) << credentials.message();
  EXPECT_EQ(credentials->access_key_id, "AKIDENV");
  EXPECT_EQ(credentials->secret_access_key, "env-secret");
  EXPECT_EQ(credentials->session_token, "env-token");
  EXPECT_EQ(credentials->source, "environment");
  EXPECT_FALSE(credentials->expiration);
}

TEST(CredentialsTest, HalfSetEnvironmentFallsThroughToTheProfile) {
  CredentialsDir home;
  home.Write(".aws/credentials",
             "[default]\naws_access_key_id=FROMFILE\n"
             "aws_secret_access_key=file-secret\n");
  Environment environment = Isolated();
  environment["HOME"] = home.path();
  environment["AWS_ACCESS_KEY_ID"] = "AKIDENV";
  CredentialsProvider provider(environment);
  auto credentials = provider.Get();
  ASSERT_TRUE(credentials.ok()) << credentials.message();
  EXPECT_EQ(credentials->access_key_id, "FROMFILE");
  EXPECT_EQ(credentials->source, "profile default");
}

TEST(CredentialsTest, ProfileFromSharedCredentialsFileWithCommentsAndWhitespace) {
  CredentialsDir dir;
  std::string file = dir.Write("creds",
                               "# a comment\n"
                               "; another comment\n"
                               "[default]\n"
                               "aws_access_key_id = DEFAULTKEY\n"
                               "aws_secret_access_key = default-secret\n"
                               "\n"
                               "[work]  \n"
                               "aws_access_key_id\t=\tWORKKEY  \n"
                               "aws_secret_access_key = work#secret;with=signs\n"
                               "aws_session_token = work-token\n"
                               "s3 =\n"
                               "  max_concurrent_requests = 20\n");
  Environment environment = Isolated();
  environment["AWS_SHARED_CREDENTIALS_FILE"] = file;
  environment["AWS_CONFIG_FILE"] = dir.path() + "/missing-config";
  environment["AWS_PROFILE"] = "work";
  CredentialsProvider provider(environment);
  auto credentials = provider.Get();
  ASSERT_TRUE(credentials.ok()) << credentials.message();
  EXPECT_EQ(credentials->access_key_id, "WORKKEY");
  EXPECT_EQ(credentials->secret_access_key, "work#secret;with=signs");  // no inline comments
  EXPECT_EQ(credentials->session_token, "work-token");
  EXPECT_EQ(credentials->source, "profile work");
}

TEST(CredentialsTest, ProfileFromConfigFileAndCredentialsFileWins) {
  CredentialsDir home;
  home.Write(".aws/config",
             "[default]\nregion = eu-central-1\n"
             "[profile audit]\nregion = eu-west-1\naws_access_key_id = CONFIGKEY\n"
             "aws_secret_access_key = config-secret\n"
             "[audit]\naws_access_key_id = IGNORED\naws_secret_access_key = ignored\n");
  Environment environment = Isolated();
  environment["HOME"] = home.path();
  environment["AWS_PROFILE"] = "audit";
  {
    CredentialsProvider provider(environment);
    auto credentials = provider.Get();
    ASSERT_TRUE(credentials.ok()) << credentials.message();
    EXPECT_EQ(credentials->access_key_id, "CONFIGKEY");
    EXPECT_EQ(credentials->secret_access_key, "config-secret");
  }
  home.Write(".aws/credentials",
             "[audit]\naws_access_key_id = CREDSKEY\n"
             "aws_secret_access_key = creds-secret\n");
  CredentialsProvider provider(environment);
  auto credentials = provider.Get();
  ASSERT_TRUE(credentials.ok()) << credentials.message();
  EXPECT_EQ(credentials->access_key_id, "CREDSKEY");
  EXPECT_EQ(credentials->secret_access_key, "creds-secret");
}

TEST(CredentialsTest, MissingExplicitProfileIsAnErrorAndStopsTheChain) {
  CredentialsDir home;
  home.Write(".aws/credentials", "[default]\naws_access_key_id = K\naws_secret_access_key = s\n");
  FakeHttpServer imds([](const FakeRequest&) { return FakeResponse::Text(500, ""); });
  Environment environment;
  environment["HOME"] = home.path();
  environment["AWS_PROFILE"] = "nope";
  environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = imds.Url("");
  CredentialsProvider provider(environment);
  auto credentials = provider.Get();
  ASSERT_FALSE(credentials.ok());
  EXPECT_NE(credentials.message().find("profile nope"), std::string::npos) << credentials.message();
  EXPECT_NE(credentials.message().find(home.path() + "/.aws/credentials"), std::string::npos)
      << credentials.message();
  EXPECT_EQ(imds.RequestCount(), 0u);
}

// What a daemon cannot do is refused before any request: mfa_serial needs a code typed at a
// terminal.
TEST(CredentialsTest, MfaSerialIsRefusedWithAClearMessageNamingTheProfile) {
  CredentialsDir home;
  home.Write(".aws/config",
             "[profile admin]\nrole_arn = arn:aws:iam::111122223333:role/Admin\n"
             "source_profile = base\nmfa_serial = arn:aws:iam::111122223333:mfa/me\n"
             "[profile base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\n");
  FakeHttpServer sts([](const FakeRequest&) { return FakeResponse::Text(500, ""); });
  Environment environment = Isolated();
  environment["HOME"] = home.path();
  environment["AWS_PROFILE"] = "admin";
  environment["AWS_ENDPOINT_URL_STS"] = sts.Url("");
  CredentialsProvider provider(environment);
  auto credentials = provider.Get();
  ASSERT_FALSE(credentials.ok());
  EXPECT_NE(credentials.message().find("profile admin: mfa_serial is set"), std::string::npos)
      << credentials.message();
  EXPECT_NE(credentials.message().find("cannot ask"), std::string::npos) << credentials.message();
  EXPECT_EQ(credentials.message().find("base-secret"), std::string::npos);
  EXPECT_EQ(sts.RequestCount(), 0u);
}

TEST(CredentialsTest, RoleProfileMisconfigurationsAreErrorsNamingTheProfile) {
  struct Case {
    std::string config;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"[profile r]\nrole_arn = arn:aws:iam::111122223333:role/R\n",
       "profile r: role_arn needs source_profile, credential_source or web_identity_token_file"},
      {"[profile r]\nrole_arn = arn:aws:iam::111122223333:role/R\nsource_profile = a\n"
       "credential_source = Environment\n",
       "profile r: give only one of source_profile, credential_source"},
      {"[profile r]\nrole_arn = arn:aws:iam::111122223333:role/R\ncredential_source = Vault\n",
       "credential_source must be Environment, Ec2InstanceMetadata or EcsContainer, not Vault"},
      {"[profile r]\nrole_arn = arn:aws:iam::111122223333:role/R\nsource_profile = a\n"
       "[profile a]\nrole_arn = arn:aws:iam::111122223333:role/A\nsource_profile = r\n",
       "source_profile loop: r -> a -> r"},
      {"[profile r]\nrole_arn = arn:aws:iam::111122223333:role/R\nsource_profile = gone\n",
       "profile gone not found in"},
      {"[profile r]\nrole_arn = arn:aws:iam::111122223333:role/R\nsource_profile = a\n"
       "duration_seconds = 60\n[profile a]\naws_access_key_id = K\naws_secret_access_key = S\n",
       "profile r: duration_seconds must be 900 to 43200, not 60"},
      {"[profile r]\nrole_arn = arn:aws:iam::111122223333:role/R\nsource_profile = r\n",
       "source_profile is itself, but it has no aws_access_key_id"},
      {"[profile r]\nrole_arn = arn:aws:iam::111122223333:role/R\n"
       "credential_source = Environment\n",
       "profile r: credential_source Environment found no credentials: environment "
       "(AWS_ACCESS_KEY_ID not set)"},
  };
  for (const Case& c : cases) {
    CredentialsDir home;
    home.Write(".aws/config", c.config);
    Environment environment = {{"AWS_EC2_METADATA_DISABLED", "true"},
                               {"HOME", home.path()},
                               {"AWS_PROFILE", "r"},
                               {"AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9"}};  // never reached
    CredentialsProvider provider(environment);
    auto credentials = provider.Get();
    ASSERT_FALSE(credentials.ok()) << c.config;
    EXPECT_NE(credentials.message().find(c.expected), std::string::npos)
        << credentials.message();
  }
}

TEST(CredentialsTest, ProfileOptionReplacesTheEnvironmentAndMustExist) {
  CredentialsDir home;
  home.Write(".aws/credentials",
             "[audit]\naws_access_key_id = AUDITKEY\naws_secret_access_key = audit-secret\n");
  Environment environment = Isolated();
  environment["HOME"] = home.path();
  environment["AWS_ACCESS_KEY_ID"] = "AKIDENV";
  environment["AWS_SECRET_ACCESS_KEY"] = "env-secret";
  CredentialsOptions options;
  options.profile = "audit";
  CredentialsProvider provider(environment, options);
  auto credentials = provider.Get();
  ASSERT_TRUE(credentials.ok()) << credentials.message();
  EXPECT_EQ(credentials->access_key_id, "AUDITKEY");
  EXPECT_EQ(credentials->source, "profile audit");

  // AWS_PROFILE does not replace the environment's keys (as in the SDKs).
  environment["AWS_PROFILE"] = "audit";
  CredentialsProvider by_variable(environment);
  ASSERT_TRUE(by_variable.Get().ok());
  EXPECT_EQ(by_variable.Get()->access_key_id, "AKIDENV");

  options.profile = "nope";
  CredentialsProvider missing(environment, options);
  auto error = missing.Get();
  ASSERT_FALSE(error.ok());
  EXPECT_NE(error.message().find("--profile/profile: profile nope (not found in"),
            std::string::npos)
      << error.message();
}

TEST(CredentialsTest, WebIdentityTokenFileWithoutRoleArnIsAnError) {
  CredentialsDir dir;
  Environment environment = Isolated();
  environment["AWS_WEB_IDENTITY_TOKEN_FILE"] = dir.Write("token", "eyJ-web-identity-token");
  CredentialsProvider provider(environment);
  auto credentials = provider.Get();
  ASSERT_FALSE(credentials.ok());
  EXPECT_NE(credentials.message().find("AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not"),
            std::string::npos)
      << credentials.message();
  EXPECT_EQ(credentials.message().find("eyJ-web-identity-token"), std::string::npos);
}

TEST(CredentialsTest, EcsFullUriWithAuthorizationToken) {
  auto expiration = std::chrono::system_clock::now() + std::chrono::hours(6);
  FakeHttpServer ecs([&](const FakeRequest& request) {
    if (request.path != "/v2/credentials/abc" || request.Header("authorization") != "tok-123") {
      return FakeResponse::Text(401, "denied");
    }
    return FakeResponse::Json(200,
                              CredentialsJson("ASIAECS", "ecs-secret", "ecs-token", expiration));
  });
  Environment environment = Isolated();
  environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = ecs.Url("/v2/credentials/abc");
  environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "tok-123";
  CredentialsProvider provider(environment);
  auto credentials = provider.Get();
  ASSERT_TRUE(credentials.ok()) << credentials.message();
  EXPECT_EQ(credentials->access_key_id, "ASIAECS");
  EXPECT_EQ(credentials->secret_access_key, "ecs-secret");
  EXPECT_EQ(credentials->session_token, "ecs-token");
  EXPECT_EQ(credentials->source, "ecs");
  ASSERT_TRUE(credentials->expiration);
  EXPECT_LE(std::chrono::abs(*credentials->expiration - expiration), std::chrono::seconds(1));
}

TEST(CredentialsTest, EcsTokenFileTakesPrecedenceOverTheTokenVariable) {
  CredentialsDir dir;
  std::string token_file = dir.Write("token", "file-token\n");
  FakeHttpServer ecs([&](const FakeRequest& request) {
    if (request.Header("authorization") != "file-token") return FakeResponse::Text(401, "");
    return FakeResponse::Json(
        200, CredentialsJson("ASIAFILE", "s", "t",
                             std::chrono::system_clock::now() + std::chrono::hours(1)));
  });
  Environment environment = Isolated();
  environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = ecs.Url("/creds");
  environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "variable-token";
  environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = token_file;
  CredentialsProvider provider(environment);
  auto credentials = provider.Get();
  ASSERT_TRUE(credentials.ok()) << credentials.message();
  EXPECT_EQ(credentials->access_key_id, "ASIAFILE");
}

TEST(CredentialsTest, EcsFullUriOverPlainHttpToAnotherHostIsRefusedWithoutContactingIt) {
  Environment environment = Isolated();
  environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "http://192.0.2.1/creds";  // TEST-NET-1
  CredentialsProvider provider(environment);
  auto credentials = provider.Get();
  ASSERT_FALSE(credentials.ok());
  EXPECT_NE(credentials.message().find("must be https or a loopback address"), std::string::npos)
      << credentials.message();
}

TEST(CredentialsTest, ImdsV2TokenThenRoleThenCredentials) {
  auto expiration = std::chrono::system_clock::now() + std::chrono::hours(6);
  FakeHttpServer imds([&](const FakeRequest& request) {
    if (request.method == "PUT" && request.path == "/latest/api/token") {
      if (request.Header("x-aws-ec2-metadata-token-ttl-seconds").empty()) {
        return FakeResponse::Text(400, "");
      }
      return FakeResponse::Text(200, "session-abc");
    }
    if (request.Header("x-aws-ec2-metadata-token") != "session-abc") {
      return FakeResponse::Text(401, "");
    }
    if (request.path == "/latest/meta-data/iam/security-credentials/") {
      return FakeResponse::Text(200, "trailwatch-role\n");
    }
    if (request.path == "/latest/meta-data/iam/security-credentials/trailwatch-role") {
      return FakeResponse::Json(
          200, CredentialsJson("ASIAIMDS", "imds-secret", "imds-token", expiration));
    }
    return FakeResponse::Text(404, "");
  });
  Environment environment;
  environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = imds.Url("/");
  CredentialsProvider provider(environment);
  auto credentials = provider.Get();
  ASSERT_TRUE(credentials.ok()) << credentials.message();
  EXPECT_EQ(credentials->access_key_id, "ASIAIMDS");
  EXPECT_EQ(credentials->secret_access_key, "imds-secret");
  EXPECT_EQ(credentials->session_token, "imds-token");
  EXPECT_EQ(credentials->source, "imds");
  EXPECT_EQ(imds.RequestCount(), 3u);
}

TEST(CredentialsTest, ImdsWithoutRoleIsReported) {
  FakeHttpServer imds([&](const FakeRequest& request) {
    if (request.method == "PUT") return FakeResponse::Text(200, "session");
    return FakeResponse::Text(404, "");
  });
  Environment environment;
  environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = imds.Url("");
  CredentialsProvider provider(environment);
  auto credentials = provider.Get();
  ASSERT_FALSE(credentials.ok());
  EXPECT_NE(credentials.message().find("no IAM role attached"), std::string::npos)
      << credentials.message();
}

TEST(CredentialsTest, EcsComesBeforeImds) {
  FakeHttpServer ecs([](const FakeRequest&) {
    return FakeResponse::Json(
        200, CredentialsJson("ASIAECS", "s", "t",
                             std::chrono::system_clock::now() + std::chrono::hours(1)));
  });
  FakeHttpServer imds([](const FakeRequest&) { return FakeResponse::Text(500, ""); });
  Environment environment;
  environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = ecs.Url("/creds");
  environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = imds.Url("");
  CredentialsProvider provider(environment);
  auto credentials = provider.Get();
  ASSERT_TRUE(credentials.ok()) << credentials.message();
  EXPECT_EQ(credentials->source, "ecs");
  EXPECT_EQ(imds.RequestCount(), 0u);
}

TEST(CredentialsTest, RefreshesFiveMinutesBeforeExpiryAndCachesOtherwise) {
  std::atomic<int> served{0};
  std::atomic<int> minutes_left{3};  // inside the 5-minute refresh margin
  FakeHttpServer ecs([&](const FakeRequest&) {
    int n = ++served;
    return FakeResponse::Json(200, CredentialsJson("ASIA" + std::to_string(n), "s", "t",
                                                   std::chrono::system_clock::now() +
                                                       std::chrono::minutes(minutes_left.load())));
  });
  Environment environment = Isolated();
  environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = ecs.Url("/creds");
  CredentialsProvider provider(environment);
  auto first = provider.Get();
  ASSERT_TRUE(first.ok()) << first.message();
  EXPECT_EQ(first->access_key_id, "ASIA1");
  minutes_left = 60;
  auto second = provider.Get();  // the first expire within 5 minutes: fetched again
  ASSERT_TRUE(second.ok()) << second.message();
  EXPECT_EQ(second->access_key_id, "ASIA2");
  auto third = provider.Get();  // good for an hour: cached
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->access_key_id, "ASIA2");
  EXPECT_EQ(served.load(), 2);
}

TEST(CredentialsTest, FailedRefreshKeepsCredentialsThatHaveNotExpiredYet) {
  std::atomic<int> served{0};
  FakeHttpServer ecs([&](const FakeRequest&) {
    if (++served > 1) return FakeResponse::Text(500, "down");
    return FakeResponse::Json(
        200, CredentialsJson("ASIAOLD", "s", "t",
                             std::chrono::system_clock::now() + std::chrono::minutes(2)));
  });
  Environment environment = Isolated();
  environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = ecs.Url("/creds");
  CredentialsProvider provider(environment);
  ASSERT_TRUE(provider.Get().ok());
  auto again = provider.Get();
  ASSERT_TRUE(again.ok()) << again.message();
  EXPECT_EQ(again->access_key_id, "ASIAOLD");
  EXPECT_EQ(served.load(), 2);
}

TEST(CredentialsTest, ErrorListsWhatWasTriedAndNoSecret) {
  const std::string secret = "SUPERSECRETVALUE0123456789";
  FakeHttpServer ecs([&](const FakeRequest&) {
    // A broken answer that holds a secret: it must not be quoted.
    return FakeResponse::Json(200, "{\"SecretAccessKey\":\"" + secret + "\"}");
  });
  FakeHttpServer imds([](const FakeRequest&) { return FakeResponse::Text(403, ""); });
  CredentialsDir home;
  Environment environment;
  environment["HOME"] = home.path();
  environment["AWS_SECRET_ACCESS_KEY"] = secret;  // without the key id: not used
  environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = ecs.Url("/creds");
  environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = secret;
  environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = imds.Url("");
  CredentialsProvider provider(environment);
  auto credentials = provider.Get();
  ASSERT_FALSE(credentials.ok());
  const std::string& message = credentials.message();
  EXPECT_NE(message.find("no AWS credentials found; tried: environment"), std::string::npos)
      << message;
  EXPECT_NE(message.find("profile default (not found in"), std::string::npos) << message;
  EXPECT_NE(message.find("ecs ("), std::string::npos) << message;
  EXPECT_NE(message.find("imds ("), std::string::npos) << message;
  EXPECT_NE(message.find("HTTP 403"), std::string::npos) << message;
  EXPECT_EQ(message.find(secret), std::string::npos) << message;
}

TEST(CredentialsTest, ImdsDisabledIsNotContacted) {
  FakeHttpServer imds([](const FakeRequest&) { return FakeResponse::Text(500, ""); });
  Environment environment = Isolated();
  environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = imds.Url("");
  CredentialsProvider provider(environment);
  auto credentials = provider.Get();
  ASSERT_FALSE(credentials.ok());
  EXPECT_NE(credentials.message().find("imds (AWS_EC2_METADATA_DISABLED=true)"), std::string::npos)
      << credentials.message();
  EXPECT_EQ(imds.RequestCount(), 0u);
}

// The refresh decision follows the injected clock: no waiting in the test.
TEST(CredentialsTest, RefreshFollowsTheInjectedClock) {
  const auto start = std::chrono::system_clock::now();
  std::atomic<int> served{0};
  FakeHttpServer ecs([&](const FakeRequest&) {
    int n = ++served;
    return FakeResponse::Json(
        200, CredentialsJson("ASIA" + std::to_string(n), "s", "t", start + std::chrono::hours(n)));
  });
  auto now = std::make_shared<std::atomic<int64_t>>(0);  // minutes after start
  Environment environment = Isolated();
  environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = ecs.Url("/creds");
  CredentialsOptions options;
  options.now = [now, start] { return start + std::chrono::minutes(now->load()); };
  CredentialsProvider provider(environment, options);
  EXPECT_EQ(provider.Get()->access_key_id, "ASIA1");  // valid until start + 60 min
  *now = 54;                                           // 6 minutes left: still cached
  EXPECT_EQ(provider.Get()->access_key_id, "ASIA1");
  *now = 56;  // 4 minutes left: fetched again
  EXPECT_EQ(provider.Get()->access_key_id, "ASIA2");
  EXPECT_EQ(provider.Get()->access_key_id, "ASIA2");
  EXPECT_EQ(served.load(), 2);
}

// While one thread refreshes (a slow endpoint), the others keep the credentials that have not
// expired yet instead of waiting: a running scan or source is not stopped by a refresh.
TEST(CredentialsTest, OtherCallersKeepUnexpiredCredentialsDuringARefresh) {
  const auto start = std::chrono::system_clock::now();
  std::atomic<int> served{0};
  FakeHttpServer ecs([&](const FakeRequest&) {
    int n = ++served;
    FakeResponse response = FakeResponse::Json(
        200, CredentialsJson("ASIA" + std::to_string(n), "s", "t", start + std::chrono::hours(n)));
    if (n == 2) response.delay = std::chrono::milliseconds(600);
    return response;
  });
  auto now = std::make_shared<std::atomic<int64_t>>(0);
  Environment environment = Isolated();
  environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = ecs.Url("/creds");
  CredentialsOptions options;
  options.now = [now, start] { return start + std::chrono::minutes(now->load()); };
  CredentialsProvider provider(environment, options);
  ASSERT_EQ(provider.Get()->access_key_id, "ASIA1");
  *now = 57;  // within the margin, not expired
  std::thread refresher([&] { EXPECT_EQ(provider.Get()->access_key_id, "ASIA2"); });
  ASSERT_TRUE(ecs.WaitForRequests(2, std::chrono::seconds(5)));
  auto asked = std::chrono::steady_clock::now();
  auto meanwhile = provider.Get();
  auto waited = std::chrono::steady_clock::now() - asked;
  refresher.join();
  ASSERT_TRUE(meanwhile.ok()) << meanwhile.message();
  EXPECT_EQ(meanwhile->access_key_id, "ASIA1");
  EXPECT_LT(waited, std::chrono::milliseconds(300));
  EXPECT_EQ(provider.Get()->access_key_id, "ASIA2");
  EXPECT_EQ(served.load(), 2);
}

TEST(CredentialsTest, RegionOrder) {
  CredentialsDir home;
  home.Write(".aws/config",
             "[default]\nregion = eu-central-1\n[profile audit]\nregion = eu-west-3\n");
  Environment environment = {{"HOME", home.path()}};
  EXPECT_EQ(ResolveRegion(environment), "eu-central-1");
  environment["AWS_PROFILE"] = "audit";
  EXPECT_EQ(ResolveRegion(environment), "eu-west-3");
  environment["AWS_DEFAULT_REGION"] = "ap-south-1";
  EXPECT_EQ(ResolveRegion(environment), "ap-south-1");
  environment["AWS_REGION"] = "us-west-2";
  EXPECT_EQ(ResolveRegion(environment), "us-west-2");
  EXPECT_EQ(ResolveRegion(Environment{}), "us-east-1");
  Environment plain = {{"HOME", home.path()}};
  EXPECT_EQ(ResolveRegion(plain, "audit"), "eu-west-3");  // a profile given as an option
}

TEST(CredentialsTest, S3EndpointOrder) {
  EXPECT_EQ(ResolveS3Endpoint({}), "");
  EXPECT_EQ(ResolveS3Endpoint({{"AWS_ENDPOINT_URL", "http://127.0.0.1:5000/"}}),
            "http://127.0.0.1:5000");
  EXPECT_EQ(
      ResolveS3Endpoint({{"AWS_ENDPOINT_URL", "http://a"}, {"AWS_ENDPOINT_URL_S3", "http://b"}}),
      "http://b");
}

TEST(CredentialsTest, ProcessEnvironmentReadsTheRealEnvironment) {
  setenv("TRAILWATCH_CREDENTIALS_TEST", "a=b", 1);
  Environment environment = ProcessEnvironment();
  EXPECT_EQ(environment["TRAILWATCH_CREDENTIALS_TEST"], "a=b");
  unsetenv("TRAILWATCH_CREDENTIALS_TEST");
}

}  // namespace
}  // namespace trailwatch::aws
