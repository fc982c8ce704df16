// ServiceProcess: `trailwatch run` as a child process for end-to-end tests. stdout and stderr go
// to files in a directory the test owns; the destructor SIGKILLs a child still running.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace trailwatch::testing {

class ServiceProcess {
 public:
  // Runs $TW_SERVICE_BINARY when set and not empty (another build; bench/service_load), else
  // TW_BINARY, with `args`; `environment` entries are added to the test's environment. A binary
  // that cannot be started is reported on stderr and leaves pid() at -1.
  ServiceProcess(const std::vector<std::string>& args, const std::string& output_dir,
                 const std::map<std::string, std::string>& environment = {});
  ~ServiceProcess();
  ServiceProcess(const ServiceProcess&) = delete;
  ServiceProcess& operator=(const ServiceProcess&) = delete;

  pid_t pid() const { return pid_; }
  std::string Stdout() const;
  std::string Stderr() const;
  // Waits until stdout (or stderr) holds `text` `count` times; false on timeout or child exit.
  bool WaitForStdout(const std::string& text, std::chrono::milliseconds timeout, size_t count = 1) const;
  bool WaitForStderr(const std::string& text, std::chrono::milliseconds timeout, size_t count = 1) const;
  void Signal(int signal_number) const;
  // The port the http source last logged ("listening on port N"), 0 if none yet.
  int ListeningPort() const;
  // The port of the ops listener it logged (LoggedOpsPort of its stderr), 0 if none yet.
  int OpsPort() const;
  // The exit code (128 + signal when killed), or -1 if still running after `timeout`.
  int WaitExit(std::chrono::milliseconds timeout);
  bool Running();

 private:
  bool WaitFor(const std::string& path, const std::string& text, std::chrono::milliseconds timeout,
               size_t count) const;
  pid_t pid_ = -1;
  int exit_code_ = -1;
  std::string stdout_path_;
  std::string stderr_path_;
};

// Occurrences of `needle` in `haystack`.
size_t CountOccurrences(const std::string& haystack, const std::string& needle);

// A CloudTrail log file ({"Records":[...]}) holding the given tests/fixtures/aws/cloudtrail records.
std::string LogFile(const std::vector<std::string>& record_fixtures);
// Writes `content` beside `path` and renames it into place (creating the folders), so that a
// watching source never reads half a file.
void WriteFileAtomically(const std::string& path, const std::string& content);

struct HttpAnswer {
  long status = 0;  // 0 when the request failed (refused, timed out)
  std::string body;
};
// The port in "ops listener on 127.0.0.1:PORT" (service/ops_listener.cpp) in `log`, 0 if none.
int LoggedOpsPort(const std::string& log);
// The value of one Prometheus sample line `series value` (series as rendered, labels included) in
// a /metrics body; -1 when absent.
double MetricSample(const std::string& metrics, const std::string& series);

// One HTTP request with libcurl (30 s timeout); `headers` as "Name: value".
HttpAnswer Http(const std::string& method, const std::string& url, const std::string& body = "",
                const std::vector<std::string>& headers = {});

}  // namespace trailwatch::testing
