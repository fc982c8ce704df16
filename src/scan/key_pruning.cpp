#include "scan/key_pruning.h"

#include <algorithm>
#include <charconv>

#include "cloudtrail/event_time.h"
#include "common/ascii_digits.h"

namespace trailwatch::scan {

namespace {

using std::chrono::days;
using std::chrono::sys_days;
using std::chrono::year_month_day;

int ToInt(std::string_view digits) {
  int value = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), value);
  return value;
}

std::optional<sys_days> MakeDay(int year, int month, int day) {
  year_month_day ymd{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                     std::chrono::day(static_cast<unsigned>(day))};
  if (!ymd.ok()) return std::nullopt;
  return sys_days(ymd);
}

// Key/day comparisons as integers YYYYMMDD, so a folder that is not a calendar date (the key
// parser checks digit counts only) still orders sensibly.
int DayNumber(int year, int month, int day) { return year * 10000 + month * 100 + day; }
int DayNumber(TimePoint t) {
  year_month_day ymd{std::chrono::floor<days>(t)};
  return DayNumber(static_cast<int>(ymd.year()), static_cast<int>(unsigned(ymd.month())),
                   static_cast<int>(unsigned(ymd.day())));
}

Result<std::vector<std::string>> SplitList(std::string_view text, std::string_view what,
                                           bool (*valid)(std::string_view)) {
  std::vector<std::string> items;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    std::string_view item = text.substr(start, comma - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) {
      if (!valid(item))
        return Error{"invalid " + std::string(what) + " \"" + std::string(item) + "\""};
      items.emplace_back(item);
    }
    start = comma + 1;
  }
  if (items.empty()) return Error{"empty " + std::string(what) + " list"};
  return items;
}

}  // namespace

Result<TimePoint> ParseTimeArgument(std::string_view text, TimePoint now, bool end_of_day) {
  if (auto t = cloudtrail::ParseEventTime(text)) return *t;
  if (text.size() == 10 && text[4] == '-' && text[7] == '-' && AllAsciiDigits(text.substr(0, 4)) &&
      AllAsciiDigits(text.substr(5, 2)) && AllAsciiDigits(text.substr(8, 2))) {
    if (auto day =
            MakeDay(ToInt(text.substr(0, 4)), ToInt(text.substr(5, 2)), ToInt(text.substr(8, 2)))) {
      TimePoint start{*day};
      return end_of_day ? start + days(1) - std::chrono::seconds(1) : start;
    }
  }
  if (text.size() >= 2 && AllAsciiDigits(text.substr(0, text.size() - 1)) && text.size() <= 10) {
    long long n = ToInt(text.substr(0, text.size() - 1));
    switch (text.back()) {
      case 'd':
        return now - days(n);
      case 'h':
        return now - std::chrono::hours(n);
      case 'm':
        return now - std::chrono::minutes(n);
      default:
        break;
    }
  }
  return Error{"invalid time \"" + std::string(text) +
               "\": expected an RFC 3339 time (2024-05-01T00:00:00Z), a date (2024-05-01) or a "
               "duration before now (90d, 12h, 30m)"};
}

Result<std::vector<std::string>> ParseAccountList(std::string_view text) {
  return SplitList(text, "account id (expected 12 digits)",
                   [](std::string_view s) { return s.size() == 12 && AllAsciiDigits(s); });
}

Result<std::vector<std::string>> ParseRegionList(std::string_view text) {
  return SplitList(text, "region (expected e.g. us-east-1)", [](std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    });
  });
}

bool ScanFilter::AccountWanted(std::string_view account) const {
  return accounts.empty() || std::find(accounts.begin(), accounts.end(), account) != accounts.end();
}

bool ScanFilter::RegionWanted(std::string_view region) const {
  return regions.empty() || std::find(regions.begin(), regions.end(), region) != regions.end();
}

bool ScanFilter::TimeWanted(TimePoint event_time) const {
  if (since && event_time < *since) return false;
  if (until && event_time > *until) return false;
  return true;
}

// A folder dated D holds files delivered on day D, hence events from before the end of D. Wanted
// when D >= day(since) and D <= day(until + allowance).
bool ScanFilter::YearMayHold(int year) const {
  if (since && year < DayNumber(*since) / 10000) return false;
  if (until && year > DayNumber(*until + kDeliveryDelayAllowance) / 10000) return false;
  return true;
}

bool ScanFilter::MonthMayHold(int year, int month) const {
  int number = year * 100 + month;
  if (since && number < DayNumber(*since) / 100) return false;
  if (until && number > DayNumber(*until + kDeliveryDelayAllowance) / 100) return false;
  return true;
}

bool ScanFilter::DayMayHold(int year, int month, int day) const {
  int number = DayNumber(year, month, day);
  if (since && number < DayNumber(*since)) return false;
  if (until && number > DayNumber(*until + kDeliveryDelayAllowance)) return false;
  return true;
}

PruneReason ScanFilter::Prune(const cloudtrail::LogKey& key) const {
  if (!AccountWanted(key.account)) return PruneReason::kAccount;
  if (!RegionWanted(key.region)) return PruneReason::kRegion;
  if (!DayMayHold(key.year, key.month, key.day)) return PruneReason::kTime;
  if (has_time_bounds()) {
    if (auto delivered = DeliveryTimeFromFileName(key.file_name)) {
      // Delivered within [minute, minute + 60 s): every event in it is older than minute + 60 s.
      if (since && *delivered + std::chrono::minutes(1) + kDeliveryClockSlack <= *since) {
        return PruneReason::kTime;
      }
      if (until && *delivered > *until + kDeliveryDelayAllowance) return PruneReason::kTime;
    }
  }
  return PruneReason::kKept;
}

std::optional<TimePoint> DeliveryTimeFromFileName(std::string_view name) {
  // `_YYYYMMDDTHHmmZ_`: 8 digits, 'T', 4 digits, 'Z', between underscores.
  for (size_t at = name.find('_'); at != std::string_view::npos; at = name.find('_', at + 1)) {
    std::string_view rest = name.substr(at + 1);
    if (rest.size() < 15 || rest[8] != 'T' || rest[13] != 'Z' || rest[14] != '_') continue;
    if (!AllAsciiDigits(rest.substr(0, 8)) || !AllAsciiDigits(rest.substr(9, 4))) continue;
    auto day =
        MakeDay(ToInt(rest.substr(0, 4)), ToInt(rest.substr(4, 2)), ToInt(rest.substr(6, 2)));
    int hour = ToInt(rest.substr(9, 2));
    int minute = ToInt(rest.substr(11, 2));
    if (!day || hour > 23 || minute > 59) continue;
    return TimePoint{*day} + std::chrono::hours(hour) + std::chrono::minutes(minute);
  }
  return std::nullopt;
}

}  // namespace trailwatch::scan
