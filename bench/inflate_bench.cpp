// Inflate-only throughput on a generated CloudTrail-like log file: libdeflate vs ISA-L igzip
// (cloudtrail/inflate.h), with zlib (what `zcat` uses) as a reference point.
//
// The file is generated in memory, deterministically: {"Records":[...]} with a realistic mix of
// API calls, sign-ins and service events, random UUIDs, IPs and ARNs (the parts that keep real
// CloudTrail from compressing too well), gzip level 6 via zlib like most writers.
//
// Run:  cmake -S . -B build/cloudtrail-rel -G Ninja -DCMAKE_BUILD_TYPE=Release -DTW_BENCH=ON
//       cmake --build build/cloudtrail-rel --target inflate_bench
//       ./build/cloudtrail-rel/inflate_bench --benchmark_repetitions=10
//           --benchmark_report_aggregates_only=true      (one command line)
// Rates are uncompressed bytes per second of CPU time (the machine may be shared; compare CPU). The
// generated size is printed once at start.
#include <benchmark/benchmark.h>
#include <zlib.h>

#include <cstdio>
#include <random>
#include <string>

#include "cloudtrail/inflate.h"

namespace {

using trailwatch::cloudtrail::InflateEngine;
using trailwatch::cloudtrail::InflateOptions;
using trailwatch::cloudtrail::Inflater;

constexpr size_t kTargetInflatedBytes = size_t{48} << 20;

std::string Uuid(std::mt19937_64& rng) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) id += '-';
    id += kHex[rng() & 15];
  }
  return id;
}

std::string GenerateLogFile() {
  std::mt19937_64 rng(20240101);
  const char* services[] = {"s3",     "ec2",      "iam",  "sts",        "kms",
                            "lambda", "dynamodb", "logs", "monitoring", "cloudtrail"};
  const char* names[] = {"GetObject", "DescribeInstances", "AssumeRole",        "Decrypt",
                         "PutObject", "ListBuckets",       "GetCallerIdentity", "PutLogEvents",
                         "Invoke",    "GetMetricData"};
  const char* agents[] = {
      "aws-cli/2.15.0 Python/3.11.6 Linux/6.1.0 exe/x86_64.debian.12",
      "Boto3/1.34.11 md/Botocore#1.34.11 ua/2.0 os/linux#6.1.0 lang/python#3.11",
      "aws-sdk-java/2.21.0 Linux/5.10 OpenJDK_64-Bit_Server_VM/17.0.9", "console.amazonaws.com",
      "cloudformation.amazonaws.com"};
  const char* regions[] = {"us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2"};
  std::string out = "{\"Records\":[";
  for (size_t i = 0; out.size() < kTargetInflatedBytes; ++i) {
    if (i) out += ',';
    const auto pick = rng();
    const std::string account = std::to_string(100000000000 + pick % 8 * 111111111);
    const char* service = services[pick % 10];
    const bool signin = pick % 997 == 0;
    const std::string user = "user" + std::to_string(rng() % 50);
    const std::string ip = std::to_string(rng() % 223 + 1) + "." + std::to_string(rng() % 256) +
                           "." + std::to_string(rng() % 256) + "." + std::to_string(rng() % 256);
    char time[32];
    std::snprintf(time, sizeof time, "2024-01-01T%02zu:%02zu:%02zuZ", i / 3600 % 24, i / 60 % 60,
                  i % 60);
    out += R"({"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDA)" +
           std::to_string(rng() % 1000000) + R"(EXAMPLE","arn":"arn:aws:iam::)" + account +
           ":user/" + user + R"(","accountId":")" + account + R"(","accessKeyId":"AKIA)" +
           std::to_string(rng()) + R"(","userName":")" + user + R"("},"eventTime":")" + time +
           R"(","eventSource":")" + (signin ? "signin" : service) +
           R"(.amazonaws.com","eventName":")" + (signin ? "ConsoleLogin" : names[pick / 10 % 10]) +
           R"(","awsRegion":")" + regions[pick / 100 % 4] + R"(","sourceIPAddress":")" + ip +
           R"(","userAgent":")" + agents[pick / 400 % 5] +
           R"(","requestParameters":{"bucketName":"bucket-)" + std::to_string(rng() % 40) +
           R"(","key":"data/)" + std::to_string(rng()) + R"(.parquet"},"responseElements":null,)" +
           R"("requestID":")" + Uuid(rng) + R"(","eventID":")" + Uuid(rng) +
           R"(","readOnly":true,"eventType":")" + (signin ? "AwsConsoleSignIn" : "AwsApiCall") +
           R"(","managementEvent":true,"recipientAccountId":")" + account +
           R"(","eventCategory":"Management","tlsDetails":{"tlsVersion":"TLSv1.3",)" +
           R"("cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":")" + service +
           R"(.amazonaws.com"}})";
  }
  return out + "]}";
}

std::string Gzip(const std::string& data) {
  z_stream stream{};
  deflateInit2(&stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&stream, data.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

struct Corpus {
  size_t inflated_size = 0;
  std::string gzip;
};

const Corpus& TheCorpus() {
  static const Corpus corpus = [] {
    Corpus c;
    const std::string text = GenerateLogFile();
    c.inflated_size = text.size();
    c.gzip = Gzip(text);
    std::fprintf(stderr, "corpus: %zu bytes inflated, %zu bytes gzip (level 6), ratio %.1f\n",
                 c.inflated_size, c.gzip.size(),
                 static_cast<double>(c.inflated_size) / static_cast<double>(c.gzip.size()));
    return c;
  }();
  return corpus;
}

void BM_Inflate(benchmark::State& state, InflateEngine engine) {
  const Corpus& corpus = TheCorpus();
  InflateOptions options;
  options.engine = engine;
  Inflater inflater(options);
  for (auto _ : state) {
    auto out = inflater.Inflate(corpus.gzip);
    if (!out.ok() || out->size() != corpus.inflated_size) {
      state.SkipWithError("inflate failed");
      break;
    }
    benchmark::DoNotOptimize(out->data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * corpus.inflated_size));
}

// Same, reusing one output buffer across iterations (as a scanner thread would across files):
// this isolates the engine from the cost of faulting in a fresh ~50 MB buffer per file.
void BM_InflateInto(benchmark::State& state, InflateEngine engine) {
  const Corpus& corpus = TheCorpus();
  InflateOptions options;
  options.engine = engine;
  Inflater inflater(options);
  trailwatch::cloudtrail::PaddedBuffer out;
  for (auto _ : state) {
    if (!inflater.InflateInto(corpus.gzip, out).ok() || out.size() != corpus.inflated_size) {
      state.SkipWithError("inflate failed");
      break;
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * corpus.inflated_size));
}

// zlib one-shot into a preallocated buffer: the rate `zcat` works at, for reference.
void BM_InflateZlibReference(benchmark::State& state) {
  const Corpus& corpus = TheCorpus();
  std::string out(corpus.inflated_size, '\0');
  for (auto _ : state) {
    z_stream stream{};
    inflateInit2(&stream, 15 + 16);
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(corpus.gzip.data()));
    stream.avail_in = static_cast<uInt>(corpus.gzip.size());
    stream.next_out = reinterpret_cast<Bytef*>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    const int code = inflate(&stream, Z_FINISH);
    inflateEnd(&stream);
    if (code != Z_STREAM_END) {
      state.SkipWithError("zlib inflate failed");
      break;
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * corpus.inflated_size));
}

BENCHMARK_CAPTURE(BM_Inflate, libdeflate, InflateEngine::kLibdeflate)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Inflate, isal, InflateEngine::kIsal)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_InflateInto, libdeflate, InflateEngine::kLibdeflate)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_InflateInto, isal, InflateEngine::kIsal)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_InflateZlibReference)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
