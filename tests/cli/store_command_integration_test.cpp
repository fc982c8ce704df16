// `trailwatch store migrate`, run as a user runs it: a SQLite store copied into a fresh
// PostgreSQL database with --to and with --to-env (the report's lines, the password never shown),
// the refusal while a trailwatch holds the store's delivery lock, and the usage errors.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "cli/cli_test_util.h"
#include "outbox/delivery_lock.h"
#include "outbox/outbox.h"
#include "store/pg_connection.h"
#include "store/pg_test_cluster_util.h"
#include "targets/sample_alert.h"

namespace trailwatch {
namespace {

using testing::CommandResult;
using testing::RunTrailwatch;

class StoreCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dsn_ = store::testing::PgTestCluster::Shared().NewDatabase();
    // The test cluster trusts local connections, so a password in the DSN is accepted (and
    // ignored): it is there to be looked for in the output.
    secret_dsn_ = dsn_;
    secret_dsn_.insert(std::string("postgresql://postgres").size(), ":s3cret");
    store_ = dir_.path() + "/trailwatch.db";
    auto outbox = outbox::Outbox::Open(store_);
    ASSERT_TRUE(outbox.ok()) << outbox.message();
    for (const char* event_id : {"evt-1", "evt-2", "evt-3"}) {
      auto alert = targets::SampleRootSignInAlert(event_id, "root-signin");
      ASSERT_TRUE(alert.ok());
      ASSERT_TRUE((*outbox)->Enqueue({{"slack", "slack", *alert}}, 1000).ok());
    }
    auto claimed = (*outbox)->ClaimHead("slack", 2000);
    ASSERT_TRUE(claimed.ok() && *claimed);
    ASSERT_TRUE((*outbox)->MarkDelivered((*claimed)->id, 200, "ok", "").ok());
  }

  int64_t PgOutboxRows() {
    auto conn = store::PgConnection::Connect(dsn_);
    EXPECT_TRUE(conn.ok()) << conn.message();
    auto exists = (*conn)->Exec("test", "SELECT to_regclass('outbox_entries') IS NOT NULL");
    EXPECT_TRUE(exists.ok());
    if (exists->Text(0, 0) != "t") return 0;
    auto rows = (*conn)->Exec("test", "SELECT count(*) FROM outbox_entries");
    EXPECT_TRUE(rows.ok());
    return rows->Int(0, 0);
  }

  std::string Expected(const std::string& outbox_line) {
    return "copied " + store_ + " to " + store::RedactDsn(dsn_) + "\n" +
           "  outbox entries:     " + outbox_line + "\n" +
           "  source checkpoints: 0 copied, 0 already there\n"
           "  threshold events:   0 copied, 0 already there\n"
           "  threshold groups:   0 copied, 0 already there\n"
           "  Slack thread roots: 0 copied, 0 already there\n";
  }

  testing::TempDir dir_;
  std::string dsn_;
  std::string secret_dsn_;
  std::string store_;
};

TEST_F(StoreCommandTest, CopiesTheStoreAndSaysWhatItCopied) {
  CommandResult r = RunTrailwatch({"store", "migrate", "--from", store_, "--to", secret_dsn_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.out, Expected("3 copied, 0 already there"));
  EXPECT_EQ(r.out.find("s3cret"), std::string::npos);
  EXPECT_EQ(PgOutboxRows(), 3);

  // Again: nothing new, and it says so.
  CommandResult again = RunTrailwatch({"store", "migrate", "--from", store_, "--to", dsn_});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out, Expected("0 copied, 3 already there"));
  EXPECT_EQ(PgOutboxRows(), 3);
}

TEST_F(StoreCommandTest, TakesTheDsnFromAnEnvironmentVariable) {
  std::map<std::string, std::string> environment = {{"TRAILWATCH_TARGET_DSN", secret_dsn_}};
  CommandResult r = RunTrailwatch({"store", "migrate", "--from", "file://" + store_, "--to-env",
                                   "TRAILWATCH_TARGET_DSN", "--skip-delivered"},
                                  "", &environment);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, Expected("2 copied, 0 already there; 1 delivered left out (--skip-delivered)"));
  EXPECT_EQ(r.out.find("s3cret"), std::string::npos);
  EXPECT_EQ(PgOutboxRows(), 2);

  std::map<std::string, std::string> empty;
  CommandResult unset = RunTrailwatch(
      {"store", "migrate", "--from", store_, "--to-env", "TRAILWATCH_TARGET_DSN"}, "", &empty);
  EXPECT_EQ(unset.exit_code, 2);
  EXPECT_EQ(unset.err,
            "error: --to-env: the environment variable TRAILWATCH_TARGET_DSN is not set (it should "
            "hold the PostgreSQL DSN)\n");
}

TEST_F(StoreCommandTest, RefusesWhileATrailwatchHoldsTheStore) {
  // What `trailwatch run` and `trailwatch deliver` hold while they run.
  auto lock = outbox::DeliveryLock::TryAcquire(store_);
  ASSERT_TRUE(lock.ok()) << lock.message();
  CommandResult r = RunTrailwatch({"store", "migrate", "--from", store_, "--to", dsn_});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "error: " + store_ +
                       ": another trailwatch process is delivering from this store (stop "
                       "trailwatch on it first: the copy would miss what it still writes)\n");
  EXPECT_EQ(PgOutboxRows(), 0);
  lock.value().reset();
  EXPECT_EQ(RunTrailwatch({"store", "migrate", "--from", store_, "--to", dsn_}).exit_code, 0);
}

TEST_F(StoreCommandTest, ErrorsNameTheProblemWithoutThePassword) {
  CommandResult neither = RunTrailwatch({"store", "migrate", "--from", store_});
  EXPECT_EQ(neither.exit_code, 2);
  EXPECT_EQ(neither.err,
            "error: give the PostgreSQL store with --to DSN or --to-env VAR (see trailwatch store "
            "migrate --help)\n");

  CommandResult both =
      RunTrailwatch({"store", "migrate", "--from", store_, "--to", dsn_, "--to-env", "X"});
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_EQ(both.err.rfind("error: --to excludes --to-env", 0), 0u) << both.err;

  CommandResult not_a_uri =
      RunTrailwatch({"store", "migrate", "--from", store_, "--to", "host=db password=s3cret"});
  EXPECT_EQ(not_a_uri.exit_code, 2);
  EXPECT_EQ(not_a_uri.err,
            "error: --to: expected a PostgreSQL URI, postgresql://USER@HOST:PORT/DATABASE\n");

  CommandResult missing =
      RunTrailwatch({"store", "migrate", "--from", dir_.path() + "/nope.db", "--to", secret_dsn_});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err, "error: " + dir_.path() + "/nope.db: No such file or directory\n");

  CommandResult unreachable = RunTrailwatch(
      {"store", "migrate", "--from", store_, "--to", "postgresql://u:s3cret@127.0.0.1:1/x"});
  EXPECT_EQ(unreachable.exit_code, 1);
  EXPECT_EQ(unreachable.err.rfind(
                "error: cannot connect to PostgreSQL postgresql://u@127.0.0.1:1/x: ", 0),
            0u)
      << unreachable.err;
  EXPECT_EQ(unreachable.err.find("s3cret"), std::string::npos);
}

TEST_F(StoreCommandTest, HelpNamesEveryOption) {
  CommandResult r = RunTrailwatch({"store", "migrate", "--help"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* option :
       {"--from", "--to", "--to-env", "--skip-delivered", "--merge", "PGPASSWORD", "~/.pgpass"}) {
    EXPECT_NE(r.out.find(option), std::string::npos) << option;
  }
}

}  // namespace
}  // namespace trailwatch
