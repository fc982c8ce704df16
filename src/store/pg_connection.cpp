// libpq wrappers and the connection pool (pg_connection.h).
#include "store/pg_connection.h"

#include <algorithm>
#include <cstdlib>

#include <simdjson.h>

namespace trailwatch::store {

namespace {

// libpq's messages end with a newline and may span lines; one line reads better in logs.
std::string OneLine(const char* text) {
  std::string line = text ? text : "";
  while (!line.empty() && (line.back() == '\n' || line.back() == ' ')) line.pop_back();
  std::replace(line.begin(), line.end(), '\n', ' ');
  return line;
}

// Pointers to the parameters' text (nullptr for NULL), as PQexecParams takes them.
template <typename Values>
std::vector<const char*> ParamPointers(const Values& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const PgValue& value : params) {
    values.push_back(value.text() ? value.text()->c_str() : nullptr);
  }
  return values;
}

}  // namespace

std::string PgText(std::string_view text) {
  if (text.find('\0') == std::string_view::npos &&
      simdjson::validate_utf8(text.data(), text.size())) {
    return std::string(text);
  }
  // Slow path (rare): copy valid sequences, replace each bad byte and each NUL.
  static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
  std::string out;
  out.reserve(text.size() + 8);
  size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<unsigned char>(text[i]);
    size_t length = byte < 0x80 ? 1 : (byte >> 5) == 0x6 ? 2 : (byte >> 4) == 0xE ? 3
                                  : (byte >> 3) == 0x1E ? 4 : 0;
    if (byte == 0 || length == 0 || i + length > text.size() ||
        !simdjson::validate_utf8(text.data() + i, length)) {
      out.append(kReplacement);
      ++i;
      continue;
    }
    out.append(text.substr(i, length));
    i += length;
  }
  return out;
}

std::string PgResult::Text(int row, int column) const {
  if (!result_ || PQgetisnull(result_.get(), row, column)) return "";
  return std::string(PQgetvalue(result_.get(), row, column),
                     static_cast<size_t>(PQgetlength(result_.get(), row, column)));
}

int64_t PgResult::Int(int row, int column) const {
  if (!result_ || PQgetisnull(result_.get(), row, column)) return 0;
  return std::strtoll(PQgetvalue(result_.get(), row, column), nullptr, 10);
}

int64_t PgResult::Affected() const {
  if (!result_) return 0;
  const char* tuples = PQcmdTuples(result_.get());
  return tuples && *tuples ? std::strtoll(tuples, nullptr, 10) : 0;
}

Result<std::unique_ptr<PgConnection>> PgConnection::Connect(const std::string& dsn) {
  // Later keywords override earlier ones, and "dbname" is expanded (expand_dbname = 1) into the
  // DSN's own settings: the defaults come first so that the DSN can override any of them.
  const char* keywords[] = {"connect_timeout",     "keepalives",       "keepalives_idle",
                            "keepalives_interval", "keepalives_count", "tcp_user_timeout",
                            "application_name",    "dbname",           nullptr};
  const char* values[] = {"5", "1", "5", "2", "3", "10000", "trailwatch", dsn.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keywords, values, 1);
  if (conn == nullptr) return Error{"PostgreSQL " + RedactDsn(dsn) + ": out of memory"};
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = OneLine(PQerrorMessage(conn));
    PQfinish(conn);
    return Error{"cannot connect to PostgreSQL " + RedactDsn(dsn) + ": " + message};
  }
  // libpq prints server notices ("relation ... already exists, skipping") on stderr by default,
  // which would break the one-JSON-line-per-log-record output: they carry nothing actionable.
  PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);
  auto connection = std::unique_ptr<PgConnection>(new PgConnection(conn));
  // Times are stored as numbers, but the session's own time zone shows in errors and psql.
  if (Status s = connection->Run("setting up the session", "SET TIME ZONE 'UTC'"); !s.ok()) {
    return Error{s.message()};
  }
  return connection;
}

PgConnection::~PgConnection() {
  if (conn_) PQfinish(conn_);
}

bool PgConnection::Healthy() const { return conn_ && PQstatus(conn_) == CONNECTION_OK; }

Result<PgResult> PgConnection::Check(std::string_view what, PGresult* raw) {
  PgResult result(raw);
  ExecStatusType status = raw ? PQresultStatus(raw) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
    last_sqlstate_.clear();
    return result;
  }
  const char* state = raw ? PQresultErrorField(raw, PG_DIAG_SQLSTATE) : nullptr;
  last_sqlstate_ = state ? state : (Healthy() ? "" : "08000");
  std::string message = raw ? OneLine(PQresultErrorMessage(raw)) : "";
  if (message.empty()) message = OneLine(PQerrorMessage(conn_));
  return Error{"PostgreSQL: " + std::string(what) + ": " + message};
}

Result<PgResult> PgConnection::ExecValues(std::string_view what, std::string_view sql,
                                          const std::vector<const char*>& values) {
  std::string statement(sql);
  return Check(what, PQexecParams(conn_, statement.c_str(), static_cast<int>(values.size()),
                                  nullptr, values.data(), nullptr, nullptr, 0));
}

Result<PgResult> PgConnection::Exec(std::string_view what, std::string_view sql,
                                    std::initializer_list<PgValue> params) {
  return ExecValues(what, sql, ParamPointers(params));
}

Result<PgResult> PgConnection::Exec(std::string_view what, std::string_view sql,
                                    const std::vector<PgValue>& params) {
  return ExecValues(what, sql, ParamPointers(params));
}

Status PgConnection::Run(std::string_view what, std::string_view sql) {
  std::string statement(sql);
  auto result = Check(what, PQexec(conn_, statement.c_str()));
  if (!result.ok()) return result.error();
  return Status::Ok();
}

Status PgTransaction(PgConnection& conn, std::string_view what,
                     const std::function<Status(PgConnection&)>& body,
                     std::string_view isolation) {
  std::string begin = "BEGIN";
  if (!isolation.empty()) begin.append(" ISOLATION LEVEL ").append(isolation);
  Status last;
  for (int attempt = 0; attempt < 5; ++attempt) {
    if (Status s = conn.Run(what, begin); !s.ok()) return s;
    Status done = body(conn);
    if (done.ok()) done = conn.Run(what, "COMMIT");
    if (done.ok()) return done;
    const std::string sqlstate = conn.last_sqlstate();
    if (conn.Healthy()) (void)conn.Run(what, "ROLLBACK");
    last = done;
    if (sqlstate != "40001" && sqlstate != "40P01") return done;
  }
  return last;
}

std::string RedactDsn(const std::string& dsn) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(dsn.c_str(), &error);
  if (error) PQfreemem(error);
  if (options == nullptr) return "postgresql://(unparsable DSN)";
  std::string user;
  std::string host;
  std::string port;
  std::string db;
  for (PQconninfoOption* option = options; option->keyword; ++option) {
    if (!option->val) continue;
    std::string_view keyword = option->keyword;
    if (keyword == "user") user = option->val;
    if (keyword == "host" || (keyword == "hostaddr" && host.empty())) host = option->val;
    if (keyword == "port") port = option->val;
    if (keyword == "dbname") db = option->val;
  }
  PQconninfoFree(options);
  std::string shown = "postgresql://";
  if (!user.empty()) shown.append(user).append("@");
  shown.append(host);
  if (!port.empty()) shown.append(":").append(port);
  if (!db.empty()) shown.append("/").append(db);
  return shown;
}

PgPool::PgPool(std::string dsn, size_t size, std::function<Status(PgConnection&)> on_first_connect)
    : dsn_(std::move(dsn)),
      shown_(RedactDsn(dsn_)),
      size_(std::max<size_t>(1, size)),
      on_first_connect_(std::move(on_first_connect)) {}

PgPool::~PgPool() = default;

PgPool::Borrowed::~Borrowed() {
  if (pool_ && conn_) pool_->Return(std::move(conn_));
}

void PgPool::Return(std::unique_ptr<PgConnection> conn) {
  std::lock_guard lock(mutex_);
  // A connection in a failed or aborted state is closed rather than reused: the next borrower
  // gets a fresh one (this is how a PostgreSQL restart is recovered from).
  if (conn->Healthy() && PQtransactionStatus(conn->handle()) == PQTRANS_IDLE) {
    idle_.push_back(std::move(conn));
  } else {
    --open_;
  }
  returned_.notify_one();
}

Result<PgPool::Borrowed> PgPool::Acquire() {
  std::unique_lock lock(mutex_);
  while (true) {
    if (!idle_.empty()) {
      std::unique_ptr<PgConnection> conn = std::move(idle_.back());
      idle_.pop_back();
      return Borrowed(this, std::move(conn));
    }
    if (open_ < size_) break;
    returned_.wait(lock);
  }
  auto now = std::chrono::steady_clock::now();
  if (now < retry_at_) {
    return Error{last_error_ + " (reconnecting in " +
                 std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                    retry_at_ - now).count()) +
                 " ms)"};
  }
  ++open_;
  const bool migrate = !migrated_;
  lock.unlock();
  auto connected = PgConnection::Connect(dsn_);
  Status ready;
  if (connected.ok() && migrate && on_first_connect_) ready = on_first_connect_(**connected);
  lock.lock();
  if (!connected.ok() || !ready.ok()) {
    --open_;
    last_error_ = connected.ok() ? ready.message() : connected.message();
    backoff_ = std::min<std::chrono::milliseconds>(
        std::chrono::milliseconds(5000),
        backoff_.count() == 0 ? std::chrono::milliseconds(100) : backoff_ * 2);
    retry_at_ = std::chrono::steady_clock::now() + backoff_;
    returned_.notify_one();
    return Error{last_error_};
  }
  if (migrate) migrated_ = true;
  backoff_ = std::chrono::milliseconds(0);
  retry_at_ = {};
  return Borrowed(this, std::move(connected.value()));
}

Status PgPool::Transaction(std::string_view what,
                           const std::function<Status(PgConnection&)>& body,
                           std::string_view isolation) {
  auto conn = Acquire();
  if (!conn.ok()) return conn.error();
  return PgTransaction(**conn, what, body, isolation);
}

Result<PgResult> PgPool::Exec(std::string_view what, std::string_view sql,
                              std::initializer_list<PgValue> params) {
  auto conn = Acquire();
  if (!conn.ok()) return conn.error();
  return (*conn)->Exec(what, sql, params);
}

Status PgPool::Ping() {
  auto result = Exec("checking the connection", "SELECT 1");
  if (!result.ok()) return result.error();
  return Status::Ok();
}

}  // namespace trailwatch::store
