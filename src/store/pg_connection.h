// PostgreSQL access for the shared store (issue 14): RAII over libpq — a PgConnection owns one
// PGconn, a PgResult one PGresult — and a PgPool that hands connections to many threads,
// reconnects after a PostgreSQL restart or a network loss, and runs the schema migrations once per
// pool on its first connection. Errors come back as values with PostgreSQL's own message and what
// was being done; nothing here throws, and no error or log text ever holds the password (libpq's
// messages do not; the DSN is only ever shown through RedactDsn).
//
// Why libpq and not libpqxx: the store needs a handful of parameterised statements, explicit
// transactions and connection-state checks, all of which libpq's C API gives directly; libpqxx
// would add exceptions (which must not cross our module boundaries) around the same calls.
//
// Values travel as text (PostgreSQL's text format): every column the store uses is TEXT, BIGINT
// or INTEGER, and text keeps parameters and results trivially typed on both sides.
//
// Thread-safety: a PgConnection is used by one thread at a time (PgPool::Acquire hands it to one
// borrower). PgPool may be used from many threads.
#pragma once

#include <libpq-fe.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace trailwatch::store {

// `text` as PostgreSQL can store it in a TEXT column (UTF8 database): a NUL byte or a byte sequence
// that is not UTF-8 becomes U+FFFD. SQLite stores any bytes; PostgreSQL refuses the whole
// statement, so a far side answering with a NUL byte, or a file name that is not UTF-8, would
// otherwise fail the commit forever (an entry re-sent again and again, a file read again and
// again). The mapping is a function, so a key written and later looked up maps the same way.
std::string PgText(std::string_view text);

// One statement parameter, as text (PgText); NULL when empty().
class PgValue {
 public:
  PgValue(std::nullptr_t) {}  // NOLINT: implicit by design (Exec's brace lists)
  PgValue(std::string_view text) : text_(PgText(text)) {}  // NOLINT
  PgValue(const std::string& text) : text_(PgText(text)) {}  // NOLINT
  PgValue(const char* text) : text_(PgText(text)) {}  // NOLINT
  PgValue(int64_t number) : text_(std::to_string(number)) {}  // NOLINT
  PgValue(int number) : text_(std::to_string(number)) {}  // NOLINT
  PgValue(bool value) : text_(value ? "true" : "false") {}  // NOLINT
  const std::optional<std::string>& text() const { return text_; }

 private:
  std::optional<std::string> text_;
};

class PgResult {
 public:
  explicit PgResult(PGresult* result = nullptr) : result_(result, &PQclear) {}
  int rows() const { return result_ ? PQntuples(result_.get()) : 0; }
  bool IsNull(int row, int column) const { return PQgetisnull(result_.get(), row, column) != 0; }
  std::string Text(int row, int column) const;
  int64_t Int(int row, int column) const;  // 0 for NULL
  // Rows changed by INSERT/UPDATE/DELETE.
  int64_t Affected() const;

 private:
  std::unique_ptr<PGresult, decltype(&PQclear)> result_;
};

class PgConnection {
 public:
  // `dsn`: a libpq connection URI or key=value string. Defaults the DSN may override:
  // connect_timeout=5, TCP keepalives (idle 5 s, interval 2 s, 3 probes), tcp_user_timeout 10 s
  // (a query on a connection whose peer vanished fails in seconds instead of hanging), and
  // application_name=trailwatch (pg_stat_activity shows who is connected).
  static Result<std::unique_ptr<PgConnection>> Connect(const std::string& dsn);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // One statement with $1.. parameters. `what` names the operation in the error text.
  Result<PgResult> Exec(std::string_view what, std::string_view sql,
                        std::initializer_list<PgValue> params = {});
  Result<PgResult> Exec(std::string_view what, std::string_view sql,
                        const std::vector<PgValue>& params);
  // Several statements without parameters or results (DDL, BEGIN/COMMIT).
  Status Run(std::string_view what, std::string_view sql);

  // False once the connection is lost (the pool then drops it instead of reusing it).
  bool Healthy() const;
  // The SQLSTATE of the last failed statement ("" if none): 40001 serialization failure, 40P01
  // deadlock, 23505 unique violation, 57P01 admin shutdown, 08xxx connection errors.
  const std::string& last_sqlstate() const { return last_sqlstate_; }
  PGconn* handle() const { return conn_; }

 private:
  explicit PgConnection(PGconn* conn) : conn_(conn) {}
  Result<PgResult> Check(std::string_view what, PGresult* result);
  Result<PgResult> ExecValues(std::string_view what, std::string_view sql,
                              const std::vector<const char*>& values);
  PGconn* conn_;
  std::string last_sqlstate_;
};

// BEGIN ... COMMIT around `body`; rolled back when `body` fails. A serialization failure or a
// deadlock (SQLSTATE 40001/40P01) runs the whole transaction again, up to 5 times.
// `isolation`: "" (READ COMMITTED) or e.g. "SERIALIZABLE".
Status PgTransaction(PgConnection& conn, std::string_view what,
                     const std::function<Status(PgConnection&)>& body,
                     std::string_view isolation = "");

// The DSN as it may be shown: scheme, user, host, port and database — never the password (from
// the URI or a password= key) nor other parameters. "postgresql://trailwatch@db:5432/trailwatch".
std::string RedactDsn(const std::string& dsn);

class PgPool {
 public:
  // At most `size` connections. `on_first_connect` (the schema migration) runs on the first
  // connection that succeeds; until it has succeeded once, every Acquire retries it.
  PgPool(std::string dsn, size_t size, std::function<Status(PgConnection&)> on_first_connect);
  ~PgPool();
  PgPool(const PgPool&) = delete;
  PgPool& operator=(const PgPool&) = delete;

  class Borrowed {
   public:
    Borrowed(PgPool* pool, std::unique_ptr<PgConnection> conn)
        : pool_(pool), conn_(std::move(conn)) {}
    Borrowed(Borrowed&&) noexcept = default;
    Borrowed& operator=(Borrowed&&) noexcept = default;
    ~Borrowed();
    PgConnection& operator*() { return *conn_; }
    PgConnection* operator->() { return conn_.get(); }

   private:
    PgPool* pool_;
    std::unique_ptr<PgConnection> conn_;
  };

  // A connection for this thread; waits while all `size` are borrowed. When PostgreSQL cannot be
  // reached, fails at once with the last connection error while the reconnect backoff runs (100 ms
  // doubling to 5 s), so callers are never stuck behind a dead server.
  Result<Borrowed> Acquire();
  // Acquire + PgTransaction.
  Status Transaction(std::string_view what, const std::function<Status(PgConnection&)>& body,
                     std::string_view isolation = "");
  // Acquire + one Exec.
  Result<PgResult> Exec(std::string_view what, std::string_view sql,
                        std::initializer_list<PgValue> params = {});

  // "postgresql://user@host:port/db", for messages.
  const std::string& shown() const { return shown_; }
  // A query to check the server answers (SELECT 1); the readiness probe.
  Status Ping();
  // A connection of its own, outside the pool (a LISTEN that holds it for the process's life).
  Result<std::unique_ptr<PgConnection>> ConnectDedicated() { return PgConnection::Connect(dsn_); }

 private:
  void Return(std::unique_ptr<PgConnection> conn);

  const std::string dsn_;
  const std::string shown_;
  const size_t size_;
  std::function<Status(PgConnection&)> on_first_connect_;

  std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<PgConnection>> idle_;
  size_t open_ = 0;  // borrowed + idle + being connected
  bool migrated_ = false;
  std::chrono::steady_clock::time_point retry_at_{};
  std::chrono::milliseconds backoff_{0};
  std::string last_error_;
};

}  // namespace trailwatch::store
