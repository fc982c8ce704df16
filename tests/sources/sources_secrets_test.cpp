// The `sources` section and ${env:}/${file:} references (issue 10, item 4): a value that came from
// a reference is never quoted in an error, and a source whose path, bucket, prefix, queue URL or
// listen address came from one is named by the reference as written (Source::name() is what logs,
// metrics labels and checkpoints use).
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "cli/cli_test_util.h"
#include "config/secret_environment_util.h"
#include "sources/directory_source.h"
#include "sources/s3_source.h"
#include "sources/sources_config.h"
#include "sources/sqs_source.h"

namespace trailwatch::sources {
namespace {

Result<std::vector<SourceConfig>> LoadWithSecrets(const std::string& yaml) {
  return LoadSourcesConfig(YAML::Load(yaml), "trailwatch.yaml",
                           &trailwatch::testing::SecretEnvironment);
}

TEST(SourcesSecrets, ValuesFromReferencesAreNeverQuotedInErrors) {
  struct Case {
    std::string yaml;
    std::string expected;  // the whole error
  };
  const Case cases[] = {
      {"sources: [{type: directory, path: '${env:EMPTY}'}]",
       "trailwatch.yaml:1:35: sources[0].path: path is empty"},
      {"sources: [{type: s3, bucket: '${env:BAD_BUCKET}'}]",
       "trailwatch.yaml:1:30: sources[0].bucket: not a valid S3 bucket name (3-63 of a-z, 0-9, "
       "'.', '-'): the value of \"${env:BAD_BUCKET}\""},
      {"sources: [{type: s3, bucket: b-b-b, prefix: '${env:BAD_PREFIX}'}]",
       "trailwatch.yaml:1:45: sources[0].prefix: must end with '/' (a folder such as AWSLogs/ or "
       "team/AWSLogs/), not the value of \"${env:BAD_PREFIX}\""},
      {"sources: [{type: s3, bucket: b-b-b, start_date: '${env:BAD_DATE}'}]",
       "trailwatch.yaml:1:49: sources[0].start_date: start_date must be a date like 2024-05-01, "
       "not the value of \"${env:BAD_DATE}\""},
      {"sources: [{type: s3, bucket: b-b-b, region: '${env:BAD_REGION}'}]",
       "trailwatch.yaml:1:45: sources[0].region: region must look like us-east-1, not the value "
       "of \"${env:BAD_REGION}\""},
      {"sources: [{type: s3, bucket: b-b-b, endpoint_url: '${env:BAD_ENDPOINT}'}]",
       "trailwatch.yaml:1:51: sources[0].endpoint_url: must be an http:// or https:// URL"},
      {"sources: [{type: sqs, queue_url: '${env:BAD_QUEUE_URL}'}]",
       "trailwatch.yaml:1:34: sources[0].queue_url: queue_url must end in /<account id>/<queue "
       "name>, like https://sqs.us-east-1.amazonaws.com/111122223333/trail-objects"},
      {"sources: [{type: http, api_key: '${env:API_KEY}', listen: '${env:BAD_LISTEN}'}]",
       "trailwatch.yaml:1:59: sources[0].listen: listen the value of \"${env:BAD_LISTEN}\" must be "
       "host:port, like 127.0.0.1:8080"},
      {"sources: [{type: http, api_key: '${env:API_KEY}', api_key_header: '${env:BAD_HEADER}'}]",
       "trailwatch.yaml:1:67: sources[0].api_key_header: not a valid header name: the value of "
       "\"${env:BAD_HEADER}\""},
      {"sources: [{type: http, api_key: '${env:SHORT_API_KEY}'}]",
       "trailwatch.yaml:1:33: sources[0].api_key: api_key must be at least 16 characters"},
  };
  for (const Case& c : cases) {
    auto loaded = LoadWithSecrets(c.yaml);
    ASSERT_FALSE(loaded.ok()) << c.yaml;
    EXPECT_EQ(loaded.message().find("XXXXSECRET"), std::string::npos) << loaded.message();
    EXPECT_EQ(loaded.message().find("xxxxsecret"), std::string::npos) << loaded.message();
    EXPECT_EQ(loaded.message(), c.expected);
  }
  // Written out in the file, the value is quoted as before (it is not a secret then).
  auto plain = LoadWithSecrets("sources: [{type: s3, bucket: b-b-b, region: 'Bad_Region'}]");
  ASSERT_FALSE(plain.ok());
  EXPECT_NE(plain.message().find("not \"Bad_Region\""), std::string::npos) << plain.message();
}

TEST(SourcesSecrets, SourcesFromReferencesAreNamedByTheReference) {
  auto loaded = LoadWithSecrets(
      "sources:\n"
      "  - {type: directory, path: '${env:LOG_DIR}'}\n"
      "  - {type: s3, bucket: '${env:BUCKET}', prefix: '${env:PREFIX}'}\n"
      "  - {type: s3, bucket: '${env:BUCKET}', prefix: team/AWSLogs/}\n"
      "  - {type: sqs, queue_url: '${env:QUEUE_URL}'}\n"
      "  - {type: http, listen: '${env:LISTEN}', api_key: '${env:API_KEY}'}\n"
      "  - {type: directory, path: ./plain}\n");
  ASSERT_TRUE(loaded.ok()) << loaded.message();
  ASSERT_EQ(loaded->size(), 6u);
  auto name = [&](size_t i) {
    return std::visit([](const auto& settings) { return settings.name; }, (*loaded)[i].settings);
  };
  EXPECT_EQ(name(0), "directory:${env:LOG_DIR}");
  EXPECT_EQ(name(1), "s3://${env:BUCKET}/${env:PREFIX}");
  EXPECT_EQ(name(2), "s3://${env:BUCKET}/team/AWSLogs/");
  EXPECT_EQ(name(3), "sqs:${env:QUEUE_URL}");
  EXPECT_EQ(name(4), "http:${env:LISTEN}");
  EXPECT_EQ(name(5), "directory:" + (std::filesystem::current_path() / "plain").string())
      << "written out: named by the value (made absolute beside the config file)";
  // The settings hold the values; the identity (duplicate check) uses them too.
  const auto& directory = std::get<DirectorySourceConfig>((*loaded)[0].settings);
  EXPECT_EQ(directory.path, "/srv/XXXXSECRET-logs");
  EXPECT_EQ(SourceName((*loaded)[0]), "directory:/srv/XXXXSECRET-logs");
  // Two references to the same place are the same source.
  auto twice = LoadWithSecrets(
      "sources:\n"
      "  - {type: directory, path: '${env:LOG_DIR}'}\n"
      "  - {type: directory, path: /srv/XXXXSECRET-logs}\n");
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.message(),
            "trailwatch.yaml:3:5: sources[1]: the same source as sources[0] (line 2)");
}

TEST(SourcesSecrets, SourcesReportTheConfiguredName) {
  auto loaded = LoadWithSecrets(
      "sources:\n"
      "  - {type: directory, path: '${env:LOG_DIR}'}\n"
      "  - {type: s3, bucket: '${env:BUCKET}', prefix: '${env:PREFIX}'}\n"
      "  - {type: sqs, queue_url: '${env:QUEUE_URL}'}\n");
  ASSERT_TRUE(loaded.ok()) << loaded.message();
  SourceContext context;
  DirectorySource directory(std::get<DirectorySourceConfig>((*loaded)[0].settings), context);
  S3Source s3(std::get<S3SourceConfig>((*loaded)[1].settings), context);
  SqsSource sqs(std::get<SqsSourceConfig>((*loaded)[2].settings), context);
  EXPECT_EQ(directory.name(), "directory:${env:LOG_DIR}");
  EXPECT_EQ(s3.name(), "s3://${env:BUCKET}/${env:PREFIX}");
  EXPECT_EQ(sqs.name(), "sqs:${env:QUEUE_URL}");
  // Built in code without a name (tests, tools): named from the values, as before.
  DirectorySourceConfig unnamed;
  unnamed.path = "/var/log/trail";
  EXPECT_EQ(DirectorySource(unnamed, context).name(), "directory:/var/log/trail");
}

}  // namespace
}  // namespace trailwatch::sources
