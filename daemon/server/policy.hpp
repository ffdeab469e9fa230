// server/policy: who may ask lorsyncd anything, decided for each request before it is routed: the Host
// check against DNS rebinding, and for the WebSocket upgrade the Origin check, the bearer token and the
// connection limits. It refuses with the reply to send, or admits.
#pragma once

#include "server/http_request.hpp"
#include "server/server.hpp"

#include <memory>
#include <set>
#include <string>
#include <variant>

namespace lorsync::server {

// What the policy allows: set once, swapped whole on SIGHUP.
struct Settings {
  ServerOptions options;
  std::set<std::string> origins;  // allowed Origin values
  std::set<std::string> hosts;    // allowed Host values (loopback names with the daemon's port)
};

std::shared_ptr<const Settings> make_settings(ServerOptions options, uint16_t port);

// What the policy weighs besides the request and the settings: the server as it is now.
struct ServerState {
  std::string_view token;  // the bearer token that authenticates a WebSocket client
  bool stopping = false;
  bool has_room = true;  // fewer than max_connections authenticated connections are open
};

// Admitted: on to the routes. `authenticated`: an upgrade that brought the right token.
struct Admitted {
  bool authenticated = false;
};

std::variant<Admitted, HttpReply> check_policy(const HttpRequest& request, const Settings& settings,
                                               const ServerState& state);

}  // namespace lorsync::server
