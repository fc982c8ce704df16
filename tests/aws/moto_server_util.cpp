#include "aws/moto_server_util.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "aws/http_exchange.h"

extern char** environ;

namespace trailwatch::testing {

namespace {

constexpr auto kReadyTimeout = std::chrono::seconds(15);
constexpr const char* kInstall = "pip install 'moto[server]'";

bool OnPath(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (!dir.empty() && access((dir + "/" + program).c_str(), X_OK) == 0) return true;
  }
  return false;
}

int FreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  int port = -1;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  close(fd);
  return port;
}

std::string TailChars(const std::string& text, size_t max = 3000) {
  return text.size() <= max ? text : "..." + text.substr(text.size() - max);
}

std::string Between(const std::string& text, const std::string& open, const std::string& close) {
  size_t start = text.find(open);
  if (start == std::string::npos) return {};
  start += open.size();
  size_t end = text.find(close, start);
  return end == std::string::npos ? std::string() : text.substr(start, end - start);
}

}  // namespace

Result<std::unique_ptr<MotoServer>> MotoServer::Start(Options options) {
  if (!OnPath("moto_server")) {
    return Error{std::string("moto_server is not on PATH; install it with: ") + kInstall};
  }
  // The child's environment: ours (PATH, pyenv) without any AWS_* settings, plus dummy ones.
  std::vector<std::string> environment;
  for (char** entry = environ; *entry; ++entry) {
    std::string_view text(*entry);
    if (text.starts_with("AWS_") || text.starts_with("INITIAL_NO_AUTH_ACTION_COUNT=")) continue;
    environment.emplace_back(text);
  }
  environment.insert(environment.end(),
                     {"AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing",
                      "AWS_DEFAULT_REGION=us-east-1", "PYTHONUNBUFFERED=1"});
  if (options.initial_no_auth_action_count >= 0) {
    environment.push_back("INITIAL_NO_AUTH_ACTION_COUNT=" +
                          std::to_string(options.initial_no_auth_action_count));
  }
  std::vector<char*> envp;
  for (std::string& entry : environment) envp.push_back(entry.data());
  envp.push_back(nullptr);

  std::string last_failure;
  // The free port is found by binding and closing; another process may take it before moto binds,
  // so try a few ports.
  for (int attempt = 0; attempt < 3; ++attempt) {
    int port = FreeLoopbackPort();
    if (port < 0) return Error{"no free loopback port for moto_server"};
    std::unique_ptr<MotoServer> server(new MotoServer());
    server->endpoint_ = "http://127.0.0.1:" + std::to_string(port);
    server->log_path_ =
        (std::filesystem::temp_directory_path() /
         ("trailwatch-moto-" + std::to_string(getpid()) + "-" + std::to_string(port) + ".log"))
            .string();
    std::string port_text = std::to_string(port);
    std::vector<std::string> args = {"moto_server", "-H", "127.0.0.1", "-p", port_text};
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, server->log_path_.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    pid_t pid = -1;
    int rc = posix_spawnp(&pid, "moto_server", &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
      return Error{std::string("cannot start moto_server: ") + std::strerror(rc) +
                   "; install it with: " + kInstall};
    }
    server->pid_ = pid;

    aws::CurlEasy curl;
    aws::HttpExchangeRequest probe;
    probe.url = server->endpoint_ + "/moto-api/";
    probe.connect_timeout_ms = 500;
    probe.timeout_ms = 2000;
    auto deadline = std::chrono::steady_clock::now() + kReadyTimeout;
    bool exited = false;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (waitpid(pid, &status, WNOHANG) == pid) {
        exited = true;
        server->pid_ = -1;
        break;
      }
      auto answer = curl.Perform(probe);
      if (answer.ok() && answer->status == 200) return server;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    last_failure = std::string(exited ? "moto_server exited" : "moto_server did not answer") +
                   " on " + server->endpoint_ + " within 15 s; its log:\n" +
                   TailChars(server->Log());
    if (!exited) return Error{last_failure};  // the destructor stops it
    // Exited early: most likely the port was taken meanwhile; try another.
  }
  return Error{last_failure};
}

MotoServer::~MotoServer() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    int status = 0;
    bool reaped = false;
    while (std::chrono::steady_clock::now() < deadline) {
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        reaped = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (!reaped) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
    }
  }
  if (!log_path_.empty()) {
    std::error_code ignored;
    std::filesystem::remove(log_path_, ignored);
  }
}

Status MotoServer::Reset() {
  aws::CurlEasy curl;
  aws::HttpExchangeRequest request;
  request.method = "POST";
  request.url = endpoint_ + "/moto-api/reset";
  request.headers = {"Content-Type: application/json"};
  request.timeout_ms = 10000;
  auto response = curl.Perform(request);
  if (!response.ok()) return Error{"moto reset: " + response.message()};
  if (response->status != 200) {
    return Error{"moto reset: HTTP " + std::to_string(response->status) + ": " + response->body};
  }
  return Status::Ok();
}

Result<MotoServer::AccessKey> MotoServer::CreateIamAccessKey(const std::string& user_name) {
  aws::CurlEasy curl;
  auto call = [&](const std::string& form) -> Result<std::string> {
    aws::HttpExchangeRequest request;
    request.method = "POST";
    request.url = endpoint_ + "/";
    request.body = form;
    request.headers = {"Content-Type: application/x-www-form-urlencoded; charset=utf-8"};
    request.aws_sigv4 = "aws:amz:us-east-1:iam";
    request.user_password = "testing:testing";
    request.timeout_ms = 10000;
    auto response = curl.Perform(request);
    if (!response.ok()) return Error{"IAM call: " + response.message()};
    if (response->status != 200) {
      return Error{"IAM call " + form.substr(0, form.find('&')) + ": HTTP " +
                   std::to_string(response->status) + ": " + response->body};
    }
    return std::move(response->body);
  };
  const std::string version = "&Version=2010-05-08";
  auto user = call("Action=CreateUser&UserName=" + user_name + version);
  if (!user.ok()) return Error{user.message()};
  // {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}
  const std::string policy =
      "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C"
      "%22Action%22%3A%22%2A%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D";
  auto allowed = call("Action=PutUserPolicy&UserName=" + user_name +
                      "&PolicyName=all&PolicyDocument=" + policy + version);
  if (!allowed.ok()) return Error{allowed.message()};
  auto key = call("Action=CreateAccessKey&UserName=" + user_name + version);
  if (!key.ok()) return Error{key.message()};
  AccessKey access_key{Between(*key, "<AccessKeyId>", "</AccessKeyId>"),
                       Between(*key, "<SecretAccessKey>", "</SecretAccessKey>")};
  if (access_key.access_key_id.empty() || access_key.secret_access_key.empty()) {
    return Error{"IAM CreateAccessKey: no key in the answer"};
  }
  return access_key;
}

Result<std::string> MotoServer::QueryCall(const std::string& service, const std::string& form,
                                          const AccessKey& key,
                                          const std::string& session_token) {
  aws::CurlEasy curl;
  aws::HttpExchangeRequest request;
  request.method = "POST";
  request.url = endpoint_ + "/";
  request.body = form;
  request.headers = {"Content-Type: application/x-www-form-urlencoded; charset=utf-8"};
  if (!session_token.empty()) request.headers.push_back("x-amz-security-token: " + session_token);
  request.aws_sigv4 = "aws:amz:us-east-1:" + service;
  request.user_password = key.access_key_id + ":" + key.secret_access_key;
  request.timeout_ms = 10000;
  auto response = curl.Perform(request);
  if (!response.ok()) return Error{service + " call: " + response.message()};
  if (response->status != 200) {
    return Error{service + " call " + form.substr(0, form.find('&')) + ": HTTP " +
                 std::to_string(response->status) + ": " + response->body};
  }
  return std::move(response->body);
}

std::string FormValue(const std::string& text) { return aws::UriEncode(text); }

std::string XmlText(const std::string& xml, const std::string& name) {
  return Between(xml, "<" + name + ">", "</" + name + ">");
}

std::string MotoServer::Log() const {
  std::ifstream in(log_path_);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

aws::Environment MotoServer::TestEnvironment() const {
  return {{"AWS_ACCESS_KEY_ID", "testing"},
          {"AWS_SECRET_ACCESS_KEY", "testing"},
          {"AWS_REGION", "us-east-1"},
          {"AWS_ENDPOINT_URL", endpoint_},
          {"AWS_EC2_METADATA_DISABLED", "true"}};
}

bool MotoSuiteBase::StartMoto(MotoServer::Options options, const std::string& access_key_user) {
  start_error_.clear();
  auto started = MotoServer::Start(options);
  if (!started.ok()) {
    start_error_ = started.message();
    return false;
  }
  moto_ = std::move(started.value());
  if (!access_key_user.empty()) {
    auto key = moto_->CreateIamAccessKey(access_key_user);
    if (!key.ok()) {
      start_error_ = key.message() + "\nmoto log:\n" + moto_->Log();
      moto_.reset();
      return false;
    }
    key_ = *key;
  }
  return true;
}

void MotoSuiteBase::RequireMoto(bool reset) {
  ASSERT_NE(moto_, nullptr) << start_error_;
  if (reset) {
    Status reset_status = moto_->Reset();
    ASSERT_TRUE(reset_status.ok()) << reset_status.message();
  }
}

}  // namespace trailwatch::testing
