// CloudTrail key layout parsing (see log_key.h, docs/reference/formats.md §1.1).
#include "cloudtrail/log_key.h"

#include <array>

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

}  // namespace trailwatch::cloudtrail
