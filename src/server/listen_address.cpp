#include "server/listen_address.h"

namespace trailwatch::server {

Result<ListenAddress> ParseListenAddress(std::string_view text) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return Error{"must be host:port, like 127.0.0.1:8080"};
  std::string_view host = text.substr(0, colon);
  std::string_view port = text.substr(colon + 1);
  if (host.empty()) return Error{"has no host (use 0.0.0.0:PORT to listen on every interface)"};
  if (host.front() == '[') {
    if (host.back() != ']' || host.size() < 3) {
      return Error{"malformed IPv6 host (like [::1]:8080)"};
    }
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return Error{"IPv6 hosts go in brackets, like [::1]:8080"};
  }
  for (unsigned char c : host) {
    if (c <= 0x20 || c >= 0x7f || c == '/' || c == '[' || c == ']') {
      return Error{"the host contains invalid characters"};
    }
  }
  if (port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string_view::npos) {
    return Error{"the port must be a number from 0 to 65535"};
  }
  int number = 0;
  for (char c : port) number = number * 10 + (c - '0');
  if (number > 65535) return Error{"the port must be a number from 0 to 65535"};
  return ListenAddress{std::string(host), number};
}

}  // namespace trailwatch::server
