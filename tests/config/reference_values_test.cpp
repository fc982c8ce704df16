// ReferenceValues / RedactReferenceValues (config/reference_values.h): every value a reference in
// any section resolves to is found, and replaced by the reference in text about to be printed.
#include "config/reference_values.h"

#include <gtest/gtest.h>

#include "cli/cli_test_util.h"
#include "config/secret_environment_util.h"

namespace trailwatch::config {
namespace {

TEST(ReferenceValues, FindsEveryReferenceInEverySectionAndDepth) {
  testing::TempDir dir;
  std::string token = dir.Write("token", "xoxb-XXXXSECRET3\n");
  YAML::Node root = YAML::Load(
      "store: /var/lib/${env:TENANT}/trailwatch.db\n"
      "targets:\n"
      "  - {name: bot, type: slack, token: '${file:" +
      token +
      "}', channel: C0123456789}\n"
      "sources:\n"
      "  - {type: s3, bucket: '${env:BUCKET}'}\n"
      "rules:\n"
      "  - {name: r, description: 'for ${env:TENANT}', pattern: {source: [a]}}\n"
      "other: [{deep: {deeper: '${env:SHORT}${env:EMPTY}${env:MISSING}'}}]\n");
  std::vector<ReferenceValue> values = ReferenceValues(root, &testing::SecretEnvironment);
  std::map<std::string, std::string> shown;
  for (const ReferenceValue& value : values) shown[value.value] = value.shown;
  EXPECT_EQ(shown["/var/lib/acme-XXXXSECRET1/trailwatch.db"],
            "/var/lib/${env:TENANT}/trailwatch.db");
  EXPECT_EQ(shown["acme-XXXXSECRET1"], "${env:TENANT}");
  EXPECT_EQ(shown["xxxxsecret-trail"], "${env:BUCKET}");
  EXPECT_EQ(shown["xoxb-XXXXSECRET3"], "${file:" + token + "}");
  EXPECT_EQ(shown["for acme-XXXXSECRET1"], "for ${env:TENANT}");
  EXPECT_EQ(shown.count("ab"), 0u) << "shorter than kMinRedactedChars";
  EXPECT_EQ(shown.count(""), 0u);
  for (size_t i = 1; i < values.size(); ++i) {
    EXPECT_GE(values[i - 1].value.size(), values[i].value.size()) << "longest first";
  }
}

TEST(ReferenceValues, RedactsWholeValuesBeforeTheirParts) {
  YAML::Node root = YAML::Load(
      "store: /var/lib/${env:TENANT}/trailwatch.db\n"
      "sources: [{type: directory, path: '/logs/${env:TENANT}'}]\n");
  std::vector<ReferenceValue> values = ReferenceValues(root, &testing::SecretEnvironment);
  EXPECT_EQ(RedactReferenceValues("/var/lib/acme-XXXXSECRET1/trailwatch.db: cannot open the "
                                  "outbox store; /logs/acme-XXXXSECRET1/x.json.gz: not gzip; "
                                  "tenant acme-XXXXSECRET1 acme-XXXXSECRET1",
                                  values),
            "/var/lib/${env:TENANT}/trailwatch.db: cannot open the outbox store; "
            "/logs/${env:TENANT}/x.json.gz: not gzip; tenant ${env:TENANT} ${env:TENANT}");
  EXPECT_EQ(RedactReferenceValues("nothing to hide", values), "nothing to hide");
  EXPECT_EQ(RedactReferenceValues("text", {}), "text");
}

}  // namespace
}  // namespace trailwatch::config
