// The web console in a real browser (issue 15, item 4): `trailwatch run` with a directory source,
// a Slack webhook target on a fake Slack and the console on an ephemeral loopback port; Chromium,
// driven by tests/console/browser/console.test.mjs (puppeteer-core), signs in and goes through
// every page: the alerts the fake received, the filters, the detail view, a dead letter retried
// from the page until it reaches the fake, the sandbox against `trailwatch test-pattern`, XSS
// payloads from an event shown as text, CSRF, a screenshot of each page in
// <build>/console-screenshots.
//
// Needs node, the script's node_modules (`npm ci`) and Chromium; `make test` installs them. When
// one is missing the test fails with the command that installs it: it is never skipped.
#include <crypt.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <thread>

#include "cli/cli_test_util.h"
#include "common/json_string.h"
#include "render/json_writer.h"
#include "scan/scan_test_util.h"
#include "service/service_process_util.h"
#include "targets/fake_servers_util.h"

extern char** environ;

namespace trailwatch::testing {
namespace {

using std::chrono::seconds;

const std::string kBrowserDir = std::string(TW_SOURCE_DIR) + "/tests/console/browser";
const std::string kUser = "alice";
const std::string kPassword = "correct horse battery staple";
const std::string kBrowserToken = "console-token-for-the-browser-test";
// What the payloads set if they ever run (the script checks window.__xss).
const std::string kScriptPayload = "<script>window.__xss=1</script>";
const std::string kImagePayload = "\"><img src=x onerror=\"window.__xss=1\">";
const std::string kUrlPayload = "javascript:window.__xss=1";

// One console sign-in record; user_name without arn makes the identity "user/<name>"
// (render/alert_view.cpp), so that a payload in the name reaches the table.
struct SignIn {
  std::string event_id{};
  std::string time{};
  std::string account = "111122223333";
  std::string region = "us-east-1";
  std::string identity_type{};  // Root or IAMUser
  std::string arn{};
  std::string user_name{};
  std::string source_ip{};
  std::string user_agent = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
  bool success = true;
  bool mfa = false;
  // What the test expects of it.
  std::vector<std::string> rules{};
  std::string severity{};
  std::string identity{};  // as the table shows it
};

std::string Quote(std::string_view text) {
  std::string out;
  AppendJsonString(out, text);
  return out;
}

std::string Record(const SignIn& s) {
  std::string identity =
      "{\"type\":" + Quote(s.identity_type) +
      ",\"principalId\":\"AIDACKCEVSQ6C2EXAMPLE\",\"accountId\":" + Quote(s.account);
  if (!s.arn.empty()) identity += ",\"arn\":" + Quote(s.arn);
  if (!s.user_name.empty()) identity += ",\"userName\":" + Quote(s.user_name);
  identity += ",\"accessKeyId\":\"\"}";
  std::string record = "{\"eventVersion\":\"1.05\",\"userIdentity\":" + identity +
                       ",\"eventTime\":" + Quote(s.time) +
                       ",\"eventSource\":\"signin.amazonaws.com\",\"eventName\":\"ConsoleLogin\","
                       "\"awsRegion\":" +
                       Quote(s.region) + ",\"sourceIPAddress\":" + Quote(s.source_ip) +
                       ",\"userAgent\":" + Quote(s.user_agent) + ",\"requestParameters\":null,";
  if (!s.success) record += "\"errorMessage\":\"Failed authentication\",";
  record +=
      std::string("\"responseElements\":{\"ConsoleLogin\":\"") +
      (s.success ? "Success" : "Failure") +
      "\"},\"additionalEventData\":{\"LoginTo\":\"https://console.aws.amazon.com/console/home\","
      "\"MobileVersion\":\"No\",\"MFAUsed\":\"" +
      (s.mfa ? "Yes" : "No") + "\"},\"eventID\":" + Quote(s.event_id) +
      ",\"eventType\":\"AwsConsoleSignIn\",\"recipientAccountId\":" + Quote(s.account) + "}";
  return record;
}

// `minutes_ago` before `now`, as CloudTrail writes times.
std::string IsoTimeMinutesAgo(std::time_t now, int minutes_ago) {
  std::time_t at = now - minutes_ago * 60;
  std::tm utc{};
  gmtime_r(&at, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

// Writes the records as a gzipped CloudTrail log file where CloudTrail would put it.
void DropLogFile(const std::string& logs, const std::vector<SignIn>& sign_ins,
                 const std::string& tag) {
  std::vector<std::string> records;
  for (const SignIn& s : sign_ins) records.push_back(Record(s));
  const SignIn& first = sign_ins.front();
  std::string key = scan::testing::LogKey(first.account, first.region, first.time.substr(0, 10),
                                          first.time.substr(11, 2) + first.time.substr(14, 2), tag);
  WriteFileAtomically(logs + "/" + key, scan::testing::Gzip(scan::testing::LogFile(records)));
}

// A yescrypt crypt(3) hash made with libxcrypt directly, independent of the product's helper.
std::string YescryptHash(const std::string& password) {
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  if (crypt_gensalt_rn("$y$", 0, nullptr, 0, salt, sizeof salt) == nullptr) return "";
  auto data = std::make_unique<crypt_data>();
  const char* hash = crypt_rn(password.c_str(), salt, data.get(), sizeof(crypt_data));
  return hash != nullptr && hash[0] == '$' ? std::string(hash) : std::string();
}

// The full path of `program` on PATH, or "".
std::string FindOnPath(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::string folders = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= folders.size()) {
    size_t end = folders.find(':', start);
    if (end == std::string::npos) end = folders.size();
    std::string candidate = folders.substr(start, end - start) + "/" + program;
    if (end > start && access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return "";
}

// The version pinned for `package` in package.json's "dependencies", or "".
std::string PinnedVersion(const std::string& package_json, const std::string& package) {
  std::smatch match;
  std::regex pin("\"" + package + "\"\\s*:\\s*\"([^\"]+)\"");
  return std::regex_search(package_json, match, pin) ? match[1].str() : "";
}

// The address in "console listening on http://127.0.0.1:PORT" (or https://), "" if not logged.
std::string LoggedConsoleUrl(const std::string& log) {
  static const std::regex kLine("console listening on (https?://[0-9.:\\[\\]]+)");
  std::smatch match;
  return std::regex_search(log, match, kLine) ? match[1].str() : "";
}

struct ProgramRun {
  int exit_code = -1;  // 128 + signal when killed; -1 when it could not start
  bool timed_out = false;
};

// Runs `argv` (argv[0] a full path) in its own process group, stdout and stderr into
// `output_path`, with `extra` added to the environment. On timeout, and after it ends, the group
// (the program and the browser it started) is killed by its id.
ProgramRun RunProgram(const std::vector<std::string>& argv_text,
                      const std::map<std::string, std::string>& extra,
                      const std::string& working_dir, const std::string& output_path,
                      std::chrono::seconds timeout) {
  ProgramRun run;
  std::vector<std::string> args = argv_text;
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_text;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    std::string text(*entry);
    if (!extra.count(text.substr(0, text.find('=')))) env_text.push_back(text);
  }
  for (const auto& [name, value] : extra) env_text.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (std::string& entry : env_text) envp.push_back(entry.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, output_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawn_file_actions_addchdir_np(&actions, working_dir.c_str());
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setpgroup(&attributes, 0);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP);
  pid_t pid = -1;
  int error = posix_spawn(&pid, argv[0], &actions, &attributes, argv.data(), envp.data());
  posix_spawnattr_destroy(&attributes);
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0) return run;

  auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (true) {
    if (waitpid(pid, &status, WNOHANG) == pid) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      run.timed_out = true;
      kill(-pid, SIGKILL);
      waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  kill(-pid, SIGKILL);  // a browser the script left behind (ESRCH when none)
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return run;
}

// What `trailwatch test-pattern` prints for the pair: its one line of stdout or stderr.
std::string CliAnswer(const std::string& event, const std::string& pattern) {
  CommandResult result =
      RunTrailwatch({"test-pattern", "--event-pattern", pattern, "--event", event});
  std::string line = result.exit_code == 0 ? result.out : result.err;
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  return line;
}

class ConsoleBrowserTest : public ::testing::Test {
 protected:
  // Fails (never skips) with the command that installs what is missing.
  void CheckTools() {
    node_ = FindOnPath("node");
    ASSERT_FALSE(node_.empty()) << "node is not installed; `make test` installs it, or: "
                                   "sudo apt-get install -y nodejs npm";
    std::string package_json = ReadFile(kBrowserDir + "/package.json");
    std::string installed = ReadFile(kBrowserDir + "/node_modules/puppeteer-core/package.json");
    std::string wanted = PinnedVersion(package_json, "puppeteer-core");
    ASSERT_FALSE(installed.empty() || PinnedVersion(installed, "version") != wanted)
        << "tests/console/browser/node_modules lacks puppeteer-core " << wanted
        << "; `make test` installs it, or: npm ci --prefix " << kBrowserDir
        << " --no-audit --no-fund";
    const char* chromium = std::getenv("CHROMIUM");
    chromium_ = chromium != nullptr && *chromium != '\0' ? chromium : "/usr/bin/chromium";
    ASSERT_EQ(access(chromium_.c_str(), X_OK), 0)
        << chromium_
        << " is missing; `make test` installs it, or: sudo apt-get install -y chromium";
  }

  TempDir dir_;
  std::string node_;
  std::string chromium_;
};

TEST_F(ConsoleBrowserTest, EveryPageInChromium) {
  ASSERT_NO_FATAL_FAILURE(CheckTools());
  const auto t0 = std::chrono::steady_clock::now();

  // The fake Slack refuses the first alert for good (404 no_service: a permanent failure,
  // targets/http_outcome.cpp), so that it goes dead; every later post, the retry included, is
  // answered 200 ok.
  ScriptedAnswers answers({FakeResponse::Text(404, "no_service")});
  FakeHttpServer slack(answers.Handler());

  const std::time_t now = std::time(nullptr);
  SignIn dead{.event_id = "c0a8e1d0-0001-4000-8000-000000000001",
              .time = IsoTimeMinutesAgo(now, 50),
              .identity_type = "Root",
              .arn = "arn:aws:iam::111122223333:root",
              .source_ip = "203.0.113.10",
              .success = false,
              .rules = {"root-signin"},
              .severity = "critical",
              .identity = "arn:aws:iam::111122223333:root"};
  SignIn root{.event_id = "c0a8e1d0-0002-4000-8000-000000000002",
              .time = IsoTimeMinutesAgo(now, 40),
              .region = "eu-west-1",
              .identity_type = "Root",
              .arn = "arn:aws:iam::111122223333:root",
              .source_ip = "203.0.113.20",
              .mfa = true,
              .rules = {"root-signin"},
              .severity = "critical",
              .identity = "arn:aws:iam::111122223333:root"};
  SignIn script_name{.event_id = "c0a8e1d0-0003-4000-8000-000000000003",
                     .time = IsoTimeMinutesAgo(now, 30),
                     .identity_type = "IAMUser",
                     .user_name = kScriptPayload,
                     .source_ip = "198.51.100.7",
                     .user_agent = kImagePayload,
                     .rules = {"console-signin-without-mfa"},
                     .severity = "high",
                     .identity = "user/" + kScriptPayload};
  SignIn other_account{.event_id = "c0a8e1d0-0004-4000-8000-000000000004",
                       .time = IsoTimeMinutesAgo(now, 20),
                       .account = "444455556666",
                       .identity_type = "IAMUser",
                       .arn = "arn:aws:iam::444455556666:user/anaya",
                       .user_name = "anaya",
                       .source_ip = "203.0.113.40",
                       .success = false,
                       .mfa = true,
                       .rules = {"iam-signin-failure"},
                       .severity = "low",
                       .identity = "arn:aws:iam::444455556666:user/anaya"};
  SignIn image_name{.event_id = "c0a8e1d0-0005-4000-8000-000000000005",
                    .time = IsoTimeMinutesAgo(now, 10),
                    .identity_type = "IAMUser",
                    .user_name = kImagePayload,
                    .source_ip = "198.51.100.8",
                    .user_agent = kUrlPayload,
                    .rules = {"console-signin-without-mfa"},
                    .severity = "high",
                    .identity = "user/" + kImagePayload};
  const std::vector<SignIn> all = {dead, root, script_name, other_account, image_name};

  const std::string logs = dir_.path() + "/logs";
  DropLogFile(logs, {dead}, "aaaa");
  std::string hash = YescryptHash(kPassword);
  ASSERT_EQ(hash.rfind("$y$", 0), 0u) << "crypt_rn gave no yescrypt hash: " << hash;
  // clang-format off
  std::string config = dir_.Write("trailwatch.yaml",
      "store: " + dir_.path() + "/tw.db\n"
      "telemetry: false\n"
      "console:\n"
      "  listen: 127.0.0.1:0\n"
      "  auth:\n"
      "    token: " + kBrowserToken + "\n"
      "    users:\n"
      "      - {name: " + kUser + ", password_hash: '" + hash + "'}\n"
      "sources:\n"
      "  - {type: directory, path: " + logs + "}\n"
      "targets:\n"
      "  - {name: slack, type: slack, webhook_url: \"" + slack.Url("/services/T0/B0/hook") +
          "\", rate_per_second: 100, burst: 100}\n"
      "rules:\n"
      "  - {pack: root-signin, targets: [slack]}\n"
      "  - {pack: console-signin-without-mfa, targets: [slack]}\n"
      "  - name: iam-signin-failure\n"
      "    severity: low\n"
      "    pattern: {\"detail\": {\"eventName\": [\"ConsoleLogin\"], \"userIdentity\": "
          "{\"type\": [\"IAMUser\"]}, \"responseElements\": {\"ConsoleLogin\": [\"Failure\"]}}}\n"
      "    targets: [slack]\n");
  // clang-format on

  ServiceProcess service({"run", "--config", config, "--log-format", "json"}, dir_.path());
  ASSERT_TRUE(service.WaitForStderr("console listening on", seconds(60))) << service.Stderr();
  const std::string url = LoggedConsoleUrl(service.Stderr());
  ASSERT_FALSE(url.empty()) << service.Stderr();

  // The first alert goes dead; then the others arrive and are delivered.
  ASSERT_TRUE(slack.WaitForRequests(1, seconds(60))) << service.Stderr();
  ASSERT_TRUE(service.WaitForStderr("is dead", seconds(30))) << service.Stderr();
  // CloudTrail writes one file per account and region.
  DropLogFile(logs, {script_name, image_name}, "bbbb");
  DropLogFile(logs, {root}, "cccc");
  DropLogFile(logs, {other_account}, "dddd");
  ASSERT_TRUE(slack.WaitForRequests(all.size(), seconds(60))) << service.Stderr();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // no sixth post may follow
  std::vector<FakeRequest> posts = slack.Requests();
  ASSERT_EQ(posts.size(), all.size()) << service.Stderr();

  // What the fake received: each sign-in once, with its rules; the first one is the dead one.
  for (const SignIn& s : all) {
    size_t found = 0;
    for (size_t i = 0; i < posts.size(); ++i) {
      if (posts[i].body.find(s.event_id) == std::string::npos) continue;
      ++found;
      EXPECT_EQ(i == 0, s.event_id == dead.event_id) << s.event_id << " came as post " << i;
      for (const std::string& rule : s.rules) {
        EXPECT_NE(posts[i].body.find("`" + rule + "`"), std::string::npos) << rule << "\n"
                                                                           << posts[i].body;
      }
    }
    EXPECT_EQ(found, 1u) << s.event_id;
  }
  ASSERT_FALSE(HasFailure());

  // The expectations the script checks the pages against.
  render::JsonWriter json;
  json.BeginObject().Member("target", "slack").Member("dead_error_contains", "404");
  json.Key("sources").Int(1);
  json.Key("alerts").BeginArray();
  for (const SignIn& s : all) {
    json.BeginObject()
        .Member("event_id", s.event_id)
        .Member("source_ip", s.source_ip)
        .Member("severity", s.severity)
        .Member("account", s.account)
        .Member("region", s.region)
        .Member("identity", s.identity)
        .Member("event_name", "ConsoleLogin")
        .Member("status", s.event_id == dead.event_id ? "dead" : "delivered");
    json.Key("rules").BeginArray();
    for (const std::string& rule : s.rules) json.String(rule);
    json.EndArray().EndObject();
  }
  json.EndArray();
  // Each filter and the rows (by source IP) it must leave. Times are the events' times.
  struct Filter {
    std::string name;
    std::vector<std::pair<std::string, std::string>> fields;
    std::vector<std::string> source_ips;
  };
  const std::vector<Filter> filters = {
      {"by rule", {{"rule", "root-signin"}}, {dead.source_ip, root.source_ip}},
      {"by severity", {{"severity", "high"}}, {script_name.source_ip, image_name.source_ip}},
      {"free text on an IP", {{"q", script_name.source_ip}}, {script_name.source_ip}},
      {"by account", {{"account", "444455556666"}}, {other_account.source_ip}},
      {"by status", {{"status", "dead"}}, {dead.source_ip}},
      {"by time",
       {{"from", IsoTimeMinutesAgo(now, 35)}, {"to", IsoTimeMinutesAgo(now, 15)}},
       {script_name.source_ip, other_account.source_ip}},
      {"nothing matches", {{"rule", "root-signin"}, {"severity", "low"}}, {}},
  };
  json.Key("filters").BeginArray();
  for (const Filter& filter : filters) {
    json.BeginObject().Member("name", filter.name).Key("fields").BeginObject();
    for (const auto& [name, value] : filter.fields) json.Member(name, value);
    json.EndObject().Key("source_ips").BeginArray();
    for (const std::string& ip : filter.source_ips) json.String(ip);
    json.EndArray().EndObject();
  }
  json.EndArray();
  json.Key("xss").BeginObject().Key("source_ips").BeginArray();
  json.String(script_name.source_ip).String(image_name.source_ip);
  json.EndArray().EndObject();
  json.Key("details").BeginArray();
  for (const SignIn* s : {&script_name, &image_name}) {
    json.BeginObject().Member("source_ip", s->source_ip).Member("event_id", s->event_id);
    json.Key("strings").BeginArray().String(s->user_name).String(s->user_agent).EndArray();
    json.EndObject();
  }
  json.EndArray();

  // The sandbox cases, answered by the CLI.
  const std::string envelope =
      ReadFixture("aws/eventbridge/root-consolelogin-success-mfa.envelope.constructed.json");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"matches",
       R"({"detail-type": ["AWS Console Sign In via CloudTrail"], "detail": {"userIdentity": {"type": ["Root"]}}})"},
      {"prefix matches", R"({"source": [{"prefix": "aws.sig"}]})"},
      {"does not match", R"({"detail": {"userIdentity": {"type": ["IAMUser"]}}})"},
      {"invalid: a value that is not an array", R"({"source": "aws.signin"})"},
      {"invalid: an unknown operator",
       R"({"detail": {"eventName": [{"starts-with": "Console"}]}})"},
  };
  json.Key("sandbox").BeginObject().Key("cases").BeginArray();
  for (const auto& [name, pattern] : cases) {
    std::string answer = CliAnswer(envelope, pattern);
    ASSERT_FALSE(answer.empty()) << name;
    json.BeginObject()
        .Member("name", name)
        .Member("event", envelope)
        .Member("pattern", pattern)
        .Member("expected", answer)
        .EndObject();
  }
  json.EndArray();
  json.Key("match").BeginObject().Member("event", envelope);
  json.Key("rules").BeginArray().String("root-signin").EndArray().EndObject();
  json.EndObject();
  json.Key("rules").BeginArray();
  for (const auto& [name, pack, severity, matches] :
       std::vector<std::tuple<std::string, std::string, std::string, int>>{
           {"root-signin", "root-signin", "critical", 2},
           {"console-signin-without-mfa", "console-signin-without-mfa", "high", 2},
           {"iam-signin-failure", "", "low", 1}}) {
    json.BeginObject().Member("name", name).Member("pack", pack).Member("severity", severity);
    json.Key("matches").Int(matches).EndObject();
  }
  json.EndArray();
  json.EndObject();
  const std::string expectations = dir_.Write("expectations.json", json.Take());

  const std::string screenshots = std::string(TW_BUILD_DIR) + "/console-screenshots";
  std::filesystem::remove_all(screenshots);
  std::filesystem::create_directories(screenshots);
  const std::string output = dir_.path() + "/browser.log";
  ProgramRun browser = RunProgram({node_, kBrowserDir + "/console.test.mjs"},
                                  {{"CONSOLE_URL", url},
                                   {"CONSOLE_TOKEN", kBrowserToken},
                                   {"CONSOLE_USER", kUser},
                                   {"CONSOLE_PASSWORD", kPassword},
                                   {"CONSOLE_EXPECTATIONS", expectations},
                                   {"SCREENSHOT_DIR", screenshots},
                                   {"CHROMIUM", chromium_},
                                   {"PUPPETEER_SKIP_DOWNLOAD", "1"}},
                                  kBrowserDir, output, seconds(150));
  const std::string browser_log = ReadFile(output);
  EXPECT_FALSE(browser.timed_out) << "the browser test ran past 150 s:\n" << browser_log;
  EXPECT_EQ(browser.exit_code, 0) << "node console.test.mjs:\n"
                                  << browser_log << "\ntrailwatch's log:\n"
                                  << service.Stderr();

  // The retry from the page reached the fake Slack: a sixth post, the dead alert, answered 200.
  EXPECT_TRUE(slack.WaitForRequests(all.size() + 1, seconds(10))) << service.Stderr();
  posts = slack.Requests();
  ASSERT_GE(posts.size(), all.size() + 1);
  EXPECT_EQ(posts.size(), all.size() + 1);
  EXPECT_NE(posts[all.size()].body.find(dead.event_id), std::string::npos)
      << posts[all.size()].body;

  // Every page has its screenshot.
  for (const char* page :
       {"login", "alerts", "alert-detail", "sandbox", "rules", "sources", "dead-letters"}) {
    bool found = false;
    for (const auto& entry : std::filesystem::directory_iterator(screenshots)) {
      std::string name = entry.path().filename().string();
      found = found || (name.find(std::string("-") + page + ".png") != std::string::npos &&
                        entry.file_size() > 1000);
    }
    EXPECT_TRUE(found) << "no screenshot of " << page << " in " << screenshots;
  }

  service.Signal(SIGTERM);
  EXPECT_EQ(service.WaitExit(seconds(30)), 0) << service.Stderr();
  const std::string logged = service.Stderr() + service.Stdout();
  EXPECT_EQ(logged.find(kBrowserToken), std::string::npos) << "the token was logged";
  EXPECT_EQ(logged.find(kPassword), std::string::npos) << "the password was logged";
  std::printf("console browser test: %.1f s\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
}

}  // namespace
}  // namespace trailwatch::testing
