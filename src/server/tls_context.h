// TLS for the HTTP server's listener: the certificate chain and private key as an OpenSSL server
// context that speaks TLS 1.2 and 1.3 only. Loaded when the http source is created, so a SIGHUP
// (which re-creates the sources) picks up a renewed certificate.
//
// Thread-safety: loading is a pure function; the context is shared, read-only, by every
// connection.
#pragma once

#include <memory>
#include <string>

#include "common/result.h"

namespace boost::asio::ssl {
class context;
}

namespace trailwatch::server {

struct TlsFiles {
  std::string cert_file;  // PEM: the certificate, then any intermediates
  std::string key_file;   // PEM: the private key (unencrypted)
};

// Errors name the file and OpenSSL's reason, never the key's content.
Result<std::shared_ptr<boost::asio::ssl::context>> LoadTlsContext(const TlsFiles& files);

}  // namespace trailwatch::server
