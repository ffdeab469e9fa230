#include "server/routes.hpp"

#include "common/resources.hpp"

namespace lorsync::server {

namespace {

std::string_view content_type_of(std::string_view path) {
  auto ends = [&](std::string_view suffix) { return path.ends_with(suffix); };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js") || ends(".mjs")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".png")) return "image/png";
  if (ends(".json")) return "application/json";
  return "application/octet-stream";
}

// The dashboard's files are served from the root, the client module from /client/: the
// dashboard imports '../client/lorsync.js', which resolves the same way in the Zotero plugin.
const resources::EmbeddedFile* dashboard_file(std::string_view target) {
  std::string_view path = target.substr(0, target.find_first_of("?#"));
  if (path == "/" || path.empty()) path = "/index.html";
  std::string embedded = path.starts_with("/client/") ? std::string(path.substr(1)) : "web" + std::string(path);
  for (const auto& file : resources::dashboard())
    if (file.path == embedded) return &file;
  return nullptr;
}

}  // namespace

std::variant<UpgradeToRpc, HttpReply> route(const HttpRequest& request) {
  const std::string_view path = request.path();
  const bool keep_alive = request.keep_alive;
  if (path == "/rpc") {
    if (!request.websocket_upgrade) return HttpReply{426, "/rpc is a WebSocket endpoint\n", "text/plain", keep_alive};
    return UpgradeToRpc{};
  }
  if (request.method == HttpRequest::Method::other)
    return HttpReply{405, "method not allowed\n", "text/plain", keep_alive};
  const bool head = request.method == HttpRequest::Method::head;
  if (path == "/health") return HttpReply{200, "{\"status\":\"ok\"}", "application/json", keep_alive, head};
  const resources::EmbeddedFile* file = dashboard_file(path);
  if (!file) return HttpReply{404, "not found\n", "text/plain", keep_alive, head};
  return HttpReply{200, std::string(file->contents), std::string(content_type_of(file->path)), keep_alive, head};
}

}  // namespace lorsync::server
