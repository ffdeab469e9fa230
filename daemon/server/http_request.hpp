// server/http_request: an HTTP request as lorsyncd's policy and routes look at it, and the reply they may
// give, in plain types: server.cpp turns Beast's request into one and the reply into Beast's, so the
// policy and the routes are decided, and tested, without a socket.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace lorsync::server {

struct HttpRequest {
  enum class Method { get, head, other };
  Method method = Method::get;
  std::string target;  // as sent: the path, then any query
  std::string host;    // the Host header as sent
  std::optional<std::string> origin;         // the Origin header, if any
  std::optional<std::string> authorization;  // the Authorization header, if any
  bool websocket_upgrade = false;
  bool keep_alive = true;
  std::string_view path() const { return std::string_view(target).substr(0, target.find('?')); }
};

struct HttpReply {
  unsigned status = 200;
  std::string body;
  std::string content_type = "text/plain";
  bool keep_alive = false;
  bool head = false;  // HEAD: the reply says how long the body is, and sends none
};

}  // namespace lorsync::server
