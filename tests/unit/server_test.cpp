// The daemon's HTTP policy (who may ask) and routes (what they get), decided without a socket; the
// integration tests (daemon, hostile) check the same answers over a real connection.
#include <catch2/catch.hpp>

#include "server/policy.hpp"
#include "server/routes.hpp"

#include <string>
#include <variant>

using namespace lorsync::server;

namespace {

constexpr uint16_t kPort = 40123;
constexpr std::string_view kToken = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

HttpRequest get(std::string target) {
  HttpRequest request;
  request.target = std::move(target);
  request.host = "127.0.0.1:" + std::to_string(kPort);
  return request;
}

HttpRequest upgrade() {
  HttpRequest request = get("/rpc");
  request.websocket_upgrade = true;
  return request;
}

std::shared_ptr<const Settings> settings_with(std::vector<std::string> allowed_origins = {}) {
  ServerOptions options;
  options.allowed_origins = std::move(allowed_origins);
  options.max_connections = 7;
  return make_settings(options, kPort);
}

std::variant<Admitted, HttpReply> check(const HttpRequest& request, ServerState state = {kToken, false, true}) {
  return check_policy(request, *settings_with({"moz-extension://zotero"}), state);
}

// The refusal's status; 0 when the request was admitted.
unsigned refused_with(const std::variant<Admitted, HttpReply>& verdict) {
  const HttpReply* reply = std::get_if<HttpReply>(&verdict);
  return reply ? reply->status : 0;
}

HttpReply reply_of(const HttpRequest& request) {
  auto routed = route(request);
  REQUIRE(std::holds_alternative<HttpReply>(routed));
  return std::get<HttpReply>(routed);
}

}  // namespace

TEST_CASE("policy: only the loopback names with the daemon's port pass the Host check") {
  CHECK(refused_with(check(get("/health"))) == 0);
  HttpRequest request = get("/health");
  request.host = "LocalHost:" + std::to_string(kPort);
  CHECK(refused_with(check(request)) == 0);
  for (std::string host : {"evil.example:40123", "127.0.0.1:80", "127.0.0.1", "[::1]:40123", ""}) {
    request.host = host;
    auto verdict = check(request);
    CHECK(refused_with(verdict) == 403);
    if (auto* reply = std::get_if<HttpReply>(&verdict)) CHECK_FALSE(reply->keep_alive);
  }
  // The upgrade is refused on the Host too, before its own checks.
  request = upgrade();
  request.host = "rebound.example:40123";
  request.authorization = "Bearer " + std::string(kToken);
  CHECK(refused_with(check(request)) == 403);
}

TEST_CASE("policy: a WebSocket upgrade from a page needs an allowed Origin") {
  HttpRequest request = upgrade();
  CHECK(refused_with(check(request)) == 0);  // no Origin: not a page (the CLI, the JS client in node)
  for (std::string origin : {"http://127.0.0.1:40123", "http://localhost:40123", "moz-extension://zotero"}) {
    request.origin = origin;
    CHECK(refused_with(check(request)) == 0);
  }
  for (std::string origin : {"https://evil.example", "http://127.0.0.1:8080", "null"}) {
    request.origin = origin;
    auto verdict = check(request);
    REQUIRE(refused_with(verdict) == 403);
    CHECK(std::get<HttpReply>(verdict).body.find("allowed_origins") != std::string::npos);
  }
  // Plain requests are the browser's same-origin business: the dashboard's files are no secret.
  HttpRequest page = get("/index.html");
  page.origin = "https://evil.example";
  CHECK(refused_with(check(page)) == 0);
}

TEST_CASE("policy: the bearer token in the upgrade authenticates, a wrong one is refused") {
  HttpRequest request = upgrade();
  auto without = check(request);
  REQUIRE(std::holds_alternative<Admitted>(without));
  CHECK_FALSE(std::get<Admitted>(without).authenticated);  // it may authenticate with its first call

  request.authorization = "Bearer " + std::string(kToken);
  auto with = check(request);
  REQUIRE(std::holds_alternative<Admitted>(with));
  CHECK(std::get<Admitted>(with).authenticated);

  std::string wrong(kToken);
  wrong.back() = '0';
  for (std::string header : {"Bearer " + wrong, std::string(kToken), "Basic " + std::string(kToken), std::string()}) {
    request.authorization = header;
    CHECK(refused_with(check(request)) == 401);
  }
}

TEST_CASE("policy: a stopping or full daemon refuses upgrades, and only the full one waits for a token") {
  HttpRequest request = upgrade();
  CHECK(refused_with(check(request, {kToken, true, true})) == 503);
  CHECK(refused_with(check(request, {kToken, false, false})) == 0);  // not authenticated: waits among the others
  request.authorization = "Bearer " + std::string(kToken);
  auto full = check(request, {kToken, false, false});
  REQUIRE(refused_with(full) == 503);
  CHECK(std::get<HttpReply>(full).body.find("all 7 are open") != std::string::npos);
  // The limits are about connections: plain requests still get their answer.
  CHECK(refused_with(check(get("/health"), {kToken, true, false})) == 0);
}

TEST_CASE("routes: /rpc upgrades, or says it is a WebSocket endpoint") {
  CHECK(std::holds_alternative<UpgradeToRpc>(route(upgrade())));
  HttpRequest query = upgrade();
  query.target = "/rpc?client=zotero";
  CHECK(std::holds_alternative<UpgradeToRpc>(route(query)));
  HttpReply plain = reply_of(get("/rpc"));
  CHECK(plain.status == 426);
  CHECK(plain.keep_alive);
}

TEST_CASE("routes: /health, the dashboard's files, the client module, and 404 for the rest") {
  HttpReply health = reply_of(get("/health"));
  CHECK(health.status == 200);
  CHECK(health.content_type == "application/json");
  CHECK(health.body == "{\"status\":\"ok\"}");

  for (std::string root : {"/", "/index.html", "/?tab=letters"}) {
    HttpReply index = reply_of(get(root));
    CHECK(index.status == 200);
    CHECK(index.content_type == "text/html; charset=utf-8");
    CHECK(index.body.find("<html") != std::string::npos);
  }
  HttpReply client = reply_of(get("/client/lorsync.js"));
  CHECK(client.status == 200);
  CHECK(client.content_type == "text/javascript; charset=utf-8");
  CHECK_FALSE(client.body.empty());

  for (std::string missing : {"/nothing-here", "/../daemon.json", "/client/../web/index.html", "/web/index.html"})
    CHECK(reply_of(get(missing)).status == 404);
}

TEST_CASE("routes: HEAD gets the GET reply without its body, other methods are not allowed") {
  HttpRequest head = get("/health");
  head.method = HttpRequest::Method::head;
  HttpReply reply = reply_of(head);
  CHECK(reply.status == 200);
  CHECK(reply.head);
  CHECK(reply.body == "{\"status\":\"ok\"}");  // its length is what the reply says

  HttpRequest post = get("/health");
  post.method = HttpRequest::Method::other;
  post.keep_alive = false;
  HttpReply refused = reply_of(post);
  CHECK(refused.status == 405);
  CHECK_FALSE(refused.keep_alive);
}
