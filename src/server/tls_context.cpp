#include "server/tls_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>

namespace trailwatch::server {
namespace {

std::string OpenSslReason() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown error";
  char text[256];
  ERR_error_string_n(code, text, sizeof(text));
  return text;
}

}  // namespace

Result<std::shared_ptr<boost::asio::ssl::context>> LoadTlsContext(const TlsFiles& files) {
  namespace ssl = boost::asio::ssl;
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = context->native_handle();
  // TLS 1.2 is the floor EventBridge API destinations and SNS both speak.
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  SSL_CTX_set_options(
      native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  ERR_clear_error();
  if (SSL_CTX_use_certificate_chain_file(native, files.cert_file.c_str()) != 1) {
    return Error{"tls cert " + files.cert_file + ": cannot load the certificate (" +
                 OpenSslReason() + ")"};
  }
  if (SSL_CTX_use_PrivateKey_file(native, files.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    return Error{"tls key " + files.key_file + ": cannot load the private key (" + OpenSslReason() +
                 ")"};
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    return Error{"tls key " + files.key_file + ": does not match the certificate " +
                 files.cert_file};
  }
  return context;
}

}  // namespace trailwatch::server
