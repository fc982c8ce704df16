// CloudTrail key layout parsing (see log_key.h, docs/reference/formats.md §1.1).
#include "cloudtrail/log_key.h"

#include <array>
#include <chrono>

namespace trailwatch::cloudtrail {
namespace {

bool IsDigits(std::string_view text, size_t count) {
  if (text.size() != count) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

int ToInt(std::string_view digits) {
  int value = 0;
  for (char c : digits) value = value * 10 + (c - '0');
  return value;
}

bool IsLowerAlnumOrDash(std::string_view text, bool allow_dash) {
  for (char c : text) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (allow_dash && c == '-');
    if (!ok) return false;
  }
  return true;
}

bool IsOrgId(std::string_view text) {
  if (!text.starts_with("o-")) return false;
  const std::string_view rest = text.substr(2);
  return rest.size() >= 10 && rest.size() <= 32 && IsLowerAlnumOrDash(rest, false);
}

// Splits off the last '/'-separated component of `*rest`. If there is no '/', the whole text is
// the component and *has_more becomes false.
std::string_view PopBack(std::string_view* rest, bool* has_more) {
  const size_t slash = rest->rfind('/');
  std::string_view component;
  if (slash == std::string_view::npos) {
    component = *rest;
    *rest = {};
    *has_more = false;
  } else {
    component = rest->substr(slash + 1);
    *rest = rest->substr(0, slash);
    *has_more = true;
  }
  return component;
}

}  // namespace

std::optional<LogKey> ParseLogKey(std::string_view key) {
  // The eight components after AWSLogs/[org/] are anchored at the end of the key, so split from
  // the back: file, DD, MM, YYYY, region, kind, account.
  std::string_view rest = key;
  bool has_more = true;
  std::array<std::string_view, 7> tail;  // file, dd, mm, yyyy, region, kind, account
  for (auto& component : tail) {
    if (!has_more) return std::nullopt;
    component = PopBack(&rest, &has_more);
  }
  const auto [file, dd, mm, yyyy, region, kind, account] = tail;
  if (file.empty() || !IsDigits(dd, 2) || !IsDigits(mm, 2) || !IsDigits(yyyy, 4)) {
    return std::nullopt;
  }
  if (region.empty() || !IsLowerAlnumOrDash(region, true) || !IsDigits(account, 12)) {
    return std::nullopt;
  }
  LogKey parsed;
  if (kind == "CloudTrail") {
    parsed.kind = LogKind::kCloudTrail;
  } else if (kind == "CloudTrail-Digest") {
    parsed.kind = LogKind::kDigest;
  } else if (kind == "CloudTrail-Insight") {
    parsed.kind = LogKind::kInsight;
  } else {
    return std::nullopt;
  }
  if (!has_more) return std::nullopt;  // nothing before the account: no AWSLogs

  // Then `AWSLogs` directly, or `AWSLogs/o-…`. The regex's greedy prefix means the AWSLogs nearest
  // the account wins, so try the single-account form first.
  std::string_view before = PopBack(&rest, &has_more);
  if (before != "AWSLogs") {
    if (!IsOrgId(before) || !has_more) return std::nullopt;
    parsed.org_id = before;
    if (PopBack(&rest, &has_more) != "AWSLogs") return std::nullopt;
  }
  if (has_more) {
    // `(?:(.+)/)?`: a prefix must be non-empty, so "/AWSLogs/…" does not match.
    if (rest.empty()) return std::nullopt;
    parsed.prefix = rest;
  }
  parsed.account = account;
  parsed.region = region;
  parsed.year = ToInt(yyyy);
  parsed.month = ToInt(mm);
  parsed.day = ToInt(dd);
  parsed.file_name = file;
  return parsed;
}

std::optional<int64_t> LogFileTimeSeconds(std::string_view file_name) {
  // "_YYYYMMDDTHHmmZ_": 1 + 8 + 1 + 4 + 1 + 1 characters; searched from the end.
  constexpr size_t kWidth = 16;
  auto digits = [&](size_t at, size_t count) {
    int value = 0;
    for (size_t i = at; i < at + count; ++i) {
      if (file_name[i] < '0' || file_name[i] > '9') return -1;
      value = value * 10 + (file_name[i] - '0');
    }
    return value;
  };
  for (size_t at = file_name.size() >= kWidth ? file_name.size() - kWidth + 1 : 0; at-- > 0;) {
    if (file_name[at] != '_' || file_name[at + 9] != 'T' || file_name[at + 14] != 'Z' ||
        file_name[at + 15] != '_') {
      continue;
    }
    int year = digits(at + 1, 4), month = digits(at + 5, 2), day = digits(at + 7, 2);
    int hour = digits(at + 10, 2), minute = digits(at + 12, 2);
    if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0) continue;
    std::chrono::year_month_day date{std::chrono::year(year), std::chrono::month(month),
                                     std::chrono::day(day)};
    if (!date.ok() || hour > 23 || minute > 59) continue;
    auto days = std::chrono::sys_days(date).time_since_epoch();
    return std::chrono::duration_cast<std::chrono::seconds>(days).count() + hour * 3600 +
           minute * 60;
  }
  return std::nullopt;
}

}  // namespace trailwatch::cloudtrail
