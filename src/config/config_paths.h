// Paths written in trailwatch's configuration file, and the check `validate` makes on a source
// folder.
//
// A relative path in the configuration — a directory source's `path`, `store`, `${file:PATH}`,
// an http source's TLS and CA files, a rule's `pattern: file://PATH` — means a file beside the
// configuration, not one in whatever folder the process was started from: systemd starts the
// service in /var/lib/trailwatch, `make run` in the repository, an operator anywhere. So it
// resolves against the folder of the configuration file (issue 12; rules' file:// patterns did
// so first, rules/rules_config.cpp). Defaults that the file does not write (the store's
// ./trailwatch.db) stay relative to the working directory, which is the state folder under
// systemd.
//
// Thread-safety: pure functions (ResolveConfigPath reads the working directory once).
#pragma once

#include <string>

#include "common/result.h"

namespace trailwatch::config {

// `path` as written in the configuration file `config_path`: unchanged when empty or absolute;
// else joined to the configuration file's folder, made absolute (a name that does not depend on
// how --config was spelled: sources are named, and checkpointed, by it) and normalised
// ("a/./b/../c" -> "a/c").
std::string ResolveConfigPath(const std::string& config_path, const std::string& path);

// Ok when `path` is a folder this process can list and enter. Otherwise the reason, naming the
// path: "folder /x does not exist", "/x is not a folder", "folder /x is not readable (Permission
// denied)".
Status CheckReadableFolder(const std::string& path);

}  // namespace trailwatch::config
