// S3 read-ahead (scan/object_prefetcher.h) against moto_server on loopback: every object arrives
// intact whatever the window, local inputs are left to the workers, a missing key is an error
// naming it while the others still arrive, and several takers in index order never deadlock.
#include "scan/object_prefetcher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "aws/moto_server_util.h"

namespace trailwatch::scan {
namespace {

using trailwatch::testing::MotoServer;

class ObjectPrefetcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto started = MotoServer::Start();
    ASSERT_TRUE(started.ok()) << started.message();
    moto_ = std::move(started.value());
    aws::S3ClientOptions options;
    options.endpoint = moto_->endpoint();
    client_ = std::make_unique<aws::S3Client>(
        options, std::make_shared<aws::CredentialsProvider>(moto_->TestEnvironment()));
    ASSERT_TRUE(client_->CreateBucket("trail").ok());
    for (int i = 0; i < 12; ++i) {
      ScanInput input;
      if (i % 4 == 3) {  // a local file between the objects: not prefetched
        input.path = "/nonexistent/local-" + std::to_string(i);
        input.origin = input.path;
      } else {
        input.bucket = "trail";
        input.key = "k/" + std::to_string(i);
        input.origin = "s3://trail/" + input.key;
        const std::string body(1000 + i * 100, static_cast<char>('a' + i));
        ASSERT_TRUE(client_->Put("trail", input.key, body).ok());
        input.size = body.size();
      }
      inputs_.push_back(input);
    }
  }

  std::string Expected(size_t i) const { return std::string(1000 + i * 100, 'a' + i); }

  std::unique_ptr<MotoServer> moto_;
  std::unique_ptr<aws::S3Client> client_;
  std::vector<ScanInput> inputs_;
};

TEST_F(ObjectPrefetcherTest, EveryObjectArrivesIntactWithAnyWindow) {
  for (size_t window : {1u, 2u, 5u}) {
    for (uint64_t max_bytes : {uint64_t{1}, uint64_t{1} << 20}) {
      SCOPED_TRACE("window " + std::to_string(window) + ", bytes " + std::to_string(max_bytes));
      ObjectPrefetcher prefetcher(inputs_, client_.get(), {2, window, max_bytes});
      for (size_t i = 0; i < inputs_.size(); ++i) {
        if (!inputs_[i].path.empty()) continue;
        std::string body;
        ASSERT_TRUE(prefetcher.Take(i, &body).ok());
        EXPECT_EQ(body, Expected(i));
      }
    }
  }
}

TEST_F(ObjectPrefetcherTest, AMissingKeyIsAnErrorNamingItAndTheRestArrive) {
  inputs_[4].key = "k/missing";
  inputs_[4].origin = "s3://trail/k/missing";
  ObjectPrefetcher prefetcher(inputs_, client_.get(), {2, 3, uint64_t{1} << 20});
  for (size_t i = 0; i < inputs_.size(); ++i) {
    if (!inputs_[i].path.empty()) continue;
    std::string body;
    Status taken = prefetcher.Take(i, &body);
    if (i == 4) {
      ASSERT_FALSE(taken.ok());
      EXPECT_NE(taken.message().find("k/missing"), std::string::npos) << taken.message();
    } else {
      ASSERT_TRUE(taken.ok()) << taken.message();
      EXPECT_EQ(body, Expected(i));
    }
  }
}

TEST_F(ObjectPrefetcherTest, SeveralTakersInIndexOrderAllFinish) {
  ObjectPrefetcher prefetcher(inputs_, client_.get(), {2, 2, uint64_t{1} << 20});
  std::atomic<size_t> next{0};
  std::atomic<int> intact{0};
  std::vector<std::thread> takers;
  for (int t = 0; t < 3; ++t) {
    takers.emplace_back([&] {
      // Like scan's workers: each claims the next input in order, then waits for it.
      for (size_t i = next++; i < inputs_.size(); i = next++) {
        if (!inputs_[i].path.empty()) continue;
        std::string body;
        if (prefetcher.Take(i, &body).ok() && body == Expected(i)) ++intact;
      }
    });
  }
  for (std::thread& taker : takers) taker.join();
  EXPECT_EQ(intact.load(), 9);
}

TEST_F(ObjectPrefetcherTest, DestroyingBeforeEverythingIsTakenStopsTheFetchers) {
  ObjectPrefetcher prefetcher(inputs_, client_.get(), {2, 2, uint64_t{1} << 20});
  std::string body;
  ASSERT_TRUE(prefetcher.Take(0, &body).ok());
  // The destructor joins the fetch threads, which are waiting for room in the window.
}

}  // namespace
}  // namespace trailwatch::scan
