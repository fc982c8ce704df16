// The per-source AWS identity keys of the s3 and sqs sources (docs/aws-credentials.md):
// profile, role_arn, external_id, role_session_name — loaded, validated with errors naming the
// key, and turned into the CredentialsOptions the source's provider gets.
#include <gtest/gtest.h>

#include "sources/sources_config.h"

namespace trailwatch::sources {
namespace {

Result<std::vector<SourceConfig>> LoadWithTrailRole(const std::string& yaml) {
  return LoadSourcesConfig(YAML::Load(yaml), "trailwatch.yaml",
                           [](const std::string& name) -> std::optional<std::string> {
                             if (name == "TRAIL_ROLE") {
                               return "arn:aws:iam::444455556666:role/trailwatch-reader";
                             }
                             return std::nullopt;
                           });
}

std::string LoadErrorWithTrailRole(const std::string& yaml) {
  auto config = LoadWithTrailRole(yaml);
  EXPECT_FALSE(config.ok()) << "expected an error for:\n" << yaml;
  return config.ok() ? std::string() : config.message();
}

TEST(SourceIdentityConfigTest, S3AndSqsTakeProfileRoleExternalIdAndSessionName) {
  auto config = LoadWithTrailRole(
      "sources:\n"
      "  - type: s3\n"
      "    bucket: org-trail\n"
      "    region: eu-west-1\n"
      "    profile: log-archive\n"
      "    role_arn: arn:aws:iam::444455556666:role/trailwatch-reader\n"
      "    external_id: trailwatch-prod\n"
      "    role_session_name: trailwatch-s3\n"
      "  - type: sqs\n"
      "    queue_url: https://sqs.eu-west-1.amazonaws.com/444455556666/trail-objects\n"
      "    role_arn: ${env:TRAIL_ROLE}\n");
  ASSERT_TRUE(config.ok()) << config.message();
  const auto& s3 = std::get<S3SourceConfig>((*config)[0].settings);
  EXPECT_EQ(s3.aws.profile, "log-archive");
  EXPECT_EQ(s3.aws.role_arn, "arn:aws:iam::444455556666:role/trailwatch-reader");
  EXPECT_EQ(s3.aws.external_id, "trailwatch-prod");
  EXPECT_EQ(s3.aws.role_session_name, "trailwatch-s3");
  aws::CredentialsOptions options = SourceCredentialsOptions(s3.aws, "eu-west-1");
  EXPECT_EQ(options.profile, "log-archive");
  EXPECT_EQ(options.region, "eu-west-1");
  EXPECT_EQ(options.role_arn, s3.aws.role_arn);
  EXPECT_EQ(options.external_id, "trailwatch-prod");
  EXPECT_EQ(options.role_session_name, "trailwatch-s3");

  const auto& sqs = std::get<SqsSourceConfig>((*config)[1].settings);
  EXPECT_EQ(sqs.aws.role_arn, "arn:aws:iam::444455556666:role/trailwatch-reader");
  EXPECT_EQ(sqs.aws.profile, "");
}

TEST(SourceIdentityConfigTest, InvalidValuesNameTheKey) {
  std::string base = "sources:\n  - type: s3\n    bucket: org-trail\n";
  std::string error = LoadErrorWithTrailRole(base + "    role_arn: arn:aws:s3:::org-trail\n");
  EXPECT_NE(error.find("sources[0].role_arn: role_arn must be an IAM role ARN"), std::string::npos)
      << error;
  error = LoadErrorWithTrailRole(base + "    role_arn: arn:aws:iam::4444:role/x\n");
  EXPECT_NE(error.find("role_arn must be an IAM role ARN"), std::string::npos) << error;
  error = LoadErrorWithTrailRole(
      base + "    role_arn: arn:aws:iam::444455556666:role/r\n    external_id: \"a b\"\n");
  EXPECT_NE(error.find("sources[0].external_id: external_id must be 2-1224"), std::string::npos)
      << error;
  error = LoadErrorWithTrailRole(base +
                                 "    role_arn: arn:aws:iam::444455556666:role/r\n"
                                 "    role_session_name: x\n");
  EXPECT_NE(error.find("sources[0].role_session_name: role_session_name must be 2-64"),
            std::string::npos)
      << error;
  error = LoadErrorWithTrailRole(base + "    profile: \"[bad]\"\n");
  EXPECT_NE(error.find("sources[0].profile: profile must be the name of a profile"),
            std::string::npos)
      << error;
  error = LoadErrorWithTrailRole(base + "    external_id: abc\n");
  EXPECT_NE(error.find("sources[0].external_id: external_id is sent when assuming role_arn, "
                       "which is not set"),
            std::string::npos)
      << error;
  // The directory source has no AWS identity.
  error = LoadErrorWithTrailRole(
      "sources:\n  - {type: directory, path: x, role_arn: "
      "\"arn:aws:iam::444455556666:role/r\"}\n");
  EXPECT_NE(error.find("unknown key \"role_arn\" for type directory"), std::string::npos) << error;
}

}  // namespace
}  // namespace trailwatch::sources
