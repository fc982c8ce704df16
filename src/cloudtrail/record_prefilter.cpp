// RecordPrefilter (see record_prefilter.h).
//
// The string tracking is simdjson's stage-1 technique (Langdale & Lemire, "Parsing Gigabytes of
// JSON per Second", §3.1): per 64-byte block, the characters escaped by an odd run of backslashes,
// then the quotes that are not escaped, then "inside a string" as the prefix XOR of those quotes
// (a carry-less multiply by all ones). simdjson does not expose that pass on its own, and its full
// stage 1 also writes an index of every structural character, which is what costs: this pass only
// needs the brackets, and those are sparse.
#include "cloudtrail/record_prefilter.h"

#include <simdjson.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "cloudtrail/json_space.h"

#if defined(__AVX2__) && defined(__PCLMUL__)
#include <immintrin.h>
#define TW_PREFILTER_AVX2 1
#endif

namespace trailwatch::cloudtrail {
namespace {

constexpr size_t kBlock = 64;

struct BlockMasks {
  uint64_t backslash = 0;
  uint64_t quote = 0;
  uint64_t open = 0;       // '{' or '['
  uint64_t close = 0;      // '}' or ']'
};

#ifdef TW_PREFILTER_AVX2
inline uint64_t Eq(__m256i lo, __m256i hi, char c) {
  const __m256i v = _mm256_set1_epi8(c);
  const uint64_t a = static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(lo, v)));
  const uint64_t b = static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(hi, v)));
  return a | (b << 32);
}

inline BlockMasks Classify(const char* p) {
  const __m256i lo = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  const __m256i hi = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32));
  // '[' | 0x20 == '{' and ']' | 0x20 == '}', and no other byte maps there.
  const __m256i case_bit = _mm256_set1_epi8(0x20);
  const __m256i lo_folded = _mm256_or_si256(lo, case_bit);
  const __m256i hi_folded = _mm256_or_si256(hi, case_bit);
  BlockMasks m;
  m.backslash = Eq(lo, hi, '\\');
  m.quote = Eq(lo, hi, '"');
  m.open = Eq(lo_folded, hi_folded, '{');
  m.close = Eq(lo_folded, hi_folded, '}');
  return m;
}

// Positions i in the block where p[i] == first and p[i + length - 1] == last.
inline uint64_t FirstLast(const char* p, char first, char last, size_t length) {
  const __m256i a_lo = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  const __m256i a_hi = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32));
  const __m256i b_lo = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + length - 1));
  const __m256i b_hi = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + length - 1 + 32));
  const __m256i f = _mm256_set1_epi8(first);
  const __m256i l = _mm256_set1_epi8(last);
  const __m256i lo = _mm256_and_si256(_mm256_cmpeq_epi8(a_lo, f), _mm256_cmpeq_epi8(b_lo, l));
  const __m256i hi = _mm256_and_si256(_mm256_cmpeq_epi8(a_hi, f), _mm256_cmpeq_epi8(b_hi, l));
  return static_cast<uint64_t>(static_cast<uint32_t>(_mm256_movemask_epi8(lo))) |
         (static_cast<uint64_t>(static_cast<uint32_t>(_mm256_movemask_epi8(hi))) << 32);
}

inline uint64_t PrefixXor(uint64_t bits) {
  const __m128i product = _mm_clmulepi64_si128(_mm_set_epi64x(0, static_cast<int64_t>(bits)),
                                               _mm_set1_epi8(static_cast<char>(0xFF)), 0);
  return static_cast<uint64_t>(_mm_cvtsi128_si64(product));
}
#else
inline BlockMasks Classify(const char* p) {
  BlockMasks m;
  for (size_t i = 0; i < kBlock; ++i) {
    const uint64_t bit = uint64_t{1} << i;
    switch (p[i]) {
      case '\\': m.backslash |= bit; break;
      case '"': m.quote |= bit; break;
      case '{': case '[': m.open |= bit; break;
      case '}': case ']': m.close |= bit; break;
      default: break;
    }
  }
  return m;
}

inline uint64_t FirstLast(const char* p, char first, char last, size_t length) {
  uint64_t bits = 0;
  for (size_t i = 0; i < kBlock; ++i) {
    if (p[i] == first && p[i + length - 1] == last) bits |= uint64_t{1} << i;
  }
  return bits;
}

inline uint64_t PrefixXor(uint64_t bits) {
  for (int shift = 1; shift < 64; shift <<= 1) bits ^= bits << shift;
  return bits;
}
#endif

// The characters escaped by an odd-length run of backslashes (simdjson 0.2's
// find_odd_backslash_sequences). `carry` is 1 when the previous block ended in such a run.
inline uint64_t EscapedCharacters(uint64_t backslash, uint64_t& carry) {
  constexpr uint64_t kEven = 0x5555555555555555ULL;
  constexpr uint64_t kOdd = ~kEven;
  const uint64_t start_edges = backslash & ~(backslash << 1);
  const uint64_t even_start_mask = kEven ^ carry;
  const uint64_t even_starts = start_edges & even_start_mask;
  const uint64_t odd_starts = start_edges & ~even_start_mask;
  const uint64_t even_carries = backslash + even_starts;
  uint64_t odd_carries = 0;
  const bool ends_odd = __builtin_add_overflow(backslash, odd_starts, &odd_carries);
  odd_carries |= carry;
  carry = ends_odd ? 1 : 0;
  const uint64_t even_carry_ends = even_carries & ~backslash;
  const uint64_t odd_carry_ends = odd_carries & ~backslash;
  return (even_carry_ends & kOdd) | (odd_carry_ends & kEven);
}

size_t SkipSpace(std::string_view text, size_t i) {
  while (i < text.size() && IsJsonSpace(text[i])) ++i;
  return i;
}

// The walk's state across blocks.
class Walk {
 public:
  using SearchLiteral = RecordPrefilter::SearchLiteral;
  Walk(std::string_view text, const std::vector<SearchLiteral>& literals, PrefilteredFile* out)
      : text_(text), literals_(literals), out_(out) {}

  bool Run() {
    if (!ReadHead() || !ReadTail()) return false;
    // Invalid UTF-8 anywhere fails the file in RecordReader (simdjson validates it all).
    if (!simdjson::validate_utf8(text_.data(), text_.size())) return false;
    const size_t n = text_.size();
    size_t block = 0;
    // Whole blocks whose literal loads (up to kMaxLiteral - 1 bytes further) stay in the text.
    for (; block + kBlock + RecordPrefilter::kMaxLiteral <= n; block += kBlock) {
      if (!Block(text_.data() + block, block, ~uint64_t{0})) return false;
    }
    if (block < n) {
      // The last < 96 bytes, copied into zeroed room for the same loads, with up to kMaxLiteral
      // bytes before them (a literal found by a later anchor starts up to there).
      alignas(64) char tail[5 * kBlock] = {};
      const size_t before = std::min(block, RecordPrefilter::kMaxLiteral);
      const size_t rest = n - block;
      std::memcpy(tail, text_.data() + block - before, before + rest);
      for (size_t offset = 0; offset < rest; offset += kBlock) {
        const size_t valid = std::min(kBlock, rest - offset);
        const uint64_t mask = valid == kBlock ? ~uint64_t{0} : (uint64_t{1} << valid) - 1;
        if (!Block(tail + before + offset, block + offset, mask)) return false;
      }
    }
    return depth_ == 0 && in_string_ == 0;
  }

 private:
  // `{` ws `"Records"` ws `:` ws `[`, exactly (an escaped key is left to RecordReader).
  bool ReadHead() {
    size_t i = SkipSpace(text_, 0);
    if (i >= text_.size() || text_[i] != '{') return false;
    top_open_ = i;
    i = SkipSpace(text_, i + 1);
    constexpr std::string_view kKey = "\"Records\"";
    if (text_.substr(i, kKey.size()) != kKey) return false;
    i = SkipSpace(text_, i + kKey.size());
    if (i >= text_.size() || text_[i] != ':') return false;
    i = SkipSpace(text_, i + 1);
    if (i >= text_.size() || text_[i] != '[') return false;
    array_open_ = i;
    return true;
  }

  bool ReadTail() {
    size_t end = text_.size();
    while (end > 0 && IsJsonSpace(text_[end - 1])) --end;
    if (end == 0 || text_[end - 1] != '}') return false;
    top_close_ = end - 1;
    return true;
  }

  // After an array element (or the '['): ws, then ',' ws '{' or ']'. Sets the position of the
  // next bracket the array level may see.
  bool ExpectNextElement(size_t after, bool first) {
    size_t i = SkipSpace(text_, after);
    if (i >= text_.size()) return false;
    if (text_[i] == ']') {
      expect_ = i;
      return true;
    }
    if (!first) {
      if (text_[i] != ',') return false;
      i = SkipSpace(text_, i + 1);
      if (i >= text_.size()) return false;
    }
    if (text_[i] != '{') return false;
    expect_ = i;
    return true;
  }

  bool Open(size_t pos, char c) {
    if (depth_ >= 3) {
      ++depth_;
      return true;
    }
    if (depth_ == 2) {
      if (pos != expect_ || c != '{') return false;
      depth_ = 3;
      record_start_ = pos;
      record_hit_ = false;
      return true;
    }
    if (depth_ == 1) {
      if (pos != array_open_) return false;
      depth_ = 2;
      return ExpectNextElement(pos + 1, /*first=*/true);
    }
    if (pos != top_open_) return false;
    depth_ = 1;
    return true;
  }

  bool Close(size_t pos, char c) {
    if (depth_ > 3) {
      --depth_;
      return true;
    }
    if (depth_ == 3) {
      if (c != '}') return false;
      depth_ = 2;
      if (record_hit_) {
        out_->candidates.push_back(
            {text_.substr(record_start_, pos - record_start_ + 1), out_->records});
      }
      ++out_->records;
      return ExpectNextElement(pos + 1, /*first=*/false);
    }
    if (depth_ == 2) {
      if (pos != expect_ || c != ']') return false;
      depth_ = 1;
      // Only whitespace between the array's ']' and the object's '}'.
      return SkipSpace(text_, pos + 1) == top_close_;
    }
    if (depth_ == 1) {
      if (pos != top_close_) return false;
      depth_ = 0;
      return true;
    }
    return false;  // a bracket after the end
  }

  __attribute__((always_inline)) bool Block(const char* p, size_t base, uint64_t valid) {
    const BlockMasks m = Classify(p);
    const uint64_t escaped = EscapedCharacters(m.backslash, escape_carry_);
    const uint64_t quotes = m.quote & ~escaped;
    const uint64_t in_string = PrefixXor(quotes) ^ in_string_;
    in_string_ = static_cast<uint64_t>(static_cast<int64_t>(in_string) >> 63);
    uint64_t brackets = (m.open | m.close) & ~in_string & valid;
    uint64_t hits = 0;
    // Escaped characters are rare (\" mostly): look at each. \u and \/ could spell a literal.
    for (uint64_t e = escaped; e != 0; e &= e - 1) {
      const char c = p[__builtin_ctzll(e)];
      if (c == 'u' || c == '/') hits |= e & -e;
    }
    for (const SearchLiteral& literal : literals_) {
      // Candidates by two anchor bytes, then the whole literal. A literal is found by the block
      // its anchor falls in; bit positions are where the anchor is, shifted back below.
      uint64_t found = FirstLast(p, literal.text[literal.first_at], literal.text[literal.last_at],
                                 literal.last_at - literal.first_at + 1);
      while (found != 0) {
        const int bit = __builtin_ctzll(found);
        // Every block but the first has kMaxLiteral readable bytes before it (see Run).
        const char* start = p + bit - literal.first_at;
        if ((base + bit >= literal.first_at) &&
            std::memcmp(start, literal.text.data(), literal.text.size()) == 0) {
          hits |= uint64_t{1} << bit;  // the anchor lies inside the literal, so in its record
        }
        found &= found - 1;
      }
    }
    hits &= valid;
    // Most blocks lie inside one record: when even all the block's closing brackets coming first
    // could not bring the depth back to the array's, only the depth needs updating.
    const uint64_t closes = __builtin_popcountll(brackets & m.close);
    if (depth_ >= 3 + closes) {
      if (hits != 0) record_hit_ = true;
      depth_ = depth_ + __builtin_popcountll(brackets & m.open) - closes;
      return true;
    }
    while (brackets != 0) {
      const int bit = __builtin_ctzll(brackets);
      if (hits != 0) {
        const uint64_t before = hits & ((uint64_t{1} << bit) - 1);
        if (before != 0 && depth_ >= 3) record_hit_ = true;
        hits &= ~before;
      }
      const bool ok = (m.open >> bit) & 1 ? Open(base + bit, p[bit]) : Close(base + bit, p[bit]);
      if (!ok) return false;
      brackets &= brackets - 1;
    }
    if (hits != 0 && depth_ >= 3) record_hit_ = true;
    return true;
  }

  std::string_view text_;
  const std::vector<SearchLiteral>& literals_;
  PrefilteredFile* out_;
  size_t top_open_ = 0, array_open_ = 0, top_close_ = 0;
  size_t expect_ = 0;  // where the next bracket at the array level must be
  size_t depth_ = 0;  // 1: the top object, 2: the Records array, 3: a record
  size_t record_start_ = 0;
  bool record_hit_ = false;
  uint64_t escape_carry_ = 0;
  uint64_t in_string_ = 0;  // all ones when the previous block ended inside a string
};
}  // namespace

RecordPrefilter::RecordPrefilter(std::vector<std::string> literals) {
  for (std::string& literal : literals) {
    if (literal.empty() || literal.find('\0') != std::string::npos) continue;
    if (literal.size() > kMaxLiteral) literal.resize(kMaxLiteral);
    literals_.push_back(std::move(literal));
  }
  std::sort(literals_.begin(), literals_.end());
  literals_.erase(std::unique(literals_.begin(), literals_.end()), literals_.end());
  for (const std::string& literal : literals_) {
    SearchLiteral search{literal, 0, literal.size() - 1};
    const size_t first = literal.find_first_not_of('"');
    const size_t last = literal.find_last_not_of('"');
    if (first != std::string::npos && last > first) {
      search.first_at = first;
      search.last_at = last;
    }
    search_.push_back(std::move(search));
  }
}

bool RecordPrefilter::Find(std::string_view text, PrefilteredFile* out) const {
  out->records = 0;
  out->candidates.clear();
  return Walk(text, search_, out).Run();
}

}  // namespace trailwatch::cloudtrail
