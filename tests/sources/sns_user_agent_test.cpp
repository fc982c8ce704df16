// The SNS verifier's own HTTPS requests (the signing certificate fetch and the SubscribeURL
// confirmation) carry User-Agent: trailwatch/<version> like every other outgoing request (issue
// 10, item 6). Real libcurl against FakeCertHost on 127.0.0.1 with the test CA.
#include <gtest/gtest.h>

#include "common/version.h"
#include "sources/sns_message.h"
#include "sources/sns_sender_util.h"
#include "sources/sns_verifier.h"

namespace trailwatch::sources {
namespace {

using trailwatch::testing::FakeCertHost;
using trailwatch::testing::SnsSender;
using trailwatch::testing::SnsSpec;
using trailwatch::testing::TestPki;

using trailwatch::testing::kChatbotTopic;

TEST(SnsUserAgent, CertificateFetchAndConfirmationSendIt) {
  const TestPki& pki = TestPki::Shared();
  ASSERT_TRUE(pki.ok()) << pki.error();
  FakeCertHost host;
  SnsVerifierOptions options;
  options.ca_file = pki.ca_file();
  options.cert_url_pattern = host.CertUrlPattern();
  auto verifier = SnsVerifier::Create(options);
  ASSERT_TRUE(verifier.ok()) << verifier.message();

  SnsSpec spec = SnsSender::SubscriptionConfirmation(kChatbotTopic, host.CertUrl(),
                                                     host.SubscribeUrl(kChatbotTopic));
  SnsSender(pki.sns_key_file()).Sign(spec);
  auto message = ParseSnsMessage(SnsSender::Body(spec));
  ASSERT_TRUE(message.ok()) << message.message();
  SnsVerdict verdict = (*verifier)->Verify(*message);
  ASSERT_TRUE(verdict.ok()) << verdict.message;
  Status confirmed = (*verifier)->Confirm(*message);
  ASSERT_TRUE(confirmed.ok()) << confirmed.message();

  std::vector<std::string> agents = host.UserAgents();
  ASSERT_EQ(agents.size(), 2u) << "one certificate fetch, one SubscribeURL GET";
  for (const std::string& agent : agents) {
    EXPECT_EQ(agent, std::string("trailwatch/") + Version());
  }
}

}  // namespace
}  // namespace trailwatch::sources
