// A small SQS client over the JSON protocol (`X-Amz-Target: AmazonSQS.<Action>`,
// `Content-Type: application/x-amz-json-1.0`), signed with SigV4 by libcurl (CURLOPT_AWS_SIGV4)
// like the S3 client. moto_server speaks the same protocol (docs/reference/formats.md §9.2, §9.8).
//
// Requests go to the endpoint override when one is given (moto_server, ElasticMQ, a VPC
// endpoint), else to the queue URL's own scheme and host (https://sqs.<region>.amazonaws.com).
// ReceiveMessage long-polls; a stop_token abandons it within about a second.
//
// Thread-safety: an SqsClient may be used from many threads; each call uses its own curl handle.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <vector>

#include "aws/credentials.h"
#include "common/result.h"

namespace trailwatch::aws {

class CurlEasy;

struct SqsClientOptions {
  std::string region = "us-east-1";
  std::string endpoint;  // empty: the queue URL's scheme://host (or sqs.<region>.amazonaws.com)
  long timeout_seconds = 30;  // per request, on top of a receive's wait time
  int max_retries = 2;        // 5xx, throttling and network errors, with a short backoff
};

struct SqsMessage {
  std::string message_id;
  std::string receipt_handle;  // needed for DeleteMessage / ChangeMessageVisibility
  std::string body;
  int receive_count = 0;  // ApproximateReceiveCount (1 on the first delivery)
};

struct SqsReceiveOptions {
  int max_messages = 10;                // 1-10
  int wait_time_seconds = 20;           // 0-20 (long polling)
  int visibility_timeout_seconds = -1;  // -1: the queue's default
};

class SqsClient {
 public:
  SqsClient(SqsClientOptions options, std::shared_ptr<CredentialsProvider> credentials);
  ~SqsClient();

  // Long-polls `queue_url`. An empty vector when no message arrived within the wait time or
  // `stop` was requested.
  Result<std::vector<SqsMessage>> ReceiveMessages(const std::string& queue_url,
                                                  const SqsReceiveOptions& options,
                                                  std::stop_token stop = {});
  Status DeleteMessage(const std::string& queue_url, const std::string& receipt_handle);
  Status ChangeMessageVisibility(const std::string& queue_url, const std::string& receipt_handle,
                                 int visibility_timeout_seconds);

  // For tests and tools.
  Result<std::string> CreateQueue(const std::string& name,
                                  const std::map<std::string, std::string>& attributes = {});
  Result<std::string> GetQueueUrl(const std::string& name);
  Result<std::string> SendMessage(const std::string& queue_url, const std::string& body);
  Result<std::map<std::string, std::string>> GetQueueAttributes(const std::string& queue_url);

 private:
  // POSTs one action; returns the 2xx body or an error naming the action and the AWS error code.
  // `queue_url` picks the endpoint when no override is set; `subject` (the queue URL, or the
  // queue name for CreateQueue/GetQueueUrl) labels errors.
  Result<std::string> Call(const std::string& action, const std::string& queue_url,
                           const std::string& subject, const std::string& body,
                           long extra_timeout_seconds, std::stop_token stop);
  std::unique_ptr<CurlEasy> TakeHandle();
  void GiveHandle(std::unique_ptr<CurlEasy> handle);

  SqsClientOptions options_;
  std::shared_ptr<CredentialsProvider> credentials_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<CurlEasy>> idle_;  // keep-alive connections for the next call
};

}  // namespace trailwatch::aws
