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
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cli/cli_test_util.h"
#include "load_client.h"
#include "service/service_process_util.h"
#include "targets/fake_servers_util.h"

using namespace trailwatch::testing;
using namespace trailwatch::bench;
using Clock = std::chrono::steady_clock;

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
                         {{"TW_LOAD_API_KEY", kLoadApiKey}});
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
