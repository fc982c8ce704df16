// Deterministic random numbers and the text made from them, shared by the CloudTrail log generator
// (loggen/log_generator.cpp) and the benchmark corpora (bench/corpus_generator.h), so both draw
// UUIDs, ids and times the same way from one implementation (issue 11).
//
// Everything is a pure function of the seed, identical on every platform and standard library:
// splitmix64 instead of <random> (whose distributions differ between libraries), integer
// formatting only. Changing how any of these consume random numbers changes every generated
// corpus, so they must stay as they are (tests/loggen/random_text_test.cpp pins known values).
//
// Thread-safety: a Random is used by one thread at a time; the functions are reentrant.
#pragma once

#include <array>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace trailwatch::loggen {

// splitmix64 (Steele, Lea, Flood 2014): tiny, fast and identical everywhere.
class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n); the modulo bias is irrelevant for corpus generation.
  uint32_t Below(uint32_t n) { return static_cast<uint32_t>(Next() % n); }
  // Uniform in [lo, hi] (inclusive).
  uint32_t Between(uint32_t lo, uint32_t hi) { return lo + Below(hi - lo + 1); }
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }  // [0, 1)
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  bool Chance(double p) { return Uniform() < p; }
  template <typename T, size_t N>
  const T& Pick(const std::array<T, N>& items) {
    return items[Below(N)];
  }
  template <typename T>
  const T& Pick(const std::vector<T>& items) {
    return items[Below(static_cast<uint32_t>(items.size()))];
  }

 private:
  uint64_t state_;
};

// A seed for item `index` of stream `stream`, independent of every other item's.
uint64_t DeriveSeed(uint64_t seed, uint64_t stream, uint64_t index);

inline constexpr std::string_view kLowerHex = "0123456789abcdef";
inline constexpr std::string_view kUpperHex = "0123456789ABCDEF";
inline constexpr std::string_view kBase32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";  // IAM ids, keys
inline constexpr std::string_view kAlnum =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
inline constexpr std::string_view kBase64 =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// `count` characters drawn uniformly from `alphabet` (one Below(alphabet.size()) each).
inline void AppendChars(Random& r, std::string_view alphabet, size_t count, std::string* out) {
  for (size_t i = 0; i < count; ++i) {
    out->push_back(alphabet[r.Below(static_cast<uint32_t>(alphabet.size()))]);
  }
}

// Decimal, no padding.
inline void AppendUint(std::string* out, uint64_t value) {
  char text[24];
  auto result = std::to_chars(text, text + sizeof text, value);
  out->append(text, result.ptr);
}

// Decimal, zero-padded to at least `width` digits (printf's "%0*u").
inline void AppendPadded(std::string* out, uint64_t value, int width) {
  char text[24];
  char* end = text + sizeof text;
  char* p = end;
  for (int i = 0; i < width || value != 0; ++i) {
    *--p = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  out->append(p, end);
}

// A random (version 4) UUID in canonical lower-case form: eventIDs, most requestIDs.
void AppendUuid(Random& r, std::string* out);
inline std::string Uuid(Random& r) {
  std::string out;
  out.reserve(36);
  AppendUuid(r, &out);
  return out;
}

// Proleptic Gregorian dates (Howard Hinnant's days_from_civil / civil_from_days).
struct CivilDate {
  int year = 1970;
  int month = 1;
  int day = 1;
};
int64_t DaysFromCivil(int64_t year, int64_t month, int64_t day);  // days since 1970-01-01
CivilDate CivilFromDays(int64_t days);

// "YYYY-MM-DDTHH:MM:SSZ", the CloudTrail eventTime format (unix_seconds >= 0).
void AppendTime(int64_t unix_seconds, std::string* out);

}  // namespace trailwatch::loggen
