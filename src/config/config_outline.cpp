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
    // store: PATH | postgresql://... | {dsn: ..., lease: ...} (targets_config.h).
    const YAML::Node written = store.IsMap() ? store["dsn"] : store;
    if (store.IsDefined() && !store.IsNull()) {
      if (!written.IsScalar() || written.Scalar().empty()) {
        return Error{path + ": store: must be a single value or a mapping with dsn"};
      }
      Result<std::string> value = SubstituteReferences(written.Scalar(), nullptr, path);
      if (!value.ok()) return Error{path + ": store: " + value.message()};
      outline.store = IsPostgresUri(*value) ? *value : ResolveConfigPath(path, *value);
      if (HasReferences(written.Scalar())) {
        outline.reference_values.push_back({outline.store, written.Scalar()});
        if (*value != outline.store) outline.reference_values.push_back({*value, written.Scalar()});
      }
      if (store.IsMap() && store["lease"].IsScalar()) {
        if (auto lease = ParseDuration(store["lease"].Scalar())) outline.store_lease = *lease;
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
