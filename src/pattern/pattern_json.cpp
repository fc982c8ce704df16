// Pull tokenizer for event-pattern JSON; see pattern_json.h for why it exists.
#include "pattern/pattern_json.h"

#include <string>
#include <utility>

#include "common/ascii_digits.h"

namespace trailwatch::pattern {

namespace {

bool IsDelimiter(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == ']' || c == '}';
}

void AppendUtf8(unsigned code_point, std::string* out) {
  if (code_point < 0x80) {
    out->push_back(static_cast<char>(code_point));
  } else if (code_point < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (code_point >> 6)));
    out->push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else if (code_point < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (code_point >> 12)));
    out->push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (code_point >> 18)));
    out->push_back(static_cast<char>(0x80 | ((code_point >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  }
}

}  // namespace

std::string_view JsonToken::JacksonText() const {
  switch (kind) {
    case JsonTokenKind::kStartObject:
      return "{";
    case JsonTokenKind::kEndObject:
      return "}";
    case JsonTokenKind::kStartArray:
      return "[";
    case JsonTokenKind::kEndArray:
      return "]";
    case JsonTokenKind::kTrue:
      return "true";
    case JsonTokenKind::kFalse:
      return "false";
    case JsonTokenKind::kNull:
      return "null";
    case JsonTokenKind::kEndOfInput:
      return "";
    case JsonTokenKind::kFieldName:
    case JsonTokenKind::kString:
    case JsonTokenKind::kNumber:
      return text;
  }
  return text;
}

PatternJsonReader::PatternJsonReader(std::string_view json, size_t max_depth)
    : json_(json), max_depth_(max_depth) {}

bool PatternJsonReader::Fail(std::string what) {
  if (error_.empty()) {
    error_ = "Malformed JSON at byte " + std::to_string(pos_) + ": " + std::move(what);
  }
  return false;
}

void PatternJsonReader::SkipWhitespace() {
  while (pos_ < json_.size()) {
    char c = json_[pos_];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
    ++pos_;
  }
}

bool PatternJsonReader::Next(JsonToken* token) {
  if (!error_.empty()) return false;
  token->text.clear();
  SkipWhitespace();
  const bool at_end = pos_ >= json_.size();
  switch (state_) {
    case State::kDone:
      if (!at_end) return Fail("unexpected content after the pattern object");
      token->kind = JsonTokenKind::kEndOfInput;
      return true;
    case State::kRootValue:
      if (at_end) {  // Jackson returns no token for empty input; the compiler reports E01
        token->kind = JsonTokenKind::kEndOfInput;
        return true;
      }
      return ReadValue(token);
    case State::kValue:
      if (at_end) return Fail("unexpected end of input, expected a value");
      return ReadValue(token);
    case State::kFirstValueOrEnd:
      if (at_end) return Fail("unexpected end of input in an array");
      if (json_[pos_] == ']') {
        ++pos_;
        stack_.pop_back();
        token->kind = JsonTokenKind::kEndArray;
        AfterValue();
        return true;
      }
      return ReadValue(token);
    case State::kFirstNameOrEnd:
      if (at_end) return Fail("unexpected end of input in an object");
      if (json_[pos_] == '}') {
        ++pos_;
        stack_.pop_back();
        token->kind = JsonTokenKind::kEndObject;
        AfterValue();
        return true;
      }
      return ReadName(token);
    case State::kName:
      if (at_end) return Fail("unexpected end of input, expected a field name");
      return ReadName(token);
    case State::kCommaOrEnd: {
      if (at_end) return Fail("unexpected end of input in a container");
      const char c = json_[pos_];
      const bool in_object = stack_.back() == 'o';
      if (c == ',') {
        ++pos_;
        SkipWhitespace();
        if (pos_ >= json_.size()) return Fail("unexpected end of input after ','");
        if (in_object) return ReadName(token);
        state_ = State::kValue;
        return ReadValue(token);
      }
      if (in_object && c == '}') {
        ++pos_;
        stack_.pop_back();
        token->kind = JsonTokenKind::kEndObject;
        AfterValue();
        return true;
      }
      if (!in_object && c == ']') {
        ++pos_;
        stack_.pop_back();
        token->kind = JsonTokenKind::kEndArray;
        AfterValue();
        return true;
      }
      return Fail(std::string("unexpected character '") + c + "', expected ',' or " +
                  (in_object ? "'}'" : "']'"));
    }
  }
  return Fail("internal tokenizer state");
}

void PatternJsonReader::AfterValue() {
  state_ = stack_.empty() ? State::kDone : State::kCommaOrEnd;
}

bool PatternJsonReader::Push(char container) {
  if (stack_.size() >= max_depth_) {
    return Fail("nesting depth " + std::to_string(stack_.size() + 1) +
                " exceeds the maximum allowed (" + std::to_string(max_depth_) + ")");
  }
  stack_.push_back(container);
  return true;
}

bool PatternJsonReader::ReadName(JsonToken* token) {
  if (json_[pos_] != '"') return Fail("expected a double-quoted field name");
  ++pos_;
  if (!ReadString(&token->text)) return false;
  SkipWhitespace();
  if (pos_ >= json_.size() || json_[pos_] != ':') return Fail("expected ':' after a field name");
  ++pos_;
  token->kind = JsonTokenKind::kFieldName;
  state_ = State::kValue;
  return true;
}

bool PatternJsonReader::ReadValue(JsonToken* token) {
  const char c = json_[pos_];
  switch (c) {
    case '{':
      if (!Push('o')) return false;
      ++pos_;
      token->kind = JsonTokenKind::kStartObject;
      state_ = State::kFirstNameOrEnd;
      return true;
    case '[':
      if (!Push('a')) return false;
      ++pos_;
      token->kind = JsonTokenKind::kStartArray;
      state_ = State::kFirstValueOrEnd;
      return true;
    case '"':
      ++pos_;
      if (!ReadString(&token->text)) return false;
      token->kind = JsonTokenKind::kString;
      AfterValue();
      return true;
    case 't':
      return ReadLiteral("true", JsonTokenKind::kTrue, token);
    case 'f':
      return ReadLiteral("false", JsonTokenKind::kFalse, token);
    case 'n':
      return ReadLiteral("null", JsonTokenKind::kNull, token);
    default:
      if (c == '-' || IsAsciiDigit(c)) return ReadNumber(token);
      if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x80) {
        static constexpr char kHex[] = "0123456789ABCDEF";
        const auto b = static_cast<unsigned char>(c);
        return Fail(std::string("unexpected byte 0x") + kHex[b >> 4] + kHex[b & 0xF] +
                    ", expected a value");
      }
      return Fail(std::string("unexpected character '") + c + "', expected a value");
  }
}

bool PatternJsonReader::ReadLiteral(std::string_view word, JsonTokenKind kind, JsonToken* token) {
  if (json_.substr(pos_, word.size()) != word ||
      (pos_ + word.size() < json_.size() && !IsDelimiter(json_[pos_ + word.size()]))) {
    return Fail("unrecognized token, expected '" + std::string(word) + "'");
  }
  pos_ += word.size();
  token->kind = kind;
  AfterValue();
  return true;
}

// RFC 8259 number grammar, as Jackson enforces it by default: no leading zeros, no '+', no bare
// '.', digits required after '.' and after the exponent mark.
bool PatternJsonReader::ReadNumber(JsonToken* token) {
  const size_t start = pos_;
  auto digits = [&]() {
    const size_t from = pos_;
    while (pos_ < json_.size() && IsAsciiDigit(json_[pos_])) ++pos_;
    return pos_ - from;
  };
  if (json_[pos_] == '-') ++pos_;
  if (pos_ >= json_.size() || !IsAsciiDigit(json_[pos_]))
    return Fail("a '-' must be followed by a digit");
  if (json_[pos_] == '0') {
    ++pos_;
    if (pos_ < json_.size() && IsAsciiDigit(json_[pos_]))
      return Fail("leading zeros are not allowed");
  } else {
    digits();
  }
  if (pos_ < json_.size() && json_[pos_] == '.') {
    ++pos_;
    if (digits() == 0) return Fail("a decimal point must be followed by a digit");
  }
  if (pos_ < json_.size() && (json_[pos_] == 'e' || json_[pos_] == 'E')) {
    ++pos_;
    if (pos_ < json_.size() && (json_[pos_] == '+' || json_[pos_] == '-')) ++pos_;
    if (digits() == 0) return Fail("an exponent must have digits");
  }
  if (pos_ < json_.size() && !IsDelimiter(json_[pos_])) {
    return Fail(std::string("unexpected character '") + json_[pos_] + "' in a number");
  }
  token->kind = JsonTokenKind::kNumber;
  token->text.assign(json_.substr(start, pos_ - start));
  AfterValue();
  return true;
}

// Reads the rest of a string whose opening quote is consumed; appends the unescaped UTF-8.
bool PatternJsonReader::ReadString(std::string* out) {
  while (true) {
    // Copy the run of plain ASCII bytes in one go.
    size_t run = pos_;
    while (run < json_.size()) {
      const auto b = static_cast<unsigned char>(json_[run]);
      if (b == '"' || b == '\\' || b < 0x20 || b >= 0x80) break;
      ++run;
    }
    out->append(json_.substr(pos_, run - pos_));
    pos_ = run;
    if (pos_ >= json_.size()) return Fail("unterminated string");
    const auto b = static_cast<unsigned char>(json_[pos_]);
    if (b == '"') {
      ++pos_;
      return true;
    }
    if (b == '\\') {
      if (!ReadEscape(out)) return false;
    } else if (b < 0x20) {
      return Fail("unescaped control character in a string");
    } else if (!ReadUtf8Sequence(out)) {
      return false;
    }
  }
}

bool PatternJsonReader::ReadHex4(unsigned* value) {
  if (pos_ + 4 > json_.size()) return Fail("truncated \\u escape");
  unsigned v = 0;
  for (int i = 0; i < 4; ++i) {
    const char c = json_[pos_ + i];
    v <<= 4;
    if (c >= '0' && c <= '9') {
      v |= static_cast<unsigned>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      v |= static_cast<unsigned>(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      v |= static_cast<unsigned>(c - 'A' + 10);
    } else {
      return Fail("invalid hex digit in a \\u escape");
    }
  }
  pos_ += 4;
  *value = v;
  return true;
}

bool PatternJsonReader::ReadEscape(std::string* out) {
  ++pos_;  // the backslash
  if (pos_ >= json_.size()) return Fail("unterminated escape");
  const char c = json_[pos_++];
  switch (c) {
    case '"':
      out->push_back('"');
      return true;
    case '\\':
      out->push_back('\\');
      return true;
    case '/':
      out->push_back('/');
      return true;
    case 'b':
      out->push_back('\b');
      return true;
    case 'f':
      out->push_back('\f');
      return true;
    case 'n':
      out->push_back('\n');
      return true;
    case 'r':
      out->push_back('\r');
      return true;
    case 't':
      out->push_back('\t');
      return true;
    case 'u':
      break;
    default:
      return Fail(std::string("invalid escape '\\") + c + "'");
  }
  unsigned unit = 0;
  if (!ReadHex4(&unit)) return false;
  if (unit >= 0xDC00 && unit <= 0xDFFF) return Fail("lone low surrogate in a \\u escape");
  if (unit >= 0xD800 && unit <= 0xDBFF) {
    // Java strings may hold a lone surrogate, UTF-8 cannot: require the pair.
    if (pos_ + 2 > json_.size() || json_[pos_] != '\\' || json_[pos_ + 1] != 'u') {
      return Fail("high surrogate not followed by a low surrogate escape");
    }
    pos_ += 2;
    unsigned low = 0;
    if (!ReadHex4(&low)) return false;
    if (low < 0xDC00 || low > 0xDFFF) {
      return Fail("high surrogate not followed by a low surrogate escape");
    }
    unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
  }
  AppendUtf8(unit, out);
  return true;
}

// Validates one multi-byte UTF-8 sequence (RFC 3629: no overlongs, no surrogates, <= U+10FFFF).
bool PatternJsonReader::ReadUtf8Sequence(std::string* out) {
  const auto lead = static_cast<unsigned char>(json_[pos_]);
  size_t length = 0;
  unsigned char second_min = 0x80;
  unsigned char second_max = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) second_min = 0xA0;
    if (lead == 0xED) second_max = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) second_min = 0x90;
    if (lead == 0xF4) second_max = 0x8F;
  } else {
    return Fail("invalid UTF-8 lead byte in a string");
  }
  if (pos_ + length > json_.size()) return Fail("truncated UTF-8 sequence in a string");
  for (size_t i = 1; i < length; ++i) {
    const auto b = static_cast<unsigned char>(json_[pos_ + i]);
    const unsigned char lo = i == 1 ? second_min : 0x80;
    const unsigned char hi = i == 1 ? second_max : 0xBF;
    if (b < lo || b > hi) return Fail("invalid UTF-8 sequence in a string");
  }
  out->append(json_.substr(pos_, length));
  pos_ += length;
  return true;
}

}  // namespace trailwatch::pattern
