// `trailwatch packs list` and `trailwatch packs show NAME`, run as a user runs them.
#include <gtest/gtest.h>

#include "cli/cli_test_util.h"
#include "pattern/compiler.h"

namespace trailwatch::testing {
namespace {

size_t Count(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

TEST(PacksCommand, ListShowsEveryPackWithItsRuleCount) {
  CommandResult r = RunTrailwatch({"packs", "list"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')), "PACK                        RULES  DESCRIPTION");
  EXPECT_NE(r.out.find("\nroot-signin                     1  every console sign-in event of the "
                       "root user, not only ConsoleLogin (the classic root-login alert)\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\ncis-aws-foundations            14  CIS AWS Foundations Benchmark"),
            std::string::npos)
      << r.out;
  for (const char* pack : {"root-activity", "console-signin-without-mfa", "console-signin-failures",
                           "cloudtrail-tampering"}) {
    EXPECT_NE(r.out.find(std::string("\n") + pack + " "), std::string::npos) << pack;
  }
  EXPECT_EQ(Count(r.out, "\n"), 7u);  // header + 6 packs
}

TEST(PacksCommand, ShowPrintsEachRuleWithItsPrettyPattern) {
  CommandResult r = RunTrailwatch({"packs", "show", "root-signin"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "pack root-signin: every console sign-in event of the root user, not only ConsoleLogin "
            "(the classic root-login alert)\n"
            "1 rule; use it with `- pack: root-signin` under `rules:` (docs/rules.md)\n"
            "\n"
            "root-signin\n"
            "  severity:    critical\n"
            "  description: every console sign-in event (AwsConsoleSignIn) of the root user: "
            "ConsoleLogin, success or failure, and also PasswordUpdated, CheckMfa, "
            "ExternalIdPDirectoryLogin, ...\n"
            "  threshold:   none (every match alerts)\n"
            "  pattern:\n"
            "  {\n"
            "    \"detail-type\": [\n"
            "      \"AWS Console Sign In via CloudTrail\",\n"
            "      \"AWS Console Signin via CloudTrail\"\n"
            "    ],\n"
            "    \"detail\": {\n"
            "      \"userIdentity\": {\n"
            "        \"type\": [\"Root\"]\n"
            "      }\n"
            "    }\n"
            "  }\n");
}

TEST(PacksCommand, ShowPrintsThresholdsAndEveryCisItem) {
  CommandResult failures = RunTrailwatch({"packs", "show", "console-signin-failures"});
  ASSERT_EQ(failures.exit_code, 0) << failures.err;
  EXPECT_NE(failures.out.find("  threshold:   5 events in 15m per detail.sourceIPAddress\n"),
            std::string::npos)
      << failures.out;

  CommandResult cis = RunTrailwatch({"packs", "show", "cis-aws-foundations"});
  ASSERT_EQ(cis.exit_code, 0) << cis.err;
  for (int item = 1; item <= 14; ++item) {
    EXPECT_NE(cis.out.find("\ncis-3." + std::to_string(item) + "-"), std::string::npos) << item;
  }
  EXPECT_EQ(Count(cis.out, "  pattern:\n"), 14u);
}

TEST(PacksCommand, PrintedPatternsAreValidPatterns) {
  // What `packs show` prints can be pasted into a rule: every pattern block compiles.
  CommandResult r = RunTrailwatch({"packs", "show", "cis-aws-foundations"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  size_t blocks = 0;
  for (size_t at = r.out.find("  pattern:\n"); at != std::string::npos;
       at = r.out.find("  pattern:\n", at + 1)) {
    size_t start = at + 11;
    size_t end = r.out.find("\n  }\n", start);
    ASSERT_NE(end, std::string::npos);
    std::string pattern = r.out.substr(start, end + 4 - start);
    auto compiled = pattern::CompilePattern(pattern);
    EXPECT_TRUE(compiled.ok()) << pattern;
    ++blocks;
  }
  EXPECT_EQ(blocks, 14u);
}

TEST(PacksCommand, UnknownPackIsAUsageError) {
  CommandResult r = RunTrailwatch({"packs", "show", "cis"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "error: unknown pack \"cis\" (built-in packs: root-signin, root-activity, "
            "console-signin-without-mfa, console-signin-failures, cis-aws-foundations, "
            "cloudtrail-tampering; see `trailwatch packs list`)\n");
}

TEST(PacksCommand, MissingSubcommandOrNameIsAUsageError) {
  EXPECT_EQ(RunTrailwatch({"packs"}).exit_code, 2);
  EXPECT_EQ(RunTrailwatch({"packs", "show"}).exit_code, 2);
}

}  // namespace
}  // namespace trailwatch::testing
