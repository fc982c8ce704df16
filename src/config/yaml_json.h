// Converts YAML values (from rule and config files) to JSON text, so that a pattern written as
// YAML goes through exactly the same compiler as one written as JSON.
//
// Scalars follow the YAML 1.2 core schema as users expect it: quoted scalars are strings; plain
// `null`, `~` and empty are null; `true`/`false` (any case of the first letter or all caps) are
// booleans; plain scalars that are JSON numbers are numbers; everything else is a string.
// Mapping keys keep their order and duplicates, so the pattern compiler's last-wins rule applies.
//
// Thread-safety: pure functions.
#pragma once

#include <string>

#include <yaml-cpp/yaml.h>

#include "common/result.h"

namespace trailwatch::config {

// `where` names the file for error messages ("rules.yaml").
Result<std::string> YamlToJson(const YAML::Node& node, const std::string& where);

}  // namespace trailwatch::config
