#include "render/display_text.h"

namespace trailwatch::render {

namespace {

// Length of the UTF-8 sequence starting with byte `lead` (1 for invalid lead bytes).
size_t SequenceLength(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead & 0xE0) == 0xC0) return 2;
  if ((lead & 0xF0) == 0xE0) return 3;
  if ((lead & 0xF8) == 0xF0) return 4;
  return 1;
}

// Walks `text` one code point at a time; calls step(begin, bytes, units) and stops when it
// returns false.
template <typename Step>
void ForEachCodePoint(std::string_view text, Step step) {
  size_t i = 0;
  while (i < text.size()) {
    size_t bytes = SequenceLength(static_cast<unsigned char>(text[i]));
    if (i + bytes > text.size()) bytes = 1;
    for (size_t k = 1; k < bytes; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) {
        bytes = 1;
        break;
      }
    }
    size_t units = bytes == 4 ? 2 : 1;
    if (!step(i, bytes, units)) return;
    i += bytes;
  }
}

}  // namespace

size_t TextLength(std::string_view text) {
  size_t units = 0;
  ForEachCodePoint(text, [&](size_t, size_t, size_t n) {
    units += n;
    return true;
  });
  return units;
}

std::string TruncateText(std::string_view text, size_t max_units) {
  if (TextLength(text) <= max_units) return std::string(text);
  if (max_units == 0) return std::string();
  size_t budget = max_units - 1;  // room for "…"
  size_t used = 0;
  size_t cut = 0;
  ForEachCodePoint(text, [&](size_t begin, size_t bytes, size_t units) {
    if (used + units > budget) return false;
    used += units;
    cut = begin + bytes;
    return true;
  });
  std::string out(text.substr(0, cut));
  out.append(kEllipsis);
  return out;
}

std::string EscapeSlack(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out.append("&amp;");
        break;
      case '<':
        out.append("&lt;");
        break;
      case '>':
        out.append("&gt;");
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string EscapeSlackTruncated(std::string_view text, size_t max_units) {
  std::string escaped = EscapeSlack(text);
  if (TextLength(escaped) <= max_units) return escaped;
  std::string cut = TruncateText(escaped, max_units);
  // Drop a half entity ("&am…") left at the end of the cut.
  size_t body = cut.size() - kEllipsis.size();
  size_t amp = cut.rfind('&', body == 0 ? 0 : body - 1);
  if (amp != std::string::npos && cut.find(';', amp) == std::string::npos) {
    cut.erase(amp, body - amp);
  }
  return cut;
}

std::string PrintableLine(std::string_view text) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7f) {
      out.append("\\x");
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    } else if (c == 0xC2 && i + 1 < text.size() &&
               static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(text[i + 1]) <= 0x9F) {
      unsigned char c1 = static_cast<unsigned char>(text[++i]);
      out.append("\\u00");
      out.push_back(kHex[c1 >> 4]);
      out.push_back(kHex[c1 & 15]);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

std::string SingleLine(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) c = ' ';
  }
  return out;
}

}  // namespace trailwatch::render
