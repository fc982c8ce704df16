// ConsoleConfig: the `console:` section of the configuration — the web console's own listener
// (issue 15; docs/console.md):
//
//   console:
//     listen: 127.0.0.1:8080          # required
//     auth:                           # required: `none` (loopback only) or a mapping with
//       token: ${env:TW_CONSOLE_TOKEN}  #   a bearer token (>= 16 characters) and/or
//       users:                        #   users with crypt(3) hashes (yescrypt, `trailwatch
//         - {name: alice, password_hash: ${file:/etc/trailwatch/alice.hash}}  # console-hash`)
//       session: 8h                   # idle time before a browser session ends (default 8h)
//     retention: 30d                  # how long delivered alerts stay listed (default 30 days)
//     tls: {cert: FILE, key: FILE}    # optional HTTPS; re-read on SIGHUP
//
// Thread-safety: plain values.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "config/config_fields.h"

namespace trailwatch::console {

struct ConsoleUserConfig {
  std::string name;
  std::string password_hash;  // crypt(3): $y$ (yescrypt), $gy$, $7$, $2b$, $6$
};

struct ConsoleConfig {
  bool enabled = false;  // the section is present
  std::string listen;
  bool auth_none = false;
  std::string token;  // may be empty when users are set
  std::vector<ConsoleUserConfig> users;
  std::chrono::seconds session_idle{std::chrono::hours(8)};
  std::chrono::seconds retention{std::chrono::hours(24 * 30)};
  std::string tls_cert_file;
  std::string tls_key_file;
};

// Reads `section` (the `console` entry of the top level) into `out`; every problem is appended to
// `errors` as `file:line:column: console.<key>: reason`. Secrets are never quoted.
void LoadConsoleConfig(const config::ConfigFieldReader& reader, const config::ConfigEntry& section,
                       ConsoleConfig* out, std::vector<std::string>* errors);

}  // namespace trailwatch::console
