// Values from ${env:}/${file:} references in the whole configuration (issue 10, item 4): the
// service configuration records them, its errors never print them, and the service log replaces
// them by their references whatever code wrote the line (RedactingLogSink).
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <sstream>

#include "cli/cli_test_util.h"
#include "config/secret_environment_util.h"
#include "service/redacting_log_sink.h"
#include "service/service_config.h"
#include "service/service_log.h"

namespace trailwatch::service {
namespace {

// `yaml` as a configuration file, loaded with the test environment.
Result<ServiceConfig> LoadText(const std::string& yaml) {
  testing::TempDir dir;
  return LoadServiceConfig(dir.Write("trailwatch.yaml", yaml), &testing::SecretEnvironment);
}

TEST(ConfigSecrets, TheServiceConfigKnowsEveryReferenceValue) {
  auto config = LoadText(
      "store: ${env:STORE_DIR}/trailwatch.db\n"
      "sources: [{type: directory, path: '${env:LOG_DIR}'}]\n"
      "targets: [{name: console, type: stdout}]\n"
      "rules: [{pack: root-signin, targets: [console]}]\n");
  ASSERT_TRUE(config.ok()) << config.message();
  EXPECT_EQ(config->targets.store, "/tmp/XXXXSECRET-store/trailwatch.db");
  EXPECT_EQ(config::RedactReferenceValues(config->targets.store, config->reference_values),
            "${env:STORE_DIR}/trailwatch.db");
  EXPECT_EQ(
      config::RedactReferenceValues("/srv/XXXXSECRET-logs/a.json.gz", config->reference_values),
      "${env:LOG_DIR}/a.json.gz");
}

TEST(ConfigSecrets, ErrorsOfTheWholeFileNeverPrintAReferenceValue) {
  // The rule name is written out and invalid, so the rules loader quotes it; it happens to equal
  // the value of a reference elsewhere, and LoadServiceConfig's net replaces it.
  auto config = LoadText(
      "store: '${env:RULE_NAME}'\n"
      "targets: [{name: console, type: stdout}]\n"
      "rules: [{name: 'XXXXSECRET rule!', pattern: {source: [a]}, targets: [console]}]\n");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.message().find("XXXXSECRET"), std::string::npos) << config.message();
  EXPECT_NE(config.message().find("${env:RULE_NAME}"), std::string::npos) << config.message();
}

TEST(ConfigSecrets, TheLogReplacesReferenceValuesWhoeverWritesTheLine) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  sink->set_formatter(MakeJsonLogFormatter());
  spdlog::logger logger("trailwatch", sink);
  std::vector<config::ReferenceValue> values = {
      {"/srv/XXXXSECRET-logs", "${env:LOG_DIR}"},
      {"XXXXSECRET-token", "${file:/run/secrets/token}"},
  };
  RedactReferenceValuesInLog(logger, values);
  RedactReferenceValuesInLog(logger, values);  // a reload: no second wrapper
  ASSERT_EQ(logger.sinks().size(), 1u);
  ASSERT_NE(std::dynamic_pointer_cast<RedactingLogSink>(logger.sinks()[0]), nullptr);
  logger.error("{}: {} is not a directory", "directory:${env:LOG_DIR}", "/srv/XXXXSECRET-logs");
  logger.warn("token \"XXXXSECRET-token\" refused");
  logger.flush();
  std::string text = out.str();
  EXPECT_EQ(text.find("XXXXSECRET"), std::string::npos) << text;
  EXPECT_NE(text.find("directory:${env:LOG_DIR}: ${env:LOG_DIR} is not a directory"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(token \"${file:/run/secrets/token}\" refused)"), std::string::npos)
      << "JSON escaping still applies after the replacement: " << text;
  // New values after a reload are hidden too.
  RedactReferenceValuesInLog(logger, {{"XXXXSECRET-new", "${env:NEW}"}});
  logger.info("XXXXSECRET-new");
  logger.flush();
  EXPECT_EQ(out.str().find("XXXXSECRET"), std::string::npos) << out.str();
}

}  // namespace
}  // namespace trailwatch::service
