// ReadRegularFile: reads a file named in trailwatch's input — a `file://` pattern or event (the
// CLI's --event-pattern, --event, --pattern; a rules file's `pattern: file://...`) or a
// `${file:PATH}` reference in the configuration — refusing anything that is not an ordinary file
// of bounded size.
//
// Why: such paths are written by whoever writes the command line or the configuration, and the
// text read may end up in an error message or a request. A device (/dev/zero, /dev/urandom) never
// ends; a FIFO blocks the open; files under /proc and /sys stat as regular files of size 0 yet
// produce process environments, memory maps and kernel state. So the file is opened without
// blocking, checked with fstat/fstatfs on the opened descriptor (no race with a swapped path, no
// escape through a symlink into /proc), and read only up to `max_bytes`.
//
// Errors name the path and the reason, never a byte of the file's content.
//
// Thread-safety: a pure function (no shared state).
#pragma once

#include <cstddef>
#include <string>

#include "common/result.h"

namespace trailwatch::config {

// The file's whole content. Errors: "<path>: no such file", "<path>: not a regular file (a
// directory, device, FIFO or socket)", "<path>: a /proc or /sys file is not accepted",
// "<path>: larger than N bytes", "<path>: cannot read (<strerror>)". `shown_path` is how the path
// is written in errors (the caller may hide it); empty means `path` itself.
Result<std::string> ReadRegularFile(const std::string& path, size_t max_bytes,
                                    const std::string& shown_path = "");

}  // namespace trailwatch::config
