// common/version.h: what `trailwatch --version` prints and the User-Agent.
#include "common/version.h"

#include <gtest/gtest.h>

#include <regex>
#include <string>

namespace trailwatch {
namespace {

TEST(VersionTest, TextHoldsVersionCommitAndBuildFlags) {
  std::string text = VersionText();
  EXPECT_TRUE(std::regex_match(
      text, std::regex("trailwatch [0-9]+\\.[0-9]+\\.[0-9]+\ncommit: ([0-9a-f]{12}|unknown)\n"
                       "build: [A-Za-z]+, [A-Za-z]+ [0-9.]+, sanitizers (off|address,undefined), "
                       "(-march=\\S+|no -march)")))
      << text;
  EXPECT_EQ(text.rfind(std::string("trailwatch ") + Version() + "\n", 0), 0u);
  EXPECT_EQ(std::string(UserAgent()), std::string("trailwatch/") + Version());
  EXPECT_NE(text.find(std::string("commit: ") + GitCommit()), std::string::npos);
}

}  // namespace
}  // namespace trailwatch
