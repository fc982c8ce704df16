#include "service/service_process_util.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "cli/cli_test_util.h"

extern char** environ;

namespace trailwatch::testing {
namespace {

size_t Collect(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

}  // namespace

// A CloudTrail log file holding the given fixture records.
std::string LogFile(const std::vector<std::string>& record_fixtures) {
  std::string text = "{\"Records\":[";
  for (size_t i = 0; i < record_fixtures.size(); ++i) {
    if (i) text += ",";
    text += ReadFixture("aws/cloudtrail/" + record_fixtures[i]);
  }
  return text + "]}";
}

void WriteFileAtomically(const std::string& path, const std::string& content) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::string partial = path + ".partial";
  {
    std::ofstream out(partial, std::ios::binary);
    out << content;
  }
  std::filesystem::rename(partial, path);
}

HttpAnswer Http(const std::string& method, const std::string& url, const std::string& body,
                const std::vector<std::string>& headers) {
  HttpAnswer answer;
  CURL* curl = curl_easy_init();
  curl_slist* list = nullptr;
  for (const std::string& header : headers) list = curl_slist_append(list, header.c_str());
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer.body);
  if (method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  if (curl_easy_perform(curl) == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &answer.status);
  }
  curl_slist_free_all(list);
  curl_easy_cleanup(curl);
  return answer;
}

int LoggedOpsPort(const std::string& log) {
  static const std::regex kLine("ops listener on 127\\.0\\.0\\.1:([0-9]+)");
  std::smatch match;
  if (!std::regex_search(log, match, kLine)) return 0;
  return std::stoi(match[1].str());
}

double MetricSample(const std::string& metrics, const std::string& series) {
  std::istringstream lines(metrics);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 &&
        line[series.size()] == ' ') {
      return std::stod(line.substr(series.size() + 1));
    }
  }
  return -1;
}

size_t CountOccurrences(const std::string& haystack, const std::string& needle) {
  size_t count = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + needle.size())) {
    ++count;
  }
  return count;
}

ServiceProcess::ServiceProcess(const std::vector<std::string>& args, const std::string& output_dir,
                               const std::map<std::string, std::string>& environment) {
  static int serial = 0;
  ++serial;
  stdout_path_ = output_dir + "/service-" + std::to_string(serial) + ".out";
  stderr_path_ = output_dir + "/service-" + std::to_string(serial) + ".err";
  // TW_SERVICE_BINARY runs another build (bench/service_load compares two builds this way): it
  // is both the program spawned and its argv[0]. Unset or empty: this build's TW_BINARY.
  const char* other_binary = std::getenv("TW_SERVICE_BINARY");
  const std::string binary =
      other_binary != nullptr && *other_binary != '\0' ? other_binary : TW_BINARY;
  std::vector<std::string> argv_text = {binary};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& arg : argv_text) argv.push_back(arg.data());
  argv.push_back(nullptr);

  std::vector<std::string> env_text;
  for (char** entry = environ; *entry; ++entry) {
    std::string text(*entry);
    std::string name = text.substr(0, text.find('='));
    if (!environment.count(name)) env_text.push_back(text);
  }
  for (const auto& [name, value] : environment) env_text.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (std::string& entry : env_text) envp.push_back(entry.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, stdout_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, stderr_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  // The test runner may block signals; the child must start with none blocked (it sets its own).
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK);
  if (int error =
          posix_spawn(&pid_, binary.c_str(), &actions, &attributes, argv.data(), envp.data());
      error != 0) {
    std::fprintf(stderr, "ServiceProcess: cannot start %s: %s\n", binary.c_str(),
                 std::strerror(error));
    pid_ = -1;
  }
  posix_spawnattr_destroy(&attributes);
  posix_spawn_file_actions_destroy(&actions);
}

ServiceProcess::~ServiceProcess() {
  if (Running()) {
    kill(pid_, SIGKILL);
    WaitExit(std::chrono::seconds(10));
  }
}

std::string ServiceProcess::Stdout() const { return ReadFile(stdout_path_); }
std::string ServiceProcess::Stderr() const { return ReadFile(stderr_path_); }

bool ServiceProcess::WaitFor(const std::string& path, const std::string& text,
                             std::chrono::milliseconds timeout, size_t count) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (CountOccurrences(ReadFile(path), text) >= count) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    if (exit_code_ != -1) return false;
    int status = 0;
    if (pid_ > 0 && waitpid(pid_, &status, WNOHANG) == pid_) {
      const_cast<ServiceProcess*>(this)->exit_code_ =
          WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return CountOccurrences(ReadFile(path), text) >= count;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

bool ServiceProcess::WaitForStdout(const std::string& text, std::chrono::milliseconds timeout,
                                   size_t count) const {
  return WaitFor(stdout_path_, text, timeout, count);
}

bool ServiceProcess::WaitForStderr(const std::string& text, std::chrono::milliseconds timeout,
                                   size_t count) const {
  return WaitFor(stderr_path_, text, timeout, count);
}

int ServiceProcess::ListeningPort() const {
  std::string err = Stderr();
  const std::string marker = "listening on port ";
  size_t at = err.rfind(marker);
  return at == std::string::npos ? 0 : std::atoi(err.c_str() + at + marker.size());
}

int ServiceProcess::OpsPort() const { return LoggedOpsPort(Stderr()); }

void ServiceProcess::Signal(int signal_number) const {
  if (pid_ > 0 && exit_code_ == -1) kill(pid_, signal_number);
}

int ServiceProcess::WaitExit(std::chrono::milliseconds timeout) {
  if (exit_code_ != -1 || pid_ <= 0) return exit_code_;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int status = 0;
    pid_t done = waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return exit_code_;
    }
    if (std::chrono::steady_clock::now() >= deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

bool ServiceProcess::Running() {
  if (pid_ <= 0 || exit_code_ != -1) return false;
  return WaitExit(std::chrono::milliseconds(0)) == -1;
}

}  // namespace trailwatch::testing
