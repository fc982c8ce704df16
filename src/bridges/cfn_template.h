// A CloudFormation template, loaded for the CloudFormation bridge (`trailwatch import-cfn`), with
// the offline subset of CloudFormation's intrinsic functions that an EventPattern may use.
//
// Both template syntaxes load into one yaml-cpp tree (JSON is YAML's flow style): YAML short-form
// tags (`!Ref X`, `!Sub ...`) stay node tags, the JSON long form stays a one-key mapping
// (`{"Ref": "X"}`, `{"Fn::Sub": ...}`). Resolve() accepts both forms.
//
// Resolved offline: Ref (to template Parameters and to the pseudo parameters AWS::Region,
// AWS::AccountId, AWS::Partition, AWS::URLSuffix, AWS::NoValue), Fn::Sub (string and list forms),
// Fn::Join, Fn::Select, Fn::Split, Fn::FindInMap and Fn::If over Conditions built from
// Fn::Equals, Fn::Not, Fn::And, Fn::Or and Condition. Anything that needs a deployed stack
// (Fn::GetAtt, Fn::ImportValue, Ref to a resource, Fn::GetAZs, Fn::Cidr, ...) is an error that
// names the file, line, resource and function.
//
// Thread-safety: const methods only read the template, but yaml-cpp does not document concurrent
// reads of one node tree as safe: use a CfnTemplate from one thread at a time.
#pragma once

#include <yaml-cpp/yaml.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace trailwatch::bridges {

// Values given on the command line (`--parameters K=V`), for template parameters and for pseudo
// parameters such as AWS::Region.
using ParameterValues = std::map<std::string, std::string>;

// Defaults of the pseudo parameters when --parameters does not set them (the account id is AWS's
// documentation example account).
inline constexpr std::string_view kDefaultRegion = "us-east-1";
inline constexpr std::string_view kDefaultAccountId = "123456789012";

struct CfnResource {
  std::string logical_id;
  std::string type;  // e.g. "AWS::Events::Rule"
  YAML::Node node;   // the resource mapping (Type, Properties, Condition, ...)
  int line = 0;      // 1-based line of the logical id
};

// Where a value is being resolved, for error messages: "resource EventRule, EventPattern".
struct ResolveContext {
  std::string logical_id;
  std::string property;
  int line = 0;  // fallback line when a node has no position
};

class CfnTemplate {
 public:
  // Parses template text (YAML or JSON). `where` names the file in messages.
  static Result<CfnTemplate> Parse(const std::string& text, const std::string& where);
  // Reads and parses a template file.
  static Result<CfnTemplate> Load(const std::string& path);

  const std::string& where() const { return where_; }
  const std::vector<CfnResource>& resources() const { return resources_; }

  // Sets the values of parameters. Every name must be a parameter of the template or a pseudo
  // parameter (AWS::...), as `aws cloudformation deploy` also refuses unknown parameters.
  Status SetParameters(const ParameterValues& values);

  // Returns a copy of `node` with every intrinsic function resolved. Strings produced by a function
  // are tagged "!" (quoted), so config::YamlToJson keeps "123456789012" a string. std::nullopt
  // means the whole value is AWS::NoValue.
  Result<std::optional<YAML::Node>> Resolve(const YAML::Node& node,
                                            const ResolveContext& context) const;

  // Evaluates the template condition `name` (Conditions section).
  Result<bool> EvaluateCondition(const std::string& name, const ResolveContext& context) const;

  // "file:line" of a node (the context's line when the node has no position).
  std::string Where(const YAML::Node& node, const ResolveContext& context) const;

 private:
  class Resolver;

  std::string where_;
  YAML::Node root_;
  YAML::Node parameters_;  // the Parameters mapping (or null)
  YAML::Node mappings_;    // Mappings
  YAML::Node conditions_;  // Conditions
  std::vector<CfnResource> resources_;
  ParameterValues values_;
};

// map[key] (the first such key), or an undefined node (IsDefined() false) when there is none.
YAML::Node MapValue(const YAML::Node& map, const std::string& key);

// A short description of a value for comments: "arn:aws:sns:...", "!Ref SNSTopic",
// "!GetAtt Queue.Arn", or "(a Fn::Join)" for anything longer.
std::string DescribeValue(const YAML::Node& node);

}  // namespace trailwatch::bridges
