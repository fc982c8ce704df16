// The real `trailwatch run` binary with an http source on loopback, under the attacks a security
// review ran against it: 1,000 idle and 200 slowloris connections held for 20 s, a 1 GB chunked
// upload without the API key and one with it, while a fresh client keeps calling /healthz and
// /events; then RFC 9112 framing errors and pipelined POSTs.
//
// Bounded: every loop ends by a deadline, the attackers use 127.0.0.0/8 source addresses only.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "cli/cli_test_util.h"
#include "server/raw_http_client_util.h"
#include "service/service_process_util.h"

namespace trailwatch::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr const char* kHostileApiKey = "hostile-test-api-key-0123";

std::string Envelope(const std::string& id, const std::string& identity_type) {
  return R"({"version":"0","id":")" + id +
         R"(","detail-type":"AWS Console Sign In via CloudTrail","source":"aws.signin",)"
         R"("account":"111122223333","time":"2026-01-01T00:00:00Z","region":"us-east-1",)"
         R"("resources":[],"detail":{"eventName":"ConsoleLogin","userIdentity":{"type":")" +
         identity_type + R"("},"eventID":"ev-)" + id +
         R"(","eventTime":"2026-01-01T00:00:00Z","eventSource":"signin.amazonaws.com",)"
         R"("awsRegion":"us-east-1","eventType":"AwsConsoleSignIn",)"
         R"("responseElements":{"ConsoleLogin":"Success"}}})";
}

std::string KeyHeader() {
  std::string header = "x-api-key: ";
  header.append(kHostileApiKey).append("\r\n");
  return header;
}

// Resident memory of `pid` in bytes (VmRSS), 0 when unreadable.
size_t ResidentBytes(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoul(line.substr(6)) * 1024;
  }
  return 0;
}

// Whether the server closed `client` (a read would return 0 or fail).
bool ClosedByPeer(const RawHttpClient& client) {
  char byte;
  ssize_t n = recv(client.fd(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

class HostileClientsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The attackers alone hold 1,200 sockets.
    rlimit limit{};
    getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    std::string config = dir_.path() + "/trailwatch.yaml";
    std::ofstream(config) << "store: " << dir_.path() << "/tw.db\n"
                          << "sources:\n"
                             "  - {type: http, listen: \"127.0.0.1:0\", api_key: "
                             "\"${env:TW_TEST_API_KEY}\"}\n"
                             "targets:\n"
                             "  - {name: out, type: stdout}\n"
                             "rules:\n"
                             "  - {pack: root-signin, targets: [out]}\n";
    service_ = std::make_unique<ServiceProcess>(
        std::vector<std::string>{"run", "--config", config, "--log-format", "json"}, dir_.path(),
        std::map<std::string, std::string>{{"TW_TEST_API_KEY", kHostileApiKey}});
    ASSERT_TRUE(service_->WaitForStderr("listening on port", 60s)) << service_->Stderr();
    port_ = service_->ListeningPort();
    ASSERT_GT(port_, 0);
  }
  void TearDown() override {
    if (service_) {
      service_->Signal(SIGTERM);
      EXPECT_EQ(service_->WaitExit(30s), 0) << service_->Stderr();
      EXPECT_EQ(service_->Stderr().find(kHostileApiKey), std::string::npos);
    }
  }

  TempDir dir_;
  std::unique_ptr<ServiceProcess> service_;
  int port_ = 0;
};

TEST_F(HostileClientsTest, IdleSlowlorisAndHugeUploadsDoNotStarveAFreshClient) {
  // Warm up (first requests open the store's pages), then take the baseline.
  for (int i = 0; i < 20; ++i) {
    TimedRequest(port_, "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n", 2s);
    TimedRequest(
        port_,
        PostRequest("/events", Envelope("warm-" + std::to_string(i), "IAMUser"), KeyHeader()), 2s);
  }
  const size_t baseline = ResidentBytes(service_->pid());
  ASSERT_GT(baseline, 0u);

  const auto deadline = Clock::now() + 20s;
  std::atomic<size_t> idle_open{0};
  std::atomic<size_t> slowloris_open{0};
  std::atomic<size_t> reopened{0};

  // 1,000 idle connections from 127.0.0.2-9 (125 per address), reopened when the server drops
  // them (header_timeout).
  std::jthread idle([&] {
    std::vector<RawHttpClient> clients;
    std::vector<std::string> sources;
    for (int i = 0; i < 1000; ++i) {
      sources.push_back("127.0.0." + std::to_string(2 + i % 8));
      clients.emplace_back(port_, sources.back());
    }
    while (Clock::now() < deadline) {
      size_t open = 0;
      for (size_t i = 0; i < clients.size(); ++i) {
        if (!clients[i].connected() || ClosedByPeer(clients[i])) {
          clients[i] = RawHttpClient(port_, sources[i]);
          ++reopened;
        }
        open += clients[i].connected();
      }
      idle_open = open;
      std::this_thread::sleep_for(200ms);
    }
  });
  // 200 slowloris connections from 127.0.1.1-4: a request line, then one header byte a second.
  std::jthread slowloris([&] {
    std::vector<RawHttpClient> clients;
    std::vector<std::string> sources;
    auto open = [&](size_t i) {
      clients[i] = RawHttpClient(port_, sources[i]);
      clients[i].Send("POST /events HTTP/1.1\r\nHost: t\r\nX-Slow: ");
    };
    for (int i = 0; i < 200; ++i) {
      sources.push_back("127.0.1." + std::to_string(1 + i % 4));
      clients.emplace_back(port_, sources.back());
      clients.back().Send("POST /events HTTP/1.1\r\nHost: t\r\nX-Slow: ");
    }
    while (Clock::now() < deadline) {
      size_t count = 0;
      for (size_t i = 0; i < clients.size(); ++i) {
        if (!clients[i].connected() || !clients[i].Send("a")) {
          open(i);
          ++reopened;
        }
        count += clients[i].connected();
      }
      slowloris_open = count;
      std::this_thread::sleep_for(1s);
    }
  });
  // A 1 GB chunked upload without the key: refused from the headers, before any body byte.
  std::vector<int> unkeyed_answer;
  size_t unkeyed_sent = 0;
  std::jthread unkeyed([&] {
    RawHttpClient client(port_, "127.0.2.1");
    client.Send("POST /events HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n");
    unkeyed_answer = client.ReadAnswers(1, 5s);
    std::string chunk = Chunk(65536, '{');
    for (size_t sent = 0; sent < (1ull << 30) && Clock::now() < deadline; sent += 65536) {
      if (!client.Send(chunk)) break;
    }
    unkeyed_sent = client.bytes_sent();
  });
  // A 1 GB chunked upload with the key: cut off at max_body_bytes with 413.
  std::vector<int> keyed_answer;
  size_t keyed_sent = 0;
  std::jthread keyed([&] {
    RawHttpClient client(port_, "127.0.2.2");
    client.Send("POST /events HTTP/1.1\r\nHost: t\r\n" + KeyHeader() +
                "Transfer-Encoding: chunked\r\n\r\n");
    std::string chunk = Chunk(65536, '{');
    for (size_t sent = 0; sent < (1ull << 30) && Clock::now() < deadline; sent += 65536) {
      keyed_answer = client.ReadAnswers(1, 0ms);
      if (!keyed_answer.empty() || !client.Send(chunk)) break;
    }
    if (keyed_answer.empty()) keyed_answer = client.ReadAnswers(1, 5s);
    keyed_sent = client.bytes_sent();
  });

  // The fresh client: /healthz and /events on new connections, every 50 ms, throughout.
  std::vector<double> healthz_seconds;
  std::vector<double> events_seconds;
  std::vector<int> bad_statuses;
  size_t peak = baseline;
  int probe = 0;
  while (Clock::now() < deadline) {
    TimedAnswer health = TimedRequest(port_, "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n", 5s);
    healthz_seconds.push_back(health.seconds);
    if (health.status != 200) bad_statuses.push_back(health.status);
    TimedAnswer event =
        TimedRequest(port_,
                     PostRequest("/events", Envelope("probe-" + std::to_string(probe++), "IAMUser"),
                                 KeyHeader()),
                     5s);
    events_seconds.push_back(event.seconds);
    if (event.status != 202) bad_statuses.push_back(event.status);
    peak = std::max(peak, ResidentBytes(service_->pid()));
    std::this_thread::sleep_for(50ms);
  }
  idle.join();
  slowloris.join();
  unkeyed.join();
  keyed.join();

  EXPECT_GE(idle_open.load(), 990u) << "the idle attack did not hold its connections";
  EXPECT_GE(slowloris_open.load(), 190u);
  EXPECT_TRUE(bad_statuses.empty()) << "first bad status: " << bad_statuses.front();
  EXPECT_GT(healthz_seconds.size(), 100u);
  EXPECT_LT(Percentile99(healthz_seconds), 0.100);
  EXPECT_LT(Percentile99(events_seconds), 0.100);
  EXPECT_LT(peak - baseline, 64u << 20) << "baseline " << baseline << ", peak " << peak;
  EXPECT_EQ(unkeyed_answer, std::vector<int>{401});
  EXPECT_EQ(keyed_answer, std::vector<int>{413});
  // Neither upload got far: the server stopped reading (the kernel buffers a few MB at most).
  EXPECT_LT(unkeyed_sent, 64u << 20);
  EXPECT_LT(keyed_sent, 64u << 20);
  std::cout << "probes " << healthz_seconds.size() << ", p99 healthz "
            << Percentile99(healthz_seconds) * 1000 << " ms, p99 events "
            << Percentile99(events_seconds) * 1000 << " ms; RSS baseline " << (baseline >> 20)
            << " MB, peak " << (peak >> 20) << " MB; reopened " << reopened.load()
            << "; uploads sent " << (unkeyed_sent >> 10) << " KB / " << (keyed_sent >> 10)
            << " KB\n";

  RawHttpClient metrics_client(port_);
  metrics_client.Send("GET /metrics HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  metrics_client.WaitClosed(5s);
  const std::string& text = metrics_client.received();
  EXPECT_NE(text.find("reason=\"header_timeout\""), std::string::npos) << text;
  EXPECT_NE(text.find("reason=\"auth\""), std::string::npos);
  EXPECT_NE(text.find("reason=\"too_large\""), std::string::npos);
  // Rejections reach the log, rate-limited: a line per endpoint and reason, with counts.
  std::string log = service_->Stderr();
  EXPECT_NE(log.find("refused (auth, 401)"), std::string::npos);
  EXPECT_NE(log.find("header_timeout"), std::string::npos);
  EXPECT_LT(CountOccurrences(log, "header_timeout"), 20u) << "rejection log not rate-limited";
}

TEST_F(HostileClientsTest, FramingErrorsAre400AndPipelinedPostsAreAllAnswered) {
  const std::vector<std::string> bad = {
      "POST /events HTTP/1.1\r\nHost: t\r\n" + KeyHeader() +
          "Content-Length: 3\r\nContent-Length: 5\r\n\r\nabcde",
      "POST /events HTTP/1.1\r\nHost: t\r\n" + KeyHeader() +
          "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
      "POST /events HTTP/1.1\r\n" + KeyHeader() + "Content-Length: 2\r\n\r\n{}",
      "POST /events HTTP/1.1\r\nHost: t\r\n" + KeyHeader() + "Content-Length: -5\r\n\r\n",
      "POST /events HTTP/1.1\r\nHost: t\r\n" + KeyHeader() +
          "Content-Length: 184467440737095516160\r\n\r\n",
  };
  for (const std::string& request : bad) {
    RawHttpClient client(port_);
    ASSERT_TRUE(client.Send(request));
    auto start = Clock::now();
    EXPECT_EQ(client.ReadAnswers(1, 5s), std::vector<int>{400}) << request;
    EXPECT_LT(Clock::now() - start, 1s) << "a bad length must not wait for a body";
    EXPECT_TRUE(client.WaitClosed(5s));
  }
  // Three POSTs in one write: three answers, three events committed (three alerts).
  RawHttpClient client(port_);
  ASSERT_TRUE(client.Send(PostRequest("/events", Envelope("pipe-1", "Root"), KeyHeader()) +
                          PostRequest("/events", Envelope("pipe-2", "Root"), KeyHeader()) +
                          PostRequest("/events", Envelope("pipe-3", "Root"), KeyHeader())));
  EXPECT_EQ(client.ReadAnswers(3, 10s), (std::vector<int>{202, 202, 202})) << client.received();
  for (const char* id : {"ev-pipe-1", "ev-pipe-2", "ev-pipe-3"}) {
    EXPECT_TRUE(service_->WaitForStdout(id, 30s)) << id << "\n" << service_->Stdout();
  }
}

}  // namespace
}  // namespace trailwatch::testing
