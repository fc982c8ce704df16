// TLS on the http source's listener, with the real binary: `tls: {cert, key}` serves HTTPS with
// that certificate, TLS below 1.2 is refused, and a renewed certificate is served after SIGHUP.
// The TLS client is the openssl command-line tool (s_client), so the handshake is a real
// third-party one.
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "cli/cli_test_util.h"
#include "service/service_process_util.h"
#include "sources/sns_sender_util.h"

namespace trailwatch::testing {
namespace {

using namespace std::chrono_literals;

// Runs a shell command; returns its stdout (stderr discarded) and sets *status.
std::string Shell(const std::string& command, int* status = nullptr) {
  std::string output;
  FILE* pipe = popen((command + " 2>/dev/null").c_str(), "r");
  if (pipe == nullptr) return output;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) output.append(buffer, n);
  int rc = pclose(pipe);
  if (status != nullptr) *status = rc;
  return output;
}

// The subject of the certificate the server on `port` presents, "" when the handshake failed.
std::string PresentedSubject(int port, const std::string& extra_options = "") {
  return Shell("openssl s_client -connect 127.0.0.1:" + std::to_string(port) + " " + extra_options +
               " </dev/null | openssl x509 -noout -subject");
}

TEST(TlsListenerTest, ServesTheCertificateRefusesOldTlsAndReloadsOnSighup) {
  const TestPki& pki = TestPki::Shared();
  ASSERT_TRUE(pki.ok()) << pki.error();
  TempDir dir;
  std::filesystem::copy_file(pki.server_cert_file(), dir.path() + "/tls.pem");
  std::filesystem::copy_file(pki.server_key_file(), dir.path() + "/tls.key");
  std::string config =
      dir.Write("trailwatch.yaml", "store: " + dir.path() +
                                       "/tw.db\n"
                                       "sources:\n"
                                       "  - type: http\n"
                                       "    listen: \"127.0.0.1:0\"\n"
                                       "    api_key: \"${env:TW_TEST_API_KEY}\"\n"
                                       "    tls: {cert: " +
                                       dir.path() + "/tls.pem, key: " + dir.path() +
                                       "/tls.key}\n"
                                       "targets:\n"
                                       "  - {name: out, type: stdout}\n"
                                       "rules:\n"
                                       "  - {pack: root-signin, targets: [out]}\n");
  ServiceProcess service({"run", "--config", config, "--log-format", "json"}, dir.path(),
                         {{"TW_TEST_API_KEY", "tls-test-api-key-0123"}});
  ASSERT_TRUE(service.WaitForStderr("(https)", 60s)) << service.Stderr();
  int port = service.ListeningPort();
  ASSERT_GT(port, 0);

  std::string original = PresentedSubject(port);
  ASSERT_NE(original.find("subject="), std::string::npos) << "no TLS handshake";
  EXPECT_EQ(original.find("renewed.test"), std::string::npos) << original;
  // TLS 1.1 is refused by the server (the client is allowed to offer it).
  EXPECT_EQ(PresentedSubject(port, "-tls1_1 -cipher DEFAULT@SECLEVEL=0"), "");
  EXPECT_NE(PresentedSubject(port, "-tls1_2").find("subject="), std::string::npos);

  // Renew: a new key and certificate in the same files, then SIGHUP.
  int status = 0;
  Shell("openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=renewed.test -keyout " +
            dir.path() + "/tls.key -out " + dir.path() + "/tls.pem",
        &status);
  ASSERT_EQ(status, 0);
  service.Signal(SIGHUP);
  ASSERT_TRUE(service.WaitForStderr("(https)", 30s, 2)) << service.Stderr();
  port = service.ListeningPort();
  std::string renewed;
  for (int i = 0; i < 50 && renewed.find("renewed.test") == std::string::npos; ++i) {
    renewed = PresentedSubject(port);
    if (renewed.find("renewed.test") == std::string::npos) std::this_thread::sleep_for(100ms);
  }
  EXPECT_NE(renewed.find("renewed.test"), std::string::npos) << renewed;

  // A key that does not match the certificate is refused on reload; the running listener stays.
  std::filesystem::copy_file(pki.server_key_file(), dir.path() + "/tls.key",
                             std::filesystem::copy_options::overwrite_existing);
  service.Signal(SIGHUP);
  ASSERT_TRUE(service.WaitForStderr("reload refused", 30s)) << service.Stderr();
  EXPECT_NE(service.Stderr().find("key values mismatch"), std::string::npos);
  // The listener that was running still serves the renewed certificate.
  EXPECT_NE(PresentedSubject(port).find("renewed.test"), std::string::npos);
  EXPECT_TRUE(service.Running());

  service.Signal(SIGTERM);
  EXPECT_EQ(service.WaitExit(30s), 0) << service.Stderr();
}

}  // namespace
}  // namespace trailwatch::testing
