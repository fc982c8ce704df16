// End-to-end tests of the ops listener (`telemetry:`, service/ops_listener.h) of the real
// `trailwatch run`: /metrics of a configuration like the bundled example passes
// `promtool check metrics` and carries HELP and TYPE for every family, the latency histograms
// count the alerts, no secret and no event data is in a label; /healthz and /readyz, including
// not ready while every target fails; `telemetry: false`; `trailwatch --version`.
//
// promtool comes with Debian's `prometheus` package; without it the promtool test fails (it
// never skips) and says how to install it.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "cli/cli_test_util.h"
#include "service/service_process_util.h"
#include "targets/fake_servers_util.h"

namespace trailwatch::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const std::string kSourceDir = TW_SOURCE_DIR;
// Looks like a Slack webhook's secret path; must never show in /metrics.
const std::string kWebhookSecret = "T0TW12OPS/B0TW12OPS/s3cr3tW3bh00kT0k3nXYZ";

int WaitForOpsPort(const ServiceProcess& service) {
  for (int i = 0; i < 200; ++i) {
    if (int port = service.OpsPort()) return port;
    std::this_thread::sleep_for(milliseconds(50));
  }
  return 0;
}

struct Answer {
  int status = 0;
  std::string body;
  std::string content_type;
};

Answer Get(int port, const std::string& path, const std::string& method = "GET") {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(5);
  client.set_read_timeout(10);
  httplib::Result result = method == "HEAD" ? client.Head(path) : client.Get(path);
  Answer answer;
  if (!result) return answer;
  answer.status = result->status;
  answer.body = result->body;
  answer.content_type = result->get_header_value("Content-Type");
  return answer;
}

// Polls until `check` holds for the answer of GET path (about 20 s at most).
Answer WaitFor(int port, const std::string& path, const std::function<bool(const Answer&)>& check) {
  Answer answer;
  for (int i = 0; i < 100; ++i) {
    answer = Get(port, path);
    if (check(answer)) return answer;
    std::this_thread::sleep_for(milliseconds(200));
  }
  return answer;
}


// The config: the bundled example's packs over a copy of examples/cloudtrail, the stdout target
// and (optionally) a Slack webhook target; the ops listener on an ephemeral loopback port.
std::string ExampleConfig(const TempDir& dir, const std::string& slack_url,
                          const std::string& telemetry = "{listen: 127.0.0.1:0}") {
  std::filesystem::copy(kSourceDir + "/examples/cloudtrail", dir.path() + "/cloudtrail",
                        std::filesystem::copy_options::recursive);
  std::string targets = slack_url.empty() ? "[console]" : "[console, slack]";
  std::string config = "store: " + dir.path() + "/store/trailwatch.db\n" +
                       "telemetry: " + telemetry + "\n" +
                       "accounts:\n  \"111122223333\": example-production\n"
                       "sources:\n  - {type: directory, path: " +
                       dir.path() + "/cloudtrail}\n" +
                       "rules:\n"
                       "  - pack: root-signin\n    targets: " +
                       targets + "\n" + "  - pack: root-activity\n    targets: " + targets + "\n" +
                       "  - pack: console-signin-without-mfa\n    targets: " + targets + "\n" +
                       "targets:\n"
                       "  - {name: console, type: stdout, rate_per_second: 100, burst: 100}\n";
  if (!slack_url.empty()) {
    config += "  - {name: slack, type: slack, webhook_url: \"" + slack_url +
              "\", rate_per_second: 100, burst: 100, max_attempts: 50}\n";
  }
  return dir.Write("trailwatch.yaml", config);
}

// Runs promtool check metrics on `text`; fails the test (never skips) when promtool is missing.
void ExpectPromtoolAccepts(const TempDir& dir, const std::string& text) {
  int found = std::system("command -v promtool >/dev/null 2>&1");
  ASSERT_EQ(found, 0) << "promtool is not installed; install it with: "
                         "sudo apt-get install -y prometheus  (Debian's package ships promtool; "
                         "no Prometheus server needs to run)";
  std::string metrics = dir.Write("metrics.txt", text);
  std::string report = dir.path() + "/promtool.txt";
  int status =
      std::system(("promtool check metrics < '" + metrics + "' > '" + report + "' 2>&1").c_str());
  EXPECT_EQ(status, 0) << "promtool check metrics:\n" << ReadFile(report) << "\n" << text;
}

TEST(OpsListenerIntegrationTest, MetricsOfTheExampleConfigPassPromtoolAndCountTheAlerts) {
  TempDir dir;
  FakeHttpServer slack([](const FakeRequest&) { return FakeResponse::Text(200, "ok"); });
  std::string config = ExampleConfig(dir, slack.Url("/services/" + kWebhookSecret));
  ServiceProcess service({"run", "--config", config, "--log-format", "json"}, dir.path());
  int port = WaitForOpsPort(service);
  ASSERT_NE(port, 0) << service.Stderr();

  // The example's log files hold 3 root sign-ins and their root activity; wait until every alert
  // reached both targets and the gauges were refreshed after the files were read (every 2 s).
  const std::string source = "{source=\"directory:" + dir.path() + "/cloudtrail\"}";
  Answer metrics = WaitFor(port, "/metrics", [&](const Answer& answer) {
    double queued = MetricSample(answer.body, "trailwatch_alerts_queued_total{target=\"slack\"}");
    return queued > 0 &&
           MetricSample(answer.body,
                  "trailwatch_deliveries_total{target=\"slack\",result=\"delivered\"}") == queued &&
           MetricSample(answer.body, "trailwatch_source_newest_object_age_seconds" + source) > 0 &&
           MetricSample(answer.body, "trailwatch_target_queue_depth{target=\"slack\"}") == 0 &&
           MetricSample(answer.body, "trailwatch_target_queue_depth{target=\"console\"}") == 0;
  });
  ASSERT_EQ(metrics.status, 200) << service.Stderr();
  EXPECT_EQ(metrics.content_type, "text/plain; version=0.0.4; charset=utf-8");
  const std::string& text = metrics.body;
  ExpectPromtoolAccepts(dir, text);

  // HELP and TYPE for every family, none untyped; every sample belongs to a declared family.
  std::set<std::string> helped, typed;
  std::istringstream lines(text);
  std::string line;
  std::smatch match;
  while (std::getline(lines, line)) {
    if (std::regex_match(line, match, std::regex("# HELP (\\S+) .+"))) helped.insert(match[1]);
    if (std::regex_match(line, match, std::regex("# TYPE (\\S+) (counter|gauge|histogram)"))) {
      typed.insert(match[1]);
    }
    EXPECT_EQ(line.find("untyped"), std::string::npos) << line;
    if (line.empty() || line[0] == '#') continue;
    std::string name = line.substr(0, line.find_first_of("{ "));
    std::string family = std::regex_replace(name, std::regex("_(bucket|sum|count)$"), "");
    EXPECT_TRUE(typed.count(name) || typed.count(family)) << "no TYPE before " << line;
  }
  EXPECT_EQ(helped, typed);
  for (const char* family :
       {"trailwatch_build_info", "trailwatch_ingest_to_commit_seconds",
        "trailwatch_commit_to_delivered_seconds", "trailwatch_target_queue_depth",
        "trailwatch_target_oldest_pending_age_seconds",
        "trailwatch_source_newest_object_age_seconds", "trailwatch_source_files_total",
        "trailwatch_ready", "trailwatch_up"}) {
    EXPECT_TRUE(typed.count(family)) << family << " missing:\n" << text;
  }
  EXPECT_TRUE(std::regex_search(text, std::regex("\ntrailwatch_build_info\\{version=\"[0-9.]+\","
                                                 "commit=\"([0-9a-f]{12}|unknown)\"\\} 1\n")))
      << text;
  EXPECT_NE(text.find("# TYPE trailwatch_source_files_total counter\n"), std::string::npos);

  // One ingest-to-commit observation per alert committed; one commit-to-delivered observation
  // per delivery, per target type.
  double queued_console = MetricSample(text, "trailwatch_alerts_queued_total{target=\"console\"}");
  double queued_slack = MetricSample(text, "trailwatch_alerts_queued_total{target=\"slack\"}");
  EXPECT_GT(queued_console, 0);
  EXPECT_EQ(queued_slack, queued_console);
  EXPECT_EQ(MetricSample(text, "trailwatch_ingest_to_commit_seconds_count" + source),
            queued_console + queued_slack);
  EXPECT_EQ(MetricSample(text, "trailwatch_ingest_to_commit_seconds_bucket{source=\"directory:" +
                             dir.path() + "/cloudtrail\",le=\"+Inf\"}"),
            queued_console + queued_slack);
  EXPECT_EQ(MetricSample(text, "trailwatch_commit_to_delivered_seconds_count{target_type=\"slack\"}"),
            queued_slack);
  EXPECT_EQ(MetricSample(text, "trailwatch_commit_to_delivered_seconds_count{target_type=\"stdout\"}"),
            queued_console);
  EXPECT_EQ(MetricSample(text, "trailwatch_target_oldest_pending_age_seconds{target=\"slack\"}"), 0);
  // The example's files were delivered by CloudTrail on 2022-11-10 16:25 UTC (their names).
  EXPECT_EQ(MetricSample(text, "trailwatch_source_newest_object_timestamp_seconds" + source), 1668097500);
  EXPECT_GT(MetricSample(text, "trailwatch_source_newest_object_age_seconds" + source), 1e8);
  EXPECT_EQ(MetricSample(text, "trailwatch_ready"), 1);

  // No secret and no event data: not the webhook URL or any part of its path, not the account
  // of the events, not an identity.
  EXPECT_EQ(text.find(kWebhookSecret), std::string::npos);
  EXPECT_EQ(text.find("s3cr3t"), std::string::npos);
  EXPECT_EQ(text.find("/services/"), std::string::npos);
  EXPECT_EQ(text.find("111122223333"), std::string::npos);
  EXPECT_EQ(text.find("arn:aws"), std::string::npos);
  EXPECT_EQ(text.find("AIDA"), std::string::npos);  // IAM user ids of the records

  service.Signal(SIGTERM);
  EXPECT_EQ(service.WaitExit(seconds(30)), 0) << service.Stderr();
}

TEST(OpsListenerIntegrationTest, HealthzAndReadyzWhileRunning) {
  TempDir dir;
  std::string config = ExampleConfig(dir, "");
  ServiceProcess service({"run", "--config", config}, dir.path());
  int port = WaitForOpsPort(service);
  ASSERT_NE(port, 0) << service.Stderr();

  Answer health = Get(port, "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "ok\n");
  Answer ready = WaitFor(port, "/readyz", [](const Answer& a) { return a.status == 200; });
  EXPECT_EQ(ready.status, 200) << ready.body;
  EXPECT_EQ(ready.body, "ready\n");
  Answer head = Get(port, "/readyz", "HEAD");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.body, "");
  EXPECT_EQ(Get(port, "/events").status, 404);
  EXPECT_EQ(Get(port, "/").status, 404);
  httplib::Client client("127.0.0.1", port);
  auto posted = client.Post("/metrics", "x", "text/plain");
  ASSERT_TRUE(posted);
  EXPECT_EQ(posted->status, 405);
  EXPECT_EQ(posted->get_header_value("Allow"), "GET, HEAD");

  service.Signal(SIGTERM);
  EXPECT_EQ(service.WaitExit(seconds(30)), 0) << service.Stderr();
}

TEST(OpsListenerIntegrationTest, ReadyzIsNotReadyWhileEveryTargetFails) {
  TempDir dir;
  // Nothing listens on port 1: every send fails (connection refused) and is retried.
  std::string config = dir.Write(
      "trailwatch.yaml",
      "store: " + dir.path() +
          "/trailwatch.db\n"
          "telemetry: {listen: 127.0.0.1:0}\n"
          "sources:\n  - {type: directory, path: " +
          dir.path() +
          "/cloudtrail}\n"
          "rules:\n  - pack: root-signin\n    targets: [slack]\n"
          "targets:\n  - {name: slack, type: slack, webhook_url: \"http://127.0.0.1:1/services/" +
          kWebhookSecret + "\"}\n");
  std::filesystem::copy(kSourceDir + "/examples/cloudtrail", dir.path() + "/cloudtrail",
                        std::filesystem::copy_options::recursive);
  ServiceProcess service({"run", "--config", config}, dir.path());
  int port = WaitForOpsPort(service);
  ASSERT_NE(port, 0) << service.Stderr();

  Answer ready = WaitFor(port, "/readyz", [](const Answer& a) {
    // Not "sources: starting" (an early 503): the targets' problem.
    return a.status == 503 && a.body.find("targets:") != std::string::npos;
  });
  EXPECT_EQ(ready.status, 503) << ready.body;
  EXPECT_NE(ready.body.find("not ready\n"), std::string::npos) << ready.body;
  EXPECT_NE(ready.body.find("targets: every target's last delivery attempt failed (slack"),
            std::string::npos)
      << ready.body;
  EXPECT_EQ(ready.body.find(kWebhookSecret), std::string::npos);
  // Liveness is not readiness: the process is up.
  EXPECT_EQ(Get(port, "/healthz").status, 200);
  Answer metrics = WaitFor(port, "/metrics", [](const Answer& a) {
    return MetricSample(a.body, "trailwatch_ready") == 0 &&
           MetricSample(a.body, "trailwatch_target_queue_depth{target=\"slack\"}") > 0;
  });
  EXPECT_EQ(MetricSample(metrics.body, "trailwatch_ready"), 0) << metrics.body;
  EXPECT_GT(MetricSample(metrics.body, "trailwatch_target_queue_depth{target=\"slack\"}"), 0);
  EXPECT_GE(MetricSample(metrics.body, "trailwatch_target_oldest_pending_age_seconds{target=\"slack\"}"),
            0);
  EXPECT_EQ(metrics.body.find(kWebhookSecret), std::string::npos);
  EXPECT_EQ(metrics.body.find("s3cr3t"), std::string::npos);

  service.Signal(SIGTERM);
  EXPECT_EQ(service.WaitExit(seconds(30)), 0) << service.Stderr();
}

TEST(OpsListenerIntegrationTest, TelemetryFalseStartsNoListener) {
  TempDir dir;
  std::string config = ExampleConfig(dir, "", "false");
  ServiceProcess service({"run", "--config", config}, dir.path());
  ASSERT_TRUE(service.WaitForStderr("trailwatch running", seconds(20))) << service.Stderr();
  EXPECT_NE(service.Stderr().find("ops listener off (telemetry: false)"), std::string::npos);
  EXPECT_EQ(service.OpsPort(), 0);
  service.Signal(SIGTERM);
  EXPECT_EQ(service.WaitExit(seconds(30)), 0) << service.Stderr();
}

TEST(OpsListenerIntegrationTest, ConfiguredAddressInUseStopsTheStart) {
  TempDir dir;
  FakeHttpServer taken([](const FakeRequest&) { return FakeResponse::Text(200, "ok"); });
  std::string config =
      ExampleConfig(dir, "", "{listen: 127.0.0.1:" + std::to_string(taken.port()) + "}");
  ServiceProcess service({"run", "--config", config}, dir.path());
  EXPECT_EQ(service.WaitExit(seconds(30)), 1);
  EXPECT_NE(service.Stderr().find("telemetry.listen 127.0.0.1:" + std::to_string(taken.port())),
            std::string::npos)
      << service.Stderr();
}

TEST(OpsListenerIntegrationTest, ValidateNamesTheTelemetryField) {
  TempDir dir;
  std::string config = dir.Write("bad.yaml", "store: " + dir.path() +
                                                 "/t.db\n"
                                                 "telemetry:\n  listen: 127.0.0.1\n  port: 9464\n");
  CommandResult result = RunTrailwatch({"validate", "--config", config});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("bad.yaml:3:11: telemetry.listen: listen \"127.0.0.1\" must be "
                            "host:port, like 127.0.0.1:8080"),
            std::string::npos)
      << result.err << result.out;
  EXPECT_NE(result.err.find("bad.yaml:4:3: telemetry.port: unknown key \"port\" (valid: listen, "
                            "enabled)"),
            std::string::npos)
      << result.err << result.out;
}

TEST(VersionIntegrationTest, PrintsVersionCommitAndBuildFlags) {
  CommandResult result = RunTrailwatch({"--version"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(std::regex_match(
      result.out,
      std::regex("trailwatch [0-9]+\\.[0-9]+\\.[0-9]+\n"
                 "commit: ([0-9a-f]{12}|unknown)\n"
                 "build: [A-Za-z]+, [A-Za-z]+ [0-9.]+, sanitizers (off|address,undefined), "
                 "(-march=\\S+|no -march)\n")))
      << result.out;
}

}  // namespace
}  // namespace trailwatch::testing
