// TargetReference (see target_reference.h).
#include "config/target_reference.h"

namespace trailwatch::config {

bool IsSlackChannelId(const std::string& id) {
  if (id.size() < 9 || id.size() > 24) return false;
  if (id[0] != 'C' && id[0] != 'G' && id[0] != 'D') return false;
  for (char c : id) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

Result<TargetReference> ParseTargetReference(const std::string& text) {
  TargetReference reference;
  size_t hash = text.find('#');
  reference.name = text.substr(0, hash);
  if (reference.name.empty()) return Error{"a target reference needs a target name"};
  if (hash == std::string::npos) return reference;
  reference.slack_channel = text.substr(hash + 1);
  if (!IsSlackChannelId(reference.slack_channel)) {
    return Error{"target \"" + reference.name +
                 "\": after '#' comes a Slack channel id (C, G or D and 8-23 upper-case letters "
                 "or digits)"};
  }
  return reference;
}

}  // namespace trailwatch::config
