#include "targets/stdout_target.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>

#include "render/renderers.h"
#include "targets/http_outcome.h"

namespace trailwatch::targets {

namespace {

class StdoutTarget : public Target {
 public:
  StdoutTarget(config::TargetConfig config, TargetContext context)
      : config_(std::move(config)), context_(std::move(context)), terminal_(isatty(1) == 1) {}

  Outcome Deliver(const outbox::Entry& entry) override {
    Result<std::string> text =
        MessageBody(config_, entry.alert, [&]() -> Result<std::string> {
          Result<render::AlertView> view =
              render::MakeAlertView(entry.alert, context_.account_aliases);
          if (!view.ok()) return view.error();
          return render::RenderStdout(*view, entry.alert, terminal_);
        });
    if (!text.ok()) return Permanent{"rendering for stdout: " + text.message(), 0};
    std::string out = std::move(text.value());
    if (out.empty() || out.back() != '\n') out += '\n';
    std::lock_guard lock(mutex_);
    if (Status written = WriteAll(out); !written.ok()) {
      return Retry{written.message(), std::nullopt, 0};
    }
    return Delivered{0, "printed", ""};
  }

 private:
  // The whole alert with one write(2) to fd 1, not through stdio (whose buffer would cut a long
  // alert into several writes): the log (stderr, one write per line) cannot land inside it on a
  // shared terminal. A partial write (a signal, a full pipe) continues where it stopped.
  static Status WriteAll(const std::string& text) {
    std::fflush(stdout);  // anything the process printed before goes first
    size_t done = 0;
    while (done < text.size()) {
      ssize_t n = ::write(STDOUT_FILENO, text.data() + done, text.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        std::string why = "writing to stdout failed: ";
        why.append(std::strerror(errno));
        return Error(why);
      }
      done += static_cast<size_t>(n);
    }
    return Status::Ok();
  }

  config::TargetConfig config_;
  TargetContext context_;
  bool terminal_;
  std::mutex mutex_;
};

}  // namespace

std::unique_ptr<Target> MakeStdoutTarget(const config::TargetConfig& target,
                                         const TargetContext& context) {
  return std::make_unique<StdoutTarget>(target, context);
}

}  // namespace trailwatch::targets
