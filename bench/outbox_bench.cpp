// Outbox and delivery throughput (issue 4, item 7; results in docs/benchmarks.md, "Outbox").
//
// Enqueue/batch:N      alerts committed to the outbox per second, N alerts per transaction
//                      (synchronous=FULL: one WAL fsync per transaction). Each alert is the
//                      sample root sign-in envelope (~1.3 KB) with a distinct eventID.
// Deliver/channels:C   alerts/s from the outbox to a local fake webhook over loopback HTTP
//                      (keep-alive), through DeliveryWorker with a rate limit far above what is
//                      reached: claim (BEGIN IMMEDIATE, NORMAL) + POST + mark delivered
//                      (synchronous=FULL). Entries of one channel go one at a time (order), so C
//                      channels (targets) show what parallelism across channels buys.
// Deliver/lanes:L/group_commit:G
//                      one webhook target with max_concurrency L (L lanes, L requests in flight),
//                      2,000 alerts; G=1 concurrent MarkDelivered calls share one FULL commit
//                      (group commit), G=0 each commits alone (the behaviour before group commit).
//                      Reports fsyncs/alert (delivered commits per alert).
// Pending100k          store size and process RSS with 100,000 pending alerts: the outbox keeps
//                      nothing per entry in memory; a deliverer opening the store and claiming the
//                      head of its channel is measured.
//
// The fake is a minimal HTTP/1.1 server on 127.0.0.1 answering "200 ok" (the test suite's fakes
// are not linked into benchmarks).
#include <arpa/inet.h>
#include <benchmark/benchmark.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "outbox/outbox.h"
#include "targets/delivery_worker.h"
#include "targets/sample_alert.h"

namespace {

using namespace trailwatch;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class OkServer {
 public:
  OkServer() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    listen(fd_, 64);
    socklen_t length = sizeof address;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    acceptor_ = std::thread([this] {
      while (!stop_) {
        pollfd p{fd_, POLLIN, 0};
        if (poll(&p, 1, 20) <= 0) continue;
        int client = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (client < 0) continue;
        std::lock_guard lock(mutex_);
        clients_.push_back(client);
        threads_.emplace_back([this, client] { Serve(client); });
      }
    });
  }
  ~OkServer() {
    stop_ = true;
    acceptor_.join();
    {
      std::lock_guard lock(mutex_);
      for (int c : clients_) shutdown(c, SHUT_RDWR);
    }
    for (auto& t : threads_) t.join();
    close(fd_);
  }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/ingest"; }

 private:
  void Serve(int fd) {
    std::string buffer;
    char chunk[65536];
    static const std::string kAnswer =
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok";
    while (!stop_) {
      size_t end = buffer.find("\r\n\r\n");
      if (end != std::string::npos) {
        size_t length = 0;
        size_t at = buffer.find("Content-Length:");
        if (at == std::string::npos) at = buffer.find("content-length:");
        if (at != std::string::npos && at < end) length = std::stoul(buffer.substr(at + 15));
        if (buffer.size() >= end + 4 + length) {
          buffer.erase(0, end + 4 + length);
          if (send(fd, kAnswer.data(), kAnswer.size(), MSG_NOSIGNAL) <= 0) break;
          continue;
        }
      }
      ssize_t n = recv(fd, chunk, sizeof chunk, 0);
      if (n <= 0) break;
      buffer.append(chunk, static_cast<size_t>(n));
    }
    close(fd);
  }
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::vector<int> clients_;
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

struct Store {
  std::string dir;
  std::unique_ptr<outbox::Outbox> outbox;
  Store() {
    // $TMPDIR picks the file system (e.g. /dev/shm to take the disk's fsync latency out).
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern =
        std::string(tmp && *tmp ? tmp : "/tmp") + "/trailwatch-outbox-bench-XXXXXX";
    dir = mkdtemp(pattern.data());
    outbox = std::move(outbox::Outbox::Open(dir + "/outbox.db").value());
  }
  ~Store() {
    outbox.reset();
    std::filesystem::remove_all(dir);
  }
};

std::vector<outbox::NewEntry> Alerts(const std::string& target, const std::string& channel,
                                     int64_t first, int64_t count) {
  std::vector<outbox::NewEntry> entries;
  for (int64_t i = first; i < first + count; ++i) {
    entries.push_back(
        {target, channel,
         targets::SampleRootSignInAlert("bench-" + std::to_string(i), "bench").value()});
  }
  return entries;
}

void BM_Enqueue(benchmark::State& state) {
  const int64_t batch = state.range(0);
  Store store;
  int64_t next = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto entries = Alerts("siem", "siem", next, batch);
    next += batch;
    state.ResumeTiming();
    auto result = store.outbox->Enqueue(entries, NowMs());
    if (!result.ok()) state.SkipWithError(result.message().c_str());
  }
  state.SetItemsProcessed(state.iterations() * batch);
  state.counters["alerts/s"] = benchmark::Counter(static_cast<double>(state.iterations() * batch),
                                                  benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Enqueue)
    ->Name("Enqueue/batch")
    ->Arg(1)
    ->Arg(100)
    ->Arg(1000)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// A webhook target on the bench's server, never rate limited.
config::TargetConfig WebhookTarget(const std::string& name, const std::string& url,
                                   int max_concurrency) {
  config::TargetConfig config;
  config.name = name;
  config.type = config::TargetConfig::Type::kWebhook;
  config.url = config::Secret(url);
  config.rate_per_second = 1e6;
  config.burst = 1000000;
  config.max_concurrency = max_concurrency;
  return config;
}

// Delivers everything in `store` to `configs`, timing only the delivery; `expected` sends.
void TimedDelivery(benchmark::State& state, Store& store,
                   const std::vector<config::TargetConfig>& configs, int64_t expected) {
  std::vector<targets::DeliveryTarget> delivery;
  targets::TargetContext context;
  for (const config::TargetConfig& config : configs) {
    delivery.push_back({config, targets::MakeTarget(config, context).value()});
  }
  targets::DeliveryOptions options;
  options.stop_when_empty = true;
  targets::DeliveryWorker worker(store.outbox.get(), std::move(delivery), options);
  state.ResumeTiming();
  worker.Start();
  worker.Wait();
  state.PauseTiming();
  if (worker.counters().delivered != expected) state.SkipWithError("lost");
}

void BM_Deliver(benchmark::State& state) {
  const int channels = static_cast<int>(state.range(0));
  constexpr int64_t kAlerts = 2000;
  OkServer server;
  int64_t next = 0;
  for (auto _ : state) {
    state.PauseTiming();
    Store store;
    std::vector<config::TargetConfig> configs;
    for (int c = 0; c < channels; ++c) {
      configs.push_back(WebhookTarget("siem-" + std::to_string(c), server.Url(), 1));
      auto entries =
          Alerts(configs.back().name, targets::ChannelKey(configs.back()), next, kAlerts / channels);
      next += kAlerts / channels;
      if (!store.outbox->Enqueue(entries, NowMs()).ok()) state.SkipWithError("enqueue");
    }
    TimedDelivery(state, store, configs, kAlerts / channels * channels);
    state.ResumeTiming();
  }
  int64_t total = state.iterations() * (kAlerts / channels * channels);
  state.SetItemsProcessed(total);
  state.counters["alerts/s"] =
      benchmark::Counter(static_cast<double>(total), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Deliver)
    ->Name("Deliver/channels")
    ->Arg(1)
    ->Arg(4)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);

void BM_DeliverLanes(benchmark::State& state) {
  const int lanes = static_cast<int>(state.range(0));
  const bool group_commit = state.range(1) != 0;
  constexpr int64_t kAlerts = 2000;
  OkServer server;
  int64_t next = 0;
  int64_t commits = 0;
  for (auto _ : state) {
    state.PauseTiming();
    Store store;
    store.outbox->SetGroupCommit(group_commit);
    const config::TargetConfig config = WebhookTarget("siem", server.Url(), lanes);
    std::vector<outbox::NewEntry> entries;
    for (int64_t i = next; i < next + kAlerts; ++i) {
      route::Alert alert =
          targets::SampleRootSignInAlert("bench-" + std::to_string(i), "bench").value();
      std::string channel = targets::ChannelKey(config, alert);
      entries.push_back({config.name, std::move(channel), std::move(alert)});
    }
    next += kAlerts;
    if (!store.outbox->Enqueue(entries, NowMs()).ok()) state.SkipWithError("enqueue");
    TimedDelivery(state, store, {config}, kAlerts);
    commits += store.outbox->DeliveredCommits();
    state.ResumeTiming();
  }
  int64_t total = state.iterations() * kAlerts;
  state.SetItemsProcessed(total);
  state.counters["alerts/s"] =
      benchmark::Counter(static_cast<double>(total), benchmark::Counter::kIsRate);
  state.counters["fsyncs/alert"] = static_cast<double>(commits) / static_cast<double>(total);
}
BENCHMARK(BM_DeliverLanes)
    ->Name("Deliver/lanes")
    ->ArgNames({"lanes", "group_commit"})
    ->Args({1, 1})
    ->Args({4, 0})
    ->Args({4, 1})
    ->Args({16, 0})
    ->Args({16, 1})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);

long RssKb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

void BM_Pending100k(benchmark::State& state) {
  constexpr int64_t kPending = 100000;
  for (auto _ : state) {
    Store store;
    for (int64_t first = 0; first < kPending; first += 1000) {
      if (!store.outbox->Enqueue(Alerts("siem", "siem", first, 1000), NowMs()).ok()) {
        state.SkipWithError("enqueue");
      }
    }
    store.outbox.reset();  // close: checkpoints the WAL into the main file
    auto bytes = std::filesystem::file_size(store.dir + "/outbox.db");
    long before = RssKb();
    auto reopened = outbox::Outbox::Open(store.dir + "/outbox.db");
    auto head = (*reopened)->ClaimHead("siem", NowMs());
    auto stats = (*reopened)->Stats();
    if (!head.ok() || !*head || !stats.ok() || stats->pending != kPending - 1) {
      state.SkipWithError("unexpected store state");
    }
    long after = RssKb();
    state.counters["store_MB"] = static_cast<double>(bytes) / 1e6;
    state.counters["bytes/alert"] = static_cast<double>(bytes) / kPending;
    state.counters["rss_MB"] = static_cast<double>(after) / 1024.0;
    state.counters["rss_open_claim_MB"] = static_cast<double>(after - before) / 1024.0;
    reopened->reset();
  }
}
BENCHMARK(BM_Pending100k)->Name("Pending100k")->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
