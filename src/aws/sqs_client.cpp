// SqsClient (sqs_client.h). The JSON protocol is used rather than the query protocol: requests and
// responses are small JSON documents (simdjson), and moto_server accepts it
// (docs/reference/formats.md §9.2). Errors come back as {"__type":
// "com.amazonaws.sqs#QueueDoesNotExist", "message": ...}.
#include "aws/sqs_client.h"
#include "common/json_string.h"

#include <simdjson.h>

#include <chrono>
#include <random>
#include <thread>
#include <utility>

#include "aws/http_exchange.h"
#include "config/yaml_json.h"

namespace trailwatch::aws {

namespace {

// scheme://host[:port] of a URL ("" when it has none).
std::string Origin(const std::string& url) {
  size_t scheme = url.find("://");
  if (scheme == std::string::npos) return "";
  size_t path = url.find('/', scheme + 3);
  return url.substr(0, path);
}

std::string JsonString(std::string_view text) {
  std::string out;
  AppendJsonString(out, text);
  return out;
}

// The AWS error code without its namespace ("com.amazonaws.sqs#QueueDoesNotExist" ->
// "QueueDoesNotExist") and the message, from a JSON error body; raw status when not JSON.
std::string DescribeFailure(const HttpExchangeResponse& response, std::string* code) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::string text = "HTTP " + std::to_string(response.status);
  if (parser.parse(response.body).get(doc) == simdjson::SUCCESS) {
    std::string_view type;
    std::string_view message;
    if (doc["__type"].get(type) == simdjson::SUCCESS) {
      size_t hash = type.rfind('#');
      *code = std::string(hash == std::string_view::npos ? type : type.substr(hash + 1));
    }
    if (doc["message"].get(message) != simdjson::SUCCESS &&
        doc["Message"].get(message) != simdjson::SUCCESS) {
      message = {};
    }
    if (!code->empty()) {
      text = *code + ": " + (message.empty() ? "(no message)" : std::string(message)) + " (" +
             text + ")";
    }
  }
  if (code->empty()) {
    // Query-protocol style answers (and moto's signature errors) carry <Code>...</Code>.
    size_t open = response.body.find("<Code>");
    size_t close = response.body.find("</Code>");
    if (open != std::string::npos && close != std::string::npos && close > open + 6 &&
        close - open < 80) {
      *code = response.body.substr(open + 6, close - open - 6);
      text = *code + " (" + text + ")";
    }
  }
  if (code->empty()) {
    std::string query_error = response.Header("x-amzn-query-error");
    *code = query_error.substr(0, query_error.find(';'));
  }
  return text;
}

bool RetryableSqsStatus(long status, const std::string& code) {
  return status >= 500 || status == 429 || code.find("Throttl") != std::string::npos ||
         code == "RequestThrottled" || code == "ServiceUnavailable" || code == "InternalError";
}

}  // namespace

SqsClient::SqsClient(SqsClientOptions options, std::shared_ptr<CredentialsProvider> credentials)
    : options_(std::move(options)), credentials_(std::move(credentials)) {}

SqsClient::~SqsClient() = default;

std::unique_ptr<CurlEasy> SqsClient::TakeHandle() {
  std::lock_guard lock(mutex_);
  if (idle_.empty()) return std::make_unique<CurlEasy>();
  auto handle = std::move(idle_.back());
  idle_.pop_back();
  return handle;
}

void SqsClient::GiveHandle(std::unique_ptr<CurlEasy> handle) {
  std::lock_guard lock(mutex_);
  if (idle_.size() < 16) idle_.push_back(std::move(handle));
}

Result<std::string> SqsClient::Call(const std::string& action, const std::string& queue_url,
                                    const std::string& subject, const std::string& body,
                                    long extra_timeout_seconds, std::stop_token stop) {
  std::string endpoint = options_.endpoint;
  if (endpoint.empty()) endpoint = Origin(queue_url);
  if (endpoint.empty()) endpoint = "https://sqs." + options_.region + ".amazonaws.com";
  while (endpoint.ends_with('/')) endpoint.pop_back();
  std::string where = "SQS " + action + (subject.empty() ? "" : " " + subject);

  std::string last_error;
  for (int attempt = 0;; ++attempt) {
    auto credentials = credentials_->Get();
    if (!credentials.ok()) return Error{where + ": " + credentials.message()};
    HttpExchangeRequest http;
    http.method = "POST";
    http.url = endpoint + "/";
    http.body = body;
    http.headers = {"Content-Type: application/x-amz-json-1.0",
                    "X-Amz-Target: AmazonSQS." + action};
    if (!credentials->session_token.empty()) {
      http.headers.push_back("x-amz-security-token: " + credentials->session_token);
    }
    http.connect_timeout_ms = 10000;
    http.timeout_ms = (options_.timeout_seconds + extra_timeout_seconds) * 1000;
    http.aws_sigv4 = "aws:amz:" + options_.region + ":sqs";
    http.user_password = credentials->access_key_id + ":" + credentials->secret_access_key;
    http.stop = stop;

    std::unique_ptr<CurlEasy> curl = TakeHandle();
    auto response = curl->Perform(http);
    bool retryable = true;
    std::string code;
    if (response.ok()) {
      GiveHandle(std::move(curl));
      if (response->status >= 200 && response->status < 300) return std::move(response->body);
      last_error = DescribeFailure(*response, &code);
      retryable = RetryableSqsStatus(response->status, code);
      if (response->status == 403 || code == "InvalidClientTokenId" ||
          code == "SignatureDoesNotMatch" || code == "AccessDenied" || code == "ExpiredToken") {
        last_error += " [credentials from " + credentials->source + "]";
      }
    } else {
      if (stop.stop_requested()) return Error{where + ": stopped"};
      last_error = response.message();
    }
    if (!retryable || attempt >= options_.max_retries || stop.stop_requested()) {
      return Error{where + ": " + last_error};
    }
    thread_local std::mt19937 random(std::random_device{}());
    std::uniform_int_distribution<int> jitter(0, 200);
    std::this_thread::sleep_for(std::chrono::milliseconds((200 << attempt) + jitter(random)));
  }
}

Result<std::vector<SqsMessage>> SqsClient::ReceiveMessages(const std::string& queue_url,
                                                           const SqsReceiveOptions& options,
                                                           std::stop_token stop) {
  std::string body = "{\"QueueUrl\":" + JsonString(queue_url) +
                     ",\"MaxNumberOfMessages\":" + std::to_string(options.max_messages) +
                     ",\"WaitTimeSeconds\":" + std::to_string(options.wait_time_seconds) +
                     // The deprecated AttributeNames is what moto 5.2.1 reads; AWS takes both.
                     ",\"AttributeNames\":[\"ApproximateReceiveCount\"]" +
                     ",\"MessageSystemAttributeNames\":[\"ApproximateReceiveCount\"]";
  if (options.visibility_timeout_seconds >= 0) {
    body += ",\"VisibilityTimeout\":" + std::to_string(options.visibility_timeout_seconds);
  }
  body += "}";
  auto response =
      Call("ReceiveMessage", queue_url, queue_url, body, options.wait_time_seconds, stop);
  if (!response.ok()) {
    if (stop.stop_requested()) return std::vector<SqsMessage>{};
    return response.error();
  }
  std::vector<SqsMessage> out;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(*response).get(doc) != simdjson::SUCCESS) {
    return Error{"SQS ReceiveMessage " + queue_url + ": the response is not JSON"};
  }
  simdjson::dom::array messages;
  if (doc["Messages"].get(messages) != simdjson::SUCCESS) return out;  // none arrived
  for (simdjson::dom::element item : messages) {
    SqsMessage message;
    std::string_view text;
    if (item["MessageId"].get(text) == simdjson::SUCCESS) message.message_id = text;
    if (item["ReceiptHandle"].get(text) == simdjson::SUCCESS) message.receipt_handle = text;
    if (item["Body"].get(text) == simdjson::SUCCESS) message.body = text;
    if (item["Attributes"]["ApproximateReceiveCount"].get(text) == simdjson::SUCCESS) {
      message.receive_count = std::atoi(std::string(text).c_str());
    }
    if (message.receipt_handle.empty()) {
      return Error{"SQS ReceiveMessage " + queue_url + ": a message without ReceiptHandle"};
    }
    out.push_back(std::move(message));
  }
  return out;
}

Status SqsClient::DeleteMessage(const std::string& queue_url, const std::string& receipt_handle) {
  std::string body = "{\"QueueUrl\":" + JsonString(queue_url) +
                     ",\"ReceiptHandle\":" + JsonString(receipt_handle) + "}";
  auto response = Call("DeleteMessage", queue_url, queue_url, body, 0, {});
  if (!response.ok()) return response.error();
  return Status::Ok();
}

Status SqsClient::ChangeMessageVisibility(const std::string& queue_url,
                                          const std::string& receipt_handle,
                                          int visibility_timeout_seconds) {
  std::string body = "{\"QueueUrl\":" + JsonString(queue_url) +
                     ",\"ReceiptHandle\":" + JsonString(receipt_handle) +
                     ",\"VisibilityTimeout\":" + std::to_string(visibility_timeout_seconds) + "}";
  auto response = Call("ChangeMessageVisibility", queue_url, queue_url, body, 0, {});
  if (!response.ok()) return response.error();
  return Status::Ok();
}

namespace {

Result<std::string> StringField(const std::string& json, const char* field,
                                const std::string& where) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::string_view value;
  if (parser.parse(json).get(doc) != simdjson::SUCCESS ||
      doc[field].get(value) != simdjson::SUCCESS) {
    return Error{where + ": the response has no " + field};
  }
  return std::string(value);
}

}  // namespace

Result<std::string> SqsClient::CreateQueue(const std::string& name,
                                           const std::map<std::string, std::string>& attributes) {
  std::string body = "{\"QueueName\":" + JsonString(name);
  if (!attributes.empty()) {
    body += ",\"Attributes\":{";
    bool first = true;
    for (const auto& [key, value] : attributes) {
      if (!first) body += ",";
      first = false;
      body += JsonString(key) + ":" + JsonString(value);
    }
    body += "}";
  }
  body += "}";
  auto response = Call("CreateQueue", "", name, body, 0, {});
  if (!response.ok()) return response.error();
  return StringField(*response, "QueueUrl", "SQS CreateQueue " + name);
}

Result<std::string> SqsClient::GetQueueUrl(const std::string& name) {
  auto response = Call("GetQueueUrl", "", name, "{\"QueueName\":" + JsonString(name) + "}", 0, {});
  if (!response.ok()) return response.error();
  return StringField(*response, "QueueUrl", "SQS GetQueueUrl " + name);
}

Result<std::string> SqsClient::SendMessage(const std::string& queue_url, const std::string& body) {
  std::string request =
      "{\"QueueUrl\":" + JsonString(queue_url) + ",\"MessageBody\":" + JsonString(body) + "}";
  auto response = Call("SendMessage", queue_url, queue_url, request, 0, {});
  if (!response.ok()) return response.error();
  return StringField(*response, "MessageId", "SQS SendMessage " + queue_url);
}

Result<std::map<std::string, std::string>> SqsClient::GetQueueAttributes(
    const std::string& queue_url) {
  std::string request = "{\"QueueUrl\":" + JsonString(queue_url) + ",\"AttributeNames\":[\"All\"]}";
  auto response = Call("GetQueueAttributes", queue_url, queue_url, request, 0, {});
  if (!response.ok()) return response.error();
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::object attributes;
  std::map<std::string, std::string> out;
  if (parser.parse(*response).get(doc) != simdjson::SUCCESS) {
    return Error{"SQS GetQueueAttributes " + queue_url + ": the response is not JSON"};
  }
  if (doc["Attributes"].get(attributes) != simdjson::SUCCESS) return out;
  for (auto field : attributes) {
    std::string_view value;
    if (field.value.get(value) == simdjson::SUCCESS) out[std::string(field.key)] = value;
  }
  return out;
}

}  // namespace trailwatch::aws
