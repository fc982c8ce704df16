// The `sources` section loader: every type and field, and errors that name file, line, column
// and key without quoting secrets.
#include "sources/sources_config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>

namespace trailwatch::sources {
namespace {

std::optional<std::string> FakeEnvironment(const std::string& name) {
  static const std::map<std::string, std::string> kValues = {
      {"TRAILWATCH_API_KEY", "XXXXSECRETAPIKEY0123456789"},
      {"SHORT_KEY", "XXXXSECRET"},
      {"QUEUE", "https://sqs.eu-west-1.amazonaws.com/111122223333/trail-objects"},
  };
  auto it = kValues.find(name);
  if (it == kValues.end()) return std::nullopt;
  return it->second;
}

Result<std::vector<SourceConfig>> Load(const std::string& yaml) {
  return LoadSourcesConfig(YAML::Load(yaml), "trailwatch.yaml", &FakeEnvironment);
}

std::string LoadError(const std::string& yaml) {
  auto config = Load(yaml);
  EXPECT_FALSE(config.ok()) << "expected an error for:\n" << yaml;
  return config.ok() ? std::string() : config.message();
}

TEST(SourcesConfigTest, AbsentOrEmptyMeansNoSources) {
  ASSERT_TRUE(Load("store: x.db").ok());
  EXPECT_TRUE(Load("store: x.db")->empty());
  EXPECT_TRUE(Load("sources:")->empty());
  EXPECT_TRUE(Load("sources: []")->empty());
}

TEST(SourcesConfigTest, LoadsTheIssueExample) {
  auto config = Load(R"(
sources:
  - {type: directory, path: ./cloudtrail}
  - {type: s3, bucket: org-trail, prefix: AWSLogs/, poll_interval: 60s}
  - {type: sqs, queue_url: https://sqs.us-east-1.amazonaws.com/111122223333/trail-objects}
  - {type: http, listen: "127.0.0.1:8080", api_key: "${env:TRAILWATCH_API_KEY}",
     sns_topics: ["arn:aws:sns:us-east-1:111122223333:chatbot-topic"]}
)");
  ASSERT_TRUE(config.ok()) << config.message();
  ASSERT_EQ(config->size(), 4u);
  const auto& directory = std::get<DirectorySourceConfig>((*config)[0].settings);
  EXPECT_EQ((*config)[0].type, SourceConfig::Type::kDirectory);
  // Relative paths are beside the configuration file ("trailwatch.yaml": the working
  // directory), made absolute (config/config_paths.h).
  const std::string cloudtrail = (std::filesystem::current_path() / "cloudtrail").string();
  EXPECT_EQ(directory.path, cloudtrail);
  EXPECT_TRUE(directory.recursive);
  EXPECT_EQ((*config)[0].line, 3);

  const auto& s3 = std::get<S3SourceConfig>((*config)[1].settings);
  EXPECT_EQ(s3.bucket, "org-trail");
  EXPECT_EQ(s3.prefix, "AWSLogs/");
  EXPECT_EQ(s3.poll_interval, std::chrono::seconds(60));
  EXPECT_EQ(s3.start_date, "");

  const auto& sqs = std::get<SqsSourceConfig>((*config)[2].settings);
  EXPECT_EQ(sqs.queue_url, "https://sqs.us-east-1.amazonaws.com/111122223333/trail-objects");
  EXPECT_EQ(sqs.aws.region, "us-east-1");  // from the queue URL
  EXPECT_EQ(sqs.wait_time, std::chrono::seconds(20));
  EXPECT_EQ(sqs.visibility_timeout, std::chrono::seconds(300));
  EXPECT_EQ(sqs.max_messages, 10);

  const auto& http = std::get<HttpSourceConfig>((*config)[3].settings);
  EXPECT_EQ(http.listen, "127.0.0.1:8080");
  EXPECT_EQ(http.api_key.reveal(), "XXXXSECRETAPIKEY0123456789");
  EXPECT_EQ(http.sns_topics,
            std::vector<std::string>{"arn:aws:sns:us-east-1:111122223333:chatbot-topic"});

  EXPECT_EQ(SourceName((*config)[0]), "directory:" + cloudtrail);
  EXPECT_EQ(SourceName((*config)[1]), "s3://org-trail/AWSLogs/");
  EXPECT_EQ(SourceName((*config)[2]),
            "sqs:https://sqs.us-east-1.amazonaws.com/111122223333/trail-objects");
  EXPECT_EQ(SourceName((*config)[3]), "http:127.0.0.1:8080");
  EXPECT_STREQ(SourceTypeName(SourceConfig::Type::kSqs), "sqs");
}

TEST(SourcesConfigTest, LoadsEveryField) {
  auto config = Load(R"(
sources:
  - type: directory
    path: /var/log/cloudtrail
    recursive: false
  - type: s3
    bucket: my.trail-bucket
    prefix: team/
    poll_interval: 2m
    start_date: "2024-05-01"
    region: eu-west-1
    endpoint_url: http://127.0.0.1:5000
  - type: sqs
    queue_url: ${env:QUEUE}
    wait_time: 5s
    visibility_timeout: 15m
    max_messages: 3
    sns_topics: [arn:aws:sns:eu-west-1:111122223333:trail]
    endpoint_url: https://vpce-1.sqs.eu-west-1.vpce.amazonaws.com
  - type: http
    listen: "[::1]:0"
    api_key: ${env:TRAILWATCH_API_KEY}
    api_key_header: X-Trailwatch-Key
    sns_topics: []
    max_body_bytes: 65536
    max_pending_requests: 8
    tls_cert_file: /etc/tw/cert.pem
    tls_key_file: /etc/tw/key.pem
    sns_cert_url_pattern: "^https://127\\.0\\.0\\.1:[0-9]+/SimpleNotificationService-[0-9a-f]+\\.pem$"
    sns_ca_file: /etc/tw/ca.pem
    sns_max_message_age: 10m
)");
  ASSERT_TRUE(config.ok()) << config.message();
  const auto& directory = std::get<DirectorySourceConfig>((*config)[0].settings);
  EXPECT_FALSE(directory.recursive);
  const auto& s3 = std::get<S3SourceConfig>((*config)[1].settings);
  EXPECT_EQ(s3.prefix, "team/");
  EXPECT_EQ(s3.poll_interval, std::chrono::minutes(2));
  EXPECT_EQ(s3.start_date, "2024-05-01");
  EXPECT_EQ(s3.aws.region, "eu-west-1");
  EXPECT_EQ(s3.aws.endpoint_url, "http://127.0.0.1:5000");
  const auto& sqs = std::get<SqsSourceConfig>((*config)[2].settings);
  EXPECT_EQ(sqs.queue_url, "https://sqs.eu-west-1.amazonaws.com/111122223333/trail-objects");
  EXPECT_EQ(sqs.aws.region, "eu-west-1");
  EXPECT_EQ(sqs.wait_time, std::chrono::seconds(5));
  EXPECT_EQ(sqs.visibility_timeout, std::chrono::minutes(15));
  EXPECT_EQ(sqs.max_messages, 3);
  EXPECT_EQ(sqs.sns_topics.size(), 1u);
  EXPECT_EQ(sqs.aws.endpoint_url, "https://vpce-1.sqs.eu-west-1.vpce.amazonaws.com");
  const auto& http = std::get<HttpSourceConfig>((*config)[3].settings);
  EXPECT_EQ(http.listen, "[::1]:0");
  EXPECT_EQ(http.api_key_header, "X-Trailwatch-Key");
  EXPECT_TRUE(http.sns_topics.empty());
  EXPECT_EQ(http.limits.max_body_bytes, 65536u);
  EXPECT_EQ(http.limits.max_pending_requests, 8u);
  EXPECT_EQ(http.tls_cert_file, "/etc/tw/cert.pem");
  EXPECT_EQ(http.tls_key_file, "/etc/tw/key.pem");
  EXPECT_EQ(http.sns_ca_file, "/etc/tw/ca.pem");
  EXPECT_FALSE(http.sns_cert_url_pattern.empty());
  EXPECT_EQ(http.sns_max_message_age, std::chrono::minutes(10));
}

TEST(SourcesConfigTest, HttpDefaults) {
  auto config = Load("sources: [{type: http, api_key: \"${env:TRAILWATCH_API_KEY}\"}]");
  ASSERT_TRUE(config.ok()) << config.message();
  const auto& http = std::get<HttpSourceConfig>((*config)[0].settings);
  EXPECT_EQ(http.listen, "127.0.0.1:8080");
  EXPECT_EQ(http.api_key_header, "x-api-key");
  EXPECT_EQ(http.limits.max_body_bytes, 256u * 1024);
  EXPECT_EQ(http.limits.max_pending_requests, 64u);
}

TEST(SourcesConfigTest, HttpServerLimitsAndTlsBlock) {
  auto config = Load(R"(
sources:
  - type: http
    api_key: ${env:TRAILWATCH_API_KEY}
    max_connections: 100
    max_connections_per_client: 7
    max_header_bytes: 4096
    header_timeout: 3s
    body_timeout: 1m
    idle_timeout: 5s
    write_timeout: 2s
    tls: {cert: /etc/tw/cert.pem, key: /etc/tw/key.pem}
)");
  ASSERT_TRUE(config.ok()) << config.message();
  const auto& http = std::get<HttpSourceConfig>((*config)[0].settings);
  EXPECT_EQ(http.limits.max_connections, 100u);
  EXPECT_EQ(http.limits.max_connections_per_client, 7u);
  EXPECT_EQ(http.limits.max_header_bytes, 4096u);
  EXPECT_EQ(http.limits.header_timeout, std::chrono::seconds(3));
  EXPECT_EQ(http.limits.body_timeout, std::chrono::minutes(1));
  EXPECT_EQ(http.limits.idle_timeout, std::chrono::seconds(5));
  EXPECT_EQ(http.limits.write_timeout, std::chrono::seconds(2));
  EXPECT_EQ(http.tls_cert_file, "/etc/tw/cert.pem");
  EXPECT_EQ(http.tls_key_file, "/etc/tw/key.pem");
  const auto defaults = server::HttpServerLimits{};
  auto plain = Load("sources: [{type: http, api_key: \"${env:TRAILWATCH_API_KEY}\"}]");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(std::get<HttpSourceConfig>((*plain)[0].settings).limits.header_timeout,
            defaults.header_timeout);
  const std::string key = "api_key: \"${env:TRAILWATCH_API_KEY}\"";
  EXPECT_NE(LoadError("sources: [{type: http, " + key + ", tls: {cert: c.pem}}]")
                .find("tls needs both cert and key"),
            std::string::npos);
  EXPECT_NE(LoadError("sources: [{type: http, " + key + ", tls: {cert: c.pem, key: k.pem, ca: x}}]")
                .find("unknown key \"ca\" (cert, key)"),
            std::string::npos);
  EXPECT_NE(LoadError("sources: [{type: http, " + key + ", tls: c.pem}]").find("tls must be a mapping"),
            std::string::npos);
  EXPECT_NE(LoadError("sources: [{type: http, " + key + ", header_timeout: 0s}]")
                .find("header_timeout"),
            std::string::npos);
  EXPECT_NE(LoadError("sources: [{type: http, " + key + ", max_connections: 2}]")
                .find("max_connections"),
            std::string::npos);
}

TEST(SourcesConfigTest, ErrorsNameFileLineColumnAndKey) {
  EXPECT_EQ(
      LoadError("sources:\n  - {type: directory, path: x, recursve: true}\n"),
      "trailwatch.yaml:2:32: sources[0].recursve: unknown key \"recursve\" for type directory "
      "(valid: type, path, recursive, max_file_bytes, max_inflated_bytes, max_compression_ratio)");
  EXPECT_EQ(LoadError("sources:\n  - {type: s3, bucket: b-1, poll_interval: often}\n"),
            "trailwatch.yaml:2:44: sources[0].poll_interval: poll_interval must be a duration "
            "like 10s, 15m, 24h or 1h30m, not \"often\"");
  EXPECT_EQ(
      LoadError("sources:\n  - {type: directory, path: a}\n  - {type: ftp}\n"),
      "trailwatch.yaml:3:12: sources[1].type: unknown type \"ftp\" (directory, s3, sqs, http)");
  EXPECT_EQ(LoadError("sources:\n  - {path: a}\n"),
            "trailwatch.yaml:2:5: sources[0]: missing key \"type\" (directory, s3, sqs, http)");
  EXPECT_EQ(LoadError("sources:\n  - {type: s3}\n"),
            "trailwatch.yaml:2:5: sources[0]: missing key \"bucket\" (required for type s3)");
  EXPECT_EQ(LoadError("sources: {type: s3}\n"),
            "trailwatch.yaml:1:10: sources: must be a list of sources, like [{type: directory, "
            "path: ./cloudtrail}]");
  EXPECT_EQ(LoadError("sources:\n  - directory\n"),
            "trailwatch.yaml:2:5: sources[0]: a source must be a mapping with a type, like "
            "{type: directory, ...}");
}

TEST(SourcesConfigTest, ValidatesValues) {
  EXPECT_NE(LoadError("sources: [{type: directory, path: a, recursive: maybe}]")
                .find("sources[0].recursive: recursive must be true or false"),
            std::string::npos);
  EXPECT_NE(LoadError("sources: [{type: s3, bucket: s3://trail}]").find("without s3://"),
            std::string::npos);
  EXPECT_NE(LoadError("sources: [{type: s3, bucket: Trail_Bucket}]")
                .find("sources[0].bucket: not a valid S3 bucket name"),
            std::string::npos);
  EXPECT_NE(LoadError("sources: [{type: s3, bucket: trail, prefix: AWSLogs}]")
                .find("sources[0].prefix: must end with '/'"),
            std::string::npos);
  EXPECT_NE(LoadError("sources: [{type: s3, bucket: trail, start_date: 2024-02-30}]")
                .find("start_date must be a date like 2024-05-01"),
            std::string::npos);
  EXPECT_NE(LoadError("sources: [{type: s3, bucket: trail, poll_interval: 0s}]")
                .find("poll_interval must be between 1s and 86400s, not 0s"),
            std::string::npos);
  EXPECT_NE(LoadError("sources: [{type: s3, bucket: trail, endpoint_url: ftp://x}]")
                .find("sources[0].endpoint_url: must be an http:// or https:// URL"),
            std::string::npos);
  EXPECT_NE(LoadError("sources: [{type: s3, bucket: trail, region: US_EAST}]")
                .find("region must look like us-east-1"),
            std::string::npos);
}

TEST(SourcesConfigTest, ValidatesQueueUrls) {
  EXPECT_NE(LoadError("sources: [{type: sqs, queue_url: https://sqs.us-east-1.amazonaws.com/q}]")
                .find("sources[0].queue_url: queue_url must end in /<account id>/<queue name>"),
            std::string::npos);
  EXPECT_NE(LoadError("sources: [{type: sqs, queue_url: http://sqs.example.com/111122223333/q}]")
                .find("must be https://"),
            std::string::npos);
  EXPECT_NE(
      LoadError("sources: [{type: sqs, queue_url: trail-objects}]").find("not an absolute URL"),
      std::string::npos);
  EXPECT_NE(LoadError("sources: [{type: sqs, queue_url: "
                      "\"https://sqs.us-east-1.amazonaws.com/111122223333/a b\"}]")
                .find("queue_url"),
            std::string::npos);
  // Loopback http (moto_server, ElasticMQ) is fine; FIFO names too.
  auto local = Load("sources: [{type: sqs, queue_url: http://127.0.0.1:4566/123456789012/q.fifo}]");
  ASSERT_TRUE(local.ok()) << local.message();
  EXPECT_EQ(std::get<SqsSourceConfig>((*local)[0].settings).aws.region, "");
  EXPECT_NE(LoadError("sources: [{type: sqs, queue_url: "
                      "https://sqs.us-east-1.amazonaws.com/111122223333/q, max_messages: 11}]")
                .find("sources[0].max_messages: max_messages must be between 1 and 10, not 11"),
            std::string::npos);
  EXPECT_NE(LoadError("sources: [{type: sqs, queue_url: "
                      "https://sqs.us-east-1.amazonaws.com/111122223333/q, wait_time: 30s}]")
                .find("wait_time must be between 0s and 20s"),
            std::string::npos);
  EXPECT_NE(LoadError("sources: [{type: sqs, queue_url: "
                      "https://sqs.us-east-1.amazonaws.com/111122223333/q, sns_topics: [nope]}]")
                .find("sources[0].sns_topics: not an SNS topic ARN"),
            std::string::npos);
  EXPECT_NE(LoadError("sources: [{type: sqs, queue_url: "
                      "https://sqs.us-east-1.amazonaws.com/111122223333/q, sns_topics: one}]")
                .find("sns_topics must be a list"),
            std::string::npos);
  EXPECT_EQ(RegionFromQueueUrl("https://eu-central-1.queue.amazonaws.com/111122223333/q"),
            "eu-central-1");
  EXPECT_EQ(RegionFromQueueUrl("https://sqs.cn-north-1.amazonaws.com.cn/111122223333/q"),
            "cn-north-1");
}

TEST(SourcesConfigTest, ValidatesHttpSettings) {
  const std::string key = "api_key: \"${env:TRAILWATCH_API_KEY}\"";
  EXPECT_NE(LoadError("sources: [{type: http}]").find("missing key \"api_key\""),
            std::string::npos);
  // The same syntax as the server's (server::ParseListenAddress): "[[::1]]:80" was accepted here
  // once and refused only when the source started.
  for (const char* listen :
       {"8080", ":8080", "localhost:99999", "::1:80", "host:http", "[[::1]]:80"}) {
    std::string error =
        LoadError("sources: [{type: http, " + key + ", listen: \"" + listen + "\"}]");
    EXPECT_NE(error.find("sources[0].listen: listen"), std::string::npos) << listen << error;
  }
  EXPECT_NE(LoadError("sources: [{type: http, " + key + ", tls_cert_file: c.pem}]")
                .find("sources[0].tls_cert_file: tls_cert_file and tls_key_file go together"),
            std::string::npos);
  EXPECT_NE(
      LoadError("sources: [{type: http, " + key + ", tls_key_file: k.pem}]").find("go together"),
      std::string::npos);
  EXPECT_NE(LoadError("sources: [{type: http, " + key + ", api_key_header: \"x key\"}]")
                .find("not a valid header name"),
            std::string::npos);
  EXPECT_NE(LoadError("sources: [{type: http, " + key + ", sns_cert_url_pattern: \"(\"}]")
                .find("not a valid regular expression"),
            std::string::npos);
  EXPECT_NE(LoadError("sources: [{type: http, " + key + ", max_body_bytes: 10}]")
                .find("max_body_bytes must be between 1024"),
            std::string::npos);
  EXPECT_NE(LoadError("sources: [{type: http, " + key + ", sns_max_message_age: 1s}]")
                .find("sns_max_message_age must be between 60s"),
            std::string::npos);
  EXPECT_NE(LoadError("sources: [{type: http, " + key + ", bucket: b}]")
                .find("unknown key \"bucket\" for type http"),
            std::string::npos);
}

TEST(SourcesConfigTest, SecretsAreNeverQuoted) {
  std::string short_key = LoadError("sources: [{type: http, api_key: \"${env:SHORT_KEY}\"}]");
  EXPECT_NE(short_key.find("api_key must be at least 16 characters"), std::string::npos);
  EXPECT_EQ(short_key.find("XXXXSECRET"), std::string::npos) << short_key;
  std::string literal = LoadError("sources: [{type: http, api_key: XXXXSECRETshort}]");
  EXPECT_EQ(literal.find("XXXXSECRET"), std::string::npos) << literal;
  std::string missing = LoadError("sources: [{type: http, api_key: \"${env:NOT_SET}\"}]");
  EXPECT_NE(missing.find("NOT_SET"), std::string::npos) << missing;
}

TEST(SourcesConfigTest, RefusesTheSameSourceTwice) {
  EXPECT_EQ(LoadError("sources:\n  - {type: directory, path: ./ct}\n"
                      "  - {type: directory, path: ./ct}\n"),
            "trailwatch.yaml:3:5: sources[1]: the same source as sources[0] (line 2)");
}

// max_file_bytes / max_inflated_bytes / max_compression_ratio: per source, defaults where absent
// (cloudtrail/log_file_limits.h), range-checked.
TEST(SourcesConfigTest, LogFileLimitsPerSource) {
  auto config = Load(
      "sources:\n"
      "  - {type: directory, path: a, max_file_bytes: 2097152, max_inflated_bytes: 4194304,\n"
      "     max_compression_ratio: 0}\n"
      "  - {type: s3, bucket: b-1, max_compression_ratio: 50}\n"
      "  - {type: sqs, queue_url: \"https://sqs.us-east-1.amazonaws.com/111122223333/q\",\n"
      "     max_inflated_bytes: 1048576}\n");
  ASSERT_TRUE(config.ok()) << config.message();
  const auto& directory = std::get<DirectorySourceConfig>((*config)[0].settings).limits;
  EXPECT_EQ(directory.max_file_bytes, 2097152u);
  EXPECT_EQ(directory.max_inflated_bytes, 4194304u);
  EXPECT_EQ(directory.max_compression_ratio, 0u);
  const auto& s3 = std::get<S3SourceConfig>((*config)[1].settings).limits;
  EXPECT_EQ(s3.max_compression_ratio, 50u);
  EXPECT_EQ(s3.max_inflated_bytes, uint64_t{1} << 30);
  EXPECT_EQ(s3.max_file_bytes, uint64_t{1} << 30);
  const auto& sqs = std::get<SqsSourceConfig>((*config)[2].settings).limits;
  EXPECT_EQ(sqs.max_inflated_bytes, 1048576u);
  EXPECT_EQ(sqs.max_compression_ratio, 100u);
  EXPECT_NE(LoadError("sources: [{type: directory, path: a, max_inflated_bytes: 1000}]")
                .find("sources[0].max_inflated_bytes"),
            std::string::npos);
  EXPECT_NE(LoadError("sources: [{type: s3, bucket: b-1, max_compression_ratio: -1}]")
                .find("sources[0].max_compression_ratio"),
            std::string::npos);
}

TEST(SourcesConfigTest, DuplicateKeysAreErrors) {
  EXPECT_NE(LoadError("sources: [{type: directory, path: a, path: b}]").find("duplicate key"),
            std::string::npos);
}

}  // namespace
}  // namespace trailwatch::sources
