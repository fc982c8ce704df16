// MotoServer: a moto_server (the AWS emulator, docs/reference/formats.md §9) on 127.0.0.1 for one
// test process.
//
//   auto moto = MotoServer::Start();                 // waits until GET /moto-api/ answers (≤ 15 s)
//   ASSERT_TRUE(moto.ok()) << moto.message();        // also when moto_server is not installed
//   (*moto)->endpoint();                             // "http://127.0.0.1:<port>"
//   (*moto)->Reset();                                // POST /moto-api/reset: forget ALL state
//   // destructor: SIGTERM, then SIGKILL after 5 s, by PID
//
// Start it once per test suite (SetUpTestSuite): it takes a second or two. The child gets the
// dummy credentials AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY=testing and region us-east-1
// (`TestEnvironment()` gives the same to a CredentialsProvider); its output goes to a temp log,
// quoted in errors.
//
// Signature checks: with `initial_no_auth_action_count = N`, moto enforces IAM auth and checks
// SigV4 signatures after N unauthenticated calls. `CreateIamAccessKey` spends 3 of them (IAM
// CreateUser, PutUserPolicy allow-all, CreateAccessKey) and returns a key that then works; the
// dummy "testing" key is rejected from then on. Reset() also forgets that user.
//
// Thread-safety: Start and the destructor from one thread; endpoint() from any.
#pragma once

#include <sys/types.h>

#include <memory>

#include <gtest/gtest.h>
#include <string>

#include "aws/credentials.h"
#include "common/result.h"

namespace trailwatch::testing {

class MotoServer {
 public:
  struct Options {
    int initial_no_auth_action_count = -1;  // -1: no auth, no signature checks
  };
  struct AccessKey {
    std::string access_key_id;
    std::string secret_access_key;
  };

  // Fails (never skips) when moto_server is not on PATH, with the command that installs it.
  static Result<std::unique_ptr<MotoServer>> Start(Options options);
  static Result<std::unique_ptr<MotoServer>> Start() { return Start(Options{}); }
  ~MotoServer();
  MotoServer(const MotoServer&) = delete;
  MotoServer& operator=(const MotoServer&) = delete;

  const std::string& endpoint() const { return endpoint_; }
  Status Reset();
  Result<AccessKey> CreateIamAccessKey(const std::string& user_name);
  // One Query API call (IAM, STS: form-encoded POST, XML answer) signed with `key` (and
  // `session_token` when not empty) for `service` ("iam", "sts"); the 200 body, else an error
  // with moto's answer.
  Result<std::string> QueryCall(const std::string& service, const std::string& form,
                                const AccessKey& key, const std::string& session_token = "");
  std::string Log() const;  // what moto_server printed so far

  // AWS_ACCESS_KEY_ID=testing, AWS_SECRET_ACCESS_KEY=testing, AWS_REGION=us-east-1,
  // AWS_ENDPOINT_URL=<endpoint> and AWS_EC2_METADATA_DISABLED=true (no IMDS probe).
  aws::Environment TestEnvironment() const;

 private:
  MotoServer() = default;
  pid_t pid_ = -1;
  std::string endpoint_;
  std::string log_path_;
};

// Percent-encodes a form value (policy documents, ARNs).
std::string FormValue(const std::string& text);

// The text of the first <name>...</name> in `xml`; empty when absent.
std::string XmlText(const std::string& xml, const std::string& name);

// Base of test suites that share one moto_server (started in SetUpTestSuite, stopped by PID in
// TearDownTestSuite). A suite with extra set-up calls StartMoto() in its own SetUpTestSuite.
class MotoSuiteBase : public ::testing::Test {
 protected:
  // Starts moto_ with `options`; with `access_key_user`, also creates that IAM user's access key
  // (key_) for servers that check signatures. On failure start_error_ says why and moto_ is null.
  static bool StartMoto(MotoServer::Options options = {}, const std::string& access_key_user = "");
  static void SetUpTestSuite() { StartMoto(); }
  static void TearDownTestSuite() { moto_.reset(); }
  // Fails the current test when moto did not start (callers return on HasFatalFailure());
  // `reset` forgets moto's state from the previous test.
  void RequireMoto(bool reset);

  static inline std::unique_ptr<MotoServer> moto_;
  static inline std::string start_error_;
  static inline MotoServer::AccessKey key_;
};

}  // namespace trailwatch::testing
