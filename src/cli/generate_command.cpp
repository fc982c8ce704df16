// `trailwatch generate --out DIR --size 2GB`: writes a realistic, deterministic CloudTrail corpus
// in the S3 layout (loggen/log_generator.h) for benchmarks and for trying `trailwatch scan`,
// and prints what it wrote as JSON, including the number of root sign-ins a scan should find.
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "common/json_string.h"
#include "loggen/log_generator.h"
#include "config/yaml_json.h"

namespace trailwatch::cli {

namespace {

struct GenerateArgs {
  std::string out;
  std::string size;
  uint64_t seed = 1;
  int accounts = 20;
  int regions = 8;
  int days = 30;
  std::string end = "2025-01-31";
  std::string org;
  int threads = 0;
  std::string file_size;  // MIN-MAX, empty: the heavy-tailed default
};

// "2GB", "500MB", "64KB", "1.5GiB", "123456" -> bytes. KB/MB/GB are powers of 1000 (as
// throughput in MB/s is); KiB/MiB/GiB powers of 1024. Case-insensitive.
Result<uint64_t> ParseSize(std::string_view text) {
  const auto bad = [&] {
    return Error{"--size: \"" + std::string(text) +
                 "\" is not a size such as 2GB, 500MB, 64KB, 1GiB or a number of bytes"};
  };
  size_t digits = 0;
  while (digits < text.size() &&
         ((text[digits] >= '0' && text[digits] <= '9') || text[digits] == '.')) {
    ++digits;
  }
  if (digits == 0) return bad();
  std::string unit;
  for (char c : text.substr(digits)) {
    if (c != ' ') unit.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  double multiplier = 0;
  if (unit.empty() || unit == "b") multiplier = 1;
  if (unit == "k" || unit == "kb") multiplier = 1e3;
  if (unit == "m" || unit == "mb") multiplier = 1e6;
  if (unit == "g" || unit == "gb") multiplier = 1e9;
  if (unit == "t" || unit == "tb") multiplier = 1e12;
  if (unit == "kib") multiplier = 1024.0;
  if (unit == "mib") multiplier = 1024.0 * 1024;
  if (unit == "gib") multiplier = 1024.0 * 1024 * 1024;
  if (multiplier == 0) return bad();
  char* end = nullptr;
  const std::string number(text.substr(0, digits));
  const double value = std::strtod(number.c_str(), &end);
  if (end != number.c_str() + number.size() || !(value > 0) || value * multiplier > 1e15) {
    return bad();
  }
  return static_cast<uint64_t>(std::llround(value * multiplier));
}

int Run(const GenerateArgs& args) {
  Result<uint64_t> size = ParseSize(args.size);
  if (!size.ok()) {
    std::cerr << "error: " << size.message() << "\n";
    return 2;
  }
  uint64_t min_file_bytes = 0;
  uint64_t max_file_bytes = 0;
  if (!args.file_size.empty()) {
    const size_t dash = args.file_size.find('-');
    Result<uint64_t> min = ParseSize(std::string_view(args.file_size).substr(0, dash));
    Result<uint64_t> max = dash == std::string::npos
                               ? Result<uint64_t>(Error{"no MAX"})
                               : ParseSize(std::string_view(args.file_size).substr(dash + 1));
    if (!min.ok() || !max.ok()) {
      std::cerr << "error: --file-size: \"" << args.file_size
                << "\" is not a range such as 100KB-260KB\n";
      return 2;
    }
    min_file_bytes = *min;
    max_file_bytes = *max;
  }
  Result<cloudtrail::CalendarDate> end = cloudtrail::ParseCalendarDate(args.end);
  if (!end.ok()) {
    std::cerr << "error: --end: " << end.message() << "\n";
    return 2;
  }
  cloudtrail::LogGeneratorOptions options;
  options.out_dir = args.out;
  options.target_bytes = *size;
  options.seed = args.seed;
  options.accounts = args.accounts;
  options.regions = args.regions;
  options.days = args.days;
  options.end = *end;
  options.org_id = args.org;
  options.threads = args.threads;
  options.min_file_bytes = min_file_bytes;
  options.max_file_bytes = max_file_bytes;
  if (Status valid = cloudtrail::ValidateLogGeneratorOptions(options); !valid.ok()) {
    std::cerr << "error: " << valid.message() << "\n";
    return 2;
  }
  std::error_code ec;
  if (std::filesystem::exists(options.out_dir, ec) &&
      !std::filesystem::is_empty(options.out_dir, ec)) {
    std::cerr << "error: --out: " << args.out << " exists and is not empty; give a new directory\n";
    return 2;
  }
  const auto started = std::chrono::steady_clock::now();
  Result<cloudtrail::LogGeneratorReport> report = cloudtrail::GenerateLogs(options);
  if (!report.ok()) {
    std::cerr << "error: " << report.message() << "\n";
    return 1;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::string json = cloudtrail::LogGeneratorReportJson(*report);
  json.pop_back();  // the closing brace: the command adds what it knows
  json.append(", \"out\": ");
  AppendJsonString(json, args.out);
  json.append(", \"seed\": ").append(std::to_string(args.seed));
  char tail[64];
  std::snprintf(tail, sizeof tail, ", \"seconds\": %.3f}\n", seconds);
  json.append(tail);
  std::fwrite(json.data(), 1, json.size(), stdout);
  std::fflush(stdout);
  return 0;
}

}  // namespace

void RegisterGenerate(CLI::App& app, int* exit_code) {
  CLI::App* cmd = app.add_subcommand(
      "generate",
      "Write realistic, deterministic CloudTrail log files in the S3 layout\n"
      "(DIR/AWSLogs/[o-org/]<account>/CloudTrail/<region>/YYYY/MM/DD/*.json.gz) for benchmarks\n"
      "and tests: many accounts and regions, a realistic mix of API calls, data events, service\n"
      "events, console actions and sign-ins, rare root sign-ins, file sizes from a few KB to tens\n"
      "of MB. The same options give the same bytes. Prints {\"files\": N, \"records\": N,\n"
      "\"compressed_bytes\": N, \"uncompressed_bytes\": N, \"root_sign_ins\": N, ...}.");
  auto args = std::make_shared<GenerateArgs>();
  cmd->add_option("--out", args->out, "output directory (must be absent or empty)")->required();
  cmd->add_option("--size", args->size,
                  "total uncompressed JSON to write: 2GB, 500MB, 64KB (powers of 1000), 1GiB...")
      ->required();
  cmd->add_option("--seed", args->seed, "random seed")->capture_default_str();
  cmd->add_option("--accounts", args->accounts, "number of AWS accounts (1-1000)")
      ->capture_default_str();
  cmd->add_option("--regions", args->regions,
                  "number of regions (1-" + std::to_string(cloudtrail::kMaxGeneratedRegions) +
                      ", us-east-1 first)")
      ->capture_default_str();
  cmd->add_option("--days", args->days, "delivery days, ending at --end")->capture_default_str();
  cmd->add_option("--end", args->end,
                  "last delivery day, YYYY-MM-DD (fixed default: output "
                  "depends only on the options)")
      ->capture_default_str();
  cmd->add_option("--org", args->org, "organization id (o-xxxxxxxxxx): organization-trail layout");
  cmd->add_option("--threads", args->threads, "worker threads (0: all cores)")
      ->capture_default_str();
  cmd->add_option("--file-size", args->file_size,
                  "MIN-MAX, e.g. 100KB-260KB: uncompressed file sizes uniform in that range "
                  "(MAX >= 2 MIN), the many small files of 5-minute deliveries; default: "
                  "heavy-tailed, a few KB to tens of MB");
  cmd->callback([=] { *exit_code = Run(*args); });
}

}  // namespace trailwatch::cli
