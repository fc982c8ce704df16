#include "sources/sns_sender_util.h"
#include "common/json_string.h"

#include <fmt/format.h>
#include <httplib.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "config/yaml_json.h"

namespace trailwatch::testing {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string RandomUuid() {
  std::random_device random;
  std::uniform_int_distribution<int> digit(0, 15);
  std::string out = "xxxxxxxx-xxxx-4xxx-8xxx-xxxxxxxxxxxx";
  for (char& c : out) {
    if (c == 'x') c = "0123456789abcdef"[digit(random)];
  }
  return out;
}

std::string PercentEncode(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      char hex[4];
      std::snprintf(hex, sizeof(hex), "%%%02X", c);
      out += hex;
    }
  }
  return out;
}

SnsReply ToReply(const httplib::Result& result) {
  SnsReply reply;
  if (!result) return reply;
  reply.status = result->status;
  reply.body = result->body;
  for (const auto& [name, value] : result->headers) {
    std::string lower = name;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    reply.headers[lower] = value;
  }
  return reply;
}

}  // namespace

// ---- TestPki ---------------------------------------------------------------------------------

TestPki::TestPki() {
  // docs/reference/formats.md §9.4's recipe, plus a rogue CA and a signing certificate with the
  // wrong subject.
  const std::string script = R"(set -e
exec >openssl.log 2>&1
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 3650 -subj "/CN=trailwatch test CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
openssl req -x509 -newkey rsa:2048 -nodes -keyout rogueca.key -out rogueca.pem -days 3650 -subj "/CN=rogue CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
printf 'keyUsage=critical,digitalSignature\n' > sns.ext
openssl req -newkey rsa:2048 -nodes -keyout sns.key -out sns.csr -subj "/O=Amazon/CN=sns.amazonaws.com"
openssl x509 -req -in sns.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 3650 -extfile sns.ext -out sns.pem
openssl req -newkey rsa:2048 -nodes -keyout rogue.key -out rogue.csr -subj "/O=Amazon/CN=sns.amazonaws.com"
openssl x509 -req -in rogue.csr -CA rogueca.pem -CAkey rogueca.key -CAcreateserial -days 3650 -extfile sns.ext -out rogue.pem
openssl req -newkey rsa:2048 -nodes -keyout wrongcn.key -out wrongcn.csr -subj "/O=Amazon/CN=attacker.example.com"
openssl x509 -req -in wrongcn.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 3650 -extfile sns.ext -out wrongcn.pem
openssl req -x509 -newkey rsa:2048 -nodes -keyout amazonca.key -out amazonca.pem -days 3650 -subj "/C=US/O=Amazon/CN=Amazon RSA 2048 M01" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
openssl req -newkey rsa:2048 -nodes -keyout amazonsns.key -out amazonsns.csr -subj "/CN=sns.amazonaws.com"
openssl x509 -req -in amazonsns.csr -CA amazonca.pem -CAkey amazonca.key -CAcreateserial -days 3650 -extfile sns.ext -out amazonsns.pem
openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr -subj "/CN=127.0.0.1"
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' > srv.ext
openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 3650 -extfile srv.ext -out srv.pem
)";
  // Made once per build directory and recipe; concurrent test processes race harmlessly: each
  // builds in its own staging directory and the first rename wins (rename(2) is atomic).
  namespace fs = std::filesystem;
  const fs::path final_dir = fs::path(TW_BUILD_DIR) /
                             fmt::format("test-pki-{:016x}", std::hash<std::string>{}(script));
  dir_ = final_dir.string();
  if (fs::exists(final_dir / "srv.pem")) {
    ok_ = true;
    return;
  }
  const fs::path staging = final_dir.string() + ".tmp-" + std::to_string(::getpid());
  std::error_code ec;
  fs::remove_all(staging, ec);
  fs::create_directories(staging, ec);
  {
    std::ofstream out(staging / "make-pki.sh", std::ios::binary);
    out << script;
  }
  std::string command = "cd '" + staging.string() + "' && bash make-pki.sh";
  if (std::system(command.c_str()) != 0) {
    error_ = "openssl failed: " + Slurp((staging / "openssl.log").string());
    return;
  }
  fs::rename(staging, final_dir, ec);  // fails when another process got there first
  fs::remove_all(staging, ec);
  ok_ = fs::exists(final_dir / "srv.pem");
  if (!ok_) error_ = "test PKI missing in " + final_dir.string();
}

const TestPki& TestPki::Shared() {
  static const TestPki pki;
  return pki;
}

std::string TestPki::sns_cert_pem() const { return Slurp(dir_ + "/sns.pem"); }
std::string TestPki::unknown_amazon_issuer_cert_pem() const {
  return Slurp(dir_ + "/amazonsns.pem");
}
std::string TestPki::rogue_cert_pem() const { return Slurp(dir_ + "/rogue.pem"); }
std::string TestPki::wrong_subject_cert_pem() const { return Slurp(dir_ + "/wrongcn.pem"); }

// ---- FakeCertHost ----------------------------------------------------------------------------

FakeCertHost::FakeCertHost() {
  const TestPki& pki = TestPki::Shared();
  documents_[DefaultCertPath()] = pki.sns_cert_pem();
  auto server = std::make_unique<httplib::SSLServer>(pki.server_cert_file().c_str(),
                                                     pki.server_key_file().c_str());
  server->Get(R"(/.*)", [this](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mutex_);
    user_agents_.push_back(req.get_header_value("User-Agent"));
    if (req.path == "/") {
      size_t question = req.target.find('?');
      confirmations_.push_back(question == std::string::npos ? ""
                                                             : req.target.substr(question + 1));
      res.status = confirm_status_;
      res.set_content(
          "<ConfirmSubscriptionResponse><ConfirmSubscriptionResult><SubscriptionArn>"
          "arn:aws:sns:us-east-1:111122223333:test:1</SubscriptionArn></ConfirmSubscriptionResult>"
          "</ConfirmSubscriptionResponse>",
          "text/xml");
      return;
    }
    auto it = documents_.find(req.path);
    if (it == documents_.end()) {
      res.status = 404;
      return;
    }
    ++cert_fetches_;
    res.set_content(it->second, "application/x-x509-ca-cert");
  });
  port_ = server->bind_to_any_port("127.0.0.1");
  server_ = std::move(server);
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

FakeCertHost::~FakeCertHost() {
  server_->stop();
  thread_.join();
}

std::string FakeCertHost::Url(const std::string& path_and_query) const {
  return "https://127.0.0.1:" + std::to_string(port_) + path_and_query;
}

std::string FakeCertHost::SubscribeUrl(const std::string& topic_arn) const {
  return Url("/?Action=ConfirmSubscription&TopicArn=" + PercentEncode(topic_arn) +
             "&Token=2336412f37fb687f5d51e6e2425a8a5873d9ba4df4c2a5b1");
}

std::string FakeCertHost::CertUrlPattern() const {
  return R"(https://127\.0\.0\.1:)" + std::to_string(port_) +
         R"(/SimpleNotificationService-[0-9a-f]+\.pem)";
}

void FakeCertHost::Serve(const std::string& path, std::string body) {
  std::lock_guard lock(mutex_);
  documents_[path] = std::move(body);
}

void FakeCertHost::SetConfirmStatus(int status) {
  std::lock_guard lock(mutex_);
  confirm_status_ = status;
}

size_t FakeCertHost::CertFetches() const {
  std::lock_guard lock(mutex_);
  return cert_fetches_;
}

std::vector<std::string> FakeCertHost::Confirmations() const {
  std::lock_guard lock(mutex_);
  return confirmations_;
}

std::vector<std::string> FakeCertHost::UserAgents() const {
  std::lock_guard lock(mutex_);
  return user_agents_;
}

// ---- SnsSender -------------------------------------------------------------------------------

std::string SnsSender::NowTimestamp(int seconds_offset) {
  auto now = std::chrono::system_clock::now() + std::chrono::seconds(seconds_offset);
  auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[96];  // room for any int in each field, so -Wformat-truncation sees no truncation
  std::snprintf(text, sizeof(text), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(millis));
  return text;
}

SnsSpec SnsSender::Notification(const std::string& topic_arn, const std::string& message,
                                const std::string& cert_url) {
  SnsSpec spec;
  spec.type = "Notification";
  spec.message_id = RandomUuid();
  spec.topic_arn = topic_arn;
  spec.message = message;
  spec.timestamp = NowTimestamp();
  spec.signing_cert_url = cert_url;
  spec.unsubscribe_url =
      "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=" + topic_arn +
      ":c9135db0-26c4-47ec-8998-413945fb5a96";
  return spec;
}

SnsSpec SnsSender::SubscriptionConfirmation(const std::string& topic_arn,
                                            const std::string& cert_url,
                                            const std::string& subscribe_url) {
  SnsSpec spec;
  spec.type = "SubscriptionConfirmation";
  spec.message_id = RandomUuid();
  spec.topic_arn = topic_arn;
  spec.message = "You have chosen to subscribe to the topic " + topic_arn +
                 ".\nTo confirm the subscription, visit the SubscribeURL included in this message.";
  spec.timestamp = NowTimestamp();
  spec.signing_cert_url = cert_url;
  spec.token = "2336412f37fb687f5d51e6e2425a8a5873d9ba4df4c2a5b1";
  spec.subscribe_url = subscribe_url;
  return spec;
}

SnsSpec SnsSender::UnsubscribeConfirmation(const std::string& topic_arn,
                                           const std::string& cert_url,
                                           const std::string& subscribe_url) {
  SnsSpec spec = SubscriptionConfirmation(topic_arn, cert_url, subscribe_url);
  spec.type = "UnsubscribeConfirmation";
  spec.message = "You have chosen to deactivate subscription " + topic_arn +
                 ".\nTo cancel this operation and restore the subscription, visit the SubscribeURL "
                 "included in this message.";
  return spec;
}

std::string SnsSender::StringToSign(const SnsSpec& spec) {
  std::vector<std::pair<std::string, std::string>> fields;
  if (spec.type == "Notification") {
    fields = {{"Message", spec.message}, {"MessageId", spec.message_id}};
    if (spec.subject) fields.push_back({"Subject", *spec.subject});
    fields.push_back({"Timestamp", spec.timestamp});
    fields.push_back({"TopicArn", spec.topic_arn});
    fields.push_back({"Type", spec.type});
  } else {
    fields = {{"Message", spec.message},
              {"MessageId", spec.message_id},
              {"SubscribeURL", spec.subscribe_url},
              {"Timestamp", spec.timestamp},
              {"Token", spec.token},
              {"TopicArn", spec.topic_arn},
              {"Type", spec.type}};
  }
  std::string out;
  for (const auto& [key, value] : fields) out += key + "\n" + value + "\n";
  return out;
}

void SnsSender::Sign(SnsSpec& spec) const {
  spec.signature.clear();
  FILE* file = std::fopen(key_file_.c_str(), "r");
  if (file == nullptr) return;
  EVP_PKEY* key = PEM_read_PrivateKey(file, nullptr, nullptr, nullptr);
  std::fclose(file);
  if (key == nullptr) return;
  std::string text = StringToSign(spec);
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  const EVP_MD* digest = spec.signature_version == "1" ? EVP_sha1() : EVP_sha256();
  std::vector<unsigned char> signature(EVP_PKEY_size(key));
  size_t length = signature.size();
  if (EVP_DigestSignInit(context, nullptr, digest, nullptr, key) == 1 &&
      EVP_DigestSign(context, signature.data(), &length,
                     reinterpret_cast<const unsigned char*>(text.data()), text.size()) == 1) {
    std::string encoded(4 * ((length + 2) / 3) + 1, '\0');
    int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                                  signature.data(), static_cast<int>(length));
    encoded.resize(static_cast<size_t>(written));
    spec.signature = encoded;
  }
  EVP_MD_CTX_free(context);
  EVP_PKEY_free(key);
}

std::string SnsSender::Body(const SnsSpec& spec) {
  std::string out = "{\n";
  bool first = true;
  auto member = [&](const char* key, const std::string& value) {
    if (!first) out += ",\n";
    first = false;
    out += "  ";
    AppendJsonString(out, key);
    out += " : ";
    AppendJsonString(out, value);
  };
  member("Type", spec.type);
  member("MessageId", spec.message_id);
  if (spec.type != "Notification") member("Token", spec.token);
  member("TopicArn", spec.topic_arn);
  if (spec.subject) member("Subject", *spec.subject);
  member("Message", spec.message);
  if (spec.type != "Notification") member("SubscribeURL", spec.subscribe_url);
  member("Timestamp", spec.timestamp);
  member("SignatureVersion", spec.signature_version);
  member("Signature", spec.signature);
  member("SigningCertURL", spec.signing_cert_url);
  if (spec.type == "Notification") member("UnsubscribeURL", spec.unsubscribe_url);
  out += "\n}";
  return out;
}

std::map<std::string, std::string> SnsSender::Headers(const SnsSpec& spec) {
  std::map<std::string, std::string> headers = {
      {"x-amz-sns-message-type", spec.type},
      {"x-amz-sns-message-id", spec.message_id},
      {"x-amz-sns-topic-arn", spec.topic_arn},
      {"User-Agent", "Amazon Simple Notification Service Agent"},
  };
  if (spec.type != "SubscriptionConfirmation") {
    headers["x-amz-sns-subscription-arn"] =
        spec.topic_arn + ":c9135db0-26c4-47ec-8998-413945fb5a96";
  }
  return headers;
}

SnsReply SnsSender::Post(int port, const std::string& body,
                         const std::map<std::string, std::string>& headers) {
  // SNS sends text/plain, not application/json (§5.1).
  return HttpPost(port, "/sns", body, headers, "text/plain; charset=UTF-8");
}

SnsReply SnsSender::SignAndPost(int port, SnsSpec spec) const {
  Sign(spec);
  return Post(port, Body(spec), Headers(spec));
}

std::vector<int> SnsSender::Deliver(int port, SnsSpec spec, int retries,
                                    std::chrono::milliseconds delay) const {
  Sign(spec);
  std::string body = Body(spec);
  std::vector<int> statuses;
  for (int attempt = 0; attempt <= retries; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(delay);
    int status = Post(port, body, Headers(spec)).status;
    statuses.push_back(status);
    if (status >= 200 && status < 500) break;
  }
  return statuses;
}

SnsReply HttpPost(int port, const std::string& path, const std::string& body,
                  const std::map<std::string, std::string>& headers,
                  const std::string& content_type) {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(std::chrono::seconds(20));
  httplib::Headers request_headers;
  for (const auto& [name, value] : headers) request_headers.emplace(name, value);
  return ToReply(client.Post(path.c_str(), request_headers, body, content_type.c_str()));
}

SnsReply HttpGet(int port, const std::string& path) {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(std::chrono::seconds(20));
  return ToReply(client.Get(path.c_str()));
}

// ---- HoldableRecordingSink ----------------------------------------------------------------------

Status HoldableRecordingSink::Submit(const std::string& source_name,
                                     std::span<const envelope::SourceEvent> events) {
  std::unique_lock lock(mutex_);
  ++submits_;
  if (hold_) {
    ++held_;
    changed_.notify_all();
    changed_.wait(lock, [&] { return !hold_; });
    --held_;
  }
  if (fail_next_ > 0) {
    --fail_next_;
    return Error{"scripted failure"};
  }
  if (!failure_.empty()) return Error{failure_};
  events_.insert(events_.end(), events.begin(), events.end());
  return Status::Ok();
}

std::vector<envelope::SourceEvent> HoldableRecordingSink::Events() const {
  std::lock_guard lock(mutex_);
  return events_;
}

size_t HoldableRecordingSink::SubmitCount() const {
  std::lock_guard lock(mutex_);
  return submits_;
}

void HoldableRecordingSink::FailWith(std::string message) {
  std::lock_guard lock(mutex_);
  failure_ = std::move(message);
}

void HoldableRecordingSink::FailNext(int count) {
  std::lock_guard lock(mutex_);
  fail_next_ = count;
}

void HoldableRecordingSink::Hold() {
  std::lock_guard lock(mutex_);
  hold_ = true;
}

void HoldableRecordingSink::Release() {
  std::lock_guard lock(mutex_);
  hold_ = false;
  changed_.notify_all();
}

bool HoldableRecordingSink::WaitForHeld(int count) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, std::chrono::seconds(10), [&] { return held_ >= count; });
}

}  // namespace trailwatch::testing
