#include "server/policy.hpp"

#include "common/text.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

namespace lorsync::server {

namespace {

bool bearer_matches(std::string_view header, std::string_view token) {
  constexpr std::string_view prefix = "Bearer ";
  if (!header.starts_with(prefix)) return false;
  header.remove_prefix(prefix.size());
  return same_secret(header, token);
}

HttpReply refusal(unsigned status, std::string body) { return HttpReply{status, std::move(body), "text/plain", false}; }

// The WebSocket upgrade's own checks: a page's origin, the token if one is sent, and the room left.
std::variant<Admitted, HttpReply> check_upgrade(const HttpRequest& request, const Settings& settings,
                                                const ServerState& state) {
  if (request.origin && !settings.origins.count(*request.origin)) {
    spdlog::info("refused a WebSocket upgrade from origin {}", request.origin->substr(0, 100));
    return refusal(403, "forbidden: origin not allowed (see allowed_origins in the config)\n");
  }
  // No token in the upgrade: the client authenticates with its first call instead.
  const bool authenticated = request.authorization.has_value();
  if (authenticated && !bearer_matches(*request.authorization, state.token))
    return refusal(401, "unauthorized: wrong token\n");
  if (state.stopping) return refusal(503, "lorsyncd is stopping\n");
  if (authenticated && !state.has_room)
    return refusal(503, "too many connections: all " + std::to_string(settings.options.max_connections) +
                            " are open (max_connections in the config)\n");
  return Admitted{authenticated};
}

}  // namespace

std::shared_ptr<const Settings> make_settings(ServerOptions options, uint16_t port) {
  auto settings = std::make_shared<Settings>();
  const std::string suffix = ":" + std::to_string(port);
  // Not [::1]: the daemon listens on IPv4 only, so a client that reached it did not use that name.
  for (const char* name : {"127.0.0.1", "localhost"}) {
    settings->hosts.insert(name + suffix);
    settings->origins.insert(std::string("http://") + name + suffix);
  }
  settings->origins.insert(options.allowed_origins.begin(), options.allowed_origins.end());
  settings->options = std::move(options);
  return settings;
}

std::variant<Admitted, HttpReply> check_policy(const HttpRequest& request, const Settings& settings,
                                               const ServerState& state) {
  // DNS rebinding: a page on another name that resolves to 127.0.0.1 sends its own Host.
  std::string host = request.host;
  std::transform(host.begin(), host.end(), host.begin(), [](unsigned char c) { return std::tolower(c); });
  if (!settings.hosts.count(host)) {
    spdlog::debug("refused a request with Host {}", request.host.substr(0, 64));
    return refusal(403, "forbidden: this daemon answers only to 127.0.0.1 and localhost on its port\n");
  }
  if (request.path() == "/rpc" && request.websocket_upgrade) return check_upgrade(request, settings, state);
  return Admitted{};
}

}  // namespace lorsync::server
