#include "console/console_auth.h"

#include <arpa/inet.h>
#include <crypt.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <utility>

namespace trailwatch::console {
namespace {

using AuthSteadyTime = std::chrono::steady_clock::time_point;

constexpr std::string_view kAuthSessionCookieName = "tw_session";
constexpr size_t kAuthRandomBytes = 32;
constexpr size_t kAuthTokenChars = 43;  // base64url of 32 bytes, no padding
// Longest secret (password, token, CSRF token) that is looked at: sha512crypt's work grows with
// the password's length, so a megabyte "password" would be a cheap way to burn CPU.
constexpr size_t kAuthMaxSecretBytes = 4096;
// Cookie headers are scanned up to this many bytes in total, and at most this many tw_session
// values are tried: a hostile header costs bounded work whatever the server's header limit.
constexpr size_t kAuthMaxCookieBytes = 16 * 1024;
constexpr size_t kAuthMaxSessionCandidates = 8;

constexpr std::string_view kAcceptedHashMethods =
    "accepted: yescrypt ($y$, recommended), gost-yescrypt ($gy$), scrypt ($7$), sha512crypt "
    "($6$), bcrypt ($2b$ or $2y$); make one with `mkpasswd --method=yescrypt`";

bool IsAuthBase64UrlChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

bool IsAuthTokenShape(std::string_view value) {
  return value.size() == kAuthTokenChars &&
         std::all_of(value.begin(), value.end(), IsAuthBase64UrlChar);
}

std::string AuthBase64Url(const unsigned char* data, size_t size) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((size * 4 + 2) / 3);
  size_t i = 0;
  for (; i + 3 <= size; i += 3) {
    uint32_t n = (uint32_t{data[i]} << 16) | (uint32_t{data[i + 1]} << 8) | data[i + 2];
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(kAlphabet[(n >> 6) & 63]);
    out.push_back(kAlphabet[n & 63]);
  }
  if (size - i == 1) {
    uint32_t n = uint32_t{data[i]} << 16;
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
  } else if (size - i == 2) {
    uint32_t n = (uint32_t{data[i]} << 16) | (uint32_t{data[i + 1]} << 8);
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(kAlphabet[(n >> 6) & 63]);
  }
  return out;
}

// 32 random bytes as base64url; empty when OpenSSL has no randomness to give.
std::string AuthRandomToken() {
  unsigned char bytes[kAuthRandomBytes];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) return {};
  std::string token = AuthBase64Url(bytes, sizeof(bytes));
  OPENSSL_cleanse(bytes, sizeof(bytes));
  return token;
}

// The raw SHA-256 of `data` (32 bytes); empty only if OpenSSL fails.
std::string AuthSha256(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr) != 1) return {};
  return std::string(reinterpret_cast<const char*>(digest), size);
}

// Whether `presented` equals the secret whose SHA-256 is `expected_digest`, in time independent of
// where they differ and of the secret's length.
bool AuthDigestMatches(const std::string& expected_digest, std::string_view presented) {
  if (expected_digest.empty() || presented.empty() || presented.size() > kAuthMaxSecretBytes) {
    return false;
  }
  std::string digest = AuthSha256(presented);
  return digest.size() == expected_digest.size() &&
         CRYPTO_memcmp(digest.data(), expected_digest.data(), digest.size()) == 0;
}

// crypt_rn into a zeroed heap crypt_data (32 KiB: too big for the stack of an I/O thread); empty
// when libxcrypt refuses the phrase or setting.
std::string AuthCrypt(const std::string& phrase, const std::string& setting) {
  auto data = std::make_unique<crypt_data>();
  const char* hashed = crypt_rn(phrase.c_str(), setting.c_str(), data.get(), sizeof(crypt_data));
  std::string result;
  if (hashed != nullptr && hashed[0] != '*') result = hashed;
  OPENSSL_cleanse(data.get(), sizeof(crypt_data));
  return result;
}

bool AuthSecretUsable(const std::string& secret) {
  return !secret.empty() && secret.size() <= kAuthMaxSecretBytes &&
         secret.find('\0') == std::string::npos;
}

// The key of a client in the failure table: an IPv6 client by its /64 (one host usually holds a
// whole /64, so counting single addresses would give it 2^64 budgets), an IPv4-mapped one by its
// IPv4 address, anything else as given.
std::string AuthRateLimitKey(const std::string& address) {
  in6_addr v6{};
  if (inet_pton(AF_INET6, address.c_str(), &v6) == 1) {
    const unsigned char* bytes = v6.s6_addr;
    char text[INET6_ADDRSTRLEN + 8];
    if (IN6_IS_ADDR_V4MAPPED(&v6)) {
      in_addr v4{};
      std::memcpy(&v4, bytes + 12, 4);
      if (inet_ntop(AF_INET, &v4, text, sizeof(text)) != nullptr) return text;
    } else {
      in6_addr prefix{};
      std::memcpy(prefix.s6_addr, bytes, 8);
      if (inet_ntop(AF_INET6, &prefix, text, sizeof(text)) != nullptr) {
        std::string key = text;
        key.append("/64");
        return key;
      }
    }
  }
  return address.substr(0, 128);
}

std::chrono::seconds AuthSecondsUntil(AuthSteadyTime now, AuthSteadyTime end) {
  if (now >= end) return std::chrono::seconds(0);
  return std::max(std::chrono::seconds(1), std::chrono::ceil<std::chrono::seconds>(end - now));
}

std::string_view AuthTrim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// The tw_session values of the request's Cookie headers (RFC 6265 section 4.2.1: `name=value`
// pairs separated by `;`, values possibly in double quotes), in order, bounded as above.
std::vector<std::string_view> AuthSessionCookieValues(const server::HttpRequest& request) {
  std::vector<std::string_view> values;
  size_t budget = kAuthMaxCookieBytes;
  for (const auto& [name, header] : request.headers) {
    if (name != "cookie") continue;
    std::string_view rest = std::string_view(header).substr(0, budget);
    budget -= rest.size();
    while (!rest.empty() && values.size() < kAuthMaxSessionCandidates) {
      size_t end = rest.find(';');
      std::string_view pair = rest.substr(0, end);
      rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
      size_t equals = pair.find('=');
      if (equals == std::string_view::npos) continue;
      if (AuthTrim(pair.substr(0, equals)) != kAuthSessionCookieName) continue;
      std::string_view value = AuthTrim(pair.substr(equals + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
      }
      values.push_back(value);
    }
    if (budget == 0 || values.size() >= kAuthMaxSessionCandidates) break;
  }
  return values;
}

// The token of an `Authorization: Bearer <token>` header (scheme case-insensitive, RFC 9110
// section 11.1); nullopt when the request has no bearer credentials.
std::optional<std::string_view> AuthBearerToken(const server::HttpRequest& request) {
  std::string_view value = AuthTrim(request.Header("authorization"));
  constexpr std::string_view kScheme = "bearer";
  if (value.size() < kScheme.size()) return std::nullopt;
  for (size_t i = 0; i < kScheme.size(); ++i) {
    char c = value[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kScheme[i]) return std::nullopt;
  }
  std::string_view rest = value.substr(kScheme.size());
  if (!rest.empty() && rest.front() != ' ' && rest.front() != '\t')
    return std::nullopt;  // "Bearerx"
  return AuthTrim(rest);
}

struct AuthHashMethod {
  std::string_view prefix;
  std::string_view name;
  bool accepted;
  std::string_view why_refused;
};

// Longer prefixes first where one starts another ("$2b$" before a bare "$2").
constexpr AuthHashMethod kAuthHashMethods[] = {
    {"$y$", "yescrypt ($y$)", true, ""},
    {"$gy$", "gost-yescrypt ($gy$)", true, ""},
    {"$7$", "scrypt ($7$)", true, ""},
    {"$6$", "sha512crypt ($6$)", true, ""},
    {"$2b$", "bcrypt ($2b$)", true, ""},
    {"$2y$", "bcrypt ($2y$)", true, ""},
    {"$2a$", "bcrypt ($2a$)", false, "is ambiguous (the 2011 crypt_blowfish bug); use $2b$"},
    {"$2x$", "bcrypt ($2x$)", false, "is the buggy pre-2011 variant"},
    {"$5$", "sha256crypt ($5$)", false, "is not accepted"},
    {"$1$", "MD5-crypt ($1$)", false, "is too weak"},
    {"$3$", "NT hash ($3$)", false, "is too weak"},
    {"$md5", "SunMD5 ($md5)", false, "is too weak"},
    {"$sha1$", "sha1crypt ($sha1$)", false, "is too weak"},
    {"_", "BSDi extended DES (_)", false, "is too weak"},
};

}  // namespace

Status CheckPasswordHash(const std::string& hash) {
  if (hash.empty()) {
    return Error{std::string("password hash is empty; ").append(kAcceptedHashMethods)};
  }
  for (char c : hash) {
    if (c <= ' ' || c > '~') {
      return Error{
          std::string("password hash contains a space, line break or other character no "
                      "crypt(3) hash has (was it wrapped or quoted?)")};
    }
  }
  const AuthHashMethod* method = nullptr;
  for (const AuthHashMethod& candidate : kAuthHashMethods) {
    if (hash.starts_with(candidate.prefix)) {
      method = &candidate;
      break;
    }
  }
  if (method == nullptr) {
    std::string message =
        hash.front() == '$' ? "password hash uses an unknown crypt(3) method; "
                            : "password hash is not a crypt(3) hash of a supported method (it does "
                              "not start with '$': a plain password, or traditional DES crypt?); ";
    return Error{message.append(kAcceptedHashMethods)};
  }
  if (!method->accepted) {
    std::string message = "password hash uses ";
    message.append(method->name).append(", which ").append(method->why_refused).append("; ");
    return Error{message.append(kAcceptedHashMethods)};
  }
  if (crypt_checksalt(hash.c_str()) != CRYPT_SALT_OK) {
    std::string message = "password hash is malformed: its ";
    message.append(method->name).append(" parameters or salt are not valid");
    return Error{std::move(message)};
  }
  // A complete hash is exactly as long as what crypt makes with it as the setting; a salt alone
  // (no hash part) or a hash with something appended is not, and would never match.
  std::string computed = AuthCrypt("", hash);
  if (computed.empty()) {
    std::string message = "password hash is malformed: libxcrypt refuses it as a ";
    message.append(method->name).append(" hash");
    return Error{std::move(message)};
  }
  if (computed.size() != hash.size()) {
    std::string message = "password hash is incomplete or has extra characters: a ";
    message.append(method->name)
        .append(" hash with these parameters has ")
        .append(std::to_string(computed.size()))
        .append(" characters, this one ")
        .append(std::to_string(hash.size()));
    return Error{std::move(message)};
  }
  return Status::Ok();
}

Status CheckConsoleToken(const std::string& token) {
  if (token.size() < 16) {
    return Error{std::string("token is too short: ")
                     .append(std::to_string(token.size()))
                     .append(" characters, at least 16 are needed (e.g. `openssl rand -hex 32`)")};
  }
  if (token.size() > kAuthMaxSecretBytes) {
    return Error{std::string("token is too long: at most ")
                     .append(std::to_string(kAuthMaxSecretBytes))
                     .append(" characters")};
  }
  for (char c : token) {
    if (c <= ' ' || c > '~') {
      return Error{
          std::string("token contains a space, line break or non-ASCII character; it is "
                      "sent in an HTTP header, so only visible ASCII characters work")};
    }
  }
  return Status::Ok();
}

Result<std::string> HashPassword(const std::string& password) {
  if (password.empty()) return Error{"the password is empty"};
  if (password.find('\0') != std::string::npos) return Error{"the password contains a NUL byte"};
  if (password.size() > kAuthMaxSecretBytes) {
    return Error{std::string("the password is longer than ")
                     .append(std::to_string(kAuthMaxSecretBytes))
                     .append(" bytes")};
  }
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  if (crypt_gensalt_rn("$y$", 0, nullptr, 0, setting, sizeof(setting)) == nullptr) {
    return Error{std::string("cannot make a yescrypt salt: ").append(std::strerror(errno))};
  }
  std::string hash = AuthCrypt(password, setting);
  if (hash.empty()) return Error{"libxcrypt could not compute the yescrypt hash"};
  return hash;
}

namespace {

ConsoleAuthSettings NormalizedAuthSettings(ConsoleAuthSettings settings) {
  settings.max_sessions = std::max<size_t>(settings.max_sessions, 1);
  settings.max_failures_per_address = std::max<size_t>(settings.max_failures_per_address, 1);
  settings.max_failures_total = std::max<size_t>(settings.max_failures_total, 1);
  settings.max_tracked_addresses = std::max<size_t>(settings.max_tracked_addresses, 1);
  settings.failure_window = std::max(settings.failure_window, std::chrono::seconds(1));
  return settings;
}

}  // namespace

ConsoleAuth::ConsoleAuth(ConsoleAuthSettings settings, Clock clock)
    : settings_(NormalizedAuthSettings(std::move(settings))),
      clock_(clock ? std::move(clock) : Clock([] { return std::chrono::steady_clock::now(); })),
      token_digest_(settings_.token.empty() ? std::string() : AuthSha256(settings_.token)),
      anonymous_csrf_(settings_.none ? AuthRandomToken() : std::string()) {}

bool ConsoleAuth::SessionLive(const Session& session, AuthSteadyTime now) const {
  return now - session.created < settings_.session_max &&
         now - session.last_seen < settings_.session_idle;
}

bool ConsoleAuth::BearerMatches(std::string_view presented) const {
  return AuthDigestMatches(token_digest_, presented);
}

bool ConsoleAuth::VerifyUser(const std::string& user, const std::string& password) const {
  const ConsoleUser* found = nullptr;
  for (const ConsoleUser& candidate : settings_.users) {
    if (found == nullptr && candidate.name == user) found = &candidate;
  }
  // An unknown name costs the same crypt as a known one (against the first user's hash, whose
  // result is thrown away), so the answer's timing does not tell which names exist. With no users
  // at all there is no name to give away.
  if (settings_.users.empty() || !AuthSecretUsable(password)) return false;
  const std::string& setting =
      found != nullptr ? found->password_hash : settings_.users.front().password_hash;
  std::string computed = AuthCrypt(password, setting);
  bool match = !computed.empty() && computed.size() == setting.size() &&
               CRYPTO_memcmp(computed.data(), setting.data(), setting.size()) == 0;
  OPENSSL_cleanse(computed.data(), computed.size());
  return match && found != nullptr;
}

std::chrono::seconds ConsoleAuth::WaitLocked(const std::string& address_key,
                                             AuthSteadyTime now) const {
  std::chrono::seconds wait(0);
  if (failures_total_.failures >= settings_.max_failures_total) {
    wait = AuthSecondsUntil(now, failures_total_.start + settings_.failure_window);
  }
  auto it = failures_by_address_.find(address_key);
  if (it != failures_by_address_.end() &&
      it->second.failures >= settings_.max_failures_per_address) {
    wait = std::max(wait, AuthSecondsUntil(now, it->second.start + settings_.failure_window));
  }
  return wait;
}

std::chrono::seconds ConsoleAuth::ReserveGuessLocked(const std::string& remote_address,
                                                     AuthSteadyTime now,
                                                     GuessReservation* reservation) {
  std::string key = AuthRateLimitKey(remote_address);
  std::chrono::seconds wait = WaitLocked(key, now);
  if (wait.count() > 0) return wait;
  if (now >= failures_total_.start + settings_.failure_window) failures_total_ = {now, 0};
  ++failures_total_.failures;
  auto it = failures_by_address_.find(key);
  if (it == failures_by_address_.end()) {
    if (failures_by_address_.size() >= settings_.max_tracked_addresses) {
      MakeRoomForAddressLocked(now);
    }
    it = failures_by_address_.emplace(key, FailureWindow{now, 0}).first;
  } else if (now >= it->second.start + settings_.failure_window) {
    it->second = {now, 0};
  }
  ++it->second.failures;
  reservation->address_key = std::move(key);
  reservation->address_window = it->second.start;
  reservation->total_window = failures_total_.start;
  return std::chrono::seconds(0);
}

void ConsoleAuth::GiveBackGuessLocked(const GuessReservation& reservation) {
  if (failures_total_.start == reservation.total_window && failures_total_.failures > 0) {
    --failures_total_.failures;
  }
  auto it = failures_by_address_.find(reservation.address_key);
  if (it != failures_by_address_.end() && it->second.start == reservation.address_window &&
      it->second.failures > 0 && --it->second.failures == 0) {
    failures_by_address_.erase(it);
  }
}

void ConsoleAuth::MakeRoomForAddressLocked(AuthSteadyTime now) {
  std::erase_if(failures_by_address_, [&](const auto& entry) {
    return now >= entry.second.start + settings_.failure_window;
  });
  if (failures_by_address_.size() < settings_.max_tracked_addresses) return;
  auto oldest = std::min_element(
      failures_by_address_.begin(), failures_by_address_.end(),
      [](const auto& a, const auto& b) { return a.second.start < b.second.start; });
  failures_by_address_.erase(oldest);
}

void ConsoleAuth::MakeRoomForSessionLocked(AuthSteadyTime now) {
  if (sessions_.size() < settings_.max_sessions) return;
  std::erase_if(sessions_, [&](const auto& entry) { return !SessionLive(entry.second, now); });
  while (sessions_.size() >= settings_.max_sessions) {
    auto least_recent = std::min_element(
        sessions_.begin(), sessions_.end(),
        [](const auto& a, const auto& b) { return a.second.last_seen < b.second.last_seen; });
    sessions_.erase(least_recent);
  }
}

std::optional<Principal> ConsoleAuth::Authenticate(const server::HttpRequest& request) {
  if (settings_.none) {
    return Principal{Principal::Kind::kNone, "anonymous", std::string(), anonymous_csrf_};
  }
  if (std::optional<std::string_view> bearer = AuthBearerToken(request)) {
    AuthSteadyTime now = clock_();
    std::lock_guard lock(mutex_);
    if (WaitLocked(AuthRateLimitKey(request.remote_address), now).count() > 0) {
      ++counters_.rate_limited_total;
      return std::nullopt;
    }
    if (BearerMatches(*bearer)) return Principal{Principal::Kind::kBearer, "token", {}, {}};
    GuessReservation counted;  // kept: a wrong token is a failure
    ReserveGuessLocked(request.remote_address, now, &counted);
    ++counters_.bearer_failures_total;
    return std::nullopt;
  }
  std::vector<std::string_view> candidates = AuthSessionCookieValues(request);
  if (candidates.empty()) return std::nullopt;
  AuthSteadyTime now = clock_();
  for (std::string_view id : candidates) {
    if (!IsAuthTokenShape(id)) continue;
    std::string key = AuthSha256(id);
    std::lock_guard lock(mutex_);
    auto it = sessions_.find(key);
    if (it == sessions_.end()) continue;
    if (!SessionLive(it->second, now)) {
      sessions_.erase(it);
      continue;
    }
    it->second.last_seen = now;
    return Principal{Principal::Kind::kSession, it->second.name, std::string(id),
                     it->second.csrf_token};
  }
  return std::nullopt;
}

LoginOutcome ConsoleAuth::Login(const std::string& remote_address, const std::string& user,
                                const std::string& secret) {
  LoginOutcome outcome;
  GuessReservation reservation;
  {
    std::lock_guard lock(mutex_);
    std::chrono::seconds wait = ReserveGuessLocked(remote_address, clock_(), &reservation);
    if (wait.count() > 0) {
      ++counters_.rate_limited_total;
      outcome.kind = LoginOutcome::Kind::kRateLimited;
      outcome.retry_after = wait;
      return outcome;
    }
  }
  // The hash is computed outside the lock: it takes tens of milliseconds.
  bool ok =
      user.empty() ? (AuthSecretUsable(secret) && BearerMatches(secret)) : VerifyUser(user, secret);
  if (!ok) {
    std::lock_guard lock(mutex_);
    ++counters_.login_failures_total;
    outcome.kind = LoginOutcome::Kind::kBadCredentials;
    return outcome;
  }
  std::string id = AuthRandomToken();
  std::string csrf = AuthRandomToken();
  std::string key = AuthSha256(id);
  std::lock_guard lock(mutex_);
  GiveBackGuessLocked(reservation);
  if (id.empty() || csrf.empty() || key.empty()) {
    outcome.kind = LoginOutcome::Kind::kUnavailable;
    return outcome;
  }
  AuthSteadyTime now = clock_();
  MakeRoomForSessionLocked(now);
  sessions_[key] = Session{user.empty() ? std::string("token") : user, csrf, now, now};
  ++counters_.logins_total;
  outcome.kind = LoginOutcome::Kind::kOk;
  outcome.session_id = std::move(id);
  outcome.csrf_token = std::move(csrf);
  return outcome;
}

void ConsoleAuth::Logout(const std::string& session_id) {
  if (!IsAuthTokenShape(session_id)) return;
  std::string key = AuthSha256(session_id);
  std::lock_guard lock(mutex_);
  sessions_.erase(key);
}

bool ConsoleAuth::CsrfTokenMatches(const Principal& principal, std::string_view presented) const {
  switch (principal.kind) {
    case Principal::Kind::kBearer:
      return true;
    case Principal::Kind::kNone:
      // The instance's own token, whatever the principal says: a kNone principal made up by a
      // caller outside `none` mode (anonymous_csrf_ empty) never passes.
      return !anonymous_csrf_.empty() && AuthDigestMatches(AuthSha256(anonymous_csrf_), presented);
    case Principal::Kind::kSession:
      return !principal.csrf_token.empty() &&
             AuthDigestMatches(AuthSha256(principal.csrf_token), presented);
  }
  return false;
}

bool ConsoleAuth::CsrfValid(const Principal& principal, const server::HttpRequest& request) const {
  return CsrfTokenMatches(principal, AuthTrim(request.Header("x-csrf-token")));
}

std::chrono::seconds ConsoleAuth::RateLimitedFor(const std::string& remote_address) const {
  AuthSteadyTime now = clock_();
  std::lock_guard lock(mutex_);
  return WaitLocked(AuthRateLimitKey(remote_address), now);
}

std::string ConsoleAuth::SessionCookie(const std::string& id, bool secure,
                                       std::chrono::seconds max_age) {
  if (id.empty() || id.size() > 256 || !std::all_of(id.begin(), id.end(), IsAuthBase64UrlChar)) {
    return ClearedSessionCookie(secure);
  }
  std::string cookie(kAuthSessionCookieName);
  cookie.append("=").append(id).append("; Path=/; HttpOnly; SameSite=Strict");
  if (secure) cookie.append("; Secure");
  cookie.append("; Max-Age=").append(std::to_string(std::max<int64_t>(max_age.count(), 0)));
  return cookie;
}

std::string ConsoleAuth::ClearedSessionCookie(bool secure) {
  std::string cookie(kAuthSessionCookieName);
  cookie.append("=; Path=/; HttpOnly; SameSite=Strict");
  if (secure) cookie.append("; Secure");
  cookie.append("; Max-Age=0");
  return cookie;
}

ConsoleAuth::Stats ConsoleAuth::stats() const {
  AuthSteadyTime now = clock_();
  std::lock_guard lock(mutex_);
  Stats stats = counters_;
  stats.active_sessions =
      static_cast<size_t>(std::count_if(sessions_.begin(), sessions_.end(), [&](const auto& entry) {
        return SessionLive(entry.second, now);
      }));
  return stats;
}

}  // namespace trailwatch::console
