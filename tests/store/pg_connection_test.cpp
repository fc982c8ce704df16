// The libpq layer of the shared store (store/pg_connection.h): text PostgreSQL can hold, DSNs
// shown without passwords, and a pool that survives a PostgreSQL restart.
#include "common/store_address.h"
#include "store/pg_connection.h"

#include <gtest/gtest.h>

#include "store/pg_schema.h"
#include "store/pg_test_cluster_util.h"

namespace trailwatch::store {
namespace {

TEST(PgTextTest, ValidUtf8PassesUnchanged) {
  EXPECT_EQ(PgText("plain ascii"), "plain ascii");
  EXPECT_EQ(PgText("caf\xC3\xA9 \xF0\x9F\x94\x92"), "caf\xC3\xA9 \xF0\x9F\x94\x92");
  EXPECT_EQ(PgText(""), "");
}

TEST(PgTextTest, NulAndBrokenSequencesBecomeReplacementCharacters) {
  EXPECT_EQ(PgText(std::string("a\0b", 3)), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(PgText("bad \xFF byte"), "bad \xEF\xBF\xBD byte");
  EXPECT_EQ(PgText("cut \xC3"), "cut \xEF\xBF\xBD");              // truncated sequence
  EXPECT_EQ(PgText("\xE2\x28\xA1"), "\xEF\xBF\xBD(\xEF\xBF\xBD");  // bad continuation
  EXPECT_EQ(PgText("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // a surrogate
  // A function: the same input always maps to the same text (keys stay findable).
  EXPECT_EQ(PgText("k\xFF"), PgText("k\xFF"));
}

TEST(RedactDsnTest, NeverShowsThePassword) {
  EXPECT_EQ(RedactDsn("postgresql://tw:s3cret@db.internal:5432/trailwatch?sslmode=verify-full"),
            "postgresql://tw@db.internal:5432/trailwatch");
  EXPECT_EQ(RedactDsn("postgresql://db/trailwatch?password=s3cret&user=tw"),
            "postgresql://tw@db/trailwatch");
  EXPECT_EQ(RedactDsn("postgresql://%zz"), "postgresql://(unparsable DSN)");
  EXPECT_TRUE(IsPostgresUri("postgres://db/x"));
  EXPECT_FALSE(IsPostgresUri("./postgresql://x"));
}

TEST(PgConnectionTest, StoresTextPostgresWouldRefuse) {
  auto conn = PgConnection::Connect(testing::PgTestCluster::Shared().NewDatabase());
  ASSERT_TRUE(conn.ok()) << conn.message();
  auto stored = (*conn)->Exec("round trip", "SELECT $1::text",
                              {std::string("answer\0with nul \xFF", 17)});
  ASSERT_TRUE(stored.ok()) << stored.message();
  EXPECT_EQ(stored->Text(0, 0), "answer\xEF\xBF\xBDwith nul \xEF\xBF\xBD");
}

TEST(PgConnectionTest, AConnectionErrorNamesTheServerWithoutThePassword) {
  auto conn = PgConnection::Connect("postgresql://tw:s3cret@127.0.0.1:1/trailwatch");
  ASSERT_FALSE(conn.ok());
  EXPECT_NE(conn.message().find("cannot connect to PostgreSQL postgresql://tw@127.0.0.1:1/trailwatch"),
            std::string::npos)
      << conn.message();
  EXPECT_EQ(conn.message().find("s3cret"), std::string::npos) << conn.message();
}

TEST(PgPoolTest, MigratesOnceAndReconnectsAfterARestart) {
  auto cluster = testing::PgTestCluster::StartPrivate();
  int migrations = 0;
  PgPool pool(cluster->NewDatabase(), 2, [&](PgConnection& conn) {
    ++migrations;
    return MigratePostgres(conn);
  });
  ASSERT_TRUE(pool.Ping().ok());
  {
    // Two connections borrowed at once: the migration ran once.
    auto a = pool.Acquire();
    auto b = pool.Acquire();
    ASSERT_TRUE(a.ok() && b.ok());
  }
  EXPECT_EQ(migrations, 1);
  auto version = pool.Exec("version", "SELECT version FROM schema_version");
  ASSERT_TRUE(version.ok()) << version.message();
  EXPECT_EQ(version->Int(0, 0), PostgresMigrations().back().version);

  cluster->Stop();
  Status down = pool.Ping();
  EXPECT_FALSE(down.ok());
  cluster->Start();
  // The idle connections died with the server: the pool drops them and connects again (after
  // its backoff, at most a few hundred ms here).
  Status back = down;
  for (int i = 0; i < 50 && !back.ok(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    back = pool.Ping();
  }
  EXPECT_TRUE(back.ok()) << back.message();
  EXPECT_EQ(migrations, 1);
}

}  // namespace
}  // namespace trailwatch::store
