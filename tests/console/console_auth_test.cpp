// ConsoleAuth and the checks of the console's configured secrets: crypt(3) hashes of every
// accepted method made here with libxcrypt, the bearer token, cookie sessions under an injected
// clock (idle, max age, logout, eviction), CSRF, rate limiting per address, per /64 and in total,
// cookie attributes and hostile Cookie headers.
#include "console/console_auth.h"

#include <crypt.h>
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

namespace trailwatch::console {
namespace {

using namespace std::chrono_literals;
using Kind = Principal::Kind;

constexpr char kAuthToken[] = "0123456789abcdef-console-token";

// A crypt(3) hash of `password` made with `prefix` (and `count`, 0 = libxcrypt's default cost).
std::string MakeHash(const char* prefix, unsigned long count, const std::string& password) {
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  if (crypt_gensalt_rn(prefix, count, nullptr, 0, setting, sizeof(setting)) == nullptr) return {};
  crypt_data data{};
  const char* hashed = crypt_rn(password.c_str(), setting, &data, sizeof(data));
  return hashed == nullptr ? std::string() : std::string(hashed);
}

// Hashes are slow on purpose: made once for the whole suite.
struct TestHashes {
  std::string yescrypt;     // "correct horse"
  std::string sha512crypt;  // "battery staple"
  std::string bcrypt;       // "tr0ub4dor", cost 4 (the cheapest, for the rate-limit tests)
};
const TestHashes& Hashes() {
  static const TestHashes hashes = [] {
    TestHashes made;
    Result<std::string> yescrypt = HashPassword("correct horse");
    if (yescrypt.ok()) made.yescrypt = *yescrypt;
    made.sha512crypt = MakeHash("$6$", 0, "battery staple");
    made.bcrypt = MakeHash("$2b$", 4, "tr0ub4dor");
    return made;
  }();
  return hashes;
}

struct FakeClock {
  std::chrono::steady_clock::time_point now = std::chrono::steady_clock::time_point() + 1000h;
  ConsoleAuth::Clock clock() {
    return [this] { return now; };
  }
};

ConsoleAuthSettings UsersAndToken() {
  ConsoleAuthSettings settings;
  settings.token = kAuthToken;
  settings.users = {
      {"alice", Hashes().yescrypt}, {"bob", Hashes().sha512crypt}, {"carol", Hashes().bcrypt}};
  return settings;
}

server::HttpRequest RequestWithHeaders(std::vector<std::pair<std::string, std::string>> headers,
                                       std::string remote = "192.0.2.10") {
  server::HttpRequest request;
  request.method = "GET";
  // std::string("/"), not "/": GCC 12 warns falsely (-Wstringop-overflow) in some unity batches.
  request.target = request.path = std::string("/");
  request.headers = std::move(headers);
  request.remote_address = std::move(remote);
  return request;
}

server::HttpRequest WithCookie(const std::string& cookie) {
  return RequestWithHeaders({{"cookie", cookie}});
}

server::HttpRequest WithBearer(const std::string& value, std::string remote = "192.0.2.10") {
  return RequestWithHeaders({{"authorization", value}}, std::move(remote));
}

TEST(ConsoleAuthHashTest, HashPasswordMakesYescryptThatCheckAccepts) {
  const TestHashes& hashes = Hashes();
  ASSERT_TRUE(hashes.yescrypt.starts_with("$y$")) << hashes.yescrypt;
  ASSERT_TRUE(hashes.sha512crypt.starts_with("$6$")) << hashes.sha512crypt;
  ASSERT_TRUE(hashes.bcrypt.starts_with("$2b$04$")) << hashes.bcrypt;
  for (const std::string& hash : {hashes.yescrypt, hashes.sha512crypt, hashes.bcrypt}) {
    Status status = CheckPasswordHash(hash);
    EXPECT_TRUE(status.ok()) << hash << ": " << status.message();
  }
  Result<std::string> again = HashPassword("correct horse");
  ASSERT_TRUE(again.ok());
  EXPECT_NE(*again, hashes.yescrypt);  // a fresh salt each time
  EXPECT_FALSE(HashPassword("").ok());
  EXPECT_FALSE(HashPassword(std::string("a\0b", 3)).ok());
}

TEST(ConsoleAuthHashTest, CheckPasswordHashRefusesWeakUnknownAndBrokenHashes) {
  const std::string yescrypt = Hashes().yescrypt;
  struct Case {
    std::string hash;
    std::string says;
  };
  const Case cases[] = {
      {"", "empty"},
      {"hunter2-plain-password", "does not start with '$'"},
      {"abJnggxhB/yWI", "does not start with '$'"},  // traditional DES
      {"_J9..CCCCXBrJUJV154M", "BSDi extended DES"},
      {"$1$saltsalt$qjXMvbEw8oaL.CzflDugX/", "MD5-crypt ($1$), which is too weak"},
      {"$5$saltsalt$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZF/B9u/u.", "sha256crypt"},
      {"$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "$2a$"},
      {"$3$$8846f7eaee8fb117ad06bdd830b7586c", "NT hash"},
      {"$zz$abc$def", "unknown crypt(3) method"},
      {yescrypt.substr(0, yescrypt.rfind('$')), "incomplete"},  // the setting without the hash
      {yescrypt + "x", "incomplete or has extra characters"},
      {yescrypt + "\n", "line break"},
      {" " + yescrypt, "space"},
      {"$6$rounds=oops$salt$hash", "malformed"},
      {"$2b$99$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "malformed"},
  };
  for (const Case& c : cases) {
    Status status = CheckPasswordHash(c.hash);
    ASSERT_FALSE(status.ok()) << "accepted: " << c.hash;
    EXPECT_NE(status.message().find(c.says), std::string::npos)
        << c.hash << " -> " << status.message();
    // The message names the problem, never the hash (nor its salt).
    if (c.hash.size() > 8) {
      EXPECT_EQ(status.message().find(c.hash.substr(c.hash.size() / 2)), std::string::npos)
          << status.message();
    }
  }
}

TEST(ConsoleAuthHashTest, CheckConsoleToken) {
  EXPECT_TRUE(CheckConsoleToken("0123456789abcdef").ok());
  EXPECT_TRUE(CheckConsoleToken(kAuthToken).ok());
  Status short_token = CheckConsoleToken("secret-123");
  ASSERT_FALSE(short_token.ok());
  EXPECT_NE(short_token.message().find("at least 16"), std::string::npos);
  EXPECT_EQ(short_token.message().find("secret-123"), std::string::npos);
  Status spaced = CheckConsoleToken("correct horse battery staple");
  ASSERT_FALSE(spaced.ok());
  EXPECT_EQ(spaced.message().find("horse"), std::string::npos);
  EXPECT_FALSE(CheckConsoleToken("0123456789abcdef\n").ok());
  EXPECT_FALSE(CheckConsoleToken("0123456789abcdé").ok());
  EXPECT_FALSE(CheckConsoleToken(std::string(5000, 'a')).ok());
  EXPECT_FALSE(CheckConsoleToken("").ok());
}

TEST(ConsoleAuthLoginTest, EveryMethodVerifiesAndOpensASession) {
  FakeClock clock;
  ConsoleAuth auth(UsersAndToken(), clock.clock());
  const std::pair<std::string, std::string> logins[] = {
      {"alice", "correct horse"}, {"bob", "battery staple"}, {"carol", "tr0ub4dor"}};
  std::set<std::string> ids;
  for (const auto& [user, password] : logins) {
    LoginOutcome outcome = auth.Login("192.0.2.1", user, password);
    ASSERT_EQ(outcome.kind, LoginOutcome::Kind::kOk) << user;
    EXPECT_EQ(outcome.session_id.size(), 43u);
    EXPECT_EQ(outcome.csrf_token.size(), 43u);
    EXPECT_NE(outcome.session_id, outcome.csrf_token);
    ids.insert(outcome.session_id);
    std::optional<Principal> principal =
        auth.Authenticate(WithCookie("tw_session=" + outcome.session_id));
    ASSERT_TRUE(principal.has_value()) << user;
    EXPECT_EQ(principal->kind, Kind::kSession);
    EXPECT_EQ(principal->name, user);
    EXPECT_EQ(principal->session_id, outcome.session_id);
    EXPECT_EQ(principal->csrf_token, outcome.csrf_token);
  }
  EXPECT_EQ(ids.size(), 3u);
  EXPECT_EQ(auth.stats().active_sessions, 3u);
  EXPECT_EQ(auth.stats().logins_total, 3u);
}

TEST(ConsoleAuthLoginTest, WrongPasswordUnknownUserAndSwappedPasswordsAreRefused) {
  FakeClock clock;
  ConsoleAuthSettings settings = UsersAndToken();
  settings.max_failures_per_address = 100;
  ConsoleAuth auth(settings, clock.clock());
  const std::pair<std::string, std::string> refused[] = {
      {"alice", "correct horse "},
      {"alice", "Correct horse"},
      {"alice", ""},
      {"bob", "correct horse"},
      {"mallory", "correct horse"},
      {"Alice", "correct horse"},
      {"carol", std::string("tr0ub4dor\0x", 11)},
      {"alice", kAuthToken},
      {"alice", std::string(5000, 'a')},
      {"", "correct horse"},
      {"", std::string(kAuthToken) + "x"},
      {"", ""},
  };
  for (const auto& [user, secret] : refused) {
    LoginOutcome outcome = auth.Login("192.0.2.1", user, secret);
    EXPECT_EQ(outcome.kind, LoginOutcome::Kind::kBadCredentials) << user << " / " << secret;
    EXPECT_TRUE(outcome.session_id.empty());
    EXPECT_TRUE(outcome.csrf_token.empty());
  }
  ConsoleAuth::Stats stats = auth.stats();
  EXPECT_EQ(stats.login_failures_total, std::size(refused));
  EXPECT_EQ(stats.logins_total, 0u);
  EXPECT_EQ(stats.active_sessions, 0u);
}

TEST(ConsoleAuthLoginTest, TheTokenOpensASessionNamedToken) {
  FakeClock clock;
  ConsoleAuth auth(UsersAndToken(), clock.clock());
  LoginOutcome outcome = auth.Login("192.0.2.1", "", kAuthToken);
  ASSERT_EQ(outcome.kind, LoginOutcome::Kind::kOk);
  std::optional<Principal> principal =
      auth.Authenticate(WithCookie("tw_session=" + outcome.session_id));
  ASSERT_TRUE(principal.has_value());
  EXPECT_EQ(principal->kind, Kind::kSession);
  EXPECT_EQ(principal->name, "token");
}

TEST(ConsoleAuthLoginTest, WithoutATokenNeitherEmptySecretNorAnyBearerPasses) {
  FakeClock clock;
  ConsoleAuthSettings settings = UsersAndToken();
  settings.token.clear();
  ConsoleAuth auth(settings, clock.clock());
  EXPECT_EQ(auth.Login("192.0.2.1", "", "").kind, LoginOutcome::Kind::kBadCredentials);
  EXPECT_EQ(auth.Login("192.0.2.1", "", kAuthToken).kind, LoginOutcome::Kind::kBadCredentials);
  EXPECT_FALSE(auth.Authenticate(WithBearer("Bearer ")).has_value());
  EXPECT_FALSE(auth.Authenticate(WithBearer("Bearer")).has_value());
  EXPECT_FALSE(auth.Authenticate(WithBearer(std::string("Bearer ") + kAuthToken)).has_value());
}

TEST(ConsoleAuthBearerTest, RightTokenIsABearerPrincipalWrongOneIsCounted) {
  FakeClock clock;
  ConsoleAuth auth(UsersAndToken(), clock.clock());
  for (const std::string& value :
       {std::string("Bearer ") + kAuthToken, std::string("bearer ") + kAuthToken,
        std::string("BEARER \t") + kAuthToken + " "}) {
    std::optional<Principal> principal = auth.Authenticate(WithBearer(value));
    ASSERT_TRUE(principal.has_value()) << value;
    EXPECT_EQ(principal->kind, Kind::kBearer);
    EXPECT_EQ(principal->name, "token");
    EXPECT_TRUE(principal->session_id.empty());
  }
  for (const std::string& value : {std::string("Bearer ") + kAuthToken + "x",
                                   std::string("Bearer ") + std::string(kAuthToken).substr(1),
                                   std::string("Bearer x"), std::string("Bearer ")}) {
    EXPECT_FALSE(auth.Authenticate(WithBearer(value)).has_value()) << value;
  }
  EXPECT_EQ(auth.stats().bearer_failures_total, 4u);
  // Not bearer credentials at all: neither a principal nor a failure.
  EXPECT_FALSE(auth.Authenticate(WithBearer(std::string("Basic ") + kAuthToken)).has_value());
  EXPECT_FALSE(auth.Authenticate(WithBearer(std::string("Bearer") + kAuthToken)).has_value());
  EXPECT_FALSE(auth.Authenticate(RequestWithHeaders({})).has_value());
  EXPECT_EQ(auth.stats().bearer_failures_total, 4u);
}

TEST(ConsoleAuthBearerTest, AWrongBearerIsNotRescuedByAGoodCookieButBasicIs) {
  FakeClock clock;
  ConsoleAuth auth(UsersAndToken(), clock.clock());
  LoginOutcome login = auth.Login("192.0.2.1", "alice", "correct horse");
  ASSERT_EQ(login.kind, LoginOutcome::Kind::kOk);
  std::string cookie = "tw_session=" + login.session_id;
  EXPECT_FALSE(
      auth.Authenticate(RequestWithHeaders({{"authorization", "Bearer nope"}, {"cookie", cookie}}))
          .has_value());
  std::optional<Principal> principal =
      auth.Authenticate(RequestWithHeaders({{"authorization", "Basic YTpi"}, {"cookie", cookie}}));
  ASSERT_TRUE(principal.has_value());
  EXPECT_EQ(principal->kind, Kind::kSession);
}

TEST(ConsoleAuthSessionTest, IdleTimeoutRestartsOnEachRequest) {
  FakeClock clock;
  ConsoleAuthSettings settings = UsersAndToken();
  settings.session_idle = 1h;
  settings.session_max = 24h;
  ConsoleAuth auth(settings, clock.clock());
  LoginOutcome login = auth.Login("192.0.2.1", "carol", "tr0ub4dor");
  ASSERT_EQ(login.kind, LoginOutcome::Kind::kOk);
  server::HttpRequest request = WithCookie("tw_session=" + login.session_id);
  for (int i = 0; i < 5; ++i) {
    clock.now += 59min;
    ASSERT_TRUE(auth.Authenticate(request).has_value()) << i;
  }
  clock.now += 1h;
  EXPECT_FALSE(auth.Authenticate(request).has_value());
  EXPECT_EQ(auth.stats().active_sessions, 0u);
  clock.now -= 30min;  // gone for good once found expired
  EXPECT_FALSE(auth.Authenticate(request).has_value());
}

TEST(ConsoleAuthSessionTest, MaxAgeEndsEvenABusySession) {
  FakeClock clock;
  ConsoleAuthSettings settings = UsersAndToken();
  settings.session_idle = 1h;
  settings.session_max = 3h;
  ConsoleAuth auth(settings, clock.clock());
  LoginOutcome login = auth.Login("192.0.2.1", "carol", "tr0ub4dor");
  ASSERT_EQ(login.kind, LoginOutcome::Kind::kOk);
  server::HttpRequest request = WithCookie("tw_session=" + login.session_id);
  for (int i = 0; i < 3; ++i) {  // busy: the idle timer never runs out
    clock.now += 50min;
    ASSERT_TRUE(auth.Authenticate(request).has_value()) << i;
  }
  clock.now += 29min + 59s;
  ASSERT_TRUE(auth.Authenticate(request).has_value());
  clock.now += 1s;  // 3 h after the login
  EXPECT_FALSE(auth.Authenticate(request).has_value());
}

TEST(ConsoleAuthSessionTest, LogoutEndsOnlyThatSession) {
  FakeClock clock;
  ConsoleAuth auth(UsersAndToken(), clock.clock());
  LoginOutcome first = auth.Login("192.0.2.1", "carol", "tr0ub4dor");
  LoginOutcome second = auth.Login("192.0.2.1", "carol", "tr0ub4dor");
  ASSERT_EQ(first.kind, LoginOutcome::Kind::kOk);
  ASSERT_EQ(second.kind, LoginOutcome::Kind::kOk);
  auth.Logout(first.session_id);
  auth.Logout(first.session_id);  // twice: no-op
  auth.Logout("not-a-session");
  auth.Logout("");
  EXPECT_FALSE(auth.Authenticate(WithCookie("tw_session=" + first.session_id)).has_value());
  EXPECT_TRUE(auth.Authenticate(WithCookie("tw_session=" + second.session_id)).has_value());
  EXPECT_EQ(auth.stats().active_sessions, 1u);
}

TEST(ConsoleAuthSessionTest, MaxSessionsEvictsTheLeastRecentlyUsed) {
  FakeClock clock;
  ConsoleAuthSettings settings = UsersAndToken();
  settings.max_sessions = 2;
  ConsoleAuth auth(settings, clock.clock());
  auto login = [&] {
    clock.now += 1s;
    LoginOutcome outcome = auth.Login("192.0.2.1", "carol", "tr0ub4dor");
    EXPECT_EQ(outcome.kind, LoginOutcome::Kind::kOk);
    return WithCookie("tw_session=" + outcome.session_id);
  };
  server::HttpRequest a = login();
  server::HttpRequest b = login();
  clock.now += 1s;
  ASSERT_TRUE(auth.Authenticate(a).has_value());  // a is now more recent than b
  server::HttpRequest c = login();
  EXPECT_TRUE(auth.Authenticate(a).has_value());
  EXPECT_FALSE(auth.Authenticate(b).has_value());
  EXPECT_TRUE(auth.Authenticate(c).has_value());
  EXPECT_EQ(auth.stats().active_sessions, 2u);
}

TEST(ConsoleAuthSessionTest, ExpiredSessionsMakeRoomBeforeLiveOnesAreEvicted) {
  FakeClock clock;
  ConsoleAuthSettings settings = UsersAndToken();
  settings.max_sessions = 2;
  settings.session_idle = 90min;
  settings.session_max = 2h;
  ConsoleAuth auth(settings, clock.clock());
  LoginOutcome old = auth.Login("192.0.2.1", "carol", "tr0ub4dor");
  clock.now += 1h;
  LoginOutcome live = auth.Login("192.0.2.1", "carol", "tr0ub4dor");
  ASSERT_TRUE(auth.Authenticate(WithCookie("tw_session=" + old.session_id)).has_value());
  clock.now += 50min;
  ASSERT_TRUE(auth.Authenticate(WithCookie("tw_session=" + old.session_id)).has_value());
  clock.now += 15min;  // `old` is past its max age though used last; `live` is idle, not expired
  LoginOutcome fresh = auth.Login("192.0.2.1", "carol", "tr0ub4dor");
  EXPECT_TRUE(auth.Authenticate(WithCookie("tw_session=" + live.session_id)).has_value());
  EXPECT_TRUE(auth.Authenticate(WithCookie("tw_session=" + fresh.session_id)).has_value());
  EXPECT_FALSE(auth.Authenticate(WithCookie("tw_session=" + old.session_id)).has_value());
}

TEST(ConsoleAuthCsrfTest, SessionNeedsItsOwnTokenInTheHeader) {
  FakeClock clock;
  ConsoleAuth auth(UsersAndToken(), clock.clock());
  LoginOutcome mine = auth.Login("192.0.2.1", "alice", "correct horse");
  LoginOutcome other = auth.Login("192.0.2.1", "carol", "tr0ub4dor");
  ASSERT_EQ(mine.kind, LoginOutcome::Kind::kOk);
  ASSERT_EQ(other.kind, LoginOutcome::Kind::kOk);
  std::string cookie = "tw_session=" + mine.session_id;
  std::optional<Principal> principal = auth.Authenticate(WithCookie(cookie));
  ASSERT_TRUE(principal.has_value());
  auto post = [&](std::vector<std::pair<std::string, std::string>> extra) {
    extra.emplace_back("cookie", cookie);
    server::HttpRequest request = RequestWithHeaders(std::move(extra));
    request.method = "POST";
    return request;
  };
  EXPECT_FALSE(auth.CsrfValid(*principal, post({})));
  EXPECT_FALSE(auth.CsrfValid(*principal, post({{"x-csrf-token", ""}})));
  EXPECT_FALSE(auth.CsrfValid(*principal, post({{"x-csrf-token", other.csrf_token}})));
  EXPECT_FALSE(auth.CsrfValid(*principal, post({{"x-csrf-token", mine.csrf_token + "x"}})));
  EXPECT_FALSE(auth.CsrfValid(*principal, post({{"x-csrf-token", mine.session_id}})));
  EXPECT_TRUE(auth.CsrfValid(*principal, post({{"x-csrf-token", mine.csrf_token}})));
  EXPECT_TRUE(auth.CsrfTokenMatches(*principal, mine.csrf_token));
  EXPECT_FALSE(auth.CsrfTokenMatches(*principal, ""));
  Principal emptied = *principal;
  emptied.csrf_token.clear();
  EXPECT_FALSE(auth.CsrfTokenMatches(emptied, ""));
}

TEST(ConsoleAuthCsrfTest, BearerIsExempt) {
  FakeClock clock;
  ConsoleAuth auth(UsersAndToken(), clock.clock());
  std::optional<Principal> principal =
      auth.Authenticate(WithBearer(std::string("Bearer ") + kAuthToken));
  ASSERT_TRUE(principal.has_value());
  EXPECT_TRUE(auth.CsrfValid(*principal, WithBearer(std::string("Bearer ") + kAuthToken)));
}

TEST(ConsoleAuthCsrfTest, NoneModeIsAnonymousWithAnInstanceToken) {
  ConsoleAuthSettings settings;
  settings.none = true;
  ConsoleAuth auth(settings);
  ConsoleAuth other(settings);
  std::optional<Principal> principal = auth.Authenticate(RequestWithHeaders({}));
  ASSERT_TRUE(principal.has_value());
  EXPECT_EQ(principal->kind, Kind::kNone);
  EXPECT_EQ(principal->name, "anonymous");
  ASSERT_EQ(principal->csrf_token.size(), 43u);
  EXPECT_EQ(auth.Authenticate(RequestWithHeaders({}))->csrf_token, principal->csrf_token);
  std::string other_token = other.Authenticate(RequestWithHeaders({}))->csrf_token;
  EXPECT_NE(other_token, principal->csrf_token);
  EXPECT_FALSE(auth.CsrfValid(*principal, RequestWithHeaders({})));
  EXPECT_FALSE(auth.CsrfValid(*principal, RequestWithHeaders({{"x-csrf-token", other_token}})));
  EXPECT_TRUE(
      auth.CsrfValid(*principal, RequestWithHeaders({{"x-csrf-token", principal->csrf_token}})));
  // A kNone principal means nothing to an instance that is not in `none` mode.
  ConsoleAuth guarded(UsersAndToken());
  EXPECT_FALSE(guarded.CsrfTokenMatches(*principal, principal->csrf_token));
  EXPECT_FALSE(guarded.CsrfTokenMatches(Principal{}, ""));
}

TEST(ConsoleAuthRateLimitTest, FiveFailuresPerAddressThenRefusedUntilTheWindowEnds) {
  FakeClock clock;
  ConsoleAuth auth(UsersAndToken(), clock.clock());
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(auth.Login("198.51.100.7", "carol", "guess").kind,
              LoginOutcome::Kind::kBadCredentials)
        << i;
    clock.now += 1s;
  }
  LoginOutcome refused = auth.Login("198.51.100.7", "carol", "tr0ub4dor");  // right, unchecked
  ASSERT_EQ(refused.kind, LoginOutcome::Kind::kRateLimited);
  EXPECT_EQ(refused.retry_after, 55s);
  EXPECT_TRUE(refused.session_id.empty());
  EXPECT_EQ(auth.RateLimitedFor("198.51.100.7"), 55s);
  // The limited address cannot try the bearer token either (even the right one).
  EXPECT_FALSE(auth.Authenticate(WithBearer(std::string("Bearer ") + kAuthToken, "198.51.100.7")));
  // Another address is not affected.
  EXPECT_EQ(auth.Login("198.51.100.8", "carol", "tr0ub4dor").kind, LoginOutcome::Kind::kOk);
  EXPECT_EQ(auth.RateLimitedFor("198.51.100.8"), 0s);
  clock.now += 54s + 500ms;
  LoginOutcome later = auth.Login("198.51.100.7", "carol", "tr0ub4dor");
  EXPECT_EQ(later.kind, LoginOutcome::Kind::kRateLimited);
  EXPECT_EQ(later.retry_after, 1s);  // rounded up
  clock.now += 500ms;                // the window is over
  EXPECT_EQ(auth.RateLimitedFor("198.51.100.7"), 0s);
  EXPECT_EQ(auth.Login("198.51.100.7", "carol", "tr0ub4dor").kind, LoginOutcome::Kind::kOk);
  EXPECT_TRUE(auth.Authenticate(WithBearer(std::string("Bearer ") + kAuthToken, "198.51.100.7")));
  ConsoleAuth::Stats stats = auth.stats();
  EXPECT_EQ(stats.login_failures_total, 5u);
  EXPECT_EQ(stats.rate_limited_total, 3u);
}

TEST(ConsoleAuthRateLimitTest, WrongBearerTokensCountLikeFailedLogins) {
  FakeClock clock;
  ConsoleAuth auth(UsersAndToken(), clock.clock());
  for (int i = 0; i < 5; ++i) {
    EXPECT_FALSE(auth.Authenticate(WithBearer("Bearer guess-" + std::to_string(i), "203.0.113.5")));
  }
  EXPECT_EQ(auth.Login("203.0.113.5", "", kAuthToken).kind, LoginOutcome::Kind::kRateLimited);
  EXPECT_EQ(auth.stats().bearer_failures_total, 5u);
}

TEST(ConsoleAuthRateLimitTest, SuccessfulLoginsUseNoBudget) {
  FakeClock clock;
  ConsoleAuth auth(UsersAndToken(), clock.clock());
  for (int i = 0; i < 4; ++i) {
    ASSERT_EQ(auth.Login("192.0.2.9", "carol", "wrong").kind, LoginOutcome::Kind::kBadCredentials);
  }
  for (int i = 0; i < 10; ++i) {
    ASSERT_EQ(auth.Login("192.0.2.9", "carol", "tr0ub4dor").kind, LoginOutcome::Kind::kOk) << i;
  }
  EXPECT_EQ(auth.Login("192.0.2.9", "carol", "wrong").kind, LoginOutcome::Kind::kBadCredentials);
  EXPECT_EQ(auth.Login("192.0.2.9", "carol", "tr0ub4dor").kind, LoginOutcome::Kind::kRateLimited);
}

TEST(ConsoleAuthRateLimitTest, GlobalCapStopsADistributedGuess) {
  FakeClock clock;
  ConsoleAuthSettings settings = UsersAndToken();
  settings.max_failures_total = 8;
  ConsoleAuth auth(settings, clock.clock());
  for (int i = 0; i < 8; ++i) {
    ASSERT_EQ(auth.Login("10.0.0." + std::to_string(i), "carol", "x").kind,
              LoginOutcome::Kind::kBadCredentials)
        << i;
  }
  clock.now += 10s;
  LoginOutcome refused = auth.Login("10.0.1.1", "carol", "tr0ub4dor");
  EXPECT_EQ(refused.kind, LoginOutcome::Kind::kRateLimited);
  EXPECT_EQ(refused.retry_after, 50s);
  clock.now += 50s;
  EXPECT_EQ(auth.Login("10.0.1.1", "carol", "tr0ub4dor").kind, LoginOutcome::Kind::kOk);
}

TEST(ConsoleAuthRateLimitTest, AnIpv6ClientIsCountedByItsSlash64) {
  FakeClock clock;
  ConsoleAuth auth(UsersAndToken(), clock.clock());
  for (int i = 1; i <= 5; ++i) {
    ASSERT_EQ(auth.Login("2001:db8:1:2::" + std::to_string(i), "carol", "x").kind,
              LoginOutcome::Kind::kBadCredentials);
  }
  EXPECT_EQ(auth.Login("2001:db8:1:2:ffff::9", "carol", "tr0ub4dor").kind,
            LoginOutcome::Kind::kRateLimited);
  EXPECT_EQ(auth.Login("2001:db8:1:3::1", "carol", "tr0ub4dor").kind, LoginOutcome::Kind::kOk);
  // An IPv4-mapped address is its IPv4 address.
  for (int i = 0; i < 5; ++i) auth.Login("::ffff:192.0.2.77", "carol", "x");
  EXPECT_EQ(auth.Login("192.0.2.77", "carol", "tr0ub4dor").kind, LoginOutcome::Kind::kRateLimited);
}

TEST(ConsoleAuthRateLimitTest, TheAddressTableIsBoundedOldestWindowsGoFirst) {
  FakeClock clock;
  ConsoleAuthSettings settings = UsersAndToken();
  settings.max_failures_per_address = 2;
  settings.max_tracked_addresses = 3;
  ConsoleAuth auth(settings, clock.clock());
  auth.Login("10.1.0.1", "carol", "x");
  auth.Login("10.1.0.1", "carol", "x");
  ASSERT_EQ(auth.RateLimitedFor("10.1.0.1"), 60s);
  for (int i = 2; i <= 4; ++i) {  // three more addresses: 10.1.0.1 is the oldest and goes
    clock.now += 1s;
    auth.Login("10.1.0." + std::to_string(i), "carol", "x");
  }
  EXPECT_EQ(auth.RateLimitedFor("10.1.0.1"), 0s);
  auth.Login("10.1.0.4", "carol", "x");
  EXPECT_GT(auth.RateLimitedFor("10.1.0.4"), 0s);
}

TEST(ConsoleAuthRateLimitTest, ConcurrentGuessesCannotOvershootTheLimit) {
  ConsoleAuthSettings settings = UsersAndToken();
  ConsoleAuth auth(settings);
  std::atomic<int> bad{0};
  std::atomic<int> limited{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 3; ++i) {
        LoginOutcome outcome = auth.Login("192.0.2.200", "carol", "wrong");
        if (outcome.kind == LoginOutcome::Kind::kBadCredentials) ++bad;
        if (outcome.kind == LoginOutcome::Kind::kRateLimited) ++limited;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(bad.load(), 5);
  EXPECT_EQ(limited.load(), 19);
}

TEST(ConsoleAuthCookieTest, SetCookieAttributes) {
  const std::string id(43, 'A');
  EXPECT_EQ(ConsoleAuth::SessionCookie(id, false, 86400s),
            "tw_session=" + id + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=86400");
  EXPECT_EQ(ConsoleAuth::SessionCookie(id, true, 3600s),
            "tw_session=" + id + "; Path=/; HttpOnly; SameSite=Strict; Secure; Max-Age=3600");
  EXPECT_EQ(ConsoleAuth::ClearedSessionCookie(false),
            "tw_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
  EXPECT_EQ(ConsoleAuth::ClearedSessionCookie(true),
            "tw_session=; Path=/; HttpOnly; SameSite=Strict; Secure; Max-Age=0");
  // Not an id Login made: no way to smuggle attributes or headers in.
  EXPECT_EQ(ConsoleAuth::SessionCookie("x; Domain=evil.example", true, 60s),
            ConsoleAuth::ClearedSessionCookie(true));
  EXPECT_EQ(ConsoleAuth::SessionCookie("x\r\nSet-Cookie: a=b", false, 60s),
            ConsoleAuth::ClearedSessionCookie(false));
  EXPECT_EQ(ConsoleAuth::SessionCookie("", false, 60s), ConsoleAuth::ClearedSessionCookie(false));
}

TEST(ConsoleAuthCookieTest, FindsTheSessionAmongOtherCookiesSpacesAndQuotes) {
  FakeClock clock;
  ConsoleAuth auth(UsersAndToken(), clock.clock());
  LoginOutcome login = auth.Login("192.0.2.1", "carol", "tr0ub4dor");
  ASSERT_EQ(login.kind, LoginOutcome::Kind::kOk);
  const std::string& id = login.session_id;
  const std::string found[] = {
      "tw_session=" + id,
      "a=b; tw_session=" + id + "; c=d",
      "a=b;tw_session=" + id + ";c=d",
      "  tw_session =  " + id + "  ;",
      "tw_session=\"" + id + "\"",
      "tw_session=stale; tw_session=" + id,  // an older cookie first (another Path)
      "theme=dark; x; =; ;; tw_session=" + id,
      "tw_sessionx=1; xtw_session=2; tw_session=" + id,
  };
  for (const std::string& header : found) {
    std::optional<Principal> principal = auth.Authenticate(WithCookie(header));
    ASSERT_TRUE(principal.has_value()) << header;
    EXPECT_EQ(principal->session_id, id);
  }
  // Several Cookie headers (HTTP/2 style).
  EXPECT_TRUE(
      auth.Authenticate(RequestWithHeaders({{"cookie", "a=b"}, {"cookie", "tw_session=" + id}})));
  const std::string not_found[] = {
      "TW_SESSION=" + id,        // cookie names are case-sensitive
      "tw_session=" + id + "x",  // not the id
      "tw_session=" + id.substr(1),
      "tw_session=\"" + id,  // unbalanced quote
      "tw_session",
      "x=tw_session=" + id,
  };
  for (const std::string& header : not_found) {
    EXPECT_FALSE(auth.Authenticate(WithCookie(header)).has_value()) << header;
  }
}

TEST(ConsoleAuthCookieTest, HostileCookieHeadersCostBoundedWorkAndNeverAuthenticate) {
  FakeClock clock;
  ConsoleAuth auth(UsersAndToken(), clock.clock());
  LoginOutcome login = auth.Login("192.0.2.1", "carol", "tr0ub4dor");
  ASSERT_EQ(login.kind, LoginOutcome::Kind::kOk);
  std::string many_sessions;
  for (int i = 0; i < 100000; ++i) many_sessions.append("tw_session=AAAA;");
  std::string binary;
  for (int i = 0; i < 4096; ++i) binary.push_back(static_cast<char>(i % 256));
  const std::string hostile[] = {
      "",
      ";;;;;;;;",
      "=",
      "tw_session=",
      "tw_session=\"",
      "tw_session=\"\"",
      std::string(1 << 20, ';'),
      std::string(1 << 20, '='),
      std::string(1 << 20, ' '),
      std::string(1 << 20, '"'),
      many_sessions,
      binary,
      std::string("tw_session=\0", 12) + login.session_id,
      "tw_session=" + std::string(100000, 'A'),
  };
  auto start = std::chrono::steady_clock::now();
  for (const std::string& header : hostile) {
    EXPECT_FALSE(auth.Authenticate(WithCookie(header)).has_value()) << header.substr(0, 40);
  }
  // The valid id after 8 junk tw_session values, or past the first 16 KiB, is not looked for.
  EXPECT_FALSE(auth.Authenticate(WithCookie(many_sessions + "tw_session=" + login.session_id)));
  EXPECT_FALSE(
      auth.Authenticate(WithCookie(std::string(20000, ' ') + "tw_session=" + login.session_id)));
  std::vector<std::pair<std::string, std::string>> headers(1000, {"cookie", std::string(64, ';')});
  headers.emplace_back("cookie", "tw_session=" + login.session_id);
  EXPECT_FALSE(auth.Authenticate(RequestWithHeaders(std::move(headers))).has_value());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_TRUE(auth.Authenticate(WithCookie("tw_session=" + login.session_id)).has_value());
}

}  // namespace
}  // namespace trailwatch::console
