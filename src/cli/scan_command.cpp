// `trailwatch scan`: CloudTrail log files on disk or in S3, matched against EventBridge patterns.
//
// Pipeline: scan/scan_input (discover and prune) -> scan/scanner (inflate, envelope, filter,
// match on all cores) -> scan/scan_output (rows) + scan/scan_summary (totals).
#include <sys/ioctl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

#include "aws/credentials.h"
#include "aws/s3_client.h"
#include "cli/argument_text.h"
#include "cli/commands.h"
#include "cloudtrail/log_file_limits.h"
#include "pattern/compiler.h"
#include "pattern/pattern_set.h"
#include "rules/builtin_rules.h"
#include "rules/rules_file.h"
#include "scan/key_pruning.h"
#include "scan/progress.h"
#include "scan/scan_input.h"
#include "scan/scan_output.h"
#include "scan/scan_summary.h"
#include "scan/scanner.h"

namespace trailwatch::cli {

namespace {

struct ScanArgs {
  std::vector<std::string> locations;
  std::string pattern;
  std::string rules_path;
  std::string since;
  std::string until;
  std::string accounts;
  std::string regions;
  std::string output = "table";
  int threads = 0;
  bool quiet = false;
  bool strict = false;
  bool wide = false;
  std::string format = "auto";
  std::string endpoint_url;
  std::string profile;
  std::string region;
  std::string role_arn;
  std::string external_id;
  std::string summary_json;
  cloudtrail::LogFileLimits limits;  // --max-file-bytes, --max-inflated-bytes, ...
};

constexpr int kUsageError = 2;

// The table's width limit: the terminal's columns when stdout is a terminal, else none (a file
// or a pager gets every column whole).
size_t TableWidth(bool wide) {
  if (wide || isatty(STDOUT_FILENO) != 1) return 0;
  winsize size{};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  return 0;
}

int Usage(const std::string& message) {
  std::cerr << "error: " << message << "\n";
  return kUsageError;
}

Result<cloudtrail::InputFormat> ParseInputFormat(const std::string& text) {
  using cloudtrail::InputFormat;
  if (text == "auto") return InputFormat::kAuto;
  if (text == "records") return InputFormat::kLogFile;
  if (text == "array") return InputFormat::kRecordArray;
  if (text == "record") return InputFormat::kSingleRecord;
  if (text == "jsonl") return InputFormat::kRecordLines;
  if (text == "events") return InputFormat::kEventLines;
  return Error{"invalid --format \"" + text +
               "\": expected auto, records, array, record, jsonl or events"};
}

// The rules to run: --pattern, --rules, or the built-in root-signin rule. Compile errors carry
// the AWS reason text.
Result<std::shared_ptr<const pattern::PatternSet>> BuildRules(const ScanArgs& args) {
  struct Source {
    std::string name;
    std::string json;
    std::string where;  // for errors
  };
  std::vector<Source> sources;
  if (!args.pattern.empty()) {
    auto text = ReadArgumentText(args.pattern, "--pattern");
    if (!text.ok()) return Error{text.message()};
    sources.push_back({"pattern", *text, "--pattern"});
  }
  if (!args.rules_path.empty()) {
    auto texts = rules::LoadRulesFile(args.rules_path);
    if (!texts.ok()) return Error{texts.message()};
    for (rules::PatternText& text : *texts) {
      sources.push_back(
          {text.name, std::move(text.json),
           args.rules_path + ":" + std::to_string(text.line) + ": rule \"" + text.name + "\""});
    }
  }
  if (sources.empty()) {
    const rules::BuiltinRule* rule = rules::FindBuiltinRule(rules::kDefaultScanRule);
    sources.push_back({std::string(rule->name), std::string(rule->pattern_json),
                       "built-in rule " + std::string(rule->name)});
  }
  std::vector<pattern::PatternSet::NamedPattern> patterns;
  for (Source& source : sources) {
    pattern::CompileResult compiled = pattern::CompilePattern(source.json);
    if (!compiled.ok()) {
      return Error{source.where + ": InvalidEventPatternException: " + compiled.error->Message()};
    }
    patterns.push_back({source.name, std::move(compiled.pattern)});
  }
  auto set = pattern::PatternSet::Build(std::move(patterns));
  if (!set.ok()) return Error{set.message()};
  return *set;
}

int Run(const ScanArgs& args) {
  auto started = std::chrono::steady_clock::now();
  if (args.locations.empty()) {
    return Usage("no inputs: give files, directories or s3://bucket/prefix URLs to scan");
  }
  auto rule_set = BuildRules(args);
  if (!rule_set.ok()) return Usage(rule_set.message());

  scan::ScanOptions options;
  options.threads = args.threads;
  options.strict = args.strict;
  options.limits = args.limits;
  auto format = ParseInputFormat(args.format);
  if (!format.ok()) return Usage(format.message());
  options.format = *format;
  auto output = scan::ParseOutputFormat(args.output);
  if (!output.ok()) return Usage("--output: " + output.message());

  auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  scan::ScanFilter& filter = options.filter;
  if (!args.since.empty()) {
    auto since = scan::ParseTimeArgument(args.since, now, false);
    if (!since.ok()) return Usage("--since: " + since.message());
    filter.since = *since;
  }
  if (!args.until.empty()) {
    auto until = scan::ParseTimeArgument(args.until, now, true);
    if (!until.ok()) return Usage("--until: " + until.message());
    filter.until = *until;
  }
  if (filter.since && filter.until && *filter.since > *filter.until) {
    return Usage("--since is after --until");
  }
  if (!args.accounts.empty()) {
    auto accounts = scan::ParseAccountList(args.accounts);
    if (!accounts.ok()) return Usage("--accounts: " + accounts.message());
    filter.accounts = std::move(*accounts);
  }
  if (!args.regions.empty()) {
    auto regions = scan::ParseRegionList(args.regions);
    if (!regions.ok()) return Usage("--regions: " + regions.message());
    filter.regions = std::move(*regions);
  }

  if (!args.external_id.empty() && args.role_arn.empty()) {
    return Usage("--external-id is sent when assuming --role-arn, which is not given");
  }

  std::unique_ptr<aws::S3Client> s3;
  bool any_s3 = false;
  for (const std::string& location : args.locations) any_s3 |= location.rfind("s3://", 0) == 0;
  if (any_s3) {
    aws::Environment environment = aws::ProcessEnvironment();
    aws::S3ClientOptions s3_options;
    s3_options.region =
        args.region.empty() ? aws::ResolveRegion(environment, args.profile) : args.region;
    s3_options.endpoint =
        args.endpoint_url.empty() ? aws::ResolveS3Endpoint(environment) : args.endpoint_url;
    aws::CredentialsOptions identity;
    identity.profile = args.profile;
    identity.region = s3_options.region;
    identity.role_arn = args.role_arn;
    identity.external_id = args.external_id;
    s3 = std::make_unique<aws::S3Client>(
        s3_options, std::make_shared<aws::CredentialsProvider>(std::move(environment),
                                                               std::move(identity)));
  }

  const bool draw_progress = !args.quiet && scan::Progress::StderrIsTerminal();
  // Local folders are walked on the scan's threads too: on many small files the walk was a
  // serial prefix of the scan (issue 16).
  scan::Discovery discovery =
      scan::DiscoverInputs(args.locations, filter, s3.get(), scan::Scanner::ThreadCount(options));
  for (const std::string& error : discovery.errors) std::cerr << "error: " << error << "\n";

  uint64_t bytes_total = 0;
  for (const scan::ScanInput& input : discovery.inputs) bytes_total += input.size;
  scan::Progress progress(draw_progress, discovery.inputs.size(), bytes_total);
  progress.Start();
  scan::Scanner scanner(*rule_set, options, s3.get(), &progress);
  scan::ScanResult result = scanner.Run(discovery.inputs);
  progress.Stop();

  scan::ScanSummary& summary = result.summary;
  summary.skipped = discovery.skipped;
  summary.discovery_errors = discovery.errors.size();
  summary.s3_list_requests = discovery.list_requests;
  summary.elapsed_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  std::string text = scan::FormatRows(result.rows, *output, TableWidth(args.wide));
  if (*output == scan::OutputFormat::kTable) {
    text += "\n" + scan::FormatSummaryText(summary);
  } else if (draw_progress) {
    std::cerr << scan::FormatSummaryText(summary);
  }
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
  if (!args.summary_json.empty()) {
    std::ofstream file(args.summary_json, std::ios::binary | std::ios::trunc);
    file << scan::FormatSummaryJson(summary);
    if (!file) {
      std::cerr << "error: " << args.summary_json << ": cannot write the summary\n";
      return 1;
    }
  }
  return summary.failed() ? 1 : 0;
}

}  // namespace

void RegisterScan(CLI::App& app, int* exit_code) {
  CLI::App* cmd = app.add_subcommand(
      "scan",
      "Scan CloudTrail log files (.json.gz or .json; {\"Records\":[...]}, arrays, single records,\n"
      "JSON lines of records or EventBridge events) in files, directories (recursive) or\n"
      "s3://bucket/prefix, and print every event matching the rules. Each record is matched as\n"
      "the EventBridge event AWS would deliver, so live-alert patterns work unchanged. Without\n"
      "--pattern or --rules the built-in rule root-signin is used: every console sign-in event\n"
      "of the root user (ConsoleLogin, success or failure, and also PasswordUpdated, CheckMfa,\n"
      "ExternalIdPDirectoryLogin, ...).\n"
      "eventTime: RFC 3339 as CloudTrail writes it (2024-11-25T17:51:21Z), or the SIEM/Athena\n"
      "export form YYYY-MM-DD HH:MM:SS[.fraction] without a zone (2024-11-25 17:51:21.000000000),\n"
      "read as UTC, fraction dropped (the live sources of `run` accept RFC 3339 only). Rows, the\n"
      "envelope `time` a pattern sees and --since/--until use 2024-11-25T17:51:21Z; the record\n"
      "(detail.eventTime) keeps its own text.\n"
      "Digest and Insight files and non-JSON files are skipped and counted. --since/--until and\n"
      "--accounts/--regions skip whole days, accounts and regions by the AWSLogs/ key layout\n"
      "before reading (files delivered up to 1 day after --until are still read, for late\n"
      "delivery), then filter records by eventTime, account and region.\n"
      "Speed: when every rule needs some literal text in a record (root-signin needs \"Root\"),\n"
      "a CloudTrail log file is checked in one pass (UTF-8, strings, brackets, the Records\n"
      "array) and only records holding such a literal are parsed and matched; the others are\n"
      "counted. --strict parses every record (bad records inside other records reported, all\n"
      "records checked against --since/--until).\n"
      "Output: rows sorted by time, then file, then position. The summary follows the table on\n"
      "stdout; with jsonl/json/csv it goes to stderr, only when stderr is a terminal and not\n"
      "--quiet (use --summary-json FILE in scripts). A progress bar is drawn on stderr only when\n"
      "it is a terminal. Errors always go to stderr.\n"
      "AWS identity for s3:// inputs: the AWS SDKs' credential chain (environment, web identity,\n"
      "profile, ECS/EKS container, EC2 instance metadata), or --profile, and --role-arn to read\n"
      "another account's bucket through a role (docs/aws-credentials.md).\n"
      "Limits (docs/limits.md): a file larger than --max-file-bytes, a gzip file that inflates\n"
      "past --max-inflated-bytes or past --max-compression-ratio times its size (once over\n"
      "64 MiB), or whose first 64 KiB inflated are not JSON (a gzip bomb of zeros) is reported\n"
      "with its name and counted as failed; the scan goes on.\n"
      "Exit: 0 scanned (with or without matches), 1 some inputs failed (a file that is not\n"
      "valid, an S3 error; what was found is still printed), 2 usage error.");
  auto args = std::make_shared<ScanArgs>();
  AcceptFileUrl(cmd->add_option("inputs", args->locations, "files, directories or s3://BUCKET/PREFIX"));
  cmd->add_option("--pattern", args->pattern,
                  "an EventBridge event pattern: JSON text or file://PATH (rule name \"pattern\")");
  AcceptFileUrl(cmd->add_option("--rules", args->rules_path, "rules file (JSON or YAML: rule name -> pattern)"));
  cmd->add_option("--since", args->since,
                  "only events at or after T: RFC 3339 (2024-05-01T00:00:00Z), a date "
                  "(2024-05-01) or a duration before now (90d, 12h, 30m)");
  cmd->add_option("--until", args->until,
                  "only events at or before T (same forms; a date means its end)");
  cmd->add_option("--accounts", args->accounts, "only these accounts: A,B (12-digit ids)");
  cmd->add_option("--regions", args->regions, "only these regions: R,S (e.g. us-east-1)");
  cmd->add_option("--output", args->output, "table, jsonl, json or csv")->capture_default_str();
  cmd->add_option("--threads", args->threads, "worker threads (0 = one per core)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--quiet,-q", args->quiet, "no progress bar or summary on stderr (errors only)");
  cmd->add_flag("--strict", args->strict,
                "parse and check every record, not only those that hold a literal some rule "
                "needs (slower)");
  cmd->add_flag("--wide", args->wide,
                "table: every column whole, whatever the terminal's width (by default, on a "
                "terminal, user agent, origin, event id, identity, identity type and event "
                "are cut with ... in that order to fit)");
  cmd->add_option("--format", args->format,
                  "input format: auto, records ({\"Records\":[...]}), array, record, jsonl "
                  "(JSON lines of records) or events (JSON lines of EventBridge events)")
      ->capture_default_str();
  cmd->add_option("--endpoint-url", args->endpoint_url,
                  "S3 endpoint (e.g. http://127.0.0.1:5000); default AWS_ENDPOINT_URL_S3, "
                  "AWS_ENDPOINT_URL, else AWS");
  cmd->add_option("--profile", args->profile,
                  "AWS profile (~/.aws/config) for s3:// inputs, used instead of the "
                  "environment's keys; default AWS_PROFILE, else the credential chain "
                  "(docs/aws-credentials.md)");
  cmd->add_option("--region", args->region,
                  "region of the bucket (and of STS for --role-arn); default AWS_REGION, "
                  "AWS_DEFAULT_REGION, the profile's region, else us-east-1");
  cmd->add_option("--role-arn", args->role_arn,
                  "read s3:// inputs through this IAM role (e.g. the log-archive account's), "
                  "assumed with the credentials of --profile or the chain");
  cmd->add_option("--external-id", args->external_id, "ExternalId sent with --role-arn");
  cmd->add_option("--summary-json", args->summary_json,
                  "also write the summary as one JSON object to this file");
  cmd->add_option("--max-file-bytes", args->limits.max_file_bytes,
                  "refuse a file larger than this many bytes as stored (compressed)")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{1} << 20, uint64_t{64} << 30));
  cmd->add_option("--max-inflated-bytes", args->limits.max_inflated_bytes,
                  "refuse a gzip file that inflates to more bytes than this (gzip bombs)")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{1} << 20, uint64_t{64} << 30));
  cmd->add_option("--max-compression-ratio", args->limits.max_compression_ratio,
                  "refuse a gzip file inflating to more than this many times its size, once "
                  "over 64 MiB (CloudTrail JSON: ~10-20x, zeros: ~1000x); 0 = no limit")
      ->capture_default_str()
      ->check(CLI::Range(0, 100000));
  cmd->callback([=] { *exit_code = Run(*args); });
}

}  // namespace trailwatch::cli
