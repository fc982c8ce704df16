#include "aws/credential_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <simdjson.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "aws/credentials_document.h"

namespace trailwatch::aws {

namespace {

using SteadyClock = std::chrono::steady_clock;

// More than any credentials document; a runaway process is cut off here.
constexpr size_t kMaxOutputBytes = 64 * 1024;

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd = -1) : fd_(fd) {}
  ~FileDescriptor() { Reset(); }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }
  void Reset() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

std::string Seconds(std::chrono::milliseconds duration) {
  auto tenths = duration.count() / 100;
  std::string text = std::to_string(tenths / 10);
  if (tenths % 10 != 0) text.append(".").append(std::to_string(tenths % 10));
  return text + " s";
}

// Waits for the child until `deadline`; true when it was reaped (status in *status).
bool WaitUntil(pid_t pid, SteadyClock::time_point deadline, int* status) {
  for (;;) {
    pid_t done = waitpid(pid, status, WNOHANG);
    if (done == pid) return true;
    if (done < 0 && errno != EINTR) return true;  // not ours any more: nothing to wait for
    if (SteadyClock::now() >= deadline) return false;
    usleep(2000);
  }
}

Result<Credentials> ParseOutput(const std::string& output, const std::string& label) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(output).get(root) != simdjson::SUCCESS || !root.is_object()) {
    return Error{label + ": the output is not a JSON object"};
  }
  int64_t version = 0;
  if (root["Version"].get_int64().get(version) != simdjson::SUCCESS || version != 1) {
    return Error{label + ": the output's \"Version\" must be the number 1"};
  }
  auto field = [&](const char* name) -> std::string {
    std::string_view value;
    if (root[name].get_string().get(value) != simdjson::SUCCESS) return {};
    return std::string(value);
  };
  Credentials credentials;
  credentials.access_key_id = field("AccessKeyId");
  credentials.secret_access_key = field("SecretAccessKey");
  credentials.session_token = field("SessionToken");
  if (credentials.access_key_id.empty() || credentials.secret_access_key.empty()) {
    return Error{label + ": the output lacks \"AccessKeyId\" or \"SecretAccessKey\""};
  }
  std::string expiration = field("Expiration");
  if (!expiration.empty()) {
    credentials.expiration = ParseIso8601(expiration);
    if (!credentials.expiration) {
      return Error{label + ": unreadable \"Expiration\" \"" + expiration +
                   "\" (ISO 8601, like 2026-12-05T12:00:00Z)"};
    }
  }
  return credentials;
}

}  // namespace

Result<Credentials> RunCredentialProcess(const std::string& command, const std::string& profile,
                                         const Environment& environment,
                                         std::chrono::milliseconds timeout) {
  const std::string label = "profile " + profile + ": credential_process";
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
    return Error{label + ": cannot create a pipe: " + std::strerror(errno)};
  }
  FileDescriptor read_end(pipe_fds[0]);
  FileDescriptor write_end(pipe_fds[1]);

  std::vector<std::string> variables;
  for (const auto& [name, value] : environment) variables.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (std::string& variable : variables) envp.push_back(variable.data());
  envp.push_back(nullptr);
  std::string shell = "/bin/sh", dash_c = "-c", command_copy = command;
  char* argv[] = {shell.data(), dash_c.data(), command_copy.data(), nullptr};

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, write_end.get(), STDOUT_FILENO);
  // stderr is inherited: the process's messages reach the operator.
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  // Its own process group, so that a timeout kills the shell and whatever it started.
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attributes, 0);
  pid_t pid = -1;
  int spawned = posix_spawn(&pid, shell.c_str(), &actions, &attributes, argv, envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (spawned != 0) return Error{label + ": cannot start /bin/sh: " + std::strerror(spawned)};
  write_end.Reset();

  auto deadline = SteadyClock::now() + timeout;
  std::string output;
  bool timed_out = false, too_long = false;
  for (;;) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd ready{read_end.get(), POLLIN, 0};
    int polled = poll(&ready, 1, static_cast<int>(std::min<int64_t>(left.count(), 1000)));
    if (polled < 0 && errno != EINTR) break;
    if (polled <= 0) continue;
    char buffer[4096];
    ssize_t got = read(read_end.get(), buffer, sizeof(buffer));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;  // EOF: the process (and its children) closed stdout
    output.append(buffer, static_cast<size_t>(got));
    if (output.size() > kMaxOutputBytes) {
      too_long = true;
      break;
    }
  }
  read_end.Reset();
  int status = 0;
  if (timed_out || too_long || !WaitUntil(pid, deadline, &status)) {
    kill(-pid, SIGKILL);
    waitpid(pid, &status, 0);
    if (too_long) {
      return Error{label + ": printed more than " + std::to_string(kMaxOutputBytes) +
                   " bytes; killed"};
    }
    return Error{label + ": did not finish within " + Seconds(timeout) + "; killed"};
  }
  if (WIFSIGNALED(status)) {
    return Error{label + ": killed by signal " + std::to_string(WTERMSIG(status))};
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return Error{label + ": exited with status " + std::to_string(WEXITSTATUS(status)) +
                 " (its messages, if any, are on stderr above)"};
  }
  auto credentials = ParseOutput(output, label);
  if (!credentials.ok()) return credentials;
  credentials->source = "profile " + profile + " (credential_process)";
  return credentials;
}

}  // namespace trailwatch::aws
