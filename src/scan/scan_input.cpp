#include "scan/scan_input.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "cloudtrail/log_key.h"
#include "common/ascii_digits.h"
#include "scan/local_tree_walk.h"

namespace trailwatch::scan {

namespace {

namespace fs = std::filesystem;

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

bool HasJsonExtension(std::string_view name) {
  for (std::string_view ext :
       {".json", ".json.gz", ".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz"}) {
    if (EndsWith(name, ext)) return true;
  }
  return false;
}

}  // namespace

void CountSkipped(InputClass kind, SkipCounts& skipped) {
  switch (kind) {
    case InputClass::kRead:
      break;
    case InputClass::kDigest:
      ++skipped.digest;
      break;
    case InputClass::kInsight:
      ++skipped.insight;
      break;
    case InputClass::kOther:
      ++skipped.other;
      break;
    case InputClass::kPrunedTime:
      ++skipped.pruned_time;
      break;
    case InputClass::kPrunedAccount:
      ++skipped.pruned_account;
      break;
    case InputClass::kPrunedRegion:
      ++skipped.pruned_region;
      break;
  }
}

namespace {

void AddLocalFile(const fs::path& path, bool named, const ScanFilter& filter, Discovery& out) {
  std::string text = path.string();
  ScanInput input;
  InputClass kind = ClassifyInput(text, filter, named, &input.key_account);
  if (kind != InputClass::kRead) {
    CountSkipped(kind, out.skipped);
    return;
  }
  std::error_code error;
  uintmax_t size = fs::file_size(path, error);
  input.size = error ? 0 : static_cast<uint64_t>(size);
  input.origin = text;
  input.path = std::move(text);
  out.inputs.push_back(std::move(input));
}

void DiscoverLocal(const std::string& location, const ScanFilter& filter, int threads,
                   Discovery& out) {
  std::error_code error;
  fs::file_status status = fs::status(location, error);
  if (error || !fs::exists(status)) {
    out.errors.push_back(location + ": no such file or directory");
    return;
  }
  if (!fs::is_directory(status)) {
    AddLocalFile(location, true, filter, out);
    return;
  }
  DiscoverLocalTree(location, filter, threads, out);
}

// Layout-driven discovery of one s3://bucket/prefix (see the header).
class S3Walk {
 public:
  S3Walk(aws::S3Client& s3, std::string bucket, const ScanFilter& filter, Discovery& out)
      : s3_(s3), bucket_(std::move(bucket)), filter_(filter), out_(out) {}

  Status Run(const std::string& prefix) {
    bool found_layout = false;
    if (!prefix.empty() && prefix.back() != '/') {
      // A partial name: the folders that extend it, else the keys that start with it.
      std::vector<std::string> folders;
      if (Status s = ListFolders(prefix, &folders); !s.ok()) return s;
      if (folders.empty()) return ListFiles(prefix);
      for (const std::string& folder : folders) {
        if (Status s = Walk(folder, 0, &found_layout); !s.ok()) return s;
      }
    } else {
      if (Status s = Walk(prefix, 0, &found_layout); !s.ok()) return s;
    }
    // No CloudTrail layout anywhere below: not a trail bucket, read what is there.
    if (!found_layout) return ListFiles(prefix);
    return Status::Ok();
  }

 private:
  // Nested folders below the user's prefix searched for an AWSLogs/ folder (trail key prefixes
  // "may themselves contain /", docs/reference/formats.md §1.1).
  static constexpr int kMaxPrefixDepth = 4;

  static std::string_view LastSegment(std::string_view folder) {
    folder.remove_suffix(1);  // the trailing '/'
    size_t slash = folder.rfind('/');
    return slash == std::string_view::npos ? folder : folder.substr(slash + 1);
  }

  // Segments of `folder` after its last "AWSLogs/" segment; false when it has none.
  static bool LayoutSegments(std::string_view folder, std::vector<std::string_view>* segments) {
    size_t at = std::string_view::npos;
    for (size_t pos = folder.find("AWSLogs/"); pos != std::string_view::npos;
         pos = folder.find("AWSLogs/", pos + 1)) {
      if (pos == 0 || folder[pos - 1] == '/') at = pos;
    }
    if (at == std::string_view::npos) return false;
    std::string_view rest = folder.substr(at + 8);
    segments->clear();
    while (!rest.empty()) {
      size_t slash = rest.find('/');
      if (slash == std::string_view::npos) slash = rest.size();
      segments->push_back(rest.substr(0, slash));
      rest.remove_prefix(std::min(rest.size(), slash + 1));
    }
    return true;
  }

  Status Walk(const std::string& folder, int depth, bool* found_layout) {
    std::vector<std::string_view> segments;
    if (!LayoutSegments(folder, &segments)) {
      if (depth > kMaxPrefixDepth) return Status::Ok();
      std::vector<std::string> children;
      if (Status s = ListFolders(folder, &children); !s.ok()) return s;
      for (const std::string& child : children) {
        if (Status s = Walk(child, depth + 1, found_layout); !s.ok()) return s;
      }
      return Status::Ok();
    }
    *found_layout = true;
    size_t level = segments.size();
    bool org = !segments.empty() && segments[0].substr(0, 2) == "o-";
    if (org) --level;
    // level: 0 AWSLogs/[o-…/], 1 account, 2 kind, 3 region, 4 year, 5 month, 6+ day
    if (level >= 6) return ListFiles(folder);
    if (level >= 2 && segments[org ? 2 : 1] != "CloudTrail") {
      return ListFiles(folder);  // asked for a digest/insight folder by name: count its files
    }
    std::vector<std::string> children;
    if (Status s = ListFolders(folder, &children); !s.ok()) return s;
    std::vector<int> date;  // year, month so far
    for (size_t i = org ? 4 : 3; i < segments.size() && date.size() < 2; ++i) {
      date.push_back(AllAsciiDigits(segments[i]) ? FolderNumber(segments[i]) : 0);
    }
    for (const std::string& child : children) {
      std::string_view name = LastSegment(child);
      bool wanted = true;
      switch (level) {
        case 0:
          if (!org && name.substr(0, 2) == "o-") break;  // organization folder: descend
          wanted = name.size() == 12 && AllAsciiDigits(name) && filter_.AccountWanted(name);
          break;
        case 1:
          wanted = name == "CloudTrail";
          break;
        case 2:
          wanted = filter_.RegionWanted(name);
          break;
        case 3:
          wanted = !AllAsciiDigits(name) || filter_.YearMayHold(FolderNumber(name));
          break;
        case 4:
          wanted = !AllAsciiDigits(name) || date.size() < 1 ||
                   filter_.MonthMayHold(date[0], FolderNumber(name));
          break;
        case 5:
          wanted = !AllAsciiDigits(name) || date.size() < 2 ||
                   filter_.DayMayHold(date[0], date[1], FolderNumber(name));
          break;
      }
      if (!wanted) {
        ++out_.skipped.prefixes_skipped;
        continue;
      }
      if (Status s = Walk(child, depth + 1, found_layout); !s.ok()) return s;
    }
    return Status::Ok();
  }

  Status ListFolders(const std::string& prefix, std::vector<std::string>* folders) {
    Status status = s3_.List(bucket_, prefix, "", "/", [&](const std::vector<aws::S3Object>& page) {
      ++out_.list_requests;
      for (const aws::S3Object& object : page) {
        if (!object.key.empty() && object.key.back() == '/') folders->push_back(object.key);
      }
      return true;
    });
    return status;  // S3Client errors name s3://bucket/prefix already
  }

  Status ListFiles(const std::string& prefix) {
    Status status = s3_.List(bucket_, prefix, "", "", [&](const std::vector<aws::S3Object>& page) {
      ++out_.list_requests;
      for (const aws::S3Object& object : page) {
        if (object.key.empty() || object.key.back() == '/') continue;  // folder marker
        ScanInput input;
        InputClass kind = ClassifyInput(object.key, filter_, false, &input.key_account);
        if (kind != InputClass::kRead) {
          CountSkipped(kind, out_.skipped);
          continue;
        }
        input.origin = "s3://" + bucket_ + "/" + object.key;
        input.bucket = bucket_;
        input.key = object.key;
        input.size = object.size;
        out_.inputs.push_back(std::move(input));
      }
      return true;
    });
    return status;  // S3Client errors name s3://bucket/prefix already
  }

  aws::S3Client& s3_;
  std::string bucket_;
  const ScanFilter& filter_;
  Discovery& out_;
};

}  // namespace

int FolderNumber(std::string_view digits) {
  int value = 0;
  for (char c : digits) {
    // Stop before value * 10 could overflow int (a 10-digit name did: undefined behaviour).
    if (value >= kMaxFolderNumber) return kMaxFolderNumber;
    value = value * 10 + (c - '0');
  }
  return std::min(value, kMaxFolderNumber);
}

InputClass ClassifyInput(std::string_view key_or_path, const ScanFilter& filter, bool named,
                         std::string* key_account) {
  key_account->clear();
  std::optional<cloudtrail::LogKey> key = cloudtrail::ParseLogKey(key_or_path);
  if (key) {
    if (key->kind == cloudtrail::LogKind::kDigest) return InputClass::kDigest;
    if (key->kind == cloudtrail::LogKind::kInsight) return InputClass::kInsight;
  }
  if (!named && !HasJsonExtension(key_or_path)) return InputClass::kOther;
  if (key) {
    switch (filter.Prune(*key)) {
      case PruneReason::kKept:
        break;
      case PruneReason::kTime:
        return InputClass::kPrunedTime;
      case PruneReason::kAccount:
        return InputClass::kPrunedAccount;
      case PruneReason::kRegion:
        return InputClass::kPrunedRegion;
    }
    key_account->assign(key->account);
  }
  return InputClass::kRead;
}

Discovery DiscoverInputs(const std::vector<std::string>& locations, const ScanFilter& filter,
                         aws::S3Client* s3, int threads) {
  Discovery out;
  for (const std::string& location : locations) {
    std::string bucket, prefix;
    if (location.rfind("s3://", 0) == 0) {
      if (!aws::ParseS3Url(location, &bucket, &prefix) || bucket.empty()) {
        out.errors.push_back(location + ": not a valid s3://bucket/prefix URL");
        continue;
      }
      if (s3 == nullptr) {
        out.errors.push_back(location + ": no S3 client configured");
        continue;
      }
      S3Walk walk(*s3, bucket, filter, out);
      if (Status s = walk.Run(prefix); !s.ok()) out.errors.push_back(s.message());
      continue;
    }
    DiscoverLocal(location, filter, threads, out);
  }
  std::sort(out.inputs.begin(), out.inputs.end(),
            [](const ScanInput& a, const ScanInput& b) { return a.origin < b.origin; });
  out.inputs.erase(
      std::unique(out.inputs.begin(), out.inputs.end(),
                  [](const ScanInput& a, const ScanInput& b) { return a.origin == b.origin; }),
      out.inputs.end());
  return out;
}

}  // namespace trailwatch::scan
