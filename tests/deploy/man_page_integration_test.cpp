// docs/trailwatch.1 is written by hand (the package installs it as man trailwatch): every
// subcommand `trailwatch --help` lists must appear in it, so a new command cannot be forgotten.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "cli/cli_test_util.h"

namespace trailwatch::testing {
namespace {

// The names under "Subcommands:" in CLI11's help (two spaces, then the name).
std::vector<std::string> Subcommands(const std::string& help) {
  std::vector<std::string> names;
  std::istringstream lines(help.substr(help.find("Subcommands:")));
  std::string line;
  while (std::getline(lines, line)) {
    if (line.size() > 2 && line.compare(0, 2, "  ") == 0 && line[2] >= 'a' && line[2] <= 'z') {
      names.push_back(line.substr(2, line.find(' ', 2) - 2));
    }
  }
  return names;
}

TEST(ManPage, NamesEverySubcommand) {
  CommandResult help = RunTrailwatch({"--help"});
  ASSERT_EQ(help.exit_code, 0) << help.err;
  std::vector<std::string> names = Subcommands(help.out);
  ASSERT_GE(names.size(), 10u) << help.out;
  std::string page = ReadFile(std::string(TW_SOURCE_DIR) + "/docs/trailwatch.1");
  ASSERT_FALSE(page.empty());
  // The bold lines (.B, .BR) of the synopsis and of COMMANDS.
  std::vector<std::string> bold;
  std::istringstream lines(page);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(".B", 0) == 0) bold.push_back(line + " ");
  }
  for (const std::string& name : names) {
    std::string escaped;  // roff writes a hyphen as \-
    for (char c : name) escaped += c == '-' ? std::string("\\-") : std::string(1, c);
    bool found = false;
    for (const std::string& text : bold) {
      found = found || text.find(" " + escaped + " ") != std::string::npos;
    }
    EXPECT_TRUE(found) << "docs/trailwatch.1 does not describe `trailwatch " << name << "`";
  }
}

}  // namespace
}  // namespace trailwatch::testing
