// The `console:` section (console/console_config.h): listen and auth are required, `auth: none`
// only on loopback, secrets checked and never quoted, errors name the field.
#include <gtest/gtest.h>

#include "cli/cli_test_util.h"
#include "console/console_auth.h"
#include "console/form_fields.h"
#include "service/service_config.h"

namespace trailwatch::console {
namespace {

using testing::TempDir;

Result<service::ServiceConfig> Load(const TempDir& dir, const std::string& console) {
  std::string text = "store: ";
  text.append(dir.path()).append("/t.db\n").append(console);
  return service::LoadServiceConfig(dir.Write("c.yaml", text), [](const std::string& name) {
    if (name == "TW_CONSOLE_TOKEN") return std::optional<std::string>("env-token-0123456789abcdef");
    return std::optional<std::string>();
  });
}

TEST(ConsoleConfigTest, OffWithoutTheSection) {
  TempDir dir;
  auto config = Load(dir, "");
  ASSERT_TRUE(config.ok()) << config.message();
  EXPECT_FALSE(config->console.enabled);
}

TEST(ConsoleConfigTest, ReadsListenTokenUsersRetentionAndSession) {
  TempDir dir;
  auto hash = HashPassword("correct horse battery staple");
  ASSERT_TRUE(hash.ok()) << hash.message();
  std::string section =
      "console:\n  listen: 127.0.0.1:8080\n  retention: 7d\n"
      "  auth:\n    token: ${env:TW_CONSOLE_TOKEN}\n    session: 2h\n"
      "    users:\n      - {name: alice, password_hash: '";
  section.append(*hash).append("'}\n");
  auto config = Load(dir, section);
  ASSERT_TRUE(config.ok()) << config.message();
  EXPECT_TRUE(config->console.enabled);
  EXPECT_EQ(config->console.listen, "127.0.0.1:8080");
  EXPECT_EQ(config->console.token, "env-token-0123456789abcdef");
  ASSERT_EQ(config->console.users.size(), 1u);
  EXPECT_EQ(config->console.users[0].name, "alice");
  EXPECT_EQ(config->console.retention, std::chrono::hours(24 * 7));
  EXPECT_EQ(config->console.session_idle, std::chrono::hours(2));
}

TEST(ConsoleConfigTest, AuthNoneOnlyOnLoopback) {
  TempDir dir;
  EXPECT_TRUE(Load(dir, "console: {listen: 127.0.0.1:8080, auth: none}\n").ok());
  EXPECT_TRUE(Load(dir, "console: {listen: \"[::1]:8080\", auth: none}\n").ok());
  auto open = Load(dir, "console: {listen: 0.0.0.0:8080, auth: none}\n");
  ASSERT_FALSE(open.ok());
  EXPECT_NE(open.message().find("console.auth: none is allowed only on a loopback listen address"),
            std::string::npos)
      << open.message();
}

TEST(ConsoleConfigTest, ErrorsNameTheFieldAndNeverTheSecret) {
  TempDir dir;
  auto no_auth = Load(dir, "console: {listen: 127.0.0.1:8080}\n");
  ASSERT_FALSE(no_auth.ok());
  EXPECT_NE(no_auth.message().find("console: needs auth"), std::string::npos) << no_auth.message();
  auto short_token = Load(dir, "console: {listen: 127.0.0.1:8080, auth: {token: shortsecret}}\n");
  ASSERT_FALSE(short_token.ok());
  EXPECT_NE(short_token.message().find("console.auth.token"), std::string::npos);
  EXPECT_EQ(short_token.message().find("shortsecret"), std::string::npos) << short_token.message();
  auto weak = Load(dir, "console:\n  listen: 127.0.0.1:8080\n  auth:\n    users:\n"
                        "      - {name: bob, password_hash: '$1$abcdefgh$0123456789abcdefghijkl'}\n");
  ASSERT_FALSE(weak.ok());
  EXPECT_NE(weak.message().find("console.auth.users[0].password_hash"), std::string::npos)
      << weak.message();
  EXPECT_EQ(weak.message().find("$1$abcdefgh"), std::string::npos) << weak.message();
  auto unknown = Load(dir, "console: {listen: 127.0.0.1:8080, auth: none, colour: blue}\n");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.message().find("console.colour: unknown key"), std::string::npos)
      << unknown.message();
  auto bad_listen = Load(dir, "console: {listen: nowhere, auth: none}\n");
  ASSERT_FALSE(bad_listen.ok());
  EXPECT_NE(bad_listen.message().find("console.listen"), std::string::npos);
  auto half_tls = Load(dir, "console: {listen: 127.0.0.1:8080, auth: none, tls: {cert: a.pem}}\n");
  ASSERT_FALSE(half_tls.ok());
  EXPECT_NE(half_tls.message().find("console.tls: needs both cert and key"), std::string::npos);
}

TEST(FormFieldsTest, DecodesQueriesAndFormsAndRefusesMalformedEscapes) {
  auto fields = ParseFormFields("rule=root-signin&q=203.0.113%2F24+x&empty=&=skipped&rule=second");
  ASSERT_TRUE(fields.ok()) << fields.message();
  EXPECT_EQ(FieldOr(*fields, "rule"), "root-signin") << "the first value wins";
  EXPECT_EQ(FieldOr(*fields, "q"), "203.0.113/24 x");
  EXPECT_EQ(FieldOr(*fields, "empty"), "");
  EXPECT_EQ(fields->count(""), 0u);
  EXPECT_FALSE(ParseFormFields("q=%zz").ok());
  EXPECT_FALSE(ParseFormFields("q=%4").ok());
  EXPECT_FALSE(ParseFormFields("q=%00").ok());
  std::string many;
  for (int i = 0; i < 100; ++i) many.append("f").append(std::to_string(i)).append("=1&");
  EXPECT_FALSE(ParseFormFields(many).ok());
  EXPECT_EQ(QueryOf("/alerts?x=1"), "x=1");
  EXPECT_EQ(QueryOf("/alerts"), "");
}

}  // namespace
}  // namespace trailwatch::console
