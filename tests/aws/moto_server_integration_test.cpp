// MotoServer itself: start, reset and stop (the helper other suites build on).
#include <gtest/gtest.h>

#include "aws/http_exchange.h"
#include "aws/moto_server_util.h"
#include "aws/s3_client.h"

namespace trailwatch::testing {
namespace {

TEST(MotoServerTest, StartsResetsAndStops) {
  auto moto = MotoServer::Start();
  ASSERT_TRUE(moto.ok()) << moto.message();
  std::string endpoint = (*moto)->endpoint();
  EXPECT_TRUE(endpoint.starts_with("http://127.0.0.1:")) << endpoint;

  aws::S3ClientOptions options;
  options.endpoint = endpoint;
  options.max_retries = 0;
  aws::S3Client client(options,
                       std::make_shared<aws::CredentialsProvider>((*moto)->TestEnvironment()));
  Status created = client.CreateBucket("before-reset");
  ASSERT_TRUE(created.ok()) << created.message();
  ASSERT_TRUE(client.Put("before-reset", "k", "v").ok());

  Status reset = (*moto)->Reset();
  ASSERT_TRUE(reset.ok()) << reset.message();
  std::string body;
  Status get = client.Get("before-reset", "k", &body);
  ASSERT_FALSE(get.ok());
  EXPECT_NE(get.message().find("NoSuchBucket"), std::string::npos) << get.message();

  moto.value().reset();  // SIGTERM by PID, waits for the exit
  aws::CurlEasy curl;
  aws::HttpExchangeRequest probe;
  probe.url = endpoint + "/moto-api/";
  probe.connect_timeout_ms = 1000;
  EXPECT_FALSE(curl.Perform(probe).ok()) << "moto_server still answers after the destructor";
}

}  // namespace
}  // namespace trailwatch::testing
