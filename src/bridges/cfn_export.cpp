#include "bridges/cfn_export.h"

#include "common/json_string.h"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <set>

#include "config/api_key.h"
#include "config/yaml_json.h"
#include "pattern/compiler.h"

namespace trailwatch::bridges {

namespace {

// EventBridge limits (AWS::Events::ApiDestination and AWS::Events::Connection in the
// CloudFormation resource schemas): endpoint URL up to 2048 characters, names
// [\.\-_A-Za-z0-9]+ up to 64; header names of an API key connection up to 512.
constexpr size_t kMaxEndpointChars = 2048;
constexpr size_t kMaxNameChars = 64;
constexpr size_t kMaxHeaderChars = 512;

std::string Quoted(std::string_view text) {
  std::string out;
  AppendJsonString(out, text);  // JSON escapes are valid in YAML double-quoted scalars
  return out;
}

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
  }
  return true;
}

// A CloudFormation logical id (alphanumeric) for a trailwatch rule name: "root-signin" ->
// "RootSigninRule".
std::string LogicalId(const std::string& name, std::set<std::string>* used) {
  std::string id;
  bool upper = true;
  for (char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c)) && static_cast<unsigned char>(c) < 0x80) {
      id.push_back(upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c);
      upper = false;
    } else {
      upper = true;
    }
  }
  if (id.size() > 200) id.resize(200);
  if (id.empty() || std::isdigit(static_cast<unsigned char>(id[0]))) id = "R" + id;
  id += "Rule";
  std::string unique = id;
  for (int n = 2; used->count(unique); ++n) unique = id + std::to_string(n);
  used->insert(unique);
  return unique;
}

// Writes a pattern (parsed JSON as a yaml-cpp tree) in YAML block style. Strings are always
// double-quoted, so "123" stays a string; numbers, booleans and null keep their JSON text.
Status EmitBlock(const YAML::Node& node, int indent, std::string* out);

Status EmitScalarOrNested(const YAML::Node& node, int indent, std::string* out) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      if (node.size() == 0) {
        out->append(" {}\n");
        return Status::Ok();
      }
      out->push_back('\n');
      return EmitBlock(node, indent, out);
    case YAML::NodeType::Sequence:
      if (node.size() == 0) {
        out->append(" []\n");
        return Status::Ok();
      }
      out->push_back('\n');
      return EmitBlock(node, indent, out);
    case YAML::NodeType::Scalar:
      out->push_back(' ');
      out->append(node.Tag() == "!" ? Quoted(node.Scalar()) : node.Scalar());
      out->push_back('\n');
      return Status::Ok();
    default:
      out->append(" null\n");
      return Status::Ok();
  }
}

Status EmitBlock(const YAML::Node& node, int indent, std::string* out) {
  std::string pad(static_cast<size_t>(indent), ' ');
  if (node.IsMap()) {
    std::set<std::string> keys;
    for (const auto& entry : node) {
      const std::string& key = entry.first.Scalar();
      // EventBridge merges repeated keys; a YAML mapping may not repeat them at all.
      if (!keys.insert(key).second) return Error{"repeats the key \"" + key + "\""};
      out->append(pad + Quoted(key) + ":");
      Status s = EmitScalarOrNested(entry.second, indent + 2, out);
      if (!s.ok()) return s;
    }
    return Status::Ok();
  }
  for (const YAML::Node& item : node) {
    if ((item.IsMap() || item.IsSequence()) && item.size() > 0) {
      std::string nested;
      Status s = EmitBlock(item, indent + 2, &nested);
      if (!s.ok()) return s;
      out->append(pad + "- " + nested.substr(static_cast<size_t>(indent) + 2));
    } else {
      out->append(pad + "-");
      Status s = EmitScalarOrNested(item, indent + 2, out);
      if (!s.ok()) return s;
    }
  }
  return Status::Ok();
}

Result<std::string> PatternYaml(const rules::PatternText& rule, int indent) {
  pattern::CompileResult compiled = pattern::CompilePattern(rule.json);
  if (!compiled.ok()) {
    return Error{"rule " + rule.name +
                 ": InvalidEventPatternException: " + compiled.error->Message()};
  }
  YAML::Node tree;
  try {
    tree = YAML::Load(rule.json);
  } catch (const YAML::Exception& e) {
    return Error{"rule " + rule.name + ": the pattern cannot be written as YAML (" + e.msg + ")"};
  }
  std::string out;
  Status s = EmitBlock(tree, indent, &out);
  if (!s.ok()) return Error{"rule " + rule.name + ": the pattern " + s.message()};
  return out;
}

Status CheckName(const std::string& name) {
  bool ok = !name.empty() && name.size() <= kMaxNameChars &&
            std::isalpha(static_cast<unsigned char>(name[0]));
  for (char c : name) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '-');
  if (ok) return Status::Ok();
  return Error{"--name " + name +
               ": must start with a letter and have only letters, digits and "
               "'-', at most 64 characters (it names the stack, the Connection and the "
               "ApiDestination)"};
}

Status CheckHeader(const std::string& header) {
  static constexpr std::string_view kTokenPunctuation = "!#$%&'*+-.^_`|~";
  bool ok = !header.empty() && header.size() <= kMaxHeaderChars;
  for (char c : header) {
    ok = ok && (std::isalnum(static_cast<unsigned char>(c)) ||
                kTokenPunctuation.find(c) != std::string_view::npos);
  }
  if (ok) return Status::Ok();
  return Error{"--api-key-header " + header + ": not an HTTP header name"};
}

}  // namespace

Result<std::string> EventsEndpoint(const std::string& endpoint, bool allow_http) {
  size_t authority = 0;
  if (StartsWithNoCase(endpoint, "https://")) {
    authority = 8;
  } else if (StartsWithNoCase(endpoint, "http://")) {
    // EventBridge API destinations call HTTPS endpoints only. docs/reference/formats.md §6.1 marks
    // this unverified; the EventBridge User Guide says "The URL must use HTTPS" (Create an API
    // destination,
    // docs.aws.amazon.com/eventbridge/latest/userguide/eb-api-destination-create.html).
    if (!allow_http) {
      return Error{"--endpoint " + endpoint +
                   ": EventBridge API destinations call https:// "
                   "endpoints only (--allow-http permits http:// for local testing)"};
    }
    authority = 7;
  } else {
    return Error{"--endpoint " + endpoint + ": must be an https:// URL"};
  }
  for (char c : endpoint) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return Error{"--endpoint: the URL contains a space or control character"};
    }
  }
  if (endpoint.find_first_of("?#") != std::string::npos) {
    return Error{"--endpoint " + endpoint + ": must not have a query or fragment"};
  }
  size_t path = endpoint.find('/', authority);
  std::string host =
      endpoint.substr(authority, path == std::string::npos ? std::string::npos : path - authority);
  if (host.empty()) return Error{"--endpoint " + endpoint + ": has no host"};
  std::string url = endpoint;
  while (url.size() > authority && url.back() == '/') url.pop_back();
  static constexpr std::string_view kEvents = "/events";
  if (url.size() < kEvents.size() ||
      url.compare(url.size() - kEvents.size(), kEvents.size(), kEvents) != 0 ||
      url.size() - kEvents.size() < authority + host.size()) {
    url += kEvents;
  }
  if (url.size() > kMaxEndpointChars) {
    return Error{"--endpoint: the URL (with /events) has " + std::to_string(url.size()) +
                 " characters; EventBridge allows at most 2048"};
  }
  return url;
}

Result<std::string> ExportTemplate(const ExportOptions& options) {
  Result<std::string> url = EventsEndpoint(options.endpoint, options.allow_http);
  if (!url.ok()) return url.error();
  if (Status s = CheckName(options.name); !s.ok()) return Error{s.message()};
  if (Status s = CheckHeader(options.api_key_header); !s.ok()) return Error{s.message()};
  if (options.rate_limit_per_second < 1) {
    return Error{"the invocation rate limit must be at least 1 per second"};
  }

  std::vector<rules::PatternText> rules = options.rules;
  if (rules.empty()) {
    rules.push_back({std::string(kRootSigninRuleName), std::string(kRootSigninPattern), 0});
  }
  struct ExportedRule {
    std::string logical_id;
    std::string name;
    std::string pattern_yaml;
  };
  std::vector<ExportedRule> exported;
  std::set<std::string> used = {"Connection", "ApiDestination", "InvokeRole", "DeadLetterQueue",
                                "DeadLetterQueuePolicy"};
  std::string errors;
  for (const rules::PatternText& rule : rules) {
    Result<std::string> yaml = PatternYaml(rule, 8);
    if (!yaml.ok()) {
      errors += (errors.empty() ? "" : "\n") + yaml.message();
      continue;
    }
    exported.push_back({LogicalId(rule.name, &used), rule.name, *yaml});
  }
  if (!errors.empty()) return Error{errors};

  const std::string& name = options.name;
  std::string file = options.template_file.empty() ? name + ".yaml" : options.template_file;
  std::string out;
  out +=
      "# trailwatch forwarder: sends the events that match trailwatch's rules from this AWS "
      "account to\n";
  out +=
      "# trailwatch's POST /events through an EventBridge API destination. Written by "
      "`trailwatch export-cfn`.\n";
  out += "#\n";
  out +=
      "# Deploy it in us-east-1: root console sign-ins are recorded there whatever region the "
      "console\n";
  out +=
      "# shows. IAM user sign-ins may be recorded in other regions; deploy the stack there too "
      "for those.\n";
  out +=
      "# The API key is the api_key of trailwatch's http source; it is given at deploy time "
      "only:\n";
  out += "#\n";
  out += "#   aws cloudformation deploy --region us-east-1 --stack-name " + name + " \\\n";
  out += "#     --template-file " + file + " --capabilities CAPABILITY_IAM \\\n";
  out += "#     --parameter-overrides ApiKey=\"$TRAILWATCH_API_KEY\"\n";
  out += "#\n";
  out +=
      "# Events EventBridge cannot deliver (after 185 attempts over 24 hours, or refused with a "
      "4xx)\n";
  out += "# wait 14 days in the dead-letter queue named in the stack outputs.\n";
  out += "AWSTemplateFormatVersion: \"2010-09-09\"\n";
  std::string description = "Forwards matching AWS events to trailwatch at " + *url;
  if (description.size() > 1024) description = "Forwards matching AWS events to trailwatch";
  out += "Description: " + Quoted(description) + "\n";  // at most 1024 characters
  out += "Parameters:\n";
  out += "  ApiKey:\n";
  out += "    Type: String\n";
  out += "    NoEcho: true\n";
  // The http source refuses shorter keys (config/api_key.h).
  out += "    MinLength: " + std::to_string(config::kMinApiKeyLength) + "\n";
  out += "    Description: " +
         Quoted("The API key trailwatch expects in the " + options.api_key_header + " header") +
         "\n";
  out += "Resources:\n";
  out += "  Connection:\n";
  out += "    Type: AWS::Events::Connection\n";
  out += "    Properties:\n";
  out += "      Name: " + name + "\n";
  out += "      Description: API key for trailwatch\n";
  out += "      AuthorizationType: API_KEY\n";
  out += "      AuthParameters:\n";
  out += "        ApiKeyAuthParameters:\n";
  out += "          ApiKeyName: " + Quoted(options.api_key_header) + "\n";
  out += "          ApiKeyValue: !Ref ApiKey\n";
  out += "  ApiDestination:\n";
  out += "    Type: AWS::Events::ApiDestination\n";
  out += "    Properties:\n";
  out += "      Name: " + name + "\n";
  out += "      Description: trailwatch POST /events\n";
  out += "      ConnectionArn: !GetAtt Connection.Arn\n";
  out += "      InvocationEndpoint: " + Quoted(*url) + "\n";
  out += "      HttpMethod: POST\n";
  out +=
      "      InvocationRateLimitPerSecond: " + std::to_string(options.rate_limit_per_second) + "\n";
  out += "  InvokeRole:\n";
  out += "    Type: AWS::IAM::Role\n";
  out += "    Properties:\n";
  out += "      Description: Lets EventBridge call the trailwatch API destination\n";
  out += "      AssumeRolePolicyDocument:\n";
  out += "        Version: \"2012-10-17\"\n";
  out += "        Statement:\n";
  out += "          - Effect: Allow\n";
  out += "            Principal:\n";
  out += "              Service: events.amazonaws.com\n";
  out += "            Action: sts:AssumeRole\n";
  out += "      Policies:\n";
  out += "        - PolicyName: invoke-trailwatch-api-destination\n";
  out += "          PolicyDocument:\n";
  out += "            Version: \"2012-10-17\"\n";
  out += "            Statement:\n";
  out += "              - Effect: Allow\n";
  out += "                Action: events:InvokeApiDestination\n";
  out += "                Resource: !GetAtt ApiDestination.Arn\n";
  out += "  DeadLetterQueue:\n";
  out += "    Type: AWS::SQS::Queue\n";
  out += "    Properties:\n";
  out += "      MessageRetentionPeriod: 1209600\n";
  out += "      SqsManagedSseEnabled: true\n";
  out += "  DeadLetterQueuePolicy:\n";
  out += "    Type: AWS::SQS::QueuePolicy\n";
  out += "    Properties:\n";
  out += "      Queues:\n";
  out += "        - !Ref DeadLetterQueue\n";
  out += "      PolicyDocument:\n";
  out += "        Version: \"2012-10-17\"\n";
  out += "        Statement:\n";
  out += "          - Effect: Allow\n";
  out += "            Principal:\n";
  out += "              Service: events.amazonaws.com\n";
  out += "            Action: sqs:SendMessage\n";
  out += "            Resource: !GetAtt DeadLetterQueue.Arn\n";
  out += "            Condition:\n";
  out += "              ArnEquals:\n";
  out += "                aws:SourceArn:\n";
  for (const ExportedRule& rule : exported) {
    out += "                  - !GetAtt " + rule.logical_id + ".Arn\n";
  }
  for (const ExportedRule& rule : exported) {
    std::string description = "trailwatch rule " + rule.name;
    if (description.size() > 512) description.resize(512);  // the Description limit
    out += "  " + rule.logical_id + ":\n";
    out += "    Type: AWS::Events::Rule\n";
    out += "    Properties:\n";
    out += "      Description: " + Quoted(description) + "\n";
    out += "      State: ENABLED\n";
    out += "      EventPattern:\n";
    out += rule.pattern_yaml;
    out += "      Targets:\n";
    out += "        - Id: trailwatch\n";
    out += "          Arn: !GetAtt ApiDestination.Arn\n";
    out += "          RoleArn: !GetAtt InvokeRole.Arn\n";
    // EventBridge's maximum retry policy (docs/reference/formats.md §6.3): trailwatch answers
    // 429/503 while it cannot store an event, and EventBridge retries those.
    out += "          RetryPolicy:\n";
    out += "            MaximumRetryAttempts: 185\n";
    out += "            MaximumEventAgeInSeconds: 86400\n";
    out += "          DeadLetterConfig:\n";
    out += "            Arn: !GetAtt DeadLetterQueue.Arn\n";
  }
  out += "Outputs:\n";
  out += "  ApiDestinationArn:\n";
  out += "    Value: !GetAtt ApiDestination.Arn\n";
  out += "  DeadLetterQueueUrl:\n";
  out += "    Description: Events EventBridge could not deliver to trailwatch\n";
  out += "    Value: !Ref DeadLetterQueue\n";
  return out;
}

}  // namespace trailwatch::bridges
