// `trailwatch store migrate --from PATH (--to DSN | --to-env VAR) [--skip-delivered] [--merge]`:
// copies a SQLite store file into a PostgreSQL store (store/store_migration.h), for a move from one
// box to replicas sharing PostgreSQL (issue 14; docs/store-migration.md).
//
// The command's own part is what store/ may not do: holding the SQLite store's delivery lock
// (outbox/delivery_lock.h) for the whole copy. A trailwatch running on the file holds that lock,
// so the copy is refused while it runs — it would keep alerting and moving checkpoints the copy no
// longer sees — and no trailwatch can start on the file until the copy is done.
//
// Secrets: the DSN may carry a password, and a command line is visible to every user (`ps`,
// /proc/PID/cmdline). --to-env names an environment variable holding the DSN instead; libpq also
// reads PGPASSWORD and ~/.pgpass itself, so the DSN need not contain a password at all. Whatever
// way it came, the DSN is only ever printed without its password (store::RedactDsn).
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

#include "cli/argument_text.h"
#include "cli/commands.h"
#include "common/store_address.h"
#include "outbox/delivery_lock.h"
#include "store/pg_connection.h"
#include "store/store_migration.h"

namespace trailwatch::cli {

namespace {

struct MigrateArgs {
  std::string from;
  std::string to;
  std::string to_env;
  bool skip_delivered = false;
  bool merge = false;
};

// "12 copied, 3 already there": the common part of every table's line.
std::string Counts(const store::TableMigration& table) {
  std::string line = std::to_string(table.copied);
  line.append(" copied, ").append(std::to_string(table.already_present)).append(" already there");
  return line;
}

void PrintReport(const store::MigrationReport& report) {
  std::printf("copied %s to %s\n", report.from.c_str(), report.to.c_str());
  std::string outbox = Counts(report.outbox_entries);
  if (report.in_flight_made_pending > 0) {
    outbox.append("; ").append(std::to_string(report.in_flight_made_pending));
    outbox.append(" were in flight and are pending again (they will be sent)");
  }
  if (report.delivered_left_out > 0) {
    outbox.append("; ").append(std::to_string(report.delivered_left_out));
    outbox.append(" delivered left out (--skip-delivered)");
  }
  std::printf("  outbox entries:     %s\n", outbox.c_str());
  std::string checkpoints = Counts(report.source_checkpoints);
  if (report.checkpoints_differing > 0) {
    checkpoints.append("; ").append(std::to_string(report.checkpoints_differing));
    checkpoints.append(" of those had another value in PostgreSQL, which was kept");
  }
  std::printf("  source checkpoints: %s\n", checkpoints.c_str());
  std::printf("  threshold events:   %s\n", Counts(report.threshold_events).c_str());
  std::printf("  threshold groups:   %s\n", Counts(report.threshold_groups).c_str());
  std::printf("  Slack thread roots: %s\n", Counts(report.slack_thread_roots).c_str());
  if (report.other_outbox_entries > 0) {
    std::printf(
        "the PostgreSQL outbox already held %lld other entries (--merge); the copied ones "
        "are sent after them\n",
        static_cast<long long>(report.other_outbox_entries));
  }
}

int Migrate(const MigrateArgs& args) {
  // Where the DSN comes from; its text is never printed (it may hold a password).
  std::string dsn;
  std::string dsn_source;
  if (!args.to_env.empty()) {
    const char* value = std::getenv(args.to_env.c_str());
    if (value == nullptr || *value == '\0') {
      std::cerr << "error: --to-env: the environment variable " << args.to_env
                << " is not set (it should hold the PostgreSQL DSN)\n";
      return 2;
    }
    dsn = value;
    dsn_source = "--to-env " + args.to_env;
  } else if (!args.to.empty()) {
    dsn = args.to;
    dsn_source = "--to";
  } else {
    std::cerr << "error: give the PostgreSQL store with --to DSN or --to-env VAR "
                 "(see trailwatch store migrate --help)\n";
    return 2;
  }
  if (!IsPostgresUri(dsn)) {
    std::cerr << "error: " << dsn_source
              << ": expected a PostgreSQL URI, postgresql://USER@HOST:PORT/DATABASE\n";
    return 2;
  }
  // The lock sits beside the store ("<store>.deliver-lock"); for a missing file there is nothing
  // to lock, and the migration reports the file missing.
  std::unique_ptr<outbox::DeliveryLock> lock;
  if (access(args.from.c_str(), F_OK) == 0) {
    auto taken = outbox::DeliveryLock::TryAcquire(args.from);
    if (!taken.ok()) {
      std::cerr << "error: " << taken.message()
                << " (stop trailwatch on it first: the copy would miss what it still writes)\n";
      return 1;
    }
    lock = std::move(taken.value());
  }
  store::MigrationOptions options;
  options.skip_delivered = args.skip_delivered;
  options.merge = args.merge;
  auto report = store::MigrateSqliteToPostgres(args.from, dsn, options);
  if (!report.ok()) {
    std::cerr << "error: " << report.message() << "\n";
    return 1;
  }
  PrintReport(*report);
  std::fflush(stdout);
  return 0;
}

}  // namespace

void RegisterStore(CLI::App& app, int* exit_code) {
  CLI::App* cmd = app.add_subcommand("store", "Manage the store (the config's `store`).");
  cmd->require_subcommand(1);
  auto args = std::make_shared<MigrateArgs>();

  CLI::App* migrate = cmd->add_subcommand(
      "migrate",
      "Copy a SQLite store into a PostgreSQL store, for replicas sharing it: the outbox (with\n"
      "the delivered entries, whose idempotency keys keep a replayed event from alerting again),\n"
      "source checkpoints, threshold counters and Slack thread roots, in one transaction.\n"
      "Entries in flight are copied as pending. Rows already in PostgreSQL are kept as they are,\n"
      "so running it again copies nothing twice. Refused while a trailwatch runs on the file\n"
      "(stop it first), and when the PostgreSQL outbox holds entries that did not come from the\n"
      "file (a store in use), unless --merge.\n"
      "A password in --to is visible to other users (ps): prefer --to-env, or a DSN without a\n"
      "password plus PGPASSWORD or ~/.pgpass, which libpq reads itself.");
  AcceptFileUrl(migrate->add_option("--from", args->from,
                                    "the SQLite store file (the `store` setting it ran with)"))
      ->required();
  CLI::Option* to = migrate->add_option(
      "--to", args->to,
      "the PostgreSQL store, postgresql://USER@HOST:PORT/DATABASE (a password here shows in ps)");
  CLI::Option* to_env = migrate->add_option(
      "--to-env", args->to_env, "the name of an environment variable holding the PostgreSQL DSN");
  to->excludes(to_env);
  to_env->excludes(to);
  migrate->add_flag("--skip-delivered", args->skip_delivered,
                    "leave delivered entries out (their events would alert again if they came "
                    "back)");
  migrate->add_flag("--merge", args->merge,
                    "copy even though the PostgreSQL outbox holds entries that did not come from "
                    "the file; the copied ones are sent after them");
  migrate->callback([=] { *exit_code = Migrate(*args); });
}

}  // namespace trailwatch::cli
