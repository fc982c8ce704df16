// ConsoleServer over a real socket: HTTPS with the configured certificate, Secure cookies, and a
// SIGHUP reload that swaps the certificate for new connections.
#include "console/console_server.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <spdlog/sinks/null_sink.h>

#include "sources/sns_sender_util.h"

namespace trailwatch::console {
namespace {

using trailwatch::testing::TestPki;

constexpr const char* kTlsConsoleToken = "console-tls-token-0123456789";

TEST(ConsoleServerTest, ServesHttpsWithSecureCookiesAndReloadsItsCertificate) {
  const TestPki& pki = TestPki::Shared();
  ASSERT_TRUE(pki.ok()) << pki.error();
  telemetry::Metrics metrics;
  auto log = std::make_shared<spdlog::logger>("t", std::make_shared<spdlog::sinks::null_sink_mt>());
  ConsoleServer server(ConsoleData{}, &metrics, log);
  ConsoleConfig config;
  config.enabled = true;
  config.listen = "127.0.0.1:0";
  config.token = kTlsConsoleToken;
  config.tls_cert_file = pki.server_cert_file();
  config.tls_key_file = pki.server_key_file();
  ASSERT_TRUE(server.Start(config).ok());
  ASSERT_GT(server.port(), 0);

  httplib::SSLClient client("127.0.0.1", server.port());
  client.set_ca_cert_path(pki.ca_file().c_str());
  client.enable_server_certificate_verification(true);
  auto page = client.Get("/login");
  ASSERT_TRUE(page) << httplib::to_string(page.error());
  EXPECT_EQ(page->status, 200);
  auto login = client.Post("/login", std::string("user=&password=") + kTlsConsoleToken,
                           "application/x-www-form-urlencoded");
  ASSERT_TRUE(login);
  EXPECT_EQ(login->status, 303);
  std::string cookie = login->get_header_value("Set-Cookie");
  EXPECT_NE(cookie.find("; Secure"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos) << cookie;

  // The same files re-read: still served. Then another CA's certificate: a client that trusts
  // only the test CA must now refuse new connections.
  ASSERT_TRUE(server.Reload(config).ok());
  httplib::SSLClient same("127.0.0.1", server.port());
  same.set_ca_cert_path(pki.ca_file().c_str());
  same.enable_server_certificate_verification(true);
  ASSERT_TRUE(same.Get("/login"));

  ConsoleConfig rogue = config;
  std::string rogue_cert = ::testing::TempDir() + "/console-rogue.pem";
  {
    std::FILE* file = std::fopen(rogue_cert.c_str(), "w");
    ASSERT_NE(file, nullptr);
    std::string pem = pki.rogue_cert_pem();
    std::fwrite(pem.data(), 1, pem.size(), file);
    std::fclose(file);
  }
  rogue.tls_cert_file = rogue_cert;
  rogue.tls_key_file = pki.rogue_key_file();
  ASSERT_TRUE(server.Reload(rogue).ok());
  httplib::SSLClient fresh("127.0.0.1", server.port());
  fresh.set_ca_cert_path(pki.ca_file().c_str());
  fresh.enable_server_certificate_verification(true);
  auto refused = fresh.Get("/login");
  EXPECT_FALSE(refused) << "the reloaded certificate is not the test CA's";
  // An unreadable certificate is an error and keeps the one in use.
  ConsoleConfig missing = config;
  missing.tls_cert_file = "/nonexistent/console.pem";
  Status kept = server.Reload(missing);
  EXPECT_FALSE(kept.ok());
  EXPECT_NE(kept.message().find("console.tls"), std::string::npos) << kept.message();
  server.Stop();
}

}  // namespace
}  // namespace trailwatch::console
