// `trailwatch import-cfn` and `trailwatch export-cfn`: the CloudFormation bridge (src/bridges/).
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "bridges/cfn_export.h"
#include "bridges/cfn_import.h"
#include "bridges/cfn_template.h"
#include "cli/argument_text.h"
#include "cli/commands.h"
#include "rules/rules_file.h"

namespace trailwatch::cli {

namespace {

// Writes to --out FILE, or stdout. Returns the exit code.
int Emit(const std::string& text, const std::string& out_path) {
  if (out_path.empty() || out_path == "-") {
    std::cout << text;
    return 0;
  }
  std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    std::cerr << "error: --out " << out_path << ": cannot write\n";
    return 1;
  }
  return 0;
}

// --parameters K=V, or the AWS CLI's ParameterKey=K,ParameterValue=V.
Result<bridges::ParameterValues> ParseParameters(const std::vector<std::string>& args) {
  bridges::ParameterValues values;
  for (const std::string& arg : args) {
    std::string key;
    std::string value;
    static constexpr std::string_view kAwsKey = "ParameterKey=";
    static constexpr std::string_view kAwsValue = ",ParameterValue=";
    size_t aws_value = arg.find(kAwsValue);
    if (arg.rfind(kAwsKey, 0) == 0 && aws_value != std::string::npos) {
      key = arg.substr(kAwsKey.size(), aws_value - kAwsKey.size());
      value = arg.substr(aws_value + kAwsValue.size());
    } else {
      size_t eq = arg.find('=');
      if (eq == std::string::npos || eq == 0) {
        return Error{"--parameters " + arg + ": expected NAME=VALUE"};
      }
      key = arg.substr(0, eq);
      value = arg.substr(eq + 1);
    }
    if (!values.emplace(key, value).second) {
      return Error{"--parameters: " + key + " is given twice"};
    }
  }
  return values;
}

int RunImport(const std::string& path, const std::vector<std::string>& parameter_args,
              const std::string& format, const std::string& out_path) {
  Result<bridges::ParameterValues> parameters = ParseParameters(parameter_args);
  if (!parameters.ok()) {
    std::cerr << "error: " << parameters.message() << "\n";
    return 2;
  }
  Result<bridges::CfnTemplate> tpl = bridges::CfnTemplate::Load(path);
  if (!tpl.ok()) {
    std::cerr << "error: " << tpl.message() << "\n";
    return 2;
  }
  if (Status s = tpl->SetParameters(*parameters); !s.ok()) {
    std::cerr << "error: " << s.message() << "\n";
    return 2;
  }
  Result<bridges::ImportResult> imported = bridges::ImportRules(*tpl);
  if (!imported.ok()) {
    std::cerr << "error: " << imported.message() << "\n";
    return 2;
  }
  for (const std::string& note : imported->notes) std::cerr << "note: " << note << "\n";
  bridges::ImportFormat import_format =
      format == "rules-file" ? bridges::ImportFormat::kRulesFile : bridges::ImportFormat::kConfig;
  std::string source = std::filesystem::path(path).filename().string();
  return Emit(bridges::RenderImport(*imported, import_format, source), out_path);
}

struct ExportArgs {
  std::string endpoint;
  std::string rules_path;
  std::string name = "trailwatch-forwarder";
  std::string api_key_header = "x-api-key";
  bool allow_http = false;
  int rate_limit = 300;
  std::string out_path;
};

int RunExport(const ExportArgs& args) {
  bridges::ExportOptions options;
  options.endpoint = args.endpoint;
  options.name = args.name;
  options.api_key_header = args.api_key_header;
  options.allow_http = args.allow_http;
  options.rate_limit_per_second = args.rate_limit;
  if (!args.out_path.empty() && args.out_path != "-") {
    options.template_file = std::filesystem::path(args.out_path).filename().string();
  }
  if (!args.rules_path.empty()) {
    Result<std::vector<rules::PatternText>> loaded = rules::LoadRulesFile(args.rules_path);
    if (!loaded.ok()) {
      std::cerr << "error: " << loaded.message() << "\n";
      return 2;
    }
    if (loaded->empty()) {
      std::cerr << "error: " << args.rules_path << ": no rules to export\n";
      return 2;
    }
    options.rules = std::move(*loaded);
  }
  Result<std::string> text = bridges::ExportTemplate(options);
  if (!text.ok()) {
    std::cerr << "error: " << text.message() << "\n";
    return 2;
  }
  return Emit(*text, args.out_path);
}

}  // namespace

void RegisterCfn(CLI::App& app, int* exit_code) {
  CLI::App* import = app.add_subcommand(
      "import-cfn",
      "Import the AWS::Events::Rule event patterns of a CloudFormation template (YAML or JSON)\n"
      "as trailwatch rules. Ref, Fn::Sub, Fn::Join, Fn::Select, Fn::Split, Fn::If and\n"
      "Fn::FindInMap are resolved with --parameters, parameter Defaults and the pseudo\n"
      "parameters (AWS::Region us-east-1, AWS::AccountId 123456789012, AWS::Partition aws).\n"
      "Prints the `rules:` section of trailwatch's config, or a rules file.");
  auto path = std::make_shared<std::string>();
  auto parameters = std::make_shared<std::vector<std::string>>();
  auto format = std::make_shared<std::string>("config");
  auto import_out = std::make_shared<std::string>();
  AcceptFileUrl(import->add_option("TEMPLATE", *path, "the CloudFormation template"))->required();
  import->add_option("--parameters", *parameters,
                     "template parameter values, NAME=VALUE ... (also AWS::Region=..., "
                     "AWS::AccountId=...)");
  import
      ->add_option("--format", *format,
                   "config: the rules: section of the config; rules-file: "
                   "a rules file for match/scan --rules")
      ->check(CLI::IsMember({"config", "rules-file"}))
      ->capture_default_str();
  import->add_option("--out", *import_out, "write to FILE instead of stdout");
  import->callback(
      [=] { *exit_code = RunImport(*path, *parameters, *format, *import_out);
});

CLI::App* exporter = app.add_subcommand(
    "export-cfn",
    "Write a CloudFormation template that forwards matching events from an AWS account to\n"
    "trailwatch's POST /events (EventBridge rule, API key Connection, ApiDestination, IAM\n"
    "role, dead-letter queue). Deploy it in us-east-1; the API key is a deploy-time parameter.");
auto args = std::make_shared<ExportArgs>();
exporter
    ->add_option("--endpoint", args->endpoint,
                 "trailwatch's public https:// URL (/events is appended unless present)")
    ->required();
AcceptFileUrl(exporter->add_option(
    "--rules", args->rules_path,
    "rules file (name: pattern) to export; default: the root sign-in rule"));
exporter->add_option("--name", args->name, "stack, Connection and ApiDestination name")
    ->capture_default_str();
exporter
    ->add_option("--api-key-header", args->api_key_header,
                 "header that carries the API key (the http source's api_key_header)")
    ->capture_default_str();
exporter
    ->add_option("--rate-limit", args->rate_limit,
                 "InvocationRateLimitPerSecond of the API destination")
    ->capture_default_str();
exporter->add_flag("--allow-http", args->allow_http,
                   "accept an http:// endpoint (local testing only; EventBridge needs https)");
exporter->add_option("--out", args->out_path, "write to FILE instead of stdout");
exporter->callback([=] { *exit_code = RunExport(*args); });
}  // namespace trailwatch::cli

}  // namespace trailwatch::cli
