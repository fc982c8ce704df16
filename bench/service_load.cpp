// service_load: end-to-end latency and ingest throughput of `trailwatch run` (issue 5, item 7).
//
//   service_load [--samples N] [--file-samples F] [--connections C] [--seconds S]
//                [--match-every M] [--batch B]
//
// Starts the real service (TW_BINARY) with an http source on loopback and a Slack webhook target
// pointing at an in-process fake Slack, then measures:
//  1. latency: N root sign-in events POSTed to /events one at a time (20 ms apart); for each,
//     the time from just before the POST to the fake Slack receiving the message (same clock,
//     same process). Prints p50, p99 and max.
//  1b. file latency: N log files ({"Records":[root sign-in]}) renamed into the directory source's
//     tree; the time from just before the rename to the fake Slack receiving the message.
//  2. throughput: C keep-alive connections POST events to /events for S seconds, as fast as the
//     service answers; every M-th event matches the root-signin rule (0 = none). Prints the 2xx
//     events per second answered 2xx. With --batch B each POST carries a JSON array of B events
//     (/events accepts arrays; EventBridge API destinations send one event per request).
//     Next to it: the service process's CPU time over the throughput phase (user+sys of all its
//     threads, from /proc/<pid>/stat) and the 2xx events per CPU-second of the service:
//       service CPU: X.XX s user+sys over Y.YY s wall; events per CPU-second: Z
// Both client and service run on this machine: on 2 cores they compete for the CPU, so events/s
// also depends on how much CPU the client takes; events per CPU-second is what the service's own
// code costs and is the number to compare between two builds (issue 11).
// Also printed: "service binary: PATH", the binary the service process really runs
// (/proc/<pid>/exe); with TW_SERVICE_BINARY set, service_load stops if it is not that binary.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cli/cli_test_util.h"
#include "service/service_process_util.h"
#include "targets/fake_servers_util.h"

using namespace trailwatch::testing;
using Clock = std::chrono::steady_clock;

namespace {

const char* kApiKey = "load-test-api-key";

// One keep-alive HTTP/1.1 connection; reconnects when the server closes it.
class Connection {
 public:
  explicit Connection(int port) : port_(port) {}
  ~Connection() { Close(); }

  // POSTs `body` to /events; returns the status (0 on a transport error).
  int Post(const std::string& body) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (fd_ < 0 && !Connect()) return 0;
      std::string request = "POST /events HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: ";
      request += kApiKey;
      request += "\r\nContent-Type: application/json\r\nContent-Length: " +
                 std::to_string(body.size()) + "\r\n\r\n" + body;
      if (!SendAll(request)) {
        Close();
        continue;
      }
      int status = ReadResponse();
      if (status == 0) {
        Close();
        continue;
      }
      return status;
    }
    return 0;
  }

 private:
  bool Connect() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port_));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      Close();
      return false;
    }
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    buffer_.clear();
    return true;
  }
  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }
  bool SendAll(const std::string& data) {
    size_t sent = 0;
    while (sent < data.size()) {
      ssize_t n = send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
    }
    return true;
  }
  int ReadResponse() {
    size_t header_end;
    while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return 0;
    }
    std::string headers = buffer_.substr(0, header_end);
    int status = std::atoi(headers.c_str() + 9);
    size_t length = 0;
    std::string lower = headers;
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    if (size_t at = lower.find("content-length:"); at != std::string::npos) {
      length = std::strtoul(lower.c_str() + at + 15, nullptr, 10);
    }
    while (buffer_.size() < header_end + 4 + length) {
      if (!Fill()) return 0;
    }
    buffer_.erase(0, header_end + 4 + length);
    if (lower.find("connection: close") != std::string::npos) Close();
    return status;
  }
  bool Fill() {
    char chunk[16384];
    ssize_t n = recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  int port_;
  int fd_ = -1;
  std::string buffer_;
};

// Distinct events from the root sign-in envelope: its envelope id and CloudTrail eventID are
// replaced by a serial number, and non-matching events get another identity type. The template is
// cut once, so that making an event costs the client almost nothing (it shares the CPUs with the
// service).
class EventMaker {
 public:
  explicit EventMaker(const std::string& templ) {
    std::string text = std::regex_replace(templ, std::regex("\"id\": *\"[^\"]*\""), "\"id\":\"@ID@\"");
    text = std::regex_replace(text, std::regex("deb1e1f9-c99b-4612-8e9f-21f93b5d79c0"), "@ID@");
    text = std::regex_replace(text, std::regex("\"Root\""), "\"@TYPE@\"");
    for (size_t at = 0;;) {
      size_t id = text.find("@ID@", at), type = text.find("@TYPE@", at);
      size_t next = std::min(id, type);
      pieces_.push_back(text.substr(at, next == std::string::npos ? std::string::npos : next - at));
      if (next == std::string::npos) break;
      kinds_.push_back(next == id ? 'i' : 't');
      at = next + (next == id ? 4 : 6);
    }
  }
  std::string Make(uint64_t serial, bool matching) const {
    char id[40];
    std::snprintf(id, sizeof id, "%08llx-0000-4000-8000-%012llx",
                  static_cast<unsigned long long>(serial >> 20),
                  static_cast<unsigned long long>(serial));
    std::string event = pieces_[0];
    for (size_t i = 0; i < kinds_.size(); ++i) {
      event += kinds_[i] == 'i' ? id : (matching ? "Root" : "IAMUser");
      event += pieces_[i + 1];
    }
    return event;
  }

 private:
  std::vector<std::string> pieces_;
  std::vector<char> kinds_;
};

// CPU time (user + system) the process `pid` has used so far, in seconds: fields 14 (utime) and 15
// (stime) of /proc/<pid>/stat, in clock ticks. For a process (not /proc/<pid>/task/<tid>/stat) the
// kernel sums all its threads, including threads that have already exited, so the service's
// worker, I/O and delivery threads are all counted. nullopt when the file cannot be read.
std::optional<double> ProcessCpuSeconds(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  // Field 2 is the command name in parentheses and may contain spaces: count from the last ')'.
  size_t close = line.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(line.substr(close + 1));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int number = 3; number <= 15 && fields >> field; ++number) {
    if (number == 14) utime = std::strtoull(field.c_str(), nullptr, 10);
    if (number == 15) {
      stime = std::strtoull(field.c_str(), nullptr, 10);
      return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
    }
  }
  return std::nullopt;
}

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  size_t index = static_cast<size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
  int samples = 200, file_samples = 50, connections = 4, seconds = 10, match_every = 0, batch = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    int value = std::atoi(argv[i + 1]);
    if (flag == "--samples") samples = value;
    else if (flag == "--file-samples") file_samples = value;
    else if (flag == "--connections") connections = value;
    else if (flag == "--seconds") seconds = value;
    else if (flag == "--match-every") match_every = value;
    else if (flag == "--batch") batch = std::max(1, value);
    else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  EventMaker maker(ReadFile(std::string(TW_FIXTURES_DIR) +
                               "/aws/eventbridge/root-consolelogin-success-mfa.envelope.constructed.json"));
  FakeHttpServer slack([](const FakeRequest&) { return FakeResponse::Text(200, "ok"); });
  TempDir dir;
  std::filesystem::create_directories(dir.path() + "/logs");
  std::string config = dir.Write(
      "trailwatch.yaml",
      "store: " + dir.path() + "/tw.db\n"
      "sources:\n"
      "  - {type: http, listen: \"127.0.0.1:0\", api_key: \"${env:TW_LOAD_API_KEY}\", max_pending_requests: 256}\n"
      "  - {type: directory, path: " + dir.path() + "/logs}\n"
      "targets:\n"
      "  - {name: slack, type: slack, webhook_url: \"" + slack.Url("/hook") + "\", rate_per_second: 100, burst: 100}\n"
      "rules:\n"
      "  - {pack: root-signin, targets: [slack]}\n");
  ServiceProcess service({"run", "--config", config, "--log-format", "json"}, dir.path(),
                         {{"TW_LOAD_API_KEY", kApiKey}});
  int port = 0;
  for (int i = 0; i < 600 && port == 0; ++i) {
    port = service.ListeningPort();
    if (port == 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (port == 0) {
    std::fprintf(stderr, "service did not start:\n%s\n", service.Stderr().c_str());
    return 1;
  }
  std::printf("== machine: %u CPUs; service pid %d on port %d\n", std::thread::hardware_concurrency(),
              static_cast<int>(service.pid()), port);
  // The binary the service really runs: a before/after comparison through TW_SERVICE_BINARY is
  // worthless if the child is not the build it names.
  std::error_code error;
  std::filesystem::path exe =
      std::filesystem::read_symlink("/proc/" + std::to_string(service.pid()) + "/exe", error);
  std::printf("service binary: %s\n", error ? "(unknown)" : exe.c_str());
  if (const char* wanted = std::getenv("TW_SERVICE_BINARY"); wanted != nullptr) {
    std::error_code same_error;
    if (error || !std::filesystem::equivalent(exe, wanted, same_error)) {
      std::fprintf(stderr, "TW_SERVICE_BINARY=%s but the service runs %s: not measuring the wrong build\n",
                   wanted, error ? "(unknown)" : exe.c_str());
      return 1;
    }
  }

  // 1. Latency, POST -> fake Slack.
  std::vector<double> latency_ms, answer_ms;
  {
    Connection connection(port);
    for (int i = 0; i < samples; ++i) {
      std::string event = maker.Make(1'000'000 + static_cast<uint64_t>(i), true);
      size_t before = slack.RequestCount();
      Clock::time_point start = Clock::now();
      int status = connection.Post(event);
      Clock::time_point answered = Clock::now();
      if (status / 100 != 2 || !slack.WaitForRequests(before + 1, std::chrono::seconds(10))) {
        std::fprintf(stderr, "sample %d: status %d, Slack saw %zu\n", i, status, slack.RequestCount());
        return 1;
      }
      Clock::time_point received = slack.Requests()[before].received_at;
      latency_ms.push_back(std::chrono::duration<double, std::milli>(received - start).count());
      answer_ms.push_back(std::chrono::duration<double, std::milli>(answered - start).count());
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  std::printf("latency POST /events -> fake Slack, %d samples: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
              samples, Percentile(latency_ms, 0.5), Percentile(latency_ms, 0.99),
              Percentile(latency_ms, 1.0));
  std::printf("  (/events answered after p50 %.2f ms, p99 %.2f ms)\n", Percentile(answer_ms, 0.5),
              Percentile(answer_ms, 0.99));

  // 1b. Latency, log file renamed into the watched tree -> fake Slack.
  std::string record = ReadFile(std::string(TW_FIXTURES_DIR) + "/aws/cloudtrail/root-consolelogin-success-mfa.json");
  std::string log_dir = dir.path() + "/logs/AWSLogs/111122223333/CloudTrail/us-east-1/2022/11/10/";
  std::filesystem::create_directories(log_dir);
  std::vector<double> file_ms;
  for (int i = 0; i < file_samples; ++i) {
    std::string event_id = "22222222-0000-4000-8000-" + std::to_string(100000000000 + i);
    std::string text = record;
    text.replace(text.find("deb1e1f9-c99b-4612-8e9f-21f93b5d79c0"), 36, event_id);
    std::string name = "111122223333_CloudTrail_us-east-1_20221110T1625Z_" + std::to_string(i) + ".json";
    std::string staged = dir.path() + "/" + name;
    {
      std::ofstream out(staged);
      out << "{\"Records\":[" << text << "]}";
    }
    size_t before = slack.RequestCount();
    Clock::time_point start = Clock::now();
    std::filesystem::rename(staged, log_dir + name);
    if (!slack.WaitForRequests(before + 1, std::chrono::seconds(10))) {
      std::fprintf(stderr, "file sample %d: Slack saw %zu\n", i, slack.RequestCount());
      return 1;
    }
    file_ms.push_back(std::chrono::duration<double, std::milli>(slack.Requests()[before].received_at - start).count());
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::printf("latency log file renamed into the directory -> fake Slack, %d samples: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
              file_samples, Percentile(file_ms, 0.5), Percentile(file_ms, 0.99), Percentile(file_ms, 1.0));

  // 2. Throughput.
  std::atomic<uint64_t> ok{0}, failed{0}, serial{2'000'000};
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  // The service's CPU time (all threads) is read at the start and end of this phase only, not
  // over the latency phases. The load generator shares the CPUs with the service, so events/s
  // depends on how much CPU the client takes; CPU-seconds per event is what the service's own
  // code costs.
  std::optional<double> cpu_start = ProcessCpuSeconds(static_cast<int>(service.pid()));
  Clock::time_point start = Clock::now();
  for (int c = 0; c < connections; ++c) {
    clients.emplace_back([&] {
      Connection connection(port);
      while (!stop.load(std::memory_order_relaxed)) {
        std::string body;
        for (int b = 0; b < batch; ++b) {
          uint64_t n = serial.fetch_add(1);
          bool matching = match_every > 0 && n % static_cast<uint64_t>(match_every) == 0;
          std::string event = maker.Make(n, matching);
          body += batch == 1 ? event : (b == 0 ? "[" : ",") + event;
        }
        if (batch > 1) body += "]";
        int status = connection.Post(body);
        (status / 100 == 2 ? ok : failed).fetch_add(static_cast<uint64_t>(batch));
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  stop = true;
  for (std::thread& client : clients) client.join();
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::optional<double> cpu_end = ProcessCpuSeconds(static_cast<int>(service.pid()));
  std::printf("throughput /events, %d connections, %d s, %d event(s) per POST, match every %d: %.0f events/s (2xx %llu, other %llu)\n",
              connections, seconds, batch, match_every, static_cast<double>(ok.load()) / elapsed,
              static_cast<unsigned long long>(ok.load()), static_cast<unsigned long long>(failed.load()));
  if (cpu_start && cpu_end) {
    double cpu = *cpu_end - *cpu_start;
    std::printf("service CPU: %.2f s user+sys over %.2f s wall; events per CPU-second: %.0f\n", cpu,
                elapsed, cpu > 0 ? static_cast<double>(ok.load()) / cpu : 0.0);
  } else {
    std::printf("service CPU: /proc/%d/stat unreadable; events per CPU-second: n/a\n",
                static_cast<int>(service.pid()));
  }
  service.Signal(SIGTERM);
  int code = service.WaitExit(std::chrono::seconds(60));
  std::printf("service exit %d\n", code);
  return 0;
}
