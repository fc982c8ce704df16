#include "config/config_outline.h"

#include <yaml-cpp/yaml.h>

#include "config/config_fields.h"
#include "config/config_paths.h"
#include "config/targets_config.h"

namespace trailwatch::config {

Result<ConfigOutline> LoadConfigOutline(const std::string& path) {
  Result<YAML::Node> root = LoadYamlFile(path);
  if (!root.ok()) return root.error();
  ConfigOutline outline;
  if (!root->IsDefined() || root->IsNull()) return outline;
  if (!root->IsMap()) return Error{path + ": the configuration must be a mapping"};
  try {
    const YAML::Node store = (*root)["store"];
    if (store.IsDefined() && !store.IsNull()) {
      if (!store.IsScalar() || store.Scalar().empty()) {
        return Error{path + ": store: must be a single value"};
      }
      Result<std::string> value = SubstituteReferences(store.Scalar(), nullptr, path);
      if (!value.ok()) return Error{path + ": store: " + value.message()};
      outline.store = ResolveConfigPath(path, *value);
      if (HasReferences(store.Scalar())) {
        outline.reference_values.push_back({outline.store, store.Scalar()});
        if (*value != outline.store) outline.reference_values.push_back({*value, store.Scalar()});
      }
    }
    const YAML::Node targets = (*root)["targets"];
    if (targets.IsDefined() && !targets.IsNull()) {
      if (!targets.IsSequence()) return Error{path + ": targets: must be a list of targets"};
      for (const YAML::Node& target : targets) {
        if (target.IsMap() && target["name"].IsScalar()) {
          outline.target_names.insert(target["name"].Scalar());
        }
      }
    }
  } catch (const YAML::Exception& e) {
    return Error{path + ": " + e.msg};
  }
  return outline;
}

}  // namespace trailwatch::config
