// The `sources` section of trailwatch's YAML configuration (issue 5):
//
//   sources:
//     - {type: directory, path: ./cloudtrail}
//     - {type: s3, bucket: org-trail, prefix: AWSLogs/, poll_interval: 60s,
//        role_arn: "arn:aws:iam::444455556666:role/trailwatch-reader"}
//     - {type: sqs, queue_url: https://sqs.us-east-1.amazonaws.com/111122223333/trail-objects}
//     - {type: http, listen: "127.0.0.1:8080", api_key: "${env:TRAILWATCH_API_KEY}",
//        sns_topics: ["arn:aws:sns:us-east-1:111122223333:chatbot-topic"]}
//
// Unknown keys are errors naming file, line, column and key. `${env:}` / `${file:}` references are
// substituted as in the targets section (config/targets_config.h); secrets are kept as
// config::Secret.
//
// Thread-safety: plain values.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "aws/credentials.h"
#include "cloudtrail/log_file_limits.h"
#include "common/result.h"
#include "config/targets_config.h"
#include "server/http_limits.h"

namespace trailwatch::sources {

// Common to the sources that talk to AWS: where, and as whom (docs/aws-credentials.md).
struct AwsEndpointConfig {
  std::string region;        // empty: from the queue URL / AWS_REGION / AWS_DEFAULT_REGION / us-east-1
  std::string endpoint_url;  // empty: AWS_ENDPOINT_URL, else the real AWS endpoint
  // The shared profile whose credentials the source uses (or assumes role_arn with); empty: the
  // process's chain (AWS_PROFILE, else default, after the environment and web identity).
  std::string profile;
  // A role assumed with those credentials (another account's bucket or queue); empty: none.
  std::string role_arn;
  std::string external_id;        // sent with role_arn when set
  std::string role_session_name;  // empty: trailwatch-<unix seconds>
};

// The credentials options of a source: its profile and role, STS in `region` (the source's).
aws::CredentialsOptions SourceCredentialsOptions(const AwsEndpointConfig& aws,
                                                 const std::string& region);

struct DirectorySourceConfig {
  std::string name;  // Source::name(), set by LoadSourcesConfig (SourceName); empty: derived
  std::string path;        // walked recursively; then watched with inotify
  bool recursive = true;
  // Files are read once complete: on IN_CLOSE_WRITE / IN_MOVED_TO, and at start-up for files
  // not yet recorded in the store's checkpoints.
  cloudtrail::LogFileLimits limits;  // max_file_bytes, max_inflated_bytes, max_compression_ratio
};

struct S3SourceConfig {
  std::string name;  // Source::name(), set by LoadSourcesConfig (SourceName); empty: derived
  std::string bucket;
  std::string prefix;                                // e.g. "AWSLogs/" or "team/AWSLogs/"
  std::chrono::seconds poll_interval{60};
  // The first poll of a new account/region prefix starts here (keys before this day are not
  // read); empty = today (UTC) at start-up, so a new deployment does not alert on old history.
  std::string start_date;                            // YYYY-MM-DD
  AwsEndpointConfig aws;
  cloudtrail::LogFileLimits limits;  // max_file_bytes, max_inflated_bytes, max_compression_ratio
};

struct SqsSourceConfig {
  std::string name;  // Source::name(), set by LoadSourcesConfig (SourceName); empty: derived
  std::string queue_url;
  std::chrono::seconds wait_time{20};            // long polling, 0-20
  std::chrono::seconds visibility_timeout{300};  // extended while a large object is processed
  int max_messages = 10;                         // 1-10 per ReceiveMessage
  std::vector<std::string> sns_topics;           // optional TopicArn pin for SNS-wrapped messages
  AwsEndpointConfig aws;                         // region defaults to the one in queue_url
  cloudtrail::LogFileLimits limits;  // max_file_bytes, max_inflated_bytes, max_compression_ratio
};

struct HttpSourceConfig {
  std::string name;  // Source::name(), set by LoadSourcesConfig (SourceName); empty: derived
  std::string listen = "127.0.0.1:8080";  // host:port; port 0 = ephemeral (tests)
  config::Secret api_key;                 // required for /events
  std::string api_key_header = "x-api-key";
  std::vector<std::string> sns_topics;    // TopicArn allow-list for /sns (empty: /sns refuses all)
  // Connections, header and body sizes, timeouts, requests in progress (docs/limits.md).
  server::HttpServerLimits limits;
  // HTTPS for the listener (`tls: {cert, key}`; SNS needs https endpoints); both or neither.
  std::string tls_cert_file;
  std::string tls_key_file;
  // SNS verification. Defaults follow docs/reference/formats.md §5.4; the overrides exist for tests
  // on loopback (a test CA and a cert host on 127.0.0.1).
  std::string sns_cert_url_pattern;       // regex over the whole SigningCertURL; empty = AWS rules
  std::string sns_ca_file;                // trusted CA bundle for the cert fetch and the chain; empty = system
  std::chrono::seconds sns_max_message_age{3600 + 300};  // Timestamp older than this: replay, 400
};

struct SourceConfig {
  enum class Type { kDirectory, kS3, kSqs, kHttp };
  Type type = Type::kDirectory;
  std::variant<DirectorySourceConfig, S3SourceConfig, SqsSourceConfig, HttpSourceConfig> settings;
  int line = 0;  // where it was defined, for errors
};

// Reads `sources` from the parsed YAML root (absent = no sources). Errors name
// `file:line:column: sources[N]: ...`. `environment` resolves ${env:NAME} (nullptr = getenv).
Result<std::vector<SourceConfig>> LoadSourcesConfig(const YAML::Node& root, const std::string& path,
                                                    config::EnvironmentLookup environment = nullptr);

// "directory", "s3", "sqs", "http".
const char* SourceTypeName(SourceConfig::Type type);

// The identity of a source: "directory:<path>", "s3://<bucket>/<prefix>", "sqs:<queue url>",
// "http:<listen>". Two sources with the same identity in one config are refused by
// LoadSourcesConfig. The name a source reports (Source::name(): logs, metrics labels, checkpoint
// keys) is the settings' `name`: the same text, except that a value that came from a ${...}
// reference is written as the reference (`directory:${env:LOG_DIR}`), never as its value.
std::string SourceName(const SourceConfig& config);

// The region in an SQS queue URL (https://sqs.<region>.amazonaws.com/... or
// https://<region>.queue.amazonaws.com/...); empty when the host names none (custom endpoints).
std::string RegionFromQueueUrl(const std::string& queue_url);

}  // namespace trailwatch::sources
