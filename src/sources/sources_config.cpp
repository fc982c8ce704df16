// Loader for the `sources` section (sources_config.h, docs/sources.md).
//
// Errors read `file:line:column: sources[N].key: ...` (or `sources[N]: ...` for the entry as a
// whole), using the same field readers as the targets section (config/config_fields.h). The
// api_key of an http source, and any value that came from a ${...} reference, is never quoted.
#include "sources/sources_config.h"

#include <algorithm>
#include <map>
#include <regex>
#include <set>
#include <utility>

#include "common/ascii_digits.h"
#include "config/api_key.h"
#include "config/config_fields.h"

namespace trailwatch::sources {

namespace {

using config::ConfigEntry;
using config::ConfigFieldReader;
using config::QuoteForMessage;
using std::chrono::hours;
using std::chrono::seconds;

bool IsLowerAlnumOr(char c, std::string_view extra) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         extra.find(c) != std::string_view::npos;
}

// S3 bucket naming rules: 3-63 of a-z 0-9 . -, starting and ending with a letter or digit.
bool ValidBucketName(const std::string& name) {
  if (name.size() < 3 || name.size() > 63) return false;
  if (!std::all_of(name.begin(), name.end(), [](char c) { return IsLowerAlnumOr(c, ".-"); })) {
    return false;
  }
  return IsLowerAlnumOr(name.front(), "") && IsLowerAlnumOr(name.back(), "");
}

// http(s)://host[:port][/path]: for endpoint_url (MinIO, moto_server, a VPC endpoint).
std::string CheckEndpointUrl(const std::string& url) {
  for (unsigned char c : url) {
    if (c <= 0x20 || c == 0x7f) return "the URL contains spaces or control characters";
  }
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return "must be an http:// or https:// URL";
  std::string scheme = url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") return "must be an http:// or https:// URL";
  std::string rest = url.substr(scheme_end + 3);
  std::string authority = rest.substr(0, rest.find('/'));
  if (authority.empty()) return "the URL has no host";
  if (authority.find('@') != std::string::npos) return "credentials in the URL are not supported";
  if (rest.find_first_of("?#") != std::string::npos) return "the URL must not have a query";
  return "";
}

// https://sqs.<region>.amazonaws.com/<account>/<name>, or any https (http on loopback) host with
// the /<12-digit account>/<queue name> path (moto_server, ElasticMQ, VPC endpoints).
std::string CheckQueueUrl(const std::string& url) {
  std::string reason = config::CheckTargetUrl(url);
  if (!reason.empty()) return reason;
  size_t authority = url.find("://") + 3;
  size_t path_start = url.find('/', authority);
  if (path_start == std::string::npos) {
    return "must end in /<account id>/<queue name>, like "
           "https://sqs.us-east-1.amazonaws.com/111122223333/trail-objects";
  }
  std::string path = url.substr(path_start + 1);
  if (path.find_first_of("?#") != std::string::npos) return "must not have a query";
  size_t slash = path.find('/');
  std::string account = path.substr(0, slash);
  std::string name = slash == std::string::npos ? "" : path.substr(slash + 1);
  if (account.size() != 12 || !AllAsciiDigits(account) || name.empty() ||
      name.find('/') != std::string::npos) {
    return "must end in /<account id>/<queue name>, like "
           "https://sqs.us-east-1.amazonaws.com/111122223333/trail-objects";
  }
  std::string base = name.ends_with(".fifo") ? name.substr(0, name.size() - 5) : name;
  bool name_ok =
      !base.empty() && name.size() <= 80 && std::all_of(base.begin(), base.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_';
      });
  if (!name_ok) return "the queue name must be 1-80 letters, digits, - or _ (plus .fifo)";
  return "";
}

// arn:<partition>:sns:<region>:<12 digits>:<topic>
bool ValidTopicArn(const std::string& arn) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (int i = 0; i < 5; ++i) {
    size_t colon = arn.find(':', start);
    if (colon == std::string::npos) return false;
    parts.push_back(arn.substr(start, colon - start));
    start = colon + 1;
  }
  std::string topic = arn.substr(start);
  return parts[0] == "arn" && parts[1].starts_with("aws") && parts[2] == "sns" &&
         !parts[3].empty() && parts[4].size() == 12 && AllAsciiDigits(parts[4]) && !topic.empty() &&
         topic.size() <= 256 && topic.find(':') == std::string::npos;
}

bool ValidRegion(const std::string& region) {
  return !region.empty() && region.size() <= 32 &&
         std::all_of(region.begin(), region.end(), [](char c) { return IsLowerAlnumOr(c, "-"); });
}

// arn:<partition>:iam::<12 digits>:role/<path/>name (IAM's pattern for role ARNs).
bool ValidRoleArn(const std::string& arn) {
  static const std::regex kRoleArn(
      R"(arn:aws[a-z-]*:iam::[0-9]{12}:role/([\x21-\x7e]+/)?[A-Za-z0-9+=,.@_-]{1,64})");
  return arn.size() <= 2048 && std::regex_match(arn, kRoleArn);
}

// STS: ExternalId 2-1224 of [\w+=,.@:/-]; RoleSessionName 2-64 of [\w+=,.@-].
bool ValidStsText(const std::string& text, size_t max, std::string_view extra) {
  return text.size() >= 2 && text.size() <= max &&
         std::all_of(text.begin(), text.end(), [&](char c) {
           return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '_' || extra.find(c) != std::string_view::npos;
         });
}

// A name of a [profile NAME] section: printable, no brackets or spaces.
bool ValidProfileName(const std::string& name) {
  return !name.empty() && name.size() <= 128 &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return c > 0x20 && c < 0x7f && c != '[' && c != ']' && c != '#' && c != ';';
         });
}

bool ValidDate(const std::string& date) {
  if (date.size() != 10 || date[4] != '-' || date[7] != '-') return false;
  if (!AllAsciiDigits(date.substr(0, 4)) || !AllAsciiDigits(date.substr(5, 2)) ||
      !AllAsciiDigits(date.substr(8, 2))) {
    return false;
  }
  std::chrono::year_month_day day{std::chrono::year(std::stoi(date.substr(0, 4))),
                                  std::chrono::month(std::stoi(date.substr(5, 2))),
                                  std::chrono::day(std::stoi(date.substr(8, 2)))};
  return day.ok();
}

// Sets the settings' `name`: SourceName with each value that came from a ${...} reference shown
// as the reference written in the file (`directory:${env:LOG_DIR}`), never as its value.
void SetShownName(const YAML::Node& node, SourceConfig* source) {
  SourceConfig shown = *source;
  auto written = [&](const char* key, std::string* value) {
    ConfigEntry entry{key, node[key], node[key]};
    *value = ConfigFieldReader::WrittenIfReference(entry, *value);
  };
  if (auto* directory = std::get_if<DirectorySourceConfig>(&shown.settings)) {
    written("path", &directory->path);
  } else if (auto* s3 = std::get_if<S3SourceConfig>(&shown.settings)) {
    written("bucket", &s3->bucket);
    written("prefix", &s3->prefix);
  } else if (auto* sqs = std::get_if<SqsSourceConfig>(&shown.settings)) {
    written("queue_url", &sqs->queue_url);
  } else if (auto* http = std::get_if<HttpSourceConfig>(&shown.settings)) {
    written("listen", &http->listen);
  }
  std::string name = SourceName(shown);
  std::visit([&](auto& settings) { settings.name = name; }, source->settings);
}

class SourcesLoader : private ConfigFieldReader {
 public:
  SourcesLoader(const std::string& path, config::EnvironmentLookup environment)
      : ConfigFieldReader(path, environment) {}

  Result<std::vector<SourceConfig>> Load(const YAML::Node& root) const;

 private:
  using EntryList = std::vector<ConfigEntry>;

  Status LoadSource(const YAML::Node& node, size_t index, SourceConfig* source) const;
  Status LoadDirectory(const EntryList& entries, const std::string& where,
                       DirectorySourceConfig* out) const;
  Status LoadS3(const EntryList& entries, const std::string& where, S3SourceConfig* out) const;
  Status LoadSqs(const EntryList& entries, const std::string& where, SqsSourceConfig* out) const;
  Status LoadHttp(const EntryList& entries, const std::string& where, HttpSourceConfig* out) const;
  // region / endpoint_url / profile / role_arn / external_id / role_session_name; false when the
  // key is not one of them.
  Result<bool> LoadAws(const ConfigEntry& entry, const std::string& where,
                       AwsEndpointConfig* out) const;
  // max_file_bytes / max_inflated_bytes / max_compression_ratio (directory, s3, sqs); false when
  // the key is not one of them.
  Result<bool> LoadLogFileLimits(const ConfigEntry& entry, const std::string& where,
                                 cloudtrail::LogFileLimits* out) const;
  // A plain (non-secret) value with ${...} substituted; never quoted if it came from a reference.
  Result<std::string> Value(const ConfigEntry& entry, const std::string& where) const {
    bool secret = false;
    return Resolved(entry, where, &secret);
  }
  Result<std::vector<std::string>> TopicArns(const ConfigEntry& entry,
                                             const std::string& where) const;
  static std::string Key(const std::string& where, const ConfigEntry& entry) {
    return where + "." + entry.key;
  }
};

Result<bool> SourcesLoader::LoadAws(const ConfigEntry& entry, const std::string& where,
                                    AwsEndpointConfig* out) const {
  if (entry.key == "region") {
    auto region = Value(entry, Key(where, entry));
    if (!region.ok()) return region.error();
    if (!ValidRegion(*region)) {
      return Fail(entry.value, Key(where, entry),
                  "region must look like us-east-1, not " + ShownValue(entry, *region));
    }
    out->region = *region;
    return true;
  }
  if (entry.key == "endpoint_url") {
    auto url = Value(entry, Key(where, entry));
    if (!url.ok()) return url.error();
    std::string reason = CheckEndpointUrl(*url);
    if (!reason.empty()) return Fail(entry.value, Key(where, entry), reason);
    out->endpoint_url = *url;
    return true;
  }
  if (entry.key == "profile") {
    auto profile = Value(entry, Key(where, entry));
    if (!profile.ok()) return profile.error();
    if (!ValidProfileName(*profile)) {
      return Fail(entry.value, Key(where, entry),
                  "profile must be the name of a profile in ~/.aws/config (no spaces or "
                  "brackets), not " + ShownValue(entry, *profile));
    }
    out->profile = *profile;
    return true;
  }
  if (entry.key == "role_arn") {
    auto arn = Value(entry, Key(where, entry));
    if (!arn.ok()) return arn.error();
    if (!ValidRoleArn(*arn)) {
      return Fail(entry.value, Key(where, entry),
                  "role_arn must be an IAM role ARN like "
                  "arn:aws:iam::444455556666:role/trailwatch-reader, not " +
                      ShownValue(entry, *arn));
    }
    out->role_arn = *arn;
    return true;
  }
  if (entry.key == "external_id") {
    // Not a secret (AWS: a unique identifier, not a password), but it may come from ${env:}.
    auto id = Value(entry, Key(where, entry));
    if (!id.ok()) return id.error();
    if (!ValidStsText(*id, 1224, "+=,.@:/-")) {
      return Fail(entry.value, Key(where, entry),
                  "external_id must be 2-1224 of letters, digits and +=,.@:/-_");
    }
    out->external_id = *id;
    return true;
  }
  if (entry.key == "role_session_name") {
    auto name = Value(entry, Key(where, entry));
    if (!name.ok()) return name.error();
    if (!ValidStsText(*name, 64, "+=,.@-")) {
      return Fail(entry.value, Key(where, entry),
                  "role_session_name must be 2-64 of letters, digits and +=,.@-_, not " +
                      ShownValue(entry, *name));
    }
    out->role_session_name = *name;
    return true;
  }
  return false;
}

Result<bool> SourcesLoader::LoadLogFileLimits(const ConfigEntry& entry, const std::string& where,
                                              cloudtrail::LogFileLimits* out) const {
  // Bytes from 1 MiB (smaller would refuse ordinary log files) to 64 GiB; ratio 0 = no limit.
  if (entry.key == "max_file_bytes" || entry.key == "max_inflated_bytes") {
    auto bytes = Integer(entry, Key(where, entry), 1L << 20, 64L << 30);
    if (!bytes.ok()) return bytes.error();
    (entry.key == "max_file_bytes" ? out->max_file_bytes : out->max_inflated_bytes) =
        static_cast<uint64_t>(*bytes);
    return true;
  }
  if (entry.key == "max_compression_ratio") {
    auto ratio = Integer(entry, Key(where, entry), 0, 100000);
    if (!ratio.ok()) return ratio.error();
    out->max_compression_ratio = static_cast<uint32_t>(*ratio);
    return true;
  }
  return false;
}

Result<std::vector<std::string>> SourcesLoader::TopicArns(const ConfigEntry& entry,
                                                          const std::string& where) const {
  auto list = TextList(entry, Key(where, entry));
  if (!list.ok()) return list;
  size_t index = 0;
  for (const std::string& arn : *list) {
    if (!ValidTopicArn(arn)) {
      return Fail(
          entry.value[index], Key(where, entry),
          "not an SNS topic ARN (arn:aws:sns:<region>:<account>:<topic>): " + QuoteForMessage(arn));
    }
    ++index;
  }
  return list;
}

Status SourcesLoader::LoadDirectory(const EntryList& entries, const std::string& where,
                                    DirectorySourceConfig* out) const {
  for (const ConfigEntry& entry : entries) {
    auto limits = LoadLogFileLimits(entry, where, &out->limits);
    if (!limits.ok()) return limits.error();
    if (*limits) continue;
    if (entry.key == "path") {
      auto path = FilePath(entry, Key(where, entry));  // beside the config file when relative
      if (!path.ok()) return path.error();
      if (path->empty()) return Fail(entry.value, Key(where, entry), "path is empty");
      out->path = *path;
    } else if (entry.key == "recursive") {
      auto value = Boolean(entry, Key(where, entry));
      if (!value.ok()) return value.error();
      out->recursive = *value;
    }
  }
  return Status::Ok();
}

Status SourcesLoader::LoadS3(const EntryList& entries, const std::string& where,
                             S3SourceConfig* out) const {
  for (const ConfigEntry& entry : entries) {
    std::string here = Key(where, entry);
    auto aws = LoadAws(entry, where, &out->aws);
    if (!aws.ok()) return aws.error();
    if (*aws) continue;
    auto limits = LoadLogFileLimits(entry, where, &out->limits);
    if (!limits.ok()) return limits.error();
    if (*limits) continue;
    if (entry.key == "bucket") {
      auto bucket = Value(entry, here);
      if (!bucket.ok()) return bucket.error();
      if (bucket->starts_with("s3://")) {
        return Fail(entry.value, here, "give the bucket name alone, without s3:// (prefix: ...)");
      }
      if (!ValidBucketName(*bucket)) {
        return Fail(
            entry.value, here,
            "not a valid S3 bucket name (3-63 of a-z, 0-9, '.', '-'): " +
                ShownValue(entry, *bucket));
      }
      out->bucket = *bucket;
    } else if (entry.key == "prefix") {
      if (entry.value.IsNull()) continue;
      auto prefix = Value(entry, here);
      if (!prefix.ok()) return prefix.error();
      if (prefix->starts_with("/")) {
        return Fail(entry.value, here, "S3 key prefixes do not start with '/'");
      }
      if (!prefix->empty() && !prefix->ends_with("/")) {
        return Fail(entry.value, here,
                    "must end with '/' (a folder such as AWSLogs/ or team/AWSLogs/), not " +
                        ShownValue(entry, *prefix));
      }
      out->prefix = *prefix;
    } else if (entry.key == "poll_interval") {
      auto interval = Duration(entry, here, seconds(1), hours(24));
      if (!interval.ok()) return interval.error();
      out->poll_interval = *interval;
    } else if (entry.key == "start_date") {
      auto date = Value(entry, here);
      if (!date.ok()) return date.error();
      if (!ValidDate(*date)) {
        return Fail(entry.value, here,
                    "start_date must be a date like 2024-05-01, not " + ShownValue(entry, *date));
      }
      out->start_date = *date;
    }
  }
  return Status::Ok();
}

Status SourcesLoader::LoadSqs(const EntryList& entries, const std::string& where,
                              SqsSourceConfig* out) const {
  for (const ConfigEntry& entry : entries) {
    std::string here = Key(where, entry);
    auto aws = LoadAws(entry, where, &out->aws);
    if (!aws.ok()) return aws.error();
    if (*aws) continue;
    auto limits = LoadLogFileLimits(entry, where, &out->limits);
    if (!limits.ok()) return limits.error();
    if (*limits) continue;
    if (entry.key == "queue_url") {
      auto url = Value(entry, here);
      if (!url.ok()) return url.error();
      std::string reason = CheckQueueUrl(*url);
      if (!reason.empty()) return Fail(entry.value, here, "queue_url " + reason);
      out->queue_url = *url;
    } else if (entry.key == "wait_time") {
      // ReceiveMessage WaitTimeSeconds: 0-20.
      auto wait = Duration(entry, here, seconds(0), seconds(20));
      if (!wait.ok()) return wait.error();
      out->wait_time = *wait;
    } else if (entry.key == "visibility_timeout") {
      // SQS allows 0 s - 12 h; under 10 s a message reappears while its object is still read.
      auto visibility = Duration(entry, here, seconds(10), hours(12));
      if (!visibility.ok()) return visibility.error();
      out->visibility_timeout = *visibility;
    } else if (entry.key == "max_messages") {
      auto count = Integer(entry, here, 1, 10);
      if (!count.ok()) return count.error();
      out->max_messages = static_cast<int>(*count);
    } else if (entry.key == "sns_topics") {
      auto topics = TopicArns(entry, where);
      if (!topics.ok()) return topics.error();
      out->sns_topics = std::move(*topics);
    }
  }
  if (out->aws.region.empty()) out->aws.region = RegionFromQueueUrl(out->queue_url);
  return Status::Ok();
}

Status SourcesLoader::LoadHttp(const EntryList& entries, const std::string& where,
                               HttpSourceConfig* out) const {
  const ConfigEntry* cert = nullptr;
  const ConfigEntry* key = nullptr;
  for (const ConfigEntry& entry : entries) {
    std::string here = Key(where, entry);
    if (entry.key == "listen") {
      auto listen = ListenAddress(entry, here);
      if (!listen.ok()) return listen.error();
      out->listen = *listen;
    } else if (entry.key == "api_key") {
      auto secret = SecretValue(entry, here);
      if (!secret.ok()) return secret.error();
      if (secret->reveal().size() < config::kMinApiKeyLength) {
        return Fail(entry.value, here,
                    "api_key must be at least " + std::to_string(config::kMinApiKeyLength) +
                        " characters");
      }
      out->api_key = std::move(*secret);
    } else if (entry.key == "api_key_header") {
      auto header = Value(entry, here);
      if (!header.ok()) return header.error();
      bool token = !header->empty() && std::all_of(header->begin(), header->end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
      });
      if (!token) {
        return Fail(entry.value, here, "not a valid header name: " + ShownValue(entry, *header));
      }
      out->api_key_header = *header;
    } else if (entry.key == "sns_topics") {
      auto topics = TopicArns(entry, where);
      if (!topics.ok()) return topics.error();
      out->sns_topics = std::move(*topics);
    } else if (entry.key == "max_body_bytes") {
      auto bytes = Integer(entry, here, 1024, 16L << 20);
      if (!bytes.ok()) return bytes.error();
      out->limits.max_body_bytes = static_cast<size_t>(*bytes);
    } else if (entry.key == "max_pending_requests") {
      auto count = Integer(entry, here, 1, 4096);
      if (!count.ok()) return count.error();
      out->limits.max_pending_requests = static_cast<size_t>(*count);
    } else if (entry.key == "max_connections") {
      auto count = Integer(entry, here, 16, 1000000);
      if (!count.ok()) return count.error();
      out->limits.max_connections = static_cast<size_t>(*count);
    } else if (entry.key == "max_connections_per_client") {
      auto count = Integer(entry, here, 1, 1000000);
      if (!count.ok()) return count.error();
      out->limits.max_connections_per_client = static_cast<size_t>(*count);
    } else if (entry.key == "max_header_bytes") {
      auto bytes = Integer(entry, here, 1024, 1L << 20);
      if (!bytes.ok()) return bytes.error();
      out->limits.max_header_bytes = static_cast<size_t>(*bytes);
    } else if (entry.key == "header_timeout" || entry.key == "body_timeout" ||
               entry.key == "idle_timeout" || entry.key == "write_timeout") {
      auto timeout = Duration(entry, here, seconds(1), hours(1));
      if (!timeout.ok()) return timeout.error();
      std::chrono::milliseconds* field = entry.key == "header_timeout" ? &out->limits.header_timeout
                                         : entry.key == "body_timeout" ? &out->limits.body_timeout
                                         : entry.key == "idle_timeout" ? &out->limits.idle_timeout
                                                                       : &out->limits.write_timeout;
      *field = *timeout;
    } else if (entry.key == "tls") {
      // tls: {cert: FILE, key: FILE}
      if (!entry.value.IsMap()) {
        return Fail(entry.value, here, "tls must be a mapping like {cert: FILE, key: FILE}");
      }
      EntryList tls_entries;
      if (Status s = Entries(entry.value, here, &tls_entries); !s.ok()) return s;
      for (const ConfigEntry& tls_entry : tls_entries) {
        std::string tls_here = Key(here, tls_entry);
        if (tls_entry.key != "cert" && tls_entry.key != "key") {
          return Fail(tls_entry.key_node, tls_here,
                      "unknown key " + QuoteForMessage(tls_entry.key) + " (cert, key)");
        }
        auto file = FilePath(tls_entry, tls_here);
        if (!file.ok()) return file.error();
        if (file->empty()) return Fail(tls_entry.value, tls_here, tls_entry.key + " is empty");
        if (tls_entry.key == "cert") {
          out->tls_cert_file = *file;
          cert = &entry;
        } else {
          out->tls_key_file = *file;
          key = &entry;
        }
      }
      if (cert == nullptr || key == nullptr) {
        return Fail(entry.value, here, "tls needs both cert and key");
      }
    } else if (entry.key == "tls_cert_file" || entry.key == "tls_key_file" ||
               entry.key == "sns_ca_file") {
      auto file = FilePath(entry, here);
      if (!file.ok()) return file.error();
      if (file->empty()) return Fail(entry.value, here, entry.key + " is empty");
      if (entry.key == "tls_cert_file") {
        out->tls_cert_file = *file;
        cert = &entry;
      } else if (entry.key == "tls_key_file") {
        out->tls_key_file = *file;
        key = &entry;
      } else {
        out->sns_ca_file = *file;
      }
    } else if (entry.key == "sns_cert_url_pattern") {
      auto pattern = Value(entry, here);
      if (!pattern.ok()) return pattern.error();
      try {
        std::regex compiled(*pattern, std::regex::ECMAScript);
      } catch (const std::regex_error& e) {
        return Fail(entry.value, here, std::string("not a valid regular expression: ") + e.what());
      }
      out->sns_cert_url_pattern = *pattern;
    } else if (entry.key == "sns_max_message_age") {
      auto age = Duration(entry, here, seconds(60), hours(24 * 7));
      if (!age.ok()) return age.error();
      out->sns_max_message_age = *age;
    }
  }
  if ((cert == nullptr) != (key == nullptr)) {
    const ConfigEntry* given = cert ? cert : key;
    return Fail(given->key_node, Key(where, *given),
                "tls_cert_file and tls_key_file go together: give both or neither (or use tls: {cert, key})");
  }
  return Status::Ok();
}

Status SourcesLoader::LoadSource(const YAML::Node& node, size_t index, SourceConfig* source) const {
  std::string where = "sources[" + std::to_string(index) + "]";
  source->line = node.Mark().line + 1;
  if (!node.IsMap()) {
    return Fail(node, where, "a source must be a mapping with a type, like {type: directory, ...}");
  }
  EntryList entries;
  if (Status s = Entries(node, where, &entries); !s.ok()) return s;
  auto find = [&](const std::string& key) -> const ConfigEntry* {
    for (const ConfigEntry& entry : entries) {
      if (entry.key == key) return &entry;
    }
    return nullptr;
  };
  const ConfigEntry* type = find("type");
  if (type == nullptr) {
    return Fail(node, where, "missing key \"type\" (directory, s3, sqs, http)");
  }
  auto type_text = Text(*type, where + ".type");
  if (!type_text.ok()) return type_text.error();

  std::vector<std::string> allowed;
  std::vector<std::string> required;
  if (*type_text == "directory") {
    source->type = SourceConfig::Type::kDirectory;
    allowed = {"type", "path", "recursive", "max_file_bytes", "max_inflated_bytes",
               "max_compression_ratio"};
    required = {"path"};
  } else if (*type_text == "s3") {
    source->type = SourceConfig::Type::kS3;
    allowed = {"type",           "bucket",          "prefix",
               "poll_interval",  "start_date",      "region",
               "endpoint_url",   "profile",         "role_arn",
               "external_id",    "role_session_name", "max_file_bytes",
               "max_inflated_bytes", "max_compression_ratio"};
    required = {"bucket"};
  } else if (*type_text == "sqs") {
    source->type = SourceConfig::Type::kSqs;
    allowed = {"type",         "queue_url",  "wait_time", "visibility_timeout",
               "max_messages", "sns_topics", "region",    "endpoint_url",
               "profile", "role_arn", "external_id", "role_session_name",
               "max_file_bytes", "max_inflated_bytes", "max_compression_ratio"};
    required = {"queue_url"};
  } else if (*type_text == "http") {
    source->type = SourceConfig::Type::kHttp;
    allowed = {"type",
               "listen",
               "api_key",
               "api_key_header",
               "sns_topics",
               "max_body_bytes",
               "max_pending_requests",
               "max_connections",
               "max_connections_per_client",
               "max_header_bytes",
               "header_timeout",
               "body_timeout",
               "idle_timeout",
               "write_timeout",
               "tls",
               "tls_cert_file",
               "tls_key_file",
               "sns_cert_url_pattern",
               "sns_ca_file",
               "sns_max_message_age"};
    required = {"api_key"};
  } else {
    return Fail(type->value, where + ".type",
                "unknown type " + QuoteForMessage(*type_text) + " (directory, s3, sqs, http)");
  }
  for (const ConfigEntry& entry : entries) {
    if (std::find(allowed.begin(), allowed.end(), entry.key) == allowed.end()) {
      return Fail(entry.key_node, where + "." + entry.key,
                  "unknown key " + QuoteForMessage(entry.key) + " for type " + *type_text +
                      " (valid: " + config::JoinNames(allowed) + ")");
    }
  }
  for (const std::string& key : required) {
    if (find(key) == nullptr) {
      return Fail(node, where,
                  "missing key \"" + key + "\" (required for type " + *type_text + ")");
    }
  }
  for (const char* key : {"external_id", "role_session_name"}) {
    const ConfigEntry* entry = find(key);
    if (entry != nullptr && find("role_arn") == nullptr) {
      return Fail(entry->key_node, where + "." + key,
                  std::string(key) + " is sent when assuming role_arn, which is not set");
    }
  }

  switch (source->type) {
    case SourceConfig::Type::kDirectory: {
      DirectorySourceConfig settings;
      if (Status s = LoadDirectory(entries, where, &settings); !s.ok()) return s;
      source->settings = std::move(settings);
      break;
    }
    case SourceConfig::Type::kS3: {
      S3SourceConfig settings;
      if (Status s = LoadS3(entries, where, &settings); !s.ok()) return s;
      source->settings = std::move(settings);
      break;
    }
    case SourceConfig::Type::kSqs: {
      SqsSourceConfig settings;
      if (Status s = LoadSqs(entries, where, &settings); !s.ok()) return s;
      source->settings = std::move(settings);
      break;
    }
    case SourceConfig::Type::kHttp: {
      HttpSourceConfig settings;
      if (Status s = LoadHttp(entries, where, &settings); !s.ok()) return s;
      source->settings = std::move(settings);
      break;
    }
  }
  return Status::Ok();
}

Result<std::vector<SourceConfig>> SourcesLoader::Load(const YAML::Node& root) const {
  std::vector<SourceConfig> out;
  if (!root.IsDefined() || root.IsNull() || !root.IsMap()) return out;  // targets reports it
  YAML::Node sources = root["sources"];
  if (!sources.IsDefined() || sources.IsNull()) return out;
  if (!sources.IsSequence()) {
    return Error{At(sources) +
                 ": sources: must be a list of sources, like "
                 "[{type: directory, path: ./cloudtrail}]"};
  }
  std::map<std::string, size_t> names;  // SourceName -> index of its first definition
  size_t index = 0;
  for (const YAML::Node& node : sources) {
    SourceConfig source;
    if (Status s = LoadSource(node, index, &source); !s.ok()) return Error{s.message()};
    auto [it, inserted] = names.emplace(SourceName(source), index);
    if (!inserted) {
      // Checkpoints are keyed by the name: two equal sources would share and race on them.
      return Error{At(node) + ": sources[" + std::to_string(index) +
                   "]: the same source as sources[" + std::to_string(it->second) + "] (line " +
                   std::to_string(out[it->second].line) + ")"};
    }
    SetShownName(node, &source);
    out.push_back(std::move(source));
    ++index;
  }
  return out;
}

}  // namespace

Result<std::vector<SourceConfig>> LoadSourcesConfig(const YAML::Node& root, const std::string& path,
                                                    config::EnvironmentLookup environment) {
  try {
    SourcesLoader loader(path, environment);
    return loader.Load(root);
  } catch (const YAML::Exception& e) {
    return Error{path + ":" + std::to_string(e.mark.line + 1) + ":" +
                 std::to_string(e.mark.column + 1) + ": " + e.msg};
  }
}

aws::CredentialsOptions SourceCredentialsOptions(const AwsEndpointConfig& aws,
                                                 const std::string& region) {
  aws::CredentialsOptions options;
  options.profile = aws.profile;
  options.region = region;
  options.role_arn = aws.role_arn;
  options.external_id = aws.external_id;
  options.role_session_name = aws.role_session_name;
  return options;
}

const char* SourceTypeName(SourceConfig::Type type) {
  switch (type) {
    case SourceConfig::Type::kDirectory:
      return "directory";
    case SourceConfig::Type::kS3:
      return "s3";
    case SourceConfig::Type::kSqs:
      return "sqs";
    case SourceConfig::Type::kHttp:
      return "http";
  }
  return "unknown";
}

std::string SourceName(const SourceConfig& config) {
  if (const auto* directory = std::get_if<DirectorySourceConfig>(&config.settings)) {
    return "directory:" + directory->path;
  }
  if (const auto* s3 = std::get_if<S3SourceConfig>(&config.settings)) {
    return "s3://" + s3->bucket + "/" + s3->prefix;
  }
  if (const auto* sqs = std::get_if<SqsSourceConfig>(&config.settings)) {
    return "sqs:" + sqs->queue_url;
  }
  if (const auto* http = std::get_if<HttpSourceConfig>(&config.settings)) {
    return "http:" + http->listen;
  }
  return "unknown";
}

std::string RegionFromQueueUrl(const std::string& queue_url) {
  size_t scheme = queue_url.find("://");
  if (scheme == std::string::npos) return "";
  std::string rest = queue_url.substr(scheme + 3);
  std::string host = rest.substr(0, rest.find_first_of("/:"));
  std::vector<std::string> labels;
  size_t start = 0;
  for (;;) {
    size_t dot = host.find('.', start);
    labels.push_back(
        host.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  // sqs.<region>.amazonaws.com[.cn] and <region>.queue.amazonaws.com (legacy).
  if (labels.size() >= 4 && labels[0] == "sqs" && labels[2] == "amazonaws" &&
      ValidRegion(labels[1])) {
    return labels[1];
  }
  if (labels.size() >= 4 && labels[1] == "queue" && labels[2] == "amazonaws" &&
      ValidRegion(labels[0])) {
    return labels[0];
  }
  return "";
}

}  // namespace trailwatch::sources
