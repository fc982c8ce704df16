// `trailwatch console hash-password`: a yescrypt hash for the web console's `users` (console/
// console_config.h), so that nobody needs another tool (mkpasswd) or puts a password on a command
// line: the password is read from standard input (one line; without echo when it is a terminal).
#include <termios.h>
#include <unistd.h>

#include <iostream>
#include <string>

#include "cli/commands.h"
#include "console/console_auth.h"

namespace trailwatch::cli {
namespace {

// Reads one line from stdin; a terminal's echo is off meanwhile (restored by RAII).
std::string ReadPasswordLine() {
  struct EchoOff {
    bool changed = false;
    termios saved{};
    EchoOff() {
      if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0) {
        termios quiet = saved;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        changed = tcsetattr(STDIN_FILENO, TCSANOW, &quiet) == 0;
      }
    }
    ~EchoOff() {
      if (changed) tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    }
  } echo_off;
  if (isatty(STDIN_FILENO)) std::cerr << "password: " << std::flush;
  std::string line;
  std::getline(std::cin, line);
  if (isatty(STDIN_FILENO)) std::cerr << "\n";
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

int HashPasswordCommand() {
  std::string password = ReadPasswordLine();
  if (password.size() < 8) {
    std::cerr << "error: the password must have at least 8 characters\n";
    return 2;
  }
  auto hash = console::HashPassword(password);
  if (!hash.ok()) {
    std::cerr << "error: " << hash.message() << "\n";
    return 1;
  }
  std::cout << *hash << "\n";
  return 0;
}

}  // namespace

void RegisterConsole(CLI::App& app, int* exit_code) {
  CLI::App* cmd = app.add_subcommand("console", "Web console helpers (the `console:` section).");
  cmd->require_subcommand(1);
  CLI::App* hash = cmd->add_subcommand(
      "hash-password",
      "Print a yescrypt hash of a password read from standard input, for\n"
      "console.auth.users[].password_hash (the password never appears on a command line).");
  hash->callback([=] { *exit_code = HashPasswordCommand(); });
}

}  // namespace trailwatch::cli
