#include "store/pg_test_cluster_util.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "store/pg_connection.h"

namespace trailwatch::store::testing {

namespace {

const std::string kScript = std::string(TW_FIXTURES_DIR) + "/../store/pg_test_cluster.sh";

void RunScript(const std::string& arguments) {
  std::string command = kScript + " " + arguments;
  if (std::system(command.c_str()) != 0) {
    throw std::runtime_error("PostgreSQL test cluster: `" + command + "` failed");
  }
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::string value = text.str();
  while (!value.empty() && (value.back() == '\n' || value.back() == ' ')) value.pop_back();
  return value;
}

}  // namespace

PgTestCluster::PgTestCluster(std::string state, bool owned) : state_(std::move(state)), owned_(owned) {}

PgTestCluster::~PgTestCluster() {
  if (owned_) (void)std::system((kScript + " stop " + state_ + " >/dev/null 2>&1").c_str());
}

void PgTestCluster::Load() {
  port_ = std::atoi(ReadFile(state_ + "/port").c_str());
  admin_dsn_ = ReadFile(state_ + "/dsn");
}

PgTestCluster& PgTestCluster::Shared() {
  static std::unique_ptr<PgTestCluster> shared = [] {
    const char* fixture = std::getenv("TW_TEST_POSTGRES_STATE");
    std::unique_ptr<PgTestCluster> cluster;
    if (fixture && *fixture) {
      // The ctest fixture's cluster; `ensure` starts it if the fixture did not run (one test
      // run alone with ctest -R), and the fixture's cleanup still stops it.
      RunScript(std::string("ensure ") + fixture);
      cluster.reset(new PgTestCluster(fixture, false));
    } else {
      char dir[] = "/tmp/tw-pg-XXXXXX";
      if (mkdtemp(dir) == nullptr) throw std::runtime_error("mkdtemp failed");
      cluster.reset(new PgTestCluster(dir, true));
      RunScript(std::string("ensure ") + dir);
    }
    cluster->Load();
    return cluster;
  }();
  return *shared;
}

std::unique_ptr<PgTestCluster> PgTestCluster::StartPrivate() {
  char dir[] = "/tmp/tw-pg-XXXXXX";
  if (mkdtemp(dir) == nullptr) throw std::runtime_error("mkdtemp failed");
  std::unique_ptr<PgTestCluster> cluster(new PgTestCluster(dir, true));
  RunScript(std::string("ensure ") + dir);
  cluster->Load();
  return cluster;
}

std::string PgTestCluster::NewDatabase() {
  static std::atomic<int> counter{0};
  std::string name = "tw_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
  auto conn = PgConnection::Connect(admin_dsn_);
  if (!conn.ok()) throw std::runtime_error(conn.message());
  if (Status s = (*conn)->Run("creating a test database", "CREATE DATABASE " + name); !s.ok()) {
    throw std::runtime_error(s.message());
  }
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + name;
}

void PgTestCluster::Restart() { RunScript("restart " + state_); }

void PgTestCluster::Stop() {
  RunScript("halt " + state_);
}

void PgTestCluster::Start() { RunScript("resume " + state_); }

}  // namespace trailwatch::store::testing
