#include "scan/scan_summary.h"

#include <fmt/format.h>

namespace trailwatch::scan {

namespace {

std::string Bytes(uint64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024 && unit < 4) {
    value /= 1024;
    ++unit;
  }
  return unit == 0 ? fmt::format("{} B", bytes) : fmt::format("{:.1f} {}", value, kUnits[unit]);
}

std::string Plural(uint64_t n, const char* one, const char* many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

}  // namespace

double ScanSummary::MegabytesPerSecond() const {
  return elapsed_seconds > 0 ? static_cast<double>(bytes_inflated) / 1e6 / elapsed_seconds : 0;
}

std::string FormatSummaryText(const ScanSummary& s) {
  std::string out = fmt::format(
      // "read" is what came from disk or S3, gzip or not; "of JSON" what was parsed after
      // inflating (equal for plain .json files).
      "Scanned {} ({} read, {} of JSON), {}, {} in {:.2f} s ({:.1f} MB/s of JSON)\n",
      Plural(s.files, "file", "files"), Bytes(s.bytes_compressed), Bytes(s.bytes_inflated),
      Plural(s.records, "record", "records"), Plural(s.matches, "match", "matches"),
      s.elapsed_seconds, s.MegabytesPerSecond());
  const SkipCounts& k = s.skipped;
  out += fmt::format(
      "Skipped {} digest, {} insight, {} other; pruned {} by time, {} by account, {} by region",
      k.digest, k.insight, k.other, k.pruned_time, k.pruned_account, k.pruned_region);
  if (k.prefixes_skipped > 0 || s.s3_list_requests > 0) {
    out += fmt::format("; {} S3 prefixes skipped, {} list requests", k.prefixes_skipped,
                       s.s3_list_requests);
  }
  if (s.records_filtered > 0) {
    out += fmt::format("; {} outside the time/account/region filter",
                       Plural(s.records_filtered, "record", "records"));
  }
  if (s.records_prefiltered > 0) {
    out += fmt::format(
        "; {} skipped unparsed: they contain no text that any rule needs (--strict parses every "
        "record)",
                       Plural(s.records_prefiltered, "record", "records"));
  }
  out += "\n";
  if (s.failed()) {
    out += fmt::format("Failed: {}, {}, {} (see the errors above)\n",
                       Plural(s.files_failed, "file", "files"),
                       Plural(s.bad_records, "bad record", "bad records"),
                       Plural(s.discovery_errors, "location", "locations"));
  }
  return out;
}

std::string FormatSummaryJson(const ScanSummary& s) {
  const SkipCounts& k = s.skipped;
  return fmt::format(
      "{{\"files\": {}, \"files_failed\": {}, \"bytes_compressed\": {}, \"bytes_inflated\": {}, "
      "\"records\": {}, \"records_filtered\": {}, \"records_prefiltered\": {}, "
      "\"bad_records\": {}, \"matches\": {}, "
      "\"discovery_errors\": {}, \"skipped\": {{\"digest\": {}, \"insight\": {}, \"other\": {}, "
      "\"pruned_time\": {}, \"pruned_account\": {}, \"pruned_region\": {}, "
      "\"s3_prefixes\": {}}}, \"s3_list_requests\": {}, \"elapsed_seconds\": {:.3f}, "
      "\"mb_per_second\": {:.1f}}}\n",
      s.files, s.files_failed, s.bytes_compressed, s.bytes_inflated, s.records, s.records_filtered,
      s.records_prefiltered, s.bad_records, s.matches, s.discovery_errors, k.digest, k.insight, k.other, k.pruned_time,
      k.pruned_account, k.pruned_region, k.prefixes_skipped, s.s3_list_requests, s.elapsed_seconds,
      s.MegabytesPerSecond());
}

}  // namespace trailwatch::scan
