// A small S3 client: ListObjectsV2 (paginated) and GetObject, signed with SigV4 by libcurl
// (CURLOPT_AWS_SIGV4), path-style against a custom endpoint (moto_server, MinIO) and
// virtual-hosted-style against AWS.
//
// Thread-safety: an S3Client may be used from many threads; each call uses its own curl handle.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "aws/credentials.h"
#include "common/result.h"

namespace trailwatch::aws {

struct S3Object {
  std::string key;
  uint64_t size = 0;
  std::string etag;
  std::string last_modified;
};

struct S3ClientOptions {
  std::string region = "us-east-1";
  std::string
      endpoint;  // e.g. "http://127.0.0.1:5000"; empty = https://<bucket>.s3.<region>.amazonaws.com
  long timeout_seconds = 60;
  int max_retries = 3;  // for 5xx, throttling and network errors, with backoff
};

class S3ConnectionPool;  // s3_client.cpp

class S3Client {
 public:
  S3Client(S3ClientOptions options, std::shared_ptr<CredentialsProvider> credentials);

  // Lists keys under `prefix` (after `start_after`, if set), page by page (1,000 keys per page);
  // `on_page` may return false to stop early. `delimiter` non-empty lists common prefixes only
  // (returned as S3Object with key = the prefix and size 0); objects directly under `prefix` are
  // then left out.
  Status List(const std::string& bucket, const std::string& prefix, const std::string& start_after,
              const std::string& delimiter,
              const std::function<bool(const std::vector<S3Object>&)>& on_page);

  // Downloads an object into *body (replaced). `metadata` receives x-amz-meta-* headers if given,
  // keyed by the lower-cased name after "x-amz-meta-" (x-amz-meta-signature -> "signature").
  Status Get(const std::string& bucket, const std::string& key, std::string* body,
             std::map<std::string, std::string>* metadata = nullptr);

  // Uploads an object (used by tests and tools; Content-Type always set, see
  // docs/reference/formats.md §9.2).
  Status Put(const std::string& bucket, const std::string& key, const std::string& body,
             const std::string& content_type = "application/octet-stream");
  // The same with user metadata, sent as x-amz-meta-<name> headers (names: lower-case ASCII).
  Status Put(const std::string& bucket, const std::string& key, const std::string& body,
             const std::string& content_type, const std::map<std::string, std::string>& metadata);

  // Creates a bucket in options.region (used by tests and tools). A bucket the caller already
  // owns counts as success.
  Status CreateBucket(const std::string& bucket);

 private:
  S3ClientOptions options_;
  std::shared_ptr<CredentialsProvider> credentials_;
  // Idle curl handles, so that successive calls reuse their keep-alive connections.
  std::shared_ptr<S3ConnectionPool> connections_;
};

// Splits "s3://bucket/prefix" into bucket and prefix; false when not an s3:// URL.
bool ParseS3Url(const std::string& url, std::string* bucket, std::string* prefix);

}  // namespace trailwatch::aws
