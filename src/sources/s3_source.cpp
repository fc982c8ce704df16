// S3Source (s3_source.h).
#include "sources/s3_source.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <set>
#include <thread>
#include <utility>

#include "aws/s3_client.h"
#include "cloudtrail/log_key.h"
#include "common/ascii_digits.h"
#include "scan/key_pruning.h"
#include "telemetry/metrics.h"
#include "sources/log_object_reader.h"
#include "store/checkpoint_store.h"
#include "store/store_backend.h"

namespace trailwatch::sources {

namespace {

constexpr std::string_view kLastPrefix = "last:";
constexpr std::string_view kDonePrefix = "done:";

std::string TodayUtc() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[16];
  std::strftime(text, sizeof text, "%Y-%m-%d", &utc);
  return text;
}

// The component of a common prefix after `parent` without its trailing '/'.
std::string ChildName(const std::string& common_prefix, const std::string& parent) {
  std::string child = common_prefix.substr(parent.size());
  if (!child.empty() && child.back() == '/') child.pop_back();
  return child;
}

}  // namespace

S3Source::S3Source(S3SourceConfig config, SourceContext context, S3SourceOptions options)
    : config_(std::move(config)),
      context_(std::move(context)),
      options_(std::move(options)),
      name_(!config_.name.empty() ? config_.name : "s3://" + config_.bucket + "/" + config_.prefix),
      reader_(std::make_unique<LogObjectReader>(config_.limits)) {
  std::string date = !config_.start_date.empty() ? config_.start_date
                     : !options_.today.empty()   ? options_.today
                                                 : TodayUtc();
  // "YYYY-MM-DD" -> "YYYY/MM/DD": every key of that day folder sorts after it.
  std::replace(date.begin(), date.end(), '-', '/');
  start_after_first_ = date;
}

S3Source::~S3Source() = default;

std::string S3Source::name() const { return name_; }

std::string S3Source::LookbackStartAfter(const std::string& region_prefix,
                                         const std::string& last_key) {
  auto key = cloudtrail::ParseLogKey(last_key);
  if (!key) return last_key;
  auto delivered = scan::DeliveryTimeFromFileName(key->file_name);
  if (!delivered) return last_key;
  // The file name up to its `_YYYYMMDDTHHmmZ_` stamp ("<account>_CloudTrail_<region>_").
  std::string_view name = key->file_name;
  size_t stamp = std::string_view::npos;
  for (size_t at = name.find('_'); at != std::string_view::npos; at = name.find('_', at + 1)) {
    std::string_view rest = name.substr(at + 1);
    if (rest.size() >= 15 && rest[8] == 'T' && rest[13] == 'Z' && rest[14] == '_') {
      stamp = at + 1;
      break;
    }
  }
  if (stamp == std::string_view::npos) return last_key;
  std::time_t earlier = std::chrono::system_clock::to_time_t(*delivered - kLookback);
  std::tm utc{};
  gmtime_r(&earlier, &utc);
  char folder[16];
  char minute[16];
  std::strftime(folder, sizeof folder, "%Y/%m/%d/", &utc);
  std::strftime(minute, sizeof minute, "%Y%m%dT%H%MZ", &utc);
  std::string start = region_prefix + folder + std::string(name.substr(0, stamp)) + minute;
  return std::min(start, last_key);
}

Status S3Source::Discover() {
  // `prefix` is the trail's key prefix, or already ends in AWSLogs/.
  std::string base = config_.prefix;
  if (!(base == "AWSLogs/" || base.ends_with("/AWSLogs/"))) base += "AWSLogs/";
  std::vector<std::string> accounts;  // .../<account>/
  std::vector<std::string> organizations;
  auto list_children = [&](const std::string& parent, std::vector<std::string>* out) {
    return s3_->List(config_.bucket, parent, "", "/", [&](const std::vector<aws::S3Object>& page) {
      for (const aws::S3Object& object : page) out->push_back(object.key);
      return true;
    });
  };
  std::vector<std::string> top;
  if (Status s = list_children(base, &top); !s.ok()) return s;
  for (const std::string& child : top) {
    std::string segment = ChildName(child, base);
    if (segment.size() == 12 && AllAsciiDigits(segment)) {
      accounts.push_back(child);
    } else if (segment.starts_with("o-")) {
      organizations.push_back(child);
    }
  }
  for (const std::string& organization : organizations) {
    std::vector<std::string> members;
    if (Status s = list_children(organization, &members); !s.ok()) return s;
    for (const std::string& member : members) {
      std::string segment = ChildName(member, organization);
      if (segment.size() == 12 && AllAsciiDigits(segment)) accounts.push_back(member);
    }
  }
  std::vector<std::string> prefixes;
  for (const std::string& account : accounts) {
    std::vector<std::string> regions;
    // Only CloudTrail/: CloudTrail-Digest/ and CloudTrail-Insight/ are never listed.
    if (Status s = list_children(account + "CloudTrail/", &regions); !s.ok()) return s;
    prefixes.insert(prefixes.end(), regions.begin(), regions.end());
  }
  std::sort(prefixes.begin(), prefixes.end());
  if (prefixes != prefixes_) {
    context_.log->info("{}: {} account/region prefixes", name_, prefixes.size());
  }
  prefixes_ = std::move(prefixes);
  return Status::Ok();
}

void S3Source::PollPrefix(const std::string& prefix,
                          std::map<std::string, std::string>& checkpoints, std::stop_token stop,
                          EventSink& sink) {
  telemetry::Metrics& metrics = *context_.metrics;
  auto count = [&](const char* result) {
    metrics.Add("trailwatch_source_objects_total", {{"source", name_}, {"result", result}});
  };
  std::string last_name = std::string(kLastPrefix) + prefix;
  auto last = checkpoints.find(last_name);
  std::string start_after = last == checkpoints.end() ? prefix + start_after_first_
                                                      : LookbackStartAfter(prefix, last->second);
  std::string last_key = last == checkpoints.end() ? std::string() : last->second;

  // Collect the keys first: objects are read after the listing, so a slow read cannot outlive a
  // continuation token.
  std::vector<aws::S3Object> objects;
  Status listed = s3_->List(config_.bucket, prefix, start_after, "",
                            [&](const std::vector<aws::S3Object>& page) {
                              objects.insert(objects.end(), page.begin(), page.end());
                              return !stop.stop_requested();
                            });
  if (!listed.ok()) {
    context_.log->warn("{}: {}", name_, listed.message());
    metrics.Add("trailwatch_source_errors_total", {{"source", name_}});
    return;
  }

  auto record = [&](const std::string& key, const char* value) -> bool {
    std::string done_name = std::string(kDonePrefix) + key;
    Status s = checkpoints_->Put(name_, done_name, value);
    if (s.ok() && key > last_key) {
      s = checkpoints_->Put(name_, last_name, key);
      if (s.ok()) last_key = key;
    }
    if (!s.ok()) {
      context_.log->error("{}: {}", name_, s.message());
      return false;
    }
    checkpoints[done_name] = value;
    checkpoints[last_name] = last_key;
    return true;
  };

  std::string body;
  for (const aws::S3Object& object : objects) {
    if (stop.stop_requested()) return;
    const std::string& key = object.key;
    if (checkpoints.count(std::string(kDonePrefix) + key) != 0) continue;
    std::string origin = "s3://" + config_.bucket + "/" + key;
    LogObjectClass kind = ClassifyLogObject(key);
    if (kind != LogObjectClass::kLogFile) {
      count("skipped");
      if (!record(key, "skipped")) return;
      continue;
    }
    // The listing gives the size: an object over max_file_bytes is not even downloaded.
    if (Status size = cloudtrail::CheckStoredSize(object.size, config_.limits); !size.ok()) {
      context_.log->warn("{}: not a readable CloudTrail file, recorded as failed: {}: {}", name_,
                         origin, size.message());
      count("failed");
      if (!record(key, "failed")) return;
      continue;
    }
    Status got = s3_->Get(config_.bucket, key, &body);
    if (!got.ok()) {
      int attempts = ++get_failures_[key];
      metrics.Add("trailwatch_source_errors_total", {{"source", name_}});
      if (attempts < kMaxGetAttempts) {
        context_.log->warn("{}: {} (attempt {} of {}; retried on the next poll)", name_,
                           got.message(), attempts, kMaxGetAttempts);
        return;  // keep order: later keys wait for this one
      }
      context_.log->error("{}: {}; giving up on {} after {} attempts", name_, got.message(), origin,
                          attempts);
      get_failures_.erase(key);
      count("failed");
      if (!record(key, "failed")) return;
      continue;
    }
    get_failures_.erase(key);
    LogObjectOutcome outcome = reader_->ReadInto(key, body, origin, sink, name_, context_);
    if (body.size() > LogObjectReader::kKeptBufferBytes) std::string().swap(body);
    reader_->ReturnFreedMemory();  // after a large object, its memory goes back to the system
    switch (outcome.state) {
      case LogObjectOutcome::State::kDone:
        count("read");
        if (!record(key, "ok")) return;
        break;
      case LogObjectOutcome::State::kUnreadable:
        context_.log->warn("{}: not a readable CloudTrail file, recorded as failed: {}", name_,
                           outcome.error);
        count("failed");
        if (!record(key, "failed")) return;
        break;
      case LogObjectOutcome::State::kSubmitFailed:
        context_.log->warn("{}: {}; retried on the next poll", name_, outcome.error);
        count("retry");
        return;
    }
  }

  // "done" rows before the next poll's StartAfter are never listed again: drop them.
  if (last_key.empty()) return;
  std::string next_start = LookbackStartAfter(prefix, last_key);
  std::string done_first = std::string(kDonePrefix) + prefix;
  std::string done_limit = std::string(kDonePrefix) + next_start;
  for (auto it = checkpoints.lower_bound(done_first);
       it != checkpoints.end() && it->first.starts_with(done_first) && it->first <= done_limit;) {
    if (Status s = checkpoints_->Delete(name_, it->first); !s.ok()) {
      context_.log->error("{}: {}", name_, s.message());
      return;
    }
    it = checkpoints.erase(it);
  }
}

Status S3Source::Run(std::stop_token stop, EventSink& sink) {
  auto store = context_.store->OpenCheckpoints();
  if (!store.ok()) return Error{name_ + ": " + store.message()};
  checkpoints_ = std::move(store.value());

  aws::Environment environment =
      options_.environment ? *options_.environment : aws::ProcessEnvironment();
  aws::S3ClientOptions s3_options;
  s3_options.region = config_.aws.region.empty()
                          ? aws::ResolveRegion(environment, config_.aws.profile)
                          : config_.aws.region;
  s3_options.endpoint = config_.aws.endpoint_url.empty() ? aws::ResolveS3Endpoint(environment)
                                                         : config_.aws.endpoint_url;
  // The source's own identity: its profile and role_arn, or the process's chain. The provider
  // refreshes temporary credentials itself; every request asks it.
  s3_ = std::make_unique<aws::S3Client>(
      s3_options, std::make_shared<aws::CredentialsProvider>(
                      environment, SourceCredentialsOptions(config_.aws, s3_options.region)));

  std::chrono::milliseconds interval =
      options_.poll_interval
          ? *options_.poll_interval
          : std::chrono::duration_cast<std::chrono::milliseconds>(config_.poll_interval);
  for (int poll = 0; !stop.stop_requested(); ++poll) {
    auto started = std::chrono::steady_clock::now();
    context_.metrics->Add("trailwatch_source_polls_total", {{"source", name_}});
    bool discovered = true;
    if (poll % kDiscoverEveryPolls == 0 || prefixes_.empty()) {
      if (Status s = Discover(); !s.ok()) {
        context_.log->warn("{}: discovering account/region prefixes: {}", name_, s.message());
        context_.metrics->Add("trailwatch_source_errors_total", {{"source", name_}});
        discovered = false;
      }
    }
    if (discovered || !prefixes_.empty()) {
      auto checkpoints = checkpoints_->List(name_);
      if (!checkpoints.ok()) {
        context_.log->error("{}: {}", name_, checkpoints.message());
      } else {
        for (const std::string& prefix : prefixes_) {
          if (stop.stop_requested()) break;
          PollPrefix(prefix, *checkpoints, stop, sink);
        }
      }
    }
    // Sleep until the next poll in short slices, so a stop request is honoured promptly.
    auto next = started + interval;
    while (!stop.stop_requested() && std::chrono::steady_clock::now() < next) {
      std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
          std::chrono::milliseconds(100), next - std::chrono::steady_clock::now()));
    }
  }
  return Status::Ok();
}

}  // namespace trailwatch::sources
