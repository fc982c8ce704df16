#include "loggen/random_text.h"

namespace trailwatch::loggen {

uint64_t DeriveSeed(uint64_t seed, uint64_t stream, uint64_t index) {
  Random r(seed ^ (stream * 0xD1B54A32D192ED03ull) ^ (index * 0x9E3779B97F4A7C15ull));
  r.Next();
  return r.Next();
}

void AppendUuid(Random& r, std::string* out) {
  AppendChars(r, kLowerHex, 8, out);
  out->push_back('-');
  AppendChars(r, kLowerHex, 4, out);
  out->append("-4");
  AppendChars(r, kLowerHex, 3, out);
  out->push_back('-');
  out->push_back("89ab"[r.Below(4)]);
  AppendChars(r, kLowerHex, 3, out);
  out->push_back('-');
  AppendChars(r, kLowerHex, 12, out);
}

int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilDate CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int>(yoe + era * 400 + (m <= 2)), static_cast<int>(m), static_cast<int>(d)};
}

void AppendTime(int64_t unix_seconds, std::string* out) {
  const int64_t days = unix_seconds / 86400;
  const int64_t second_of_day = unix_seconds % 86400;
  const CivilDate date = CivilFromDays(days);
  AppendPadded(out, static_cast<uint64_t>(date.year), 4);
  out->push_back('-');
  AppendPadded(out, static_cast<uint64_t>(date.month), 2);
  out->push_back('-');
  AppendPadded(out, static_cast<uint64_t>(date.day), 2);
  out->push_back('T');
  AppendPadded(out, static_cast<uint64_t>(second_of_day / 3600), 2);
  out->push_back(':');
  AppendPadded(out, static_cast<uint64_t>(second_of_day / 60 % 60), 2);
  out->push_back(':');
  AppendPadded(out, static_cast<uint64_t>(second_of_day % 60), 2);
  out->push_back('Z');
}

}  // namespace trailwatch::loggen
