// credential_process profiles: the command runs through /bin/sh (a child process, hence an
// integration test), its JSON is read, its stderr reaches ours, and a bad exit, bad JSON, a wrong
// Version or a hang (killed at the timeout) fail with an error naming the profile and never
// quoting the output.
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "aws/credential_process.h"
#include "aws/credentials.h"
#include "aws/fake_sts_util.h"
#include "cli/cli_test_util.h"

namespace trailwatch::aws {
namespace {

using trailwatch::testing::IsoTime;
using trailwatch::testing::TempDir;

class CredentialProcessTest : public ::testing::Test {
 protected:
  void SetUp() override { std::filesystem::create_directories(home_.path() + "/.aws"); }
  // A profile `name` whose credential_process prints `output` (a file, cat-ed) after `extra`.
  void Profile(const std::string& name, const std::string& command) {
    config_ += "[profile " + name + "]\ncredential_process = " + command + "\n";
    home_.Write(".aws/config", config_);
  }
  std::string Script(const std::string& name, const std::string& text) {
    return home_.Write(name, text);
  }
  Result<Credentials> Get(const std::string& profile,
                          std::chrono::milliseconds timeout = std::chrono::seconds(60),
                          WallClock now = nullptr, CredentialsProvider** keep = nullptr) {
    CredentialsOptions options;
    options.profile = profile;
    options.process_timeout = timeout;
    options.now = std::move(now);
    Environment environment = {{"HOME", home_.path()}, {"AWS_EC2_METADATA_DISABLED", "true"}};
    if (const char* path = std::getenv("PATH")) environment["PATH"] = path;
    provider_ = std::make_unique<CredentialsProvider>(environment, options);
    if (keep) *keep = provider_.get();
    return provider_->Get();
  }

  TempDir home_;
  std::string config_;
  std::unique_ptr<CredentialsProvider> provider_;
};

TEST_F(CredentialProcessTest, ReadsVersion1JsonAndPassesStderrThrough) {
  auto expiration = std::chrono::system_clock::now() + std::chrono::hours(1);
  std::string json = Script("out.json",
                            "{\"Version\": 1, \"AccessKeyId\": \"ASIAPROC\", "
                            "\"SecretAccessKey\": \"proc-secret\", \"SessionToken\": "
                            "\"proc-token\", \"Expiration\": \"" +
                                IsoTime(expiration) + "\"}");
  // Through the shell: quoting, a pipe and a redirection work as with the AWS CLI.
  Profile("tool", "sh -c 'echo \"helper: fetching\" >&2' && cat '" + json + "' | cat");
  ::testing::internal::CaptureStderr();
  auto credentials = Get("tool");
  std::string stderr_text = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(credentials.ok()) << credentials.message();
  EXPECT_EQ(credentials->access_key_id, "ASIAPROC");
  EXPECT_EQ(credentials->secret_access_key, "proc-secret");
  EXPECT_EQ(credentials->session_token, "proc-token");
  ASSERT_TRUE(credentials->expiration);
  EXPECT_EQ(IsoTime(*credentials->expiration), IsoTime(expiration));
  EXPECT_EQ(credentials->source, "profile tool (credential_process)");
  EXPECT_NE(stderr_text.find("helper: fetching"), std::string::npos) << stderr_text;
}

// Expiration is honoured: run again once within 5 minutes of it (injected clock), not before;
// without Expiration the credentials are kept.
TEST_F(CredentialProcessTest, RunsAgainOnlyWhenTheExpirationIsNear) {
  const auto start = std::chrono::system_clock::now();
  std::string counter = home_.path() + "/runs";
  std::string script =
      Script("proc.sh",
             "n=$(cat '" + counter + "' 2>/dev/null || echo 0); n=$((n+1)); echo $n > '" + counter +
                 "'\nprintf '{\"Version\":1,\"AccessKeyId\":\"ASIA%s\",\"SecretAccessKey\":\"s\","
                 "\"Expiration\":\"" +
                 IsoTime(start + std::chrono::minutes(30)) + "\"}' $n\n");
  Profile("tool", "sh '" + script + "'");
  auto minutes = std::make_shared<int>(0);
  CredentialsProvider* provider = nullptr;
  auto first = Get(
      "tool", std::chrono::seconds(60),
      [minutes, start] { return start + std::chrono::minutes(*minutes); }, &provider);
  ASSERT_TRUE(first.ok()) << first.message();
  EXPECT_EQ(first->access_key_id, "ASIA1");
  *minutes = 20;
  EXPECT_EQ(provider->Get()->access_key_id, "ASIA1");
  *minutes = 26;  // 4 minutes before Expiration
  EXPECT_EQ(provider->Get()->access_key_id, "ASIA2");

  std::string fixed = Script(
      "fixed.json", "{\"Version\":1,\"AccessKeyId\":\"AKIDSTATIC\",\"SecretAccessKey\":\"s\"}");
  Profile("static", "cat '" + fixed + "'");
  auto stable = Get(
      "static", std::chrono::seconds(60),
      [minutes, start] { return start + std::chrono::minutes(*minutes); }, &provider);
  ASSERT_TRUE(stable.ok()) << stable.message();
  EXPECT_FALSE(stable->expiration);
  std::filesystem::remove(fixed);  // a second run would now fail
  *minutes = 60 * 24 * 365;
  auto later = provider->Get();
  ASSERT_TRUE(later.ok()) << later.message();
  EXPECT_EQ(later->access_key_id, "AKIDSTATIC");
}

TEST_F(CredentialProcessTest, FailuresNameTheProfileAndNeverQuoteTheOutput) {
  const std::string secret = "LEAKED-SECRET-VALUE-0123456789";
  Profile("exits", "echo '{\"SecretAccessKey\": \"" + secret + "\"}'; exit 1");
  Profile("notjson", "echo 'SecretAccessKey=" + secret + "'");
  Profile("version2", "echo '{\"Version\": 2, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"" +
                          secret + "\"}'");
  Profile("nokey", "echo '{\"Version\": 1, \"SecretAccessKey\": \"" + secret + "\"}'");
  Profile("badtime", "echo '{\"Version\": 1, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"" +
                         secret + "\", \"Expiration\": \"tomorrow\"}'");
  struct Case {
    std::string profile;
    std::string expected;
  };
  for (const Case& c : std::vector<Case>{
           {"exits", "profile exits: credential_process: exited with status 1"},
           {"notjson", "profile notjson: credential_process: the output is not a JSON object"},
           {"version2",
            "profile version2: credential_process: the output's \"Version\" must be "
            "the number 1"},
           {"nokey", "profile nokey: credential_process: the output lacks \"AccessKeyId\""},
           {"badtime", "profile badtime: credential_process: unreadable \"Expiration\""}}) {
    ::testing::internal::CaptureStderr();
    auto credentials = Get(c.profile);
    std::string stderr_text = ::testing::internal::GetCapturedStderr();
    ASSERT_FALSE(credentials.ok()) << c.profile;
    EXPECT_NE(credentials.message().find(c.expected), std::string::npos) << credentials.message();
    EXPECT_EQ(credentials.message().find(secret), std::string::npos) << credentials.message();
    EXPECT_EQ(stderr_text.find(secret), std::string::npos) << stderr_text;  // stdout is not ours
  }
}

TEST_F(CredentialProcessTest, AHangingProcessIsKilledAtTheTimeoutWithEverythingItStarted) {
  std::string pid_file = home_.path() + "/sleeper.pid";
  // The shell starts a background sleeper holding stdout open, then waits: both must die.
  Profile("hangs", "sleep 30 & echo $! > '" + pid_file + "'; wait");
  auto started = std::chrono::steady_clock::now();
  auto credentials = Get("hangs", std::chrono::milliseconds(500));
  auto took = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(credentials.ok());
  EXPECT_NE(credentials.message().find("profile hangs: credential_process: did not finish within "
                                       "0.5 s; killed"),
            std::string::npos)
      << credentials.message();
  EXPECT_LT(took, std::chrono::seconds(5));
  std::string pid = trailwatch::testing::ReadFile(pid_file);
  ASSERT_FALSE(pid.empty());
  // The sleeper was in the killed process group: gone (or a zombie reaped by init) soon.
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    std::string state =
        trailwatch::testing::ReadFile("/proc/" + std::to_string(std::stoi(pid)) + "/stat");
    gone = state.empty() || state.find(") Z") != std::string::npos;
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(gone) << "the background sleep " << pid << " survived";
}

}  // namespace
}  // namespace trailwatch::aws
