// eventTime parsing (RFC 3339, and the zone-less export form for scan) and formatting (see
// event_time.h).
#include "cloudtrail/event_time.h"

#include <cstdio>

namespace trailwatch::cloudtrail {
namespace {

// Reads exactly `count` ASCII digits at `pos`; -1 if any is not a digit or the text is too short.
int Digits(std::string_view text, size_t pos, size_t count) {
  if (pos + count > text.size()) return -1;
  int value = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

// The parser of both forms. `zone_optional`: a time with a space separator may end after its
// seconds (or fraction) and is then UTC.
std::optional<std::chrono::sys_seconds> Parse(std::string_view text, bool zone_optional) {
  using namespace std::chrono;
  // Fixed part: YYYY-MM-DDTHH:MM:SS (19 characters).
  const int y = Digits(text, 0, 4), mo = Digits(text, 5, 2), d = Digits(text, 8, 2);
  const int h = Digits(text, 11, 2), mi = Digits(text, 14, 2), s = Digits(text, 17, 2);
  if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || s < 0) return std::nullopt;
  if (text[4] != '-' || text[7] != '-' || text[13] != ':' || text[16] != ':') return std::nullopt;
  if (text[10] != 'T' && text[10] != 't' && text[10] != ' ') return std::nullopt;
  // RFC 3339 allows a leap second (60); it simply rolls into the next minute here.
  if (h > 23 || mi > 59 || s > 60) return std::nullopt;
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)},
                           day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;

  size_t pos = 19;
  if (pos < text.size() && text[pos] == '.') {
    const size_t first = ++pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    if (pos == first) return std::nullopt;
  }
  seconds offset{0};
  if (pos >= text.size()) {
    // No zone: only the export form `YYYY-MM-DD HH:MM:SS[.f]`, read as UTC, and only if asked.
    if (!zone_optional || text[10] != ' ') return std::nullopt;
  } else if ((text[pos] == 'Z' || text[pos] == 'z') && pos + 1 == text.size()) {
    // UTC already.
  } else if ((text[pos] == '+' || text[pos] == '-') && pos + 6 == text.size() &&
             text[pos + 3] == ':') {
    const int oh = Digits(text, pos + 1, 2), om = Digits(text, pos + 4, 2);
    if (oh < 0 || om < 0 || oh > 23 || om > 59) return std::nullopt;
    offset = hours{oh} + minutes{om};
    if (text[pos] == '-') offset = -offset;
  } else {
    return std::nullopt;
  }
  // Local time minus its offset is UTC.
  return sys_days{ymd} + hours{h} + minutes{mi} + seconds{s} - offset;
}

}  // namespace

std::optional<std::chrono::sys_seconds> ParseEventTime(std::string_view text) {
  return Parse(text, /*zone_optional=*/false);
}

std::optional<std::chrono::sys_seconds> ParseEventTimeLenient(std::string_view text) {
  return Parse(text, /*zone_optional=*/true);
}

std::optional<std::string> NormalizeEventTimeLenient(std::string_view text) {
  const auto parsed = ParseEventTimeLenient(text);
  if (!parsed) return std::nullopt;
  return FormatEventTime(*parsed);
}

std::optional<std::string> FormatEventTime(std::chrono::sys_seconds time) {
  using namespace std::chrono;
  const sys_days day_point = floor<days>(time);
  const year_month_day ymd{day_point};
  const int y = static_cast<int>(ymd.year());
  if (y < 0 || y > 9999) return std::nullopt;
  const hh_mm_ss hms{time - day_point};
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%04d-%02u-%02uT%02d:%02d:%02dZ", y,
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return std::string(buffer);
}

}  // namespace trailwatch::cloudtrail
