#include "bridges/cfn_template.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "config/yaml_json.h"

namespace trailwatch::bridges {

namespace {

constexpr int kMaxDepth = 200;  // nesting of functions and conditions (cycles end here)

constexpr std::string_view kSupported =
    "trailwatch resolves Ref (to parameters and pseudo parameters), Fn::Sub, Fn::Join, "
    "Fn::Select, Fn::Split, Fn::If, Fn::FindInMap";

// A function call in either syntax. For the short form `arg` is the tagged node itself; its tag
// is ignored when the argument is read (`arg_is_tagged`).
struct Intrinsic {
  std::string name;  // long-form name: "Ref", "Fn::Sub", "Condition"
  YAML::Node arg;
  bool short_form = false;
};

bool IsShortFormTag(const std::string& tag) {
  // "!" is a quoted scalar, "?" a plain node, "tag:yaml.org,2002:..." a standard `!!` tag.
  return tag.size() > 1 && tag[0] == '!' && tag[1] != '!';
}

// `condition_context`: inside Fn::And/Or/Not, a one-key {"Condition": name} mapping is a call.
std::optional<Intrinsic> AsIntrinsic(const YAML::Node& node, bool condition_context) {
  if (IsShortFormTag(node.Tag())) {
    std::string name = node.Tag().substr(1);
    if (name != "Ref" && name != "Condition") name = "Fn::" + name;
    return Intrinsic{name, node, true};
  }
  if (node.IsMap() && node.size() == 1) {
    auto entry = node.begin();
    if (!entry->first.IsScalar()) return std::nullopt;
    const std::string& key = entry->first.Scalar();
    if (key == "Ref" || key.rfind("Fn::", 0) == 0 || (condition_context && key == "Condition")) {
      return Intrinsic{key, entry->second, false};
    }
  }
  return std::nullopt;
}

std::string ShortName(const std::string& name) {
  // Appended rather than "!" + name: GCC 12 warns falsely (-Wstringop-overflow) on the
  // inlined concatenation.
  std::string out = "!";
  out.append(name, name.rfind("Fn::", 0) == 0 ? 4 : 0);
  return out;
}

YAML::Node StringNode(const std::string& text) {
  YAML::Node node(text);
  node.SetTag("!");  // quoted: stays a JSON string in config::YamlToJson
  return node;
}

std::string Trim(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return {};
  size_t end = text.find_last_not_of(" \t");
  return std::string(text.substr(begin, end - begin + 1));
}

bool IsListParameterType(const std::string& type) {
  return type == "CommaDelimitedList" || type.rfind("List<", 0) == 0;
}

}  // namespace

YAML::Node MapValue(const YAML::Node& map, const std::string& key) {
  // A scan rather than operator[]: the non-const one inserts a placeholder, the const one returns
  // an invalid node that throws on most accessors.
  if (map.IsMap()) {
    for (const auto& entry : map) {
      if (entry.first.IsScalar() && entry.first.Scalar() == key) return entry.second;
    }
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

// One resolution: holds the context for messages and the depth guard.
class CfnTemplate::Resolver {
 public:
  Resolver(const CfnTemplate& tpl, const ResolveContext& context) : tpl_(tpl), context_(context) {}

  using Value = std::optional<YAML::Node>;  // nullopt: AWS::NoValue

  Result<Value> Eval(const YAML::Node& node, bool ignore_tag, int depth) {
    if (depth > kMaxDepth) return Fail(node, "functions nest too deeply (a cycle?)");
    if (!ignore_tag) {
      if (std::optional<Intrinsic> call = AsIntrinsic(node, false)) {
        return Call(*call, node, depth + 1);
      }
    }
    switch (node.Type()) {
      case YAML::NodeType::Sequence: {
        YAML::Node out(YAML::NodeType::Sequence);
        for (const YAML::Node& item : node) {
          Result<Value> value = Eval(item, false, depth + 1);
          if (!value.ok()) return value.error();
          if (value->has_value()) out.push_back(**value);
        }
        return Value(out);
      }
      case YAML::NodeType::Map: {
        YAML::Node out(YAML::NodeType::Map);
        for (const auto& entry : node) {
          Result<Value> value = Eval(entry.second, false, depth + 1);
          if (!value.ok()) return value.error();
          if (value->has_value()) out.force_insert(entry.first, **value);
        }
        return Value(out);
      }
      default:
        return Value(node);
    }
  }

  Result<bool> Condition(const std::string& name, const YAML::Node& at, int depth) {
    if (depth > kMaxDepth) return Fail(at, "conditions nest too deeply (a cycle?)");
    YAML::Node definition = MapValue(tpl_.conditions_, name);
    if (!definition.IsDefined() || definition.IsNull()) {
      return Fail(at, "condition " + name + " is not defined in Conditions");
    }
    return ConditionValue(definition, depth + 1);
  }

  Error Fail(const YAML::Node& node, const std::string& message) const {
    std::string where = tpl_.Where(node, context_);
    std::string who = "resource " + context_.logical_id;
    if (!context_.property.empty()) who += ", " + context_.property;
    return Error{where + ": " + who + ": " + message};
  }

 private:
  // A condition expression: Fn::Equals/Not/And/Or or a Condition reference.
  Result<bool> ConditionValue(const YAML::Node& node, int depth) {
    if (depth > kMaxDepth) return Fail(node, "conditions nest too deeply (a cycle?)");
    std::optional<Intrinsic> call = AsIntrinsic(node, true);
    if (!call)
      return Fail(node, "a condition must be Fn::Equals, Fn::Not, Fn::And, Fn::Or or Condition");
    const YAML::Node& arg = call->arg;
    if (call->name == "Condition") {
      Result<std::string> name = String(arg, call->short_form, "Condition", depth);
      if (!name.ok()) return name.error();
      return Condition(*name, node, depth + 1);
    }
    if (call->name == "Fn::Equals") {
      if (!arg.IsSequence() || arg.size() != 2)
        return Fail(node, "Fn::Equals takes a list of two values");
      Result<std::string> a = Canonical(arg[0], depth);
      if (!a.ok()) return a.error();
      Result<std::string> b = Canonical(arg[1], depth);
      if (!b.ok()) return b.error();
      return *a == *b;
    }
    if (call->name == "Fn::Not" || call->name == "Fn::And" || call->name == "Fn::Or") {
      if (!arg.IsSequence() || arg.size() == 0)
        return Fail(node, call->name + " takes a list of conditions");
      if (call->name == "Fn::Not" && arg.size() != 1)
        return Fail(node, "Fn::Not takes a list of one condition");
      bool any = false;
      bool all = true;
      for (const YAML::Node& item : arg) {
        Result<bool> value = ConditionValue(item, depth + 1);
        if (!value.ok()) return value;
        any = any || *value;
        all = all && *value;
      }
      if (call->name == "Fn::Not") return !all;
      return call->name == "Fn::And" ? all : any;
    }
    return Fail(node, call->name + " cannot be used in a condition");
  }

  // A value compared by Fn::Equals: scalars by their text, anything else as JSON.
  Result<std::string> Canonical(const YAML::Node& node, int depth) {
    Result<Value> value = Eval(node, false, depth + 1);
    if (!value.ok()) return value.error();
    if (!value->has_value()) return std::string();
    if ((*value)->IsScalar()) return (*value)->Scalar();
    return config::YamlToJson(**value, tpl_.where_);
  }

  Result<Value> Call(const Intrinsic& call, const YAML::Node& at, int depth) {
    const std::string& fn = call.name;
    if (fn == "Ref") {
      Result<std::string> name = String(call.arg, call.short_form, "Ref", depth);
      if (!name.ok()) return name.error();
      return Ref(*name, at);
    }
    if (fn == "Fn::Sub") return Sub(call, at, depth);
    if (fn == "Fn::Join") return Join(call, at, depth);
    if (fn == "Fn::Select") return Select(call, at, depth);
    if (fn == "Fn::Split") return Split(call, at, depth);
    if (fn == "Fn::If") return If(call, at, depth);
    if (fn == "Fn::FindInMap") return FindInMap(call, at, depth);
    return Unsupported(call, at);
  }

  Error Unsupported(const Intrinsic& call, const YAML::Node& at) const {
    std::string shown =
        call.short_form ? ShortName(call.name) + " " + DescribeArg(call.arg) : call.name;
    return Fail(at, "uses " + call.name + " (" + shown + "), which cannot be resolved offline; " +
                        std::string(kSupported));
  }

  static std::string DescribeArg(const YAML::Node& arg) {
    if (arg.IsScalar()) return arg.Scalar();
    if (arg.IsSequence()) {
      std::string out = "[";
      for (size_t i = 0; i < arg.size(); ++i) {
        if (i) out += ", ";
        out += arg[i].IsScalar() ? arg[i].Scalar() : "...";
      }
      return out + "]";
    }
    return "...";
  }

  // The argument of a function as a string: a literal scalar or a function producing one.
  Result<std::string> String(const YAML::Node& node, bool ignore_tag, const std::string& fn,
                             int depth) {
    Result<Value> value = Eval(node, ignore_tag, depth + 1);
    if (!value.ok()) return value.error();
    if (!value->has_value() || !(*value)->IsScalar()) {
      return Fail(node, fn + " needs a string here");
    }
    return (*value)->Scalar();
  }

  // The argument of a function as a list (a literal list or a function producing one).
  Result<YAML::Node> List(const YAML::Node& node, bool ignore_tag, const std::string& fn,
                          int depth) {
    Result<Value> value = Eval(node, ignore_tag, depth + 1);
    if (!value.ok()) return value.error();
    if (!value->has_value() || !(*value)->IsSequence())
      return Fail(node, fn + " needs a list here");
    return **value;
  }

  Result<Value> Ref(const std::string& name, const YAML::Node& at) {
    if (name == "AWS::NoValue") return Value();
    auto given = tpl_.values_.find(name);
    YAML::Node declared = MapValue(tpl_.parameters_, name);
    bool is_parameter = declared.IsDefined() && !declared.IsNull();
    std::optional<std::string> text;
    if (given != tpl_.values_.end()) {
      text = given->second;
    } else if (name.rfind("AWS::", 0) == 0) {
      text = PseudoDefault(name);
      if (!text) {
        return Fail(at, "pseudo parameter " + name + " has no value offline; pass --parameters " +
                            name + "=VALUE");
      }
    } else if (is_parameter) {
      YAML::Node fallback = MapValue(declared, "Default");
      if (!fallback.IsDefined() || !fallback.IsScalar()) {
        return Fail(at, "parameter " + name + " has no value and no Default; pass --parameters " +
                            name + "=VALUE");
      }
      text = fallback.Scalar();
    } else {
      for (const CfnResource& resource : tpl_.resources_) {
        if (resource.logical_id == name) {
          return Fail(at, "uses Ref (!Ref " + name + ") to resource " + name +
                              ", whose value needs a deployed stack and cannot be resolved "
                              "offline; " +
                              std::string(kSupported));
        }
      }
      return Fail(at, "Ref to " + name + ", which is neither a parameter nor a resource");
    }
    std::string type;
    if (YAML::Node declared_type = MapValue(declared, "Type");
        is_parameter && declared_type.IsScalar()) {
      type = declared_type.Scalar();
    }
    if (IsListParameterType(type)) {
      YAML::Node list(YAML::NodeType::Sequence);
      size_t start = 0;
      while (true) {
        size_t comma = text->find(',', start);
        list.push_back(StringNode(Trim(std::string_view(*text).substr(start, comma - start))));
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
      return Value(list);
    }
    return Value(StringNode(*text));
  }

  std::optional<std::string> PseudoDefault(const std::string& name) const {
    auto region_given = tpl_.values_.find("AWS::Region");
    std::string region =
        region_given != tpl_.values_.end() ? region_given->second : std::string(kDefaultRegion);
    bool china = region.rfind("cn-", 0) == 0;
    if (name == "AWS::Region") return region;
    if (name == "AWS::AccountId") return std::string(kDefaultAccountId);
    if (name == "AWS::Partition") {
      if (china) return std::string("aws-cn");
      if (region.rfind("us-gov-", 0) == 0) return std::string("aws-us-gov");
      return std::string("aws");
    }
    if (name == "AWS::URLSuffix") return std::string(china ? "amazonaws.com.cn" : "amazonaws.com");
    return std::nullopt;
  }

  Result<Value> Sub(const Intrinsic& call, const YAML::Node& at, int depth) {
    YAML::Node text_node;
    YAML::Node variables;
    bool ignore_tag = call.short_form;
    if (call.arg.IsSequence()) {
      if (call.arg.size() != 2 || !call.arg[1].IsMap()) {
        return Fail(at, "Fn::Sub takes a string or a list of a string and a mapping of variables");
      }
      text_node.reset(call.arg[0]);
      variables.reset(call.arg[1]);
      ignore_tag = false;
    } else {
      text_node.reset(call.arg);
    }
    Result<std::string> text = String(text_node, ignore_tag, "Fn::Sub", depth);
    if (!text.ok()) return text.error();
    std::string out;
    size_t i = 0;
    while (i < text->size()) {
      size_t open = text->find("${", i);
      if (open == std::string::npos) {
        out.append(*text, i, std::string::npos);
        break;
      }
      out.append(*text, i, open - i);
      size_t close = text->find('}', open + 2);
      if (close == std::string::npos) {
        out.append(*text, open, std::string::npos);  // CloudFormation keeps an unclosed "${"
        break;
      }
      std::string name = Trim(std::string_view(*text).substr(open + 2, close - open - 2));
      i = close + 1;
      if (!name.empty() && name[0] == '!') {  // ${!Literal} writes "${Literal}"
        out += "${" + name.substr(1) + "}";
        continue;
      }
      if (YAML::Node variable = MapValue(variables, name); variable.IsDefined()) {
        Result<std::string> value = String(variable, false, "Fn::Sub", depth);
        if (!value.ok()) return value.error();
        out += *value;
        continue;
      }
      if (name.find('.') != std::string::npos) {
        return Fail(at, "uses Fn::GetAtt (${" + name +
                            "} in Fn::Sub), which needs a deployed "
                            "stack and cannot be resolved offline; " +
                            std::string(kSupported));
      }
      Result<Value> value = Ref(name, at);
      if (!value.ok()) return value.error();
      if (!value->has_value() || !(*value)->IsScalar()) {
        return Fail(at, "Fn::Sub variable ${" + name + "} is not a string");
      }
      out += (*value)->Scalar();
    }
    return Value(StringNode(out));
  }

  Result<Value> Join(const Intrinsic& call, const YAML::Node& at, int depth) {
    if (!call.arg.IsSequence() || call.arg.size() != 2) {
      return Fail(at, "Fn::Join takes a list of a delimiter and a list of values");
    }
    Result<std::string> delimiter = String(call.arg[0], false, "Fn::Join", depth);
    if (!delimiter.ok()) return delimiter.error();
    Result<YAML::Node> items = List(call.arg[1], false, "Fn::Join", depth);
    if (!items.ok()) return items.error();
    std::string out;
    bool first = true;
    for (const YAML::Node& item : *items) {
      if (!item.IsScalar()) return Fail(at, "Fn::Join joins strings only");
      if (!first) out += *delimiter;
      first = false;
      out += item.Scalar();
    }
    return Value(StringNode(out));
  }

  Result<Value> Select(const Intrinsic& call, const YAML::Node& at, int depth) {
    if (!call.arg.IsSequence() || call.arg.size() != 2) {
      return Fail(at, "Fn::Select takes a list of an index and a list of values");
    }
    Result<std::string> index_text = String(call.arg[0], false, "Fn::Select", depth);
    if (!index_text.ok()) return index_text.error();
    size_t index = 0;
    if (index_text->empty() || index_text->find_first_not_of("0123456789") != std::string::npos ||
        index_text->size() > 9) {
      return Fail(at, "Fn::Select index \"" + *index_text + "\" is not a non-negative integer");
    }
    index = std::stoul(*index_text);
    Result<YAML::Node> items = List(call.arg[1], false, "Fn::Select", depth);
    if (!items.ok()) return items.error();
    if (index >= items->size()) {
      return Fail(at, "Fn::Select index " + *index_text + " is out of range (the list has " +
                          std::to_string(items->size()) + " values)");
    }
    return Value((*items)[index]);
  }

  Result<Value> Split(const Intrinsic& call, const YAML::Node& at, int depth) {
    if (!call.arg.IsSequence() || call.arg.size() != 2) {
      return Fail(at, "Fn::Split takes a list of a delimiter and a string");
    }
    Result<std::string> delimiter = String(call.arg[0], false, "Fn::Split", depth);
    if (!delimiter.ok()) return delimiter.error();
    if (delimiter->empty()) return Fail(at, "Fn::Split needs a non-empty delimiter");
    Result<std::string> text = String(call.arg[1], false, "Fn::Split", depth);
    if (!text.ok()) return text.error();
    YAML::Node out(YAML::NodeType::Sequence);
    size_t start = 0;
    while (true) {
      size_t next = text->find(*delimiter, start);
      out.push_back(StringNode(text->substr(start, next - start)));
      if (next == std::string::npos) break;
      start = next + delimiter->size();
    }
    return Value(out);
  }

  Result<Value> If(const Intrinsic& call, const YAML::Node& at, int depth) {
    if (!call.arg.IsSequence() || call.arg.size() != 3) {
      return Fail(at, "Fn::If takes a list of a condition name and two values");
    }
    Result<std::string> name = String(call.arg[0], false, "Fn::If", depth);
    if (!name.ok()) return name.error();
    Result<bool> holds = Condition(*name, at, depth + 1);
    if (!holds.ok()) return holds.error();
    return Eval(call.arg[*holds ? 1 : 2], false, depth + 1);
  }

  Result<Value> FindInMap(const Intrinsic& call, const YAML::Node& at, int depth) {
    if (!call.arg.IsSequence() || call.arg.size() != 3) {
      return Fail(at, "Fn::FindInMap takes a list of a map name and two keys");
    }
    std::string keys[3];
    for (size_t i = 0; i < 3; ++i) {
      Result<std::string> key = String(call.arg[i], false, "Fn::FindInMap", depth);
      if (!key.ok()) return key.error();
      keys[i] = *key;
    }
    YAML::Node map = MapValue(tpl_.mappings_, keys[0]);
    if (!map.IsDefined() || !map.IsMap()) {
      return Fail(at, "Fn::FindInMap: mapping " + keys[0] + " is not defined in Mappings");
    }
    YAML::Node top = MapValue(map, keys[1]);
    if (!top.IsDefined() || !top.IsMap()) {
      return Fail(at, "Fn::FindInMap: mapping " + keys[0] + " has no key " + keys[1]);
    }
    YAML::Node value = MapValue(top, keys[2]);
    if (!value.IsDefined() || value.IsNull()) {
      return Fail(at,
                  "Fn::FindInMap: mapping " + keys[0] + "." + keys[1] + " has no key " + keys[2]);
    }
    return Eval(value, false, depth + 1);
  }

  const CfnTemplate& tpl_;
  const ResolveContext& context_;
};

Result<CfnTemplate> CfnTemplate::Parse(const std::string& text, const std::string& where) {
  CfnTemplate tpl;
  tpl.where_ = where;
  try {
    tpl.root_ = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return Error{where + ":" + std::to_string(e.mark.line + 1) + ":" +
                 std::to_string(e.mark.column + 1) + ": not a valid template (" + e.msg + ")"};
  }
  if (!tpl.root_.IsMap()) return Error{where + ": a template must be a mapping"};
  for (const auto& entry : tpl.root_) {
    if (!entry.first.IsScalar()) continue;
    const std::string& key = entry.first.Scalar();
    if (key == "Parameters") tpl.parameters_.reset(entry.second);
    if (key == "Mappings") tpl.mappings_.reset(entry.second);
    if (key == "Conditions") tpl.conditions_.reset(entry.second);
  }
  YAML::Node resources = MapValue(tpl.root_, "Resources");
  if (!resources || !resources.IsMap()) {
    return Error{where + ": a template needs a Resources mapping"};
  }
  for (const auto& entry : resources) {
    int line = entry.first.Mark().line + 1;
    std::string at = where + ":" + std::to_string(line);
    if (!entry.first.IsScalar()) return Error{at + ": resource logical ids must be strings"};
    const YAML::Node& body = entry.second;
    YAML::Node type = MapValue(body, "Type");
    if (!type.IsDefined() || !type.IsScalar()) {
      return Error{at + ": resource " + entry.first.Scalar() + " needs a Type"};
    }
    tpl.resources_.push_back(CfnResource{entry.first.Scalar(), type.Scalar(), body, line});
  }
  return tpl;
}

Result<CfnTemplate> CfnTemplate::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::string why = path;
    why.append(": cannot open the template (").append(std::strerror(errno)).append(")");
    return Error{why};
  }
  std::ostringstream content;
  content << in.rdbuf();
  return Parse(content.str(), path);
}

Status CfnTemplate::SetParameters(const ParameterValues& values) {
  for (const auto& [name, value] : values) {
    bool declared = MapValue(parameters_, name).IsDefined();
    if (!declared && name.rfind("AWS::", 0) != 0) {
      return Error{where_ + ": --parameters " + name + ": the template has no parameter " + name};
    }
  }
  values_ = values;
  return Status::Ok();
}

Result<std::optional<YAML::Node>> CfnTemplate::Resolve(const YAML::Node& node,
                                                       const ResolveContext& context) const {
  Resolver resolver(*this, context);
  return resolver.Eval(node, false, 0);
}

Result<bool> CfnTemplate::EvaluateCondition(const std::string& name,
                                            const ResolveContext& context) const {
  Resolver resolver(*this, context);
  YAML::Node none;
  return resolver.Condition(name, none, 0);
}

std::string CfnTemplate::Where(const YAML::Node& node, const ResolveContext& context) const {
  int line = node.IsDefined() && node.Mark().line >= 0 ? node.Mark().line + 1 : context.line;
  return line > 0 ? where_ + ":" + std::to_string(line) : where_;
}

std::string DescribeValue(const YAML::Node& node) {
  if (std::optional<Intrinsic> call = AsIntrinsic(node, false)) {
    std::string shown = ShortName(call->name);
    if (call->arg.IsScalar()) return shown + " " + call->arg.Scalar();
    if (call->name == "Fn::GetAtt" && call->arg.IsSequence() && call->arg.size() == 2 &&
        call->arg[0].IsScalar() && call->arg[1].IsScalar()) {
      return shown + " " + call->arg[0].Scalar() + "." + call->arg[1].Scalar();
    }
    return "(a " + call->name + ")";
  }
  if (node.IsScalar()) return node.Scalar();
  return "(a structured value)";
}

}  // namespace trailwatch::bridges
