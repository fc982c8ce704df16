// ConsoleAuth: who may use the web console (issue 15), and the checks of its configured secrets.
//
// Three ways in, decided by ConsoleAuthSettings:
//   - `none`: everyone is the principal "anonymous" (the console listens on loopback and the
//     operator chose so); CSRF still applies to state-changing requests.
//   - a bearer token: `Authorization: Bearer <token>` on each request (scripts), or the token typed
//     into the login form (name left empty), which opens a session named "token".
//   - users with crypt(3) password hashes: the login form opens a cookie session (`tw_session`).
// A session ends after session_idle without a request, after session_max in any case, on Logout,
// or when max_sessions is reached and it is the least recently used one.
//
// Guessing is rate-limited per client address (an IPv6 client by its /64) and in total: a failed
// login or a wrong bearer token counts; once a limit is reached, further attempts (even right
// ones) are refused without being checked until the window ends. The per-address table is bounded
// (the oldest windows are evicted first). Behind a reverse proxy every client has the proxy's
// address, so the per-address limit then acts as a second global one.
//
// Secrets are compared in constant time: the token and CSRF tokens through their SHA-256 digests
// (no length leak), password hashes with CRYPTO_memcmp; a login for an unknown user still runs
// one crypt so that the answer's timing does not tell which names exist. Session ids and CSRF
// tokens are 32 bytes from RAND_bytes, base64url without padding (43 characters); sessions are
// kept under the SHA-256 of their id, so a lookup's timing says nothing about the ids.
//
// Password hashes come from libxcrypt (link `crypt`, Debian's libcrypt-dev): yescrypt `$y$`
// (recommended; what HashPassword makes), gost-yescrypt `$gy$`, scrypt `$7$`, sha512crypt `$6$`,
// bcrypt `$2b$`/`$2y$`. Anything else (DES, MD5 `$1$`, sha256crypt `$5$`, bcrypt `$2a$`) is refused
// by CheckPasswordHash, which the configuration loader calls; its messages never contain the hash.
//
// Thread-safety: every ConsoleAuth method may be called from many threads at once (one mutex,
// never held while a password hash is computed). The free functions are thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/result.h"
#include "server/http_message.h"

namespace trailwatch::console {

struct ConsoleUser {
  std::string name;
  std::string password_hash;  // crypt(3) string; CheckPasswordHash says whether it is accepted
};

struct ConsoleAuthSettings {
  bool none = false;  // no authentication at all (principal "anonymous")
  std::string token;  // bearer token; empty = no token (CheckConsoleToken when set)
  std::vector<ConsoleUser> users;
  std::chrono::seconds session_idle{std::chrono::hours(8)};
  std::chrono::seconds session_max{std::chrono::hours(24)};
  size_t max_sessions = 10000;  // at least 1 is used
  // Guessing limits: failed logins and wrong bearer tokens per failure_window, per client address
  // and in total (each at least 1); max_tracked_addresses bounds the per-address table.
  size_t max_failures_per_address = 5;
  size_t max_failures_total = 60;
  std::chrono::seconds failure_window{60};
  size_t max_tracked_addresses = 10000;
};

// Whether a configured password hash is accepted: a complete crypt(3) string of a strong method.
// The error names the problem (method, malformed, incomplete), never the hash. Computes the hash
// once (tens of milliseconds for yescrypt), so call it when loading configuration only.
Status CheckPasswordHash(const std::string& hash);

// Whether a configured bearer token is acceptable: 16 to 4096 visible ASCII characters (it travels
// in a header). The error never contains the token.
Status CheckConsoleToken(const std::string& token);

// A yescrypt hash of `password` with a fresh salt and libxcrypt's default cost, for `users`.
Result<std::string> HashPassword(const std::string& password);

struct Principal {
  enum class Kind { kNone, kBearer, kSession };
  Kind kind = Kind::kNone;
  std::string name;        // "anonymous" (kNone), "token" (kBearer; kSession opened with the
                           // token), else the user's name
  std::string session_id;  // kSession only
  std::string csrf_token;  // kSession: the session's; kNone: the instance's; kBearer: empty
};

struct LoginOutcome {
  // kUnavailable: no random bytes for a session (OpenSSL's RAND_bytes failed); answer 503.
  enum class Kind { kOk, kBadCredentials, kRateLimited, kUnavailable };
  Kind kind = Kind::kBadCredentials;
  std::string session_id;               // kOk
  std::string csrf_token;               // kOk
  std::chrono::seconds retry_after{0};  // kRateLimited: until the window ends (at least 1 s)
};

class ConsoleAuth {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  struct Stats {
    uint64_t logins_total = 0;           // successful Login calls
    uint64_t login_failures_total = 0;   // Login calls with bad credentials
    uint64_t bearer_failures_total = 0;  // requests with a wrong bearer token
    uint64_t rate_limited_total = 0;     // Login calls and bearer requests refused unchecked
    size_t active_sessions = 0;          // live sessions now
  };

  // `settings` are expected to have passed the loader's checks (CheckPasswordHash,
  // CheckConsoleToken); a hash that does not pass only ever fails to match. `clock` defaults to
  // std::chrono::steady_clock::now.
  explicit ConsoleAuth(ConsoleAuthSettings settings, Clock clock = {});

  ConsoleAuth(const ConsoleAuth&) = delete;
  ConsoleAuth& operator=(const ConsoleAuth&) = delete;

  // Who sent `request`: the anonymous principal when settings.none; else a right bearer token;
  // else a live `tw_session` cookie (its idle timer restarts). nullopt when none of these holds,
  // when the bearer token is wrong (the cookie is then not looked at) or when the client is
  // rate-limited (RateLimitedFor says how long).
  std::optional<Principal> Authenticate(const server::HttpRequest& request);

  // Checks `secret` as the bearer token (`user` empty) or as `user`'s password and opens a session.
  LoginOutcome Login(const std::string& remote_address, const std::string& user,
                     const std::string& secret);

  // Ends the session (no-op when unknown or already ended).
  void Logout(const std::string& session_id);

  // Whether a state-changing request carries the principal's CSRF token in `x-csrf-token`.
  // Always true for kBearer (a script's header is no ambient credential).
  bool CsrfValid(const Principal& principal, const server::HttpRequest& request) const;
  // The same check for a token the caller took from elsewhere (e.g. a form field).
  bool CsrfTokenMatches(const Principal& principal, std::string_view presented) const;

  // 0 when `remote_address` may try a login or bearer token now, else how long until it may.
  std::chrono::seconds RateLimitedFor(const std::string& remote_address) const;

  // `tw_session=<id>; Path=/; HttpOnly; SameSite=Strict[; Secure]; Max-Age=<s>`. `id` must be one
  // Login returned; anything else (a character outside base64url) gives ClearedSessionCookie.
  static std::string SessionCookie(const std::string& id, bool secure,
                                   std::chrono::seconds max_age);
  // The Set-Cookie value that makes the browser drop the session cookie (Max-Age=0).
  static std::string ClearedSessionCookie(bool secure);

  Stats stats() const;
  const ConsoleAuthSettings& settings() const { return settings_; }

 private:
  struct Session {
    std::string name;
    std::string csrf_token;
    std::chrono::steady_clock::time_point created;
    std::chrono::steady_clock::time_point last_seen;
  };
  struct FailureWindow {
    std::chrono::steady_clock::time_point start;
    size_t failures = 0;
  };
  // A guess allowed to proceed: counted as a failure in advance (so that concurrent guesses cannot
  // overshoot the limits) and given back if it succeeds.
  struct GuessReservation {
    std::string address_key;
    std::chrono::steady_clock::time_point address_window;
    std::chrono::steady_clock::time_point total_window;
  };

  bool SessionLive(const Session& session, std::chrono::steady_clock::time_point now) const;
  // Under mutex_: 0 and a reservation, or how long the client must wait.
  std::chrono::seconds ReserveGuessLocked(const std::string& remote_address,
                                          std::chrono::steady_clock::time_point now,
                                          GuessReservation* reservation);
  std::chrono::seconds WaitLocked(const std::string& address_key,
                                  std::chrono::steady_clock::time_point now) const;
  void GiveBackGuessLocked(const GuessReservation& reservation);
  void MakeRoomForAddressLocked(std::chrono::steady_clock::time_point now);
  void MakeRoomForSessionLocked(std::chrono::steady_clock::time_point now);
  bool BearerMatches(std::string_view presented) const;
  bool VerifyUser(const std::string& user, const std::string& password) const;

  const ConsoleAuthSettings settings_;
  const Clock clock_;
  const std::string token_digest_;    // SHA-256 of settings_.token; empty when no token
  const std::string anonymous_csrf_;  // for settings_.none; empty (never matches) if no random

  mutable std::mutex mutex_;
  std::unordered_map<std::string, Session> sessions_;  // by SHA-256 of the session id
  std::unordered_map<std::string, FailureWindow> failures_by_address_;
  FailureWindow failures_total_;
  Stats counters_;  // active_sessions unused here; stats() counts them
};

}  // namespace trailwatch::console
