// Inflate-only rate of a directory of CloudTrail log files on all cores: the practical ceiling for
// `trailwatch scan` on the same files (bench/scan-vs-jq.sh runs both, and `zcat | jq`).
//
// Does what a scan must do before any JSON is looked at, and nothing more: walk the directory,
// read every *.json.gz file (from the page cache once warm) and inflate it with
// cloudtrail::Inflater (ISA-L by default) into a per-thread reused PaddedBuffer, one file per
// thread at a time, biggest files first. A gzip member inflates sequentially, so this is the rate
// with all cores busy on whole files.
//
//   inflate_files_bench DIR [--threads N] [--engine isal|libdeflate]
//
// Prints one JSON object: files, compressed and uncompressed bytes, seconds (walk included) and
// uncompressed MB/s (10^6 bytes). Exit 1 if any file fails to read or inflate.
// A plain main, not Google Benchmark: the unit is one pass over a corpus, timed from outside by
// hyperfine in bench/scan-vs-jq.sh, exactly like the scan it is compared with.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "cloudtrail/inflate.h"
#include "cloudtrail/padded_buffer.h"

namespace {

namespace fs = std::filesystem;
using trailwatch::Error;
using trailwatch::Status;
using trailwatch::cloudtrail::InflateEngine;
using trailwatch::cloudtrail::InflateOptions;
using trailwatch::cloudtrail::Inflater;
using trailwatch::cloudtrail::PaddedBuffer;

struct FileDescriptor {
  int fd = -1;
  ~FileDescriptor() {
    if (fd >= 0) close(fd);
  }
};

// Reads a whole file into `out`, reusing its allocation.
Status ReadFile(const std::string& path, std::string* out) {
  FileDescriptor file{open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (file.fd < 0) return Error{path + ": " + std::strerror(errno)};
  struct stat st {};
  if (fstat(file.fd, &st) != 0) return Error{path + ": " + std::strerror(errno)};
  out->resize(static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (done < out->size()) {
    const ssize_t n = read(file.fd, out->data() + done, out->size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Error{path + ": short read"};
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

struct Input {
  std::string path;
  uint64_t size = 0;
};

int Usage() {
  std::fprintf(stderr, "usage: inflate_files_bench DIR [--threads N] [--engine isal|libdeflate]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir;
  int threads = static_cast<int>(std::thread::hardware_concurrency());
  InflateOptions options;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--threads" && i + 1 < argc) {
      threads = std::max(1, std::atoi(argv[++i]));
    } else if (arg == "--engine" && i + 1 < argc) {
      const std::string_view engine = argv[++i];
      if (engine == "isal") {
        options.engine = InflateEngine::kIsal;
      } else if (engine == "libdeflate") {
        options.engine = InflateEngine::kLibdeflate;
      } else {
        return Usage();
      }
    } else if (dir.empty() && !arg.starts_with("-")) {
      dir = arg;
    } else {
      return Usage();
    }
  }
  if (dir.empty()) return Usage();

  const auto started = std::chrono::steady_clock::now();
  std::vector<Input> inputs;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file(ec) && it->path().string().ends_with(".json.gz")) {
      inputs.push_back({it->path().string(), it->file_size(ec)});
    }
  }
  if (ec) {
    std::fprintf(stderr, "error: %s: %s\n", dir.c_str(), ec.message().c_str());
    return 1;
  }
  // Biggest first, so that the long inflations start early and small files fill in at the end.
  std::sort(inputs.begin(), inputs.end(),
            [](const Input& a, const Input& b) { return a.size > b.size; });

  std::atomic<size_t> next{0};
  std::atomic<uint64_t> compressed{0};
  std::atomic<uint64_t> uncompressed{0};
  std::atomic<uint64_t> failures{0};
  std::mutex error_mutex;
  const auto work = [&] {
    Inflater inflater(options);
    PaddedBuffer out;
    std::string gzip;
    for (size_t i; (i = next.fetch_add(1)) < inputs.size();) {
      Status status = ReadFile(inputs[i].path, &gzip);
      if (status.ok()) status = inflater.InflateInto(gzip, out);
      if (!status.ok()) {
        ++failures;
        std::lock_guard lock(error_mutex);
        std::fprintf(stderr, "error: %s: %s\n", inputs[i].path.c_str(), status.message().c_str());
        continue;
      }
      compressed += gzip.size();
      uncompressed += out.size();
    }
  };
  {
    std::vector<std::jthread> workers;
    for (int t = 1; t < threads; ++t) workers.emplace_back(work);
    work();
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf(
      "{\"files\": %zu, \"threads\": %d, \"engine\": \"%s\", \"compressed_bytes\": %llu, "
      "\"uncompressed_bytes\": %llu, \"seconds\": %.3f, \"uncompressed_mb_per_s\": %.1f, "
      "\"failures\": %llu}\n",
      inputs.size(), threads, options.engine == InflateEngine::kIsal ? "isal" : "libdeflate",
      static_cast<unsigned long long>(compressed.load()),
      static_cast<unsigned long long>(uncompressed.load()), seconds,
      static_cast<double>(uncompressed.load()) / 1e6 / seconds,
      static_cast<unsigned long long>(failures.load()));
  return failures == 0 ? 0 : 1;
}
