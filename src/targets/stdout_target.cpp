#include "targets/stdout_target.h"

#include <unistd.h>

#include <cstdio>
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
    if (std::fwrite(out.data(), 1, out.size(), stdout) != out.size() || std::fflush(stdout) != 0) {
      return Retry{"writing to stdout failed", std::nullopt, 0};
    }
    return Delivered{0, "printed", ""};
  }

 private:
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
