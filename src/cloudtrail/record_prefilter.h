// RecordPrefilter: finds, in a CloudTrail log file's text, the records that could match a rule,
// without parsing the records that could not.
//
// Why: `trailwatch scan` reads years of logs to find a handful of events (issue 3). Parsing every
// record costs more CPU than inflating it; but a record that some rule can match must contain one
// of the rules' required literals (pattern/required_literals.h), e.g. `"Root"` for root-signin.
// One pass over the text (64 bytes at a time, AVX2 where the build has it) tracks JSON strings and
// brackets to delimit and count the records, and looks for the literals; only records holding a
// literal, or a \u or \/ escape (which could spell one), are handed on to be parsed and matched.
//
// Exactness: only a file in the canonical shape AWS writes — `{"Records":[{...},{...}]}` with any
// whitespace — is prefiltered; it must be valid UTF-8, its strings closed and its brackets
// balanced, and the array must hold only objects. Anything else (another shape, JSON lines, a
// truncated or malformed file) makes Find return false and the caller reads the file with
// RecordReader, whose errors are the reference. So the record count and the candidates agree with
// RecordReader on every file prefiltered. What is not checked is the grammar inside a record with
// no literal (`{"a" 1}`, `{"a":[}}`): such a record cannot match, and is counted, not read — as
// RecordReader, which also skips over records by their brackets, then only the matcher would
// have parsed it.
//
// Thread-safety: immutable after construction; Find may be called from many threads.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace trailwatch::cloudtrail {

struct PrefilteredFile {
  size_t records = 0;  // elements of the Records array (all objects)
  struct Candidate {
    std::string_view json;  // the record's text, '{' to '}', inside the text given to Find
    size_t index = 0;       // 0-based position in the Records array
  };
  std::vector<Candidate> candidates;  // in file order
};

class RecordPrefilter {
 public:
  // Literals longer than kMaxLiteral bytes are searched by their first kMaxLiteral bytes (still
  // required, so still exact). Empty literals are ignored.
  static constexpr size_t kMaxLiteral = 32;

  explicit RecordPrefilter(std::vector<std::string> literals);

  // `text` must be followed by at least 64 readable bytes (simdjson padding). Clears and fills
  // *out; false when the file is not a canonical log file (then *out is meaningless).
  bool Find(std::string_view text, PrefilteredFile* out) const;

  const std::vector<std::string>& literals() const { return literals_; }

  // A literal as searched: two anchor bytes, compared 64 positions at a time, then the whole.
  // Anchors avoid '"', the commonest byte around a JSON string, when the literal allows.
  struct SearchLiteral {
    std::string text;
    size_t first_at = 0;  // index of the first anchor byte in text
    size_t last_at = 0;   // index of the second (>= first_at)
  };

 private:
  std::vector<std::string> literals_;  // truncated to kMaxLiteral, deduplicated
  std::vector<SearchLiteral> search_;
};

}  // namespace trailwatch::cloudtrail
