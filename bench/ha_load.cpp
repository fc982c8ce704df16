// ha_load: alerts/s, latency and failover of N `trailwatch run` replicas on one store (issue 14,
// item 5; docs/benchmarks.md, "High availability").
//
//   ha_load [--store sqlite|postgresql] [--replicas N] [--lease SECONDS] [--samples N]
//           [--file-samples F] [--connections C] [--seconds S] [--lanes L] [--failover K]
//
// Starts N replicas of the real service (TW_BINARY, or TW_SERVICE_BINARY) from one config file:
// an http source and a directory source each, every port ephemeral (http source and ops listener),
// so every replica has its own and the client reads them from the replica's log. The store is a
// SQLite file (one replica only) or a private PostgreSQL 15 cluster that ha_load starts itself
// with tests/store/pg_test_cluster.sh under TW_PG_DURABLE=1: fsync, synchronous_commit and
// full_page_writes on, as in production (the test cluster turns them off), stopped at the end.
// Two in-process receivers on loopback stand in for Slack and for a webhook endpoint. Measured:
//  1. latency: N root sign-ins POSTed to /events one at a time (20 ms apart), sample i to replica
//     i % N, each until the fake Slack has the message (a Slack webhook target, one channel, so on
//     a shared store one replica holds the channel's lease and delivers every sample: the others
//     only commit). p50/p99/max overall and per replica.
//  1b. file latency: F log files with one root sign-in renamed into the directory source's tree
//     (read by the one replica that leads the source), until the fake Slack has the message.
//  2. throughput: C keep-alive connections, connection c on replica c % N, POST one event per
//     request for S seconds; every event matches exactly one rule and so commits one alert.
//     "committed" = events answered 2xx per second (an /events 2xx means the alert is in the
//     outbox). "delivered" = requests the fake webhook receiver got during the same S seconds,
//     per second; then the backlog is drained and the time that took is printed. The events go
//     to L webhook targets (rule lane-i matches the events whose eventID ends in hex digit i, so
//     L = 16 spreads them evenly), each max_concurrency 4, rate_per_second 100 (the most the config
//     allows), burst 1000: a replica can deliver up to L x 100/s after the bursts, and the receiver
//     answers at once, so neither it nor the token buckets are the limit below that.
//     Also printed: the machine's CPU busy share over the window (/proc/stat), since client,
//     replicas and PostgreSQL share the cores.
//  3. failover (PostgreSQL, N >= 2): K times, find the replica leading the directory source
//     (trailwatch_source_leader in its /metrics), check the source alerts a file, then SIGKILL
//     that replica and rename a new file into the tree right after the kill; the time from the kill
//     to the fake Slack receiving that file's alert is one sample. The killed replica is started
//     again before the next round. Printed per sample, with whether the killed replica also held
//     the Slack channel's lease (then delivery had to fail over too), then median and max against
//     the goal (within 2 x lease).
#include <httplib.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cli/cli_test_util.h"
#include "load_client.h"
#include "service/service_process_util.h"
#include "store/pg_test_cluster_util.h"
#include "store/store_backend.h"
#include "targets/fake_servers_util.h"

using namespace trailwatch::testing;
using namespace trailwatch::bench;
using Clock = std::chrono::steady_clock;

namespace {

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// One replica: its process and the ports it logged.
struct Replica {
  std::unique_ptr<ServiceProcess> process;
  int http_port = 0;
  int ops_port = 0;
};

// "ops listener on 127.0.0.1:PORT" (service/ops_listener.cpp), 0 until logged.
int LoggedOpsPort(const std::string& log) {
  static const std::regex kLine("ops listener on 127\\.0\\.0\\.1:([0-9]+)");
  std::smatch match;
  return std::regex_search(log, match, kLine) ? std::stoi(match[1].str()) : 0;
}

// Waits until the replica logged both ports; false when it exited or took over a minute.
bool WaitReady(Replica& replica) {
  for (int i = 0; i < 1200; ++i) {
    if (!replica.process->Running()) return false;
    replica.ops_port = LoggedOpsPort(replica.process->Stderr());
    replica.http_port = replica.process->ListeningPort();
    if (replica.ops_port != 0 && replica.http_port != 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// Whether the replica's /metrics say it runs a polled (directory) source now.
bool LeadsDirectory(const Replica& replica) {
  if (replica.ops_port == 0) return false;
  httplib::Client client("127.0.0.1", replica.ops_port);
  client.set_connection_timeout(1);
  client.set_read_timeout(2);
  httplib::Result result = client.Get("/metrics");
  if (!result || result->status != 200) return false;
  static const std::regex kLeader("\ntrailwatch_source_leader\\{source=\"directory:[^\"]*\"\\} 1\n");
  return std::regex_search(result->body, kLeader);
}

// Busy and total jiffies of the whole machine (first line of /proc/stat).
std::pair<double, double> MachineCpu() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  double user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
  in >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal;
  double total = user + nice + system + idle + iowait + irq + softirq + steal;
  return {total - idle - iowait, total};
}

// A CloudTrail log file holding one root sign-in with the given eventID, written beside the tree
// and renamed in by Drop (so the directory source sees a complete file appear at once).
class LogDropper {
 public:
  explicit LogDropper(const std::string& root) : root_(root) {
    record_ = ReadFile(std::string(TW_FIXTURES_DIR) + "/aws/cloudtrail/root-consolelogin-success-mfa.json");
    tree_ = root + "/logs/AWSLogs/111122223333/CloudTrail/us-east-1/2022/11/10/";
    std::filesystem::create_directories(tree_);
  }
  // Writes file number `n` next to the tree; Drop renames it in.
  std::string Stage(int n) {
    std::string text = record_;
    std::string event_id = "22222222-0000-4000-8000-";
    event_id.append(std::to_string(100000000000LL + n));
    text.replace(text.find("deb1e1f9-c99b-4612-8e9f-21f93b5d79c0"), 36, event_id);
    std::string name = "111122223333_CloudTrail_us-east-1_20221110T1625Z_";
    name.append(std::to_string(n)).append(".json");
    std::ofstream out(root_ + "/" + name);
    out << "{\"Records\":[" << text << "]}";
    return name;
  }
  void Drop(const std::string& name) { std::filesystem::rename(root_ + "/" + name, tree_ + name); }

 private:
  std::string root_, record_, tree_;
};

struct Options {
  std::string store = "sqlite";
  int replicas = 1, lease = 15, samples = 200, file_samples = 20, connections = 6, seconds = 10,
      lanes = 16, failover = 0;
};

std::string Config(const Options& options, const std::string& dir, const FakeHttpServer& slack,
                   const FakeHttpServer& sink) {
  std::string yaml;
  if (options.store == "postgresql") {
    yaml.append("store: {dsn: \"${env:TW_DSN}\", lease: ").append(std::to_string(options.lease)).append("s}\n");
  } else {
    yaml.append("store: ").append(dir).append("/tw.db\n");
  }
  yaml.append("telemetry: {listen: \"127.0.0.1:0\"}\n");
  yaml.append("sources:\n");
  yaml.append("  - {type: http, listen: \"127.0.0.1:0\", api_key: \"${env:TW_LOAD_API_KEY}\", max_pending_requests: 256}\n");
  yaml.append("  - {type: directory, path: ").append(dir).append("/logs}\n");
  yaml.append("targets:\n");
  yaml.append("  - {name: slack, type: slack, webhook_url: \"").append(slack.Url("/hook"))
      .append("\", rate_per_second: 100, burst: 1000}\n");
  for (int lane = 0; lane < options.lanes; ++lane) {
    std::string name = "lane-" + std::to_string(lane);
    yaml.append("  - {name: ").append(name).append(", type: webhook, url: \"").append(sink.Url("/" + name))
        .append("\", max_concurrency: 4, rate_per_second: 100, burst: 1000}\n");
  }
  yaml.append("rules:\n");
  yaml.append("  - {name: root-signin, pattern: {\"detail\": {\"userIdentity\": {\"type\": [\"Root\"]}}}, targets: [slack]}\n");
  // The throughput events are IAMUser sign-ins; the last hex digit of their eventID picks the lane.
  const char* kHex = "0123456789abcdef";
  for (int lane = 0; lane < options.lanes; ++lane) {
    std::string suffixes;
    for (int digit = lane; digit < 16; digit += options.lanes) {
      if (!suffixes.empty()) suffixes.append(", ");
      suffixes.append("{\"suffix\": \"").append(1, kHex[digit]).append("\"}");
    }
    yaml.append("  - {name: lane-").append(std::to_string(lane))
        .append(", pattern: {\"detail\": {\"userIdentity\": {\"type\": [\"IAMUser\"]}, \"eventID\": [")
        .append(suffixes).append("]}}, targets: [lane-").append(std::to_string(lane)).append("]}\n");
  }
  return yaml;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i], text = argv[i + 1];
    int value = std::atoi(text.c_str());
    if (flag == "--store") options.store = text;
    else if (flag == "--replicas") options.replicas = std::max(1, value);
    else if (flag == "--lease") options.lease = value;
    else if (flag == "--samples") options.samples = value;
    else if (flag == "--file-samples") options.file_samples = value;
    else if (flag == "--connections") options.connections = std::max(1, value);
    else if (flag == "--seconds") options.seconds = value;
    else if (flag == "--lanes") options.lanes = std::clamp(value, 1, 16);
    else if (flag == "--failover") options.failover = value;
    else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  bool postgres = options.store == "postgresql";
  if (!postgres && (options.store != "sqlite" || options.replicas != 1)) {
    std::fprintf(stderr, "--store is sqlite (one replica) or postgresql\n");
    return 2;
  }

  // The cluster is durable (TW_PG_DURABLE, read by pg_test_cluster.sh): a benchmark of commits
  // without WAL flushes would measure a store nobody runs.
  std::unique_ptr<trailwatch::store::testing::PgTestCluster> cluster;
  std::string dsn;
  if (postgres) {
    setenv("TW_PG_DURABLE", "1", 1);
    cluster = trailwatch::store::testing::PgTestCluster::StartPrivate();
    dsn = cluster->admin_dsn();
  }

  EventMaker maker(ReadFile(std::string(TW_FIXTURES_DIR) +
                            "/aws/eventbridge/root-consolelogin-success-mfa.envelope.constructed.json"));
  FakeHttpServer slack([](const FakeRequest&) { return FakeResponse::Text(200, "ok"); });
  FakeHttpServer sink([](const FakeRequest&) { return FakeResponse::Text(200, "ok"); });
  TempDir dir;
  std::filesystem::create_directories(dir.path() + "/logs");
  std::string config = dir.Write("trailwatch.yaml", Config(options, dir.path(), slack, sink));
  const std::vector<std::string> args = {"run", "--config", config, "--log-format", "json"};
  const std::map<std::string, std::string> environment = {{"TW_LOAD_API_KEY", kLoadApiKey}, {"TW_DSN", dsn}};

  std::vector<Replica> replicas(static_cast<size_t>(options.replicas));
  for (Replica& replica : replicas) {
    replica.process = std::make_unique<ServiceProcess>(args, dir.path(), environment);
  }
  for (size_t r = 0; r < replicas.size(); ++r) {
    if (!WaitReady(replicas[r])) {
      std::fprintf(stderr, "replica %zu did not start:\n%s\n", r, replicas[r].process->Stderr().c_str());
      return 1;
    }
  }
  std::printf("== machine: %u CPUs; store %s%s; %d replica(s):", std::thread::hardware_concurrency(),
              options.store.c_str(),
              postgres ? (" (private PostgreSQL cluster, fsync on, lease " + std::to_string(options.lease) + " s)").c_str() : "",
              options.replicas);
  for (const Replica& replica : replicas) {
    std::printf(" pid %d http %d ops %d;", static_cast<int>(replica.process->pid()), replica.http_port,
                replica.ops_port);
  }
  std::printf("\n");
  std::error_code error;
  std::filesystem::path exe =
      std::filesystem::read_symlink("/proc/" + std::to_string(replicas[0].process->pid()) + "/exe", error);
  std::printf("service binary: %s\n", error ? "(unknown)" : exe.c_str());

  // 1. Latency, POST -> fake Slack, spread over the replicas.
  if (options.samples > 0) {
    std::vector<std::unique_ptr<Connection>> connections;
    for (const Replica& replica : replicas) connections.push_back(std::make_unique<Connection>(replica.http_port));
    std::vector<double> all_ms;
    std::vector<std::vector<double>> per_replica(replicas.size());
    for (int i = 0; i < options.samples; ++i) {
      size_t r = static_cast<size_t>(i) % replicas.size();
      std::string event = maker.Make(1'000'000 + static_cast<uint64_t>(i), true);
      size_t before = slack.RequestCount();
      Clock::time_point start = Clock::now();
      int status = connections[r]->Post(event);
      if (status / 100 != 2 || !slack.WaitForRequests(before + 1, std::chrono::seconds(30))) {
        std::fprintf(stderr, "sample %d (replica %zu): status %d, Slack saw %zu\n", i, r, status, slack.RequestCount());
        return 1;
      }
      double ms = Ms(slack.Requests()[before].received_at - start);
      all_ms.push_back(ms);
      per_replica[r].push_back(ms);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    std::printf("latency POST /events -> fake Slack, %d samples: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
                options.samples, Percentile(all_ms, 0.5), Percentile(all_ms, 0.99), Percentile(all_ms, 1.0));
    if (replicas.size() > 1) {
      for (size_t r = 0; r < replicas.size(); ++r) {
        std::printf("  posted to replica %zu: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", r,
                    Percentile(per_replica[r], 0.5), Percentile(per_replica[r], 0.99),
                    Percentile(per_replica[r], 1.0));
      }
    }
  }

  // 1b. Latency, log file renamed into the tree -> fake Slack (the source's leader reads it).
  LogDropper dropper(dir.path());
  int file_serial = 0;
  {
    std::vector<double> file_ms;
    for (int i = 0; i < options.file_samples; ++i) {
      std::string name = dropper.Stage(file_serial++);
      size_t before = slack.RequestCount();
      Clock::time_point start = Clock::now();
      dropper.Drop(name);
      if (!slack.WaitForRequests(before + 1, std::chrono::seconds(30))) {
        std::fprintf(stderr, "file sample %d: Slack saw %zu\n", i, slack.RequestCount());
        return 1;
      }
      file_ms.push_back(Ms(slack.Requests()[before].received_at - start));
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (options.file_samples > 0) {
      std::printf("latency log file -> fake Slack, %d samples: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
                  options.file_samples, Percentile(file_ms, 0.5), Percentile(file_ms, 0.99),
                  Percentile(file_ms, 1.0));
    }
  }

  // 2. Throughput: committed (2xx) and delivered (received by the webhook sink) alerts per second.
  if (options.seconds > 0) {
    std::atomic<uint64_t> ok{0}, failed{0}, serial{2'000'000};
    std::atomic<bool> stop{false};
    std::vector<std::thread> clients;
    size_t sink_start = sink.RequestCount();
    auto cpu_start = MachineCpu();
    Clock::time_point start = Clock::now();
    for (int c = 0; c < options.connections; ++c) {
      int port = replicas[static_cast<size_t>(c) % replicas.size()].http_port;
      clients.emplace_back([&, port] {
        Connection connection(port);
        while (!stop.load(std::memory_order_relaxed)) {
          int status = connection.Post(maker.Make(serial.fetch_add(1), false));
          (status / 100 == 2 ? ok : failed).fetch_add(1);
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::seconds(options.seconds));
    stop = true;
    for (std::thread& client : clients) client.join();
    Clock::time_point end = Clock::now();
    size_t sink_window = sink.RequestCount() - sink_start;
    auto cpu_end = MachineCpu();
    double elapsed = std::chrono::duration<double>(end - start).count();
    std::printf("throughput, %d connections over %d replica(s), %d s, %d lanes: committed %.0f alerts/s "
                "(2xx %llu, other %llu); delivered %.0f alerts/s during the window\n",
                options.connections, options.replicas, options.seconds, options.lanes,
                static_cast<double>(ok.load()) / elapsed, static_cast<unsigned long long>(ok.load()),
                static_cast<unsigned long long>(failed.load()), static_cast<double>(sink_window) / elapsed);
    // The backlog left at the end of the window, drained: all committed alerts must arrive.
    bool drained = sink.WaitForRequests(sink_start + ok.load(), std::chrono::seconds(300));
    std::vector<FakeRequest> received = sink.Requests();
    double last = received.empty() ? 0 : std::chrono::duration<double>(received.back().received_at - start).count();
    std::printf("  backlog %llu at the end of the window; %s %.1f s after the start (%.0f alerts/s overall); "
                "receiver got %zu for %llu committed\n",
                static_cast<unsigned long long>(ok.load() - std::min<uint64_t>(ok.load(), sink_window)),
                drained ? "all delivered" : "NOT all delivered after 300 s; last", last,
                last > 0 ? static_cast<double>(received.size() - sink_start) / last : 0.0,
                received.size() - sink_start, static_cast<unsigned long long>(ok.load()));
    std::printf("  machine CPU busy over the window: %.0f %% of %u CPUs\n",
                100.0 * (cpu_end.first - cpu_start.first) / std::max(1.0, cpu_end.second - cpu_start.second),
                std::thread::hardware_concurrency());
  }

  // 3. Failover of the directory source: SIGKILL its leader, drop a file, time the alert.
  if (options.failover > 0 && postgres && replicas.size() > 1) {
    trailwatch::store::StoreOptions store_options;
    store_options.owner = trailwatch::store::MakeOwnerId();
    store_options.pool_size = 1;
    auto backend = trailwatch::store::StoreBackend::Open(dsn, store_options);
    if (!backend.ok()) {
      std::fprintf(stderr, "store: %s\n", backend.message().c_str());
      return 1;
    }
    std::vector<double> failover_s;
    for (int round = 0; round < options.failover; ++round) {
      // The leader, and proof that it alerts files (so the round starts from a working source).
      std::optional<size_t> leader;
      for (int i = 0; i < 600 && !leader; ++i) {
        for (size_t r = 0; r < replicas.size() && !leader; ++r) {
          if (LeadsDirectory(replicas[r])) leader = r;
        }
        if (!leader) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      std::string warm = dropper.Stage(file_serial++);
      size_t before = slack.RequestCount();
      dropper.Drop(warm);
      if (!leader || !slack.WaitForRequests(before + 1, std::chrono::seconds(4 * options.lease + 30))) {
        std::fprintf(stderr, "round %d: no leader or the warm-up file was not alerted\n", round);
        return 1;
      }
      Replica& victim = replicas[*leader];
      std::string pid_part = "/" + std::to_string(victim.process->pid()) + "/";
      bool held_slack = false;
      if (auto leases = (*backend)->leases()->List(); leases.ok()) {
        for (const auto& lease : *leases) {
          if (lease.name.rfind("channel:slack", 0) == 0 && lease.owner.find(pid_part) != std::string::npos) {
            held_slack = true;
          }
        }
      }
      std::string name = dropper.Stage(file_serial++);
      before = slack.RequestCount();
      Clock::time_point killed = Clock::now();
      victim.process->Signal(SIGKILL);
      dropper.Drop(name);
      if (!slack.WaitForRequests(before + 1, std::chrono::seconds(4 * options.lease + 30))) {
        std::fprintf(stderr, "round %d: the file dropped after the kill was not alerted\n", round);
        return 1;
      }
      double seconds = std::chrono::duration<double>(slack.Requests()[before].received_at - killed).count();
      failover_s.push_back(seconds);
      std::printf("failover %d: killed replica %zu (pid %d; it also held the Slack channel: %s): alert after %.2f s\n",
                  round + 1, *leader, static_cast<int>(victim.process->pid()), held_slack ? "yes" : "no", seconds);
      std::fflush(stdout);
      victim.process->WaitExit(std::chrono::seconds(10));
      victim = Replica{std::make_unique<ServiceProcess>(args, dir.path(), environment), 0, 0};
      if (!WaitReady(victim)) {
        std::fprintf(stderr, "replica %zu did not restart:\n%s\n", *leader, victim.process->Stderr().c_str());
        return 1;
      }
    }
    std::printf("failover, lease %d s, %d kills: median %.2f s, max %.2f s (goal: within 2 x lease = %d s)\n",
                options.lease, options.failover, Percentile(failover_s, 0.5), Percentile(failover_s, 1.0),
                2 * options.lease);
  }

  for (Replica& replica : replicas) replica.process->Signal(SIGTERM);
  for (size_t r = 0; r < replicas.size(); ++r) {
    std::printf("replica %zu exit %d\n", r, replicas[r].process->WaitExit(std::chrono::seconds(60)));
  }
  return 0;
}
