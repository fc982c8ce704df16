// The `store` setting's three forms (config/targets_config.h, issue 14): a SQLite path, a
// postgresql:// URI, and the mapping {dsn, lease}.
#include <gtest/gtest.h>

#include "config/targets_config.h"
#include "store/store_backend.h"

namespace trailwatch::config {
namespace {

std::optional<std::string> DsnEnvironment(const std::string& name) {
  if (name == "TRAILWATCH_DSN") return "postgresql://tw:XXXXPGSECRET@db.internal:5432/trailwatch";
  return std::nullopt;
}

Result<TargetsConfig> LoadEtcConfig(const std::string& yaml) {
  return LoadTargetsConfig(YAML::Load(yaml), "/etc/trailwatch/trailwatch.yaml", &DsnEnvironment);
}

TEST(StoreConfigTest, APathIsBesideTheConfiguration) {
  auto config = LoadEtcConfig("store: state/trailwatch.db\n");
  ASSERT_TRUE(config.ok()) << config.message();
  EXPECT_EQ(config->store, "/etc/trailwatch/state/trailwatch.db");
  EXPECT_FALSE(IsPostgresUri(config->store));
}

TEST(StoreConfigTest, APostgresUriIsNotAPath) {
  auto config =
      LoadEtcConfig("store: postgresql://trailwatch@db:5432/trailwatch?sslmode=verify-full\n");
  ASSERT_TRUE(config.ok()) << config.message();
  EXPECT_EQ(config->store, "postgresql://trailwatch@db:5432/trailwatch?sslmode=verify-full");
  EXPECT_EQ(config->store_lease, std::chrono::seconds(15));
  auto short_scheme = LoadEtcConfig("store: postgres://db/trailwatch\n");
  ASSERT_TRUE(short_scheme.ok()) << short_scheme.message();
  EXPECT_EQ(short_scheme->store, "postgres://db/trailwatch");
}

TEST(StoreConfigTest, TheMappingTakesTheDsnFromAReferenceAndALease) {
  auto config = LoadEtcConfig("store: {dsn: '${env:TRAILWATCH_DSN}', lease: 30s}\n");
  ASSERT_TRUE(config.ok()) << config.message();
  EXPECT_EQ(config->store, "postgresql://tw:XXXXPGSECRET@db.internal:5432/trailwatch");
  EXPECT_EQ(config->store_lease, std::chrono::seconds(30));
  // What logs and errors show of it: never the password.
  EXPECT_EQ(store::ShownStore(config->store), "postgresql://tw@db.internal:5432/trailwatch");
}

TEST(StoreConfigTest, MappingErrorsNameTheField) {
  auto not_uri = LoadEtcConfig("store: {dsn: ./trailwatch.db}\n");
  ASSERT_FALSE(not_uri.ok());
  EXPECT_NE(not_uri.message().find("store.dsn: must be a postgresql:// URI"), std::string::npos)
      << not_uri.message();
  auto unknown = LoadEtcConfig("store: {dsn: 'postgresql://db/x', leese: 10s}\n");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.message().find("unknown key \"leese\" (dsn, lease)"), std::string::npos)
      << unknown.message();
  auto short_lease = LoadEtcConfig("store: {dsn: 'postgresql://db/x', lease: 1s}\n");
  ASSERT_FALSE(short_lease.ok());
  EXPECT_NE(short_lease.message().find("store.lease"), std::string::npos) << short_lease.message();
  auto no_dsn = LoadEtcConfig("store: {lease: 10s}\n");
  ASSERT_FALSE(no_dsn.ok());
  EXPECT_NE(no_dsn.message().find("needs dsn"), std::string::npos) << no_dsn.message();
}

}  // namespace
}  // namespace trailwatch::config
