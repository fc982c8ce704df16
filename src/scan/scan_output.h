// Scan output: match rows as a terminal table, JSON lines, one JSON array, or CSV.
//
//   table  aligned columns for a terminal; control characters shown as '?' and user agents
//          longer than kTableCellLimit characters cut with "...". Given a terminal width, the
//          table fits it: the cuttable columns (user agent, origin, event id, identity, identity
//          type, event, in this order) are cut with "..." in turn, down to kMinCutWidth each;
//          `scan --wide` (width 0) cuts nothing but the user agent. Use another format for full
//          values. User names in failed sign-ins are
//          attacker-controlled text (docs/reference/formats.md §2.2), so nothing is printed raw to
// a terminal.
//   jsonl  one object per row, keys as in kColumns.
//   json   one array of those objects.
//   csv    RFC 4180: a header line, CRLF line ends, fields quoted when they hold '"', ',', CR or
//          LF, quotes doubled.
// Every format writes the rows in the order given (the scanner sorts them, match_row.h).
//
// Thread-safety: pure functions.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "scan/match_row.h"

namespace trailwatch::scan {

enum class OutputFormat { kTable, kJsonLines, kJson, kCsv };

Result<OutputFormat> ParseOutputFormat(std::string_view text);

// Column names, in output order (JSON keys and CSV header).
inline constexpr std::string_view kColumns[] = {
    "time",   "account",  "region",    "rule",       "identity_type", "identity", "event_name",
    "result", "mfa_used", "source_ip", "user_agent", "event_id",      "origin"};

inline constexpr size_t kTableCellLimit = 60;  // user agent column in tables
inline constexpr size_t kMinCutWidth = 10;     // a column cut to fit the terminal keeps this much

// The whole output for `rows`. `table_width`: the terminal's columns for kTable (0 = no limit).
std::string FormatRows(std::span<const MatchRow> rows, OutputFormat format,
                       size_t table_width = 0);

}  // namespace trailwatch::scan
