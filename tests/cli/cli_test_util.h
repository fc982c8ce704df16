// Runs the trailwatch binary for CLI tests and captures its exit code, stdout and stderr.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace trailwatch::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs TW_BINARY with `args` (no shell), feeding `input` on stdin. With `environment`, the child
// gets exactly those variables plus PATH; otherwise it inherits the test's environment.
CommandResult RunTrailwatch(const std::vector<std::string>& args, const std::string& input = "",
                            const std::map<std::string, std::string>* environment = nullptr);

// A fresh temporary directory, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string Write(const std::string& name, const std::string& content) const;

 private:
  std::string path_;
};

std::string ReadFile(const std::string& path);

// The text of a file of tests/fixtures (TW_FIXTURES_DIR), e.g. "packs/root-signin.cases.json".
std::string ReadFixture(const std::string& relative);

}  // namespace trailwatch::testing
