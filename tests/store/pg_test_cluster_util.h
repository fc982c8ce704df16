// A real PostgreSQL for the tests (issue 14): a throwaway cluster from Debian's postgresql-15,
// started by tests/store/pg_test_cluster.sh (initdb + pg_ctl on 127.0.0.1, as the postgres user
// when the tests run as root), and a fresh database per test so that tests running in parallel
// never see each other's rows.
//
// Shared(): under ctest, every test process uses the one cluster the `postgres_cluster` fixture
// started (its folder is in TW_TEST_POSTGRES_STATE) and the fixture's cleanup stops it; a test
// binary run by hand starts its own on first use and stops it when the process exits.
// StartPrivate(): a cluster of one's own, for tests that restart or stop PostgreSQL.
#pragma once

#include <memory>
#include <string>

namespace trailwatch::store::testing {

class PgTestCluster {
 public:
  static PgTestCluster& Shared();
  static std::unique_ptr<PgTestCluster> StartPrivate();
  ~PgTestCluster();
  PgTestCluster(const PgTestCluster&) = delete;
  PgTestCluster& operator=(const PgTestCluster&) = delete;

  // Creates an empty database and returns its connection URI
  // (postgresql://postgres@127.0.0.1:PORT/NAME).
  std::string NewDatabase();
  // Fast shutdown and start again on the same port (clients see their connections dropped).
  void Restart();
  // Stops the server (immediate shutdown, as a crash) / starts it again on the same port.
  void Stop();
  void Start();
  int port() const { return port_; }
  // The maintenance database's URI.
  const std::string& admin_dsn() const { return admin_dsn_; }

 private:
  PgTestCluster(std::string state, bool owned);
  void Load();
  std::string state_;
  bool owned_;  // stopped and deleted by the destructor
  int port_ = 0;
  std::string admin_dsn_;
};

}  // namespace trailwatch::store::testing
