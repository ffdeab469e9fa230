// The real lorsyncd binary on port 0 over a temp sample plan, driven by real
// WebSocket and HTTP clients: who may connect, every method, hostile input,
// limits, outside edits, races, signals, and what must never leak (the token).
#include <catch2/catch.hpp>

#include "integration/programs.hpp"
#include "support/daemon.hpp"
#include "support/fixtures.hpp"
#include "support/process.hpp"
#include "support/rpc_calls.hpp"
#include "support/temp_dir.hpp"

#include <nlohmann/json.hpp>

#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <set>
#include <thread>

using namespace lorsync;
using namespace lorsync::test;
using nlohmann::json;
namespace fs = std::filesystem;
using std::chrono::milliseconds;

namespace {

// A sample plan served by a fresh lorsyncd on port 0.
struct ServedPlan {
  TempDir dir;
  fs::path plan = sample(dir);
  DaemonProcess daemon{plan};
  ServedPlan() {
    INFO(daemon.log());
    REQUIRE(daemon.running());
  }
};

std::string head(const fs::path& plan) {
  auto result = run_git(plan, {"rev-parse", "HEAD"});
  return result.out.substr(0, 40);
}

void write_text(const fs::path& path, const std::string& text) { write_file(path, text); }

}  // namespace

TEST_CASE_METHOD(ServedPlan, "lorsyncd publishes a private daemon.json, answers /health and serves the dashboard") {
  struct stat info {};
  REQUIRE(::stat((plan / ".lorsync" / "daemon.json").c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
  CHECK(daemon.info().pid == daemon.pid());
  CHECK(daemon.info().url == "http://127.0.0.1:" + std::to_string(daemon.port()) + "/");
  CHECK(daemon.info().token.size() == 64);
  CHECK(daemon.log().find("http://127.0.0.1:" + std::to_string(daemon.port())) != std::string::npos);

  HttpReply health = http_request(daemon.port(), "GET", "/health");
  CHECK(health.status == 200);
  CHECK(json::parse(health.body) == json{{"status", "ok"}});
  HttpReply page = http_request(daemon.port(), "GET", "/");
  CHECK(page.status == 200);
  CHECK(page.headers.find("text/html") != std::string::npos);
  CHECK(page.headers.find("Content-Security-Policy: default-src 'self'") != std::string::npos);
  CHECK(page.body.find("app.js") != std::string::npos);
  HttpReply client = http_request(daemon.port(), "GET", "/client/lorsync.js");
  CHECK(client.status == 200);
  CHECK(client.headers.find("text/javascript") != std::string::npos);
  CHECK(client.body == read_file(source_path("plugin/client/lorsync.js")));
  CHECK(http_request(daemon.port(), "GET", "/client/../index.html").status == 404);
  CHECK(http_request(daemon.port(), "GET", "/no-such-file.js").status == 404);
  CHECK(http_request(daemon.port(), "POST", "/health").status == 405);
  CHECK(http_request(daemon.port(), "GET", "/rpc").status == 426);

  CHECK(daemon.stop() == 0);
  CHECK_FALSE(fs::exists(plan / ".lorsync" / "daemon.json"));
}

TEST_CASE_METHOD(ServedPlan, "Authentication: none, wrong token, bearer header, first auth call") {

  SECTION("without auth every call but auth gets -32001 and the connection stays usable") {
    RpcClient client = daemon.connect(false);
    for (const char* method : {"plan.status", "plan.get", "entity.delete", "subscribe", "rpc.discover"})
      CHECK(call_error(client, method) == -32001);
    call_ok(client, "auth", {{"token", daemon.info().token}});
    CHECK(call_ok(client, "plan.status").contains("letters"));
  }
  SECTION("a wrong token gets -32001 and the connection is closed after the reply") {
    RpcClient client = daemon.connect(false);
    CHECK(call_error(client, "auth", {{"token", std::string(64, 'a')}}) == -32001);
    auto after = client.receive(milliseconds(3000));
    CHECK_FALSE(after);
    REQUIRE(client.closed());
    CHECK(client.closed()->code == 1008);
  }
  SECTION("a token of the wrong type or length is just wrong") {
    RpcClient client = daemon.connect(false);
    CHECK(call_error(client, "auth", {{"token", 42}}) == -32001);
  }
  SECTION("the bearer header authenticates the upgrade; a wrong one is refused with 401") {
    RpcClient client = daemon.connect(true);
    CHECK(call_ok(client, "plan.status").contains("letters"));
    ConnectOptions options;
    options.port = daemon.port();
    options.bearer = std::string(64, '0');
    auto refused = RpcClient::connect(options);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().message.find("HTTP 401") != std::string::npos);
  }
}

TEST_CASE("Origin and Host checks refuse cross-site pages and DNS rebinding with 403") {
  TempDir dir;
  fs::path plan = sample(dir);
  write_text(test_home() / ".config" / "lorsync" / "config.yaml", "allowed_origins: [\"http://localhost:5173\"]\n");
  DaemonProcess daemon(plan);
  fs::remove(test_home() / ".config" / "lorsync" / "config.yaml");
  REQUIRE(daemon.running());
  const std::string port = std::to_string(daemon.port());
  auto connect_with = [&](std::string origin, std::string host) {
    ConnectOptions options;
    options.port = daemon.port();
    options.origin = std::move(origin);
    options.host_header = std::move(host);
    return RpcClient::connect(options);
  };
  CHECK(connect_with("", ""));
  CHECK(connect_with("http://127.0.0.1:" + port, ""));
  CHECK(connect_with("http://localhost:" + port, "localhost:" + port));
  CHECK(connect_with("http://localhost:5173", ""));  // from the config
  for (const std::string origin : {"http://evil.example", "http://127.0.0.1:1", "null", "http://localhost:5174"}) {
    auto refused = connect_with(origin, "");
    INFO(origin);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().message.find("HTTP 403") != std::string::npos);
  }
  for (const std::string& host : std::vector<std::string>{"evil.example:" + port, "127.0.0.1:1", "127.0.0.1", "lorsync.test:" + port}) {
    auto refused = connect_with("", host);
    INFO(host);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().message.find("HTTP 403") != std::string::npos);
    CHECK(http_request(daemon.port(), "GET", "/", {{"Host", host}}).status == 403);
  }
}

TEST_CASE_METHOD(ServedPlan, "Every method answers its happy path and its errors") {
  RpcClient client = daemon.connect();

  json status = call_ok(client, "plan.status");
  CHECK(status["commit"] == head(plan));
  CHECK(status["letters"].size() == 5);
  CHECK(call_ok(client, "rpc.discover")["openrpc"].is_string());

  json everything = call_ok(client, "plan.get");
  CHECK(everything["letters"].size() == 5);
  CHECK(everything["plan"]["data"]["specialty"] == "pmr");
  json letter = call_ok(client, "plan.get", {{"kind", "letter"}, {"id", "brennan-neurology"}});
  CHECK(letter["data"]["writer"] == "samuel-brennan");
  CHECK(letter["revision"].get<std::string>().size() == 40);
  CHECK(call_error(client, "plan.get", {{"kind", "letter"}, {"id", "nobody"}}) == -32002);
  CHECK(call_error(client, "plan.get", {{"kind", "letterz"}, {"id", "x"}}) == -32602);
  CHECK(call_error(client, "plan.get", {{"kind", "letter"}, {"id", "../../etc/passwd"}}) == -32602);

  json audit = call_ok(client, "audit.run");
  CHECK(audit["findings"].is_array());
  CHECK(audit["errors"].is_number());
  CHECK(call_ok(client, "deadlines.list").is_array());
  CHECK(call_ok(client, "deadlines.list", {{"within", 30}}).size() <= call_ok(client, "deadlines.list").size());
  CHECK(call_error(client, "deadlines.list", {{"within", -1}}) == -32602);
  CHECK(call_error(client, "deadlines.list", {{"within", "soon"}}) == -32602);

  json created = call_ok(client, "entity.create",
                         {{"kind", "writer"},
                          {"id", "jane-lee"},
                          {"fields", {{"name", "Jane Lee"}, {"title", "attending"}, {"specialty", "pmr"},
                                      {"institution", "Lakeshore Rehab"}, {"country", "US"}, {"relationship.weeks", 4}}}});
  CHECK(created["path"] == "writers/jane-lee.md");
  CHECK(created["commit"] == head(plan));
  CHECK(read_file(plan / "writers" / "jane-lee.md").find("weeks: 4") != std::string::npos);
  CHECK(call_error(client, "entity.create", {{"kind", "writer"}, {"id", "jane-lee"}, {"fields", {{"name", "J"}}}}) ==
        -32602);
  auto invalid = client.call("entity.create", {{"kind", "writer"}, {"id", "no-fields"}, {"fields", {{"name", "N"}}}});
  REQUIRE(invalid);
  CHECK(error_code(*invalid) == -32004);
  CHECK((*invalid)["error"]["data"]["diagnostics"].size() >= 1);
  CHECK_FALSE(fs::exists(plan / "writers" / "no-fields.md"));

  json updated = call_ok(client, "entity.update",
                         {{"kind", "writer"}, {"id", "jane-lee"}, {"set", {{"title", "faculty"}}},
                          {"if_revision", created["revision"]}});
  CHECK(updated["revision"] != created["revision"]);
  CHECK(call_error(client, "entity.update",
                   {{"kind", "writer"}, {"id", "jane-lee"}, {"set", {{"title", "resident"}}},
                    {"if_revision", created["revision"]}}) == -32003);
  CHECK(call_error(client, "entity.update", {{"kind", "writer"}, {"id", "ghost"}, {"set", {{"title", "x"}}}}) == -32002);
  CHECK(call_error(client, "entity.update", {{"kind", "writer"}, {"id", "jane-lee"}}) == -32602);
  CHECK(call_ok(client, "entity.update", {{"kind", "plan"}, {"set", {{"interests", json::array({"stroke-rehab"})}}}})
            ["path"] == "plan.yaml");

  json recorded = call_ok(client, "letter.record",
                          {{"letter", "brennan-neurology"}, {"event", "reminded"}, {"date", "2026-08-15"}, {"via", "email"}});
  CHECK(recorded["message"].get<std::string>().find("record: letters/brennan-neurology") == 0);
  CHECK(call_error(client, "letter.record", {{"letter", "brennan-neurology"}, {"event", "reminded"}, {"date", "soon"}}) ==
        -32602);
  CHECK(call_error(client, "letter.record", {{"letter", "ghost"}, {"event", "asked"}}) == -32002);
  CHECK(call_error(client, "letter.record", {{"letter", "brennan-neurology"}, {"event", "bribed"}}) == -32004);

  CHECK(call_error(client, "entity.delete", {{"kind", "writer"}, {"id", "samuel-brennan"}}) == -32004);  // still referred to
  CHECK(call_error(client, "entity.delete", {{"kind", "writer"}, {"id", "ghost"}}) == -32002);
  CHECK(call_error(client, "entity.delete", {{"kind", "writer"}, {"id", "jane-lee"}, {"if_revision", created["revision"]}}) ==
        -32003);
  call_ok(client, "entity.delete", {{"kind", "writer"}, {"id", "jane-lee"}});
  CHECK_FALSE(fs::exists(plan / "writers" / "jane-lee.md"));

  json log = call_ok(client, "history.log", {{"limit", 3}});
  REQUIRE(log.size() == 3);
  CHECK(log[0]["summary"].get<std::string>().find("rm: writers/jane-lee") == 0);
  CHECK(call_error(client, "history.log", {{"limit", 0}}) == -32602);

  CHECK(call_ok(client, "subscribe")["subscribed"] == true);
  CHECK(call_ok(client, "unsubscribe")["subscribed"] == false);
  CHECK(call_error(client, "sync.teleport") == -32601);
  CHECK(run_git(plan, {"status", "--porcelain"}).out.empty());
}

TEST_CASE_METHOD(ServedPlan, "1000 malformed or hostile messages each get the right error and the daemon stays up") {
  RpcClient client = daemon.connect();
  const std::string before = head(plan);

  struct Case {
    std::string text;
    int code;  // 0: no reply expected (a notification); 1: a result
  };
  std::vector<Case> cases = {
      {"", -32700},
      {"{", -32700},
      {"not json at all", -32700},
      {"caf\xc3\xa9 {\"\u00e9\": ", -32700},
      {"[]", -32600},
      {"42", -32600},
      {"\"string\"", -32600},
      {"null", -32600},
      {R"({"jsonrpc":"1.0","id":1,"method":"plan.status"})", -32600},
      {R"({"id":1,"method":"plan.status"})", -32600},
      {R"({"jsonrpc":"2.0","id":1,"method":42})", -32600},
      {R"({"jsonrpc":"2.0","id":{"a":1},"method":"plan.status"})", -32600},
      {R"({"jsonrpc":"2.0","id":[1],"method":"plan.status"})", -32600},
      {R"({"jsonrpc":"2.0","id":")" + std::string(5000, 'x') + R"(","method":"plan.status"})", -32600},
      {R"({"jsonrpc":"2.0","id":1,"method":"no.such.method"})", -32601},
      {R"({"jsonrpc":"2.0","id":1,"method":")" + std::string(10000, 'm') + R"("})", -32601},
      {R"({"jsonrpc":"2.0","id":1,"method":"plan.status","params":7})", -32602},
      {R"({"jsonrpc":"2.0","id":1,"method":"plan.get","params":{"kind":"letter","id":"../../../etc/passwd"}})", -32602},
      {R"({"jsonrpc":"2.0","id":1,"method":"plan.get","params":{"kind":"../letters","id":"x"}})", -32602},
      {R"({"jsonrpc":"2.0","id":1,"method":"entity.create","params":{"kind":"writer","id":"../evil","fields":{}}})", -32602},
      {R"({"jsonrpc":"2.0","id":1,"method":"entity.delete","params":{"kind":"letter","id":"/etc/passwd"}})", -32602},
      {R"({"jsonrpc":"2.0","id":1,"method":"entity.update","params":{"kind":"letter","id":"brennan-neurology","set":{"..":1}}})", -32602},
      {R"({"jsonrpc":"2.0","id":1,"method":"entity.update","params":{"kind":"letter","id":"brennan-neurology","set":"x"}})", -32602},
      {R"({"jsonrpc":"2.0","id":1,"method":"letter.record","params":{"letter":["a"],"event":"asked"}})", -32602},
      {R"({"jsonrpc":"2.0","id":1,"method":"letter.record","params":{"letter":"brennan-neurology","event":"asked","note":7}})", -32602},
      {R"({"jsonrpc":"2.0","id":1,"method":"history.log","params":{"limit":1e300}})", -32602},
      {R"({"jsonrpc":"2.0","id":1,"method":"history.log","params":{"limit":-99999999999999999999}})", -32602},
      {R"({"jsonrpc":"2.0","id":1,"method":"deadlines.list","params":{"within":18446744073709551615}})", -32602},
      // Ids no client could read back exactly (they would come back as floats) are refused.
      {R"({"jsonrpc":"2.0","id":99999999999999999999999,"method":"plan.status"})", -32600},
      {R"({"jsonrpc":"2.0","id":-1.5e300,"method":"plan.status"})", -32600},
      {R"({"jsonrpc":"2.0","method":"entity.delete","params":{"kind":"writer","id":"samuel-brennan"}})", 0},
  };
  // A batch over the limit, a batch of junk, and a batch that mixes good and bad calls.
  json big = json::array();
  for (int i = 0; i < 65; ++i) big.push_back({{"jsonrpc", "2.0"}, {"id", i}, {"method", "plan.status"}});
  cases.push_back({big.dump(), -32600});

  int answered = 0;
  for (int i = 0; i < 1000; ++i) {
    const Case& c = cases[static_cast<size_t>(i) % cases.size()];
    REQUIRE(client.send(c.text));
    if (c.code == 0) continue;
    auto reply = client.receive(milliseconds(5000));
    INFO("message " << i << ": " << c.text.substr(0, 120));
    REQUIRE(reply);
    json parsed = json::parse(*reply);
    if (c.code == 1) CHECK(parsed.contains("result"));
    else CHECK(error_code(parsed) == c.code);
    ++answered;
  }
  CHECK(answered > 900);

  // A batch: each member answered on its own, in order, notifications left out.
  REQUIRE(client.send(R"([{"jsonrpc":"2.0","id":"a","method":"plan.status"},1,)"
                      R"({"jsonrpc":"2.0","method":"plan.status"},{"jsonrpc":"2.0","id":"b","method":"nope"}])"));
  auto batch = client.receive(milliseconds(5000));
  REQUIRE(batch);
  json replies = json::parse(*batch);
  REQUIRE(replies.size() == 3);
  CHECK(replies[0]["id"] == "a");
  CHECK(replies[0].contains("result"));
  CHECK(error_code(replies[1]) == -32600);
  CHECK(error_code(replies[2]) == -32601);

  // Still usable, still up, nothing written, nothing escaped the plan.
  CHECK(call_ok(client, "plan.status")["letters"].size() == 5);
  CHECK(daemon.running());
  CHECK(head(plan) == before);
  CHECK_FALSE(fs::exists(dir / "evil.md"));
  CHECK(http_request(daemon.port(), "GET", "/health").status == 200);
}

TEST_CASE_METHOD(ServedPlan, "A frame over 1 MiB is refused with close 1009 and other clients carry on") {
  RpcClient bystander = daemon.connect();
  RpcClient client = daemon.connect();
  std::string huge = R"({"jsonrpc":"2.0","id":1,"method":"plan.status","params":{"pad":")" + std::string(1 << 20, 'x') +
                     R"("}})";
  (void)client.send(huge);  // the daemon may close before the whole frame is written
  auto reply = client.receive(milliseconds(5000));
  CHECK_FALSE(reply);
  REQUIRE(client.closed());
  CHECK(client.closed()->code == 1009);
  CHECK(call_ok(bystander, "plan.status")["letters"].size() == 5);
  // Just under the limit is fine.
  std::string fits = R"({"jsonrpc":"2.0","id":1,"method":"plan.status","params":{"pad":")" +
                     std::string((1 << 20) - 200, 'x') + R"("}})";
  REQUIRE(bystander.send(fits));
  auto answer = bystander.receive(milliseconds(5000));
  REQUIRE(answer);
  CHECK(json::parse(*answer).contains("result"));
}

TEST_CASE_METHOD(ServedPlan, "A client that stops reading is dropped with a close reason and does not hold up others") {
  RpcClient stuck = daemon.connect();
  RpcClient other = daemon.connect();
  // Thousands of whole-plan replies the stuck client never reads: far more than its socket and its queue hold.
  const std::string request = R"({"jsonrpc":"2.0","id":1,"method":"plan.get"})";
  for (int i = 0; i < 4000; ++i) REQUIRE(stuck.send(request));
  auto started = std::chrono::steady_clock::now();
  double slowest_ms = 0;
  bool dropped = false;
  while (!dropped && std::chrono::steady_clock::now() - started < std::chrono::seconds(20)) {
    auto before = std::chrono::steady_clock::now();
    REQUIRE(call_ok(other, "plan.status").contains("letters"));
    slowest_ms = std::max(slowest_ms, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - before).count());
    dropped = daemon.log().find("reads too slowly") != std::string::npos;
  }
  REQUIRE(dropped);
  CHECK(slowest_ms < 500);
  // What was sent before the drop can still be read, then the close frame with its reason.
  while (stuck.receive(milliseconds(5000))) {
  }
  REQUIRE(stuck.closed());
  CHECK(stuck.closed()->code == 1008);
  CHECK(stuck.closed()->reason.find("too slow") != std::string::npos);
  CHECK(call_ok(other, "plan.status").contains("letters"));
}

TEST_CASE_METHOD(ServedPlan, "Edits made in an editor are committed and announced, invalid ones announced as plan.invalid") {
  RpcClient subscriber = daemon.connect();
  call_ok(subscriber, "subscribe");

  fs::path note = plan / "letters" / "brennan-neurology.md";
  std::string original = read_file(note);
  auto edited_at = std::chrono::steady_clock::now();
  write_text(note, original + "Asked him about the SCI clinic too.\n");
  json changed = wait_for(subscriber, "plan.changed", milliseconds(1000));
  CHECK(std::chrono::steady_clock::now() - edited_at < std::chrono::seconds(1));
  CHECK(changed["source"] == "file");
  CHECK(changed["paths"] == json::array({"letters/brennan-neurology.md"}));
  CHECK(changed["commit"] == head(plan));
  CHECK(run_git(plan, {"log", "-1", "--format=%s"}).out == "edit: letters/brennan-neurology — notes (edited outside lorsync)\n");
  CHECK(run_git(plan, {"status", "--porcelain"}).out.empty());
  wait_for(subscriber, "audit.changed");
  wait_for(subscriber, "deadlines.changed");

  const std::string committed = head(plan);
  write_text(note, "---\nwriter: samuel-brennan\nwaived: maybe\n---\n");
  json invalid = wait_for(subscriber, "plan.invalid", milliseconds(1000));
  REQUIRE(invalid["diagnostics"].size() >= 1);
  CHECK(invalid["diagnostics"][0]["path"] == "letters/brennan-neurology.md");
  CHECK(head(plan) == committed);
  // The last valid plan is still what is served.
  json letter = call_ok(subscriber, "plan.get", {{"kind", "letter"}, {"id", "brennan-neurology"}});
  CHECK(letter["data"]["waived"] == true);
  // The API keeps working on the rest of the plan, and what it changes is served and announced once.
  json writer = call_ok(subscriber, "plan.get", {{"kind", "writer"}, {"id", "marcus-delgado"}});
  json written = call_ok(subscriber, "entity.update", {{"kind", "writer"}, {"id", "marcus-delgado"},
                                                       {"set", {{"email", "delgado@example.org"}}},
                                                       {"if_revision", writer["revision"]}});
  CHECK(wait_for(subscriber, "plan.changed")["source"] == "api");
  json served = call_ok(subscriber, "plan.get", {{"kind", "writer"}, {"id", "marcus-delgado"}});
  CHECK(served["revision"] == written["revision"]);
  CHECK(served["data"]["email"] == "delgado@example.org");
  CHECK(call_ok(subscriber, "plan.status")["commit"] == head(plan));
  for (auto next = subscriber.next_notification(milliseconds(500)); next; next = subscriber.next_notification(milliseconds(500)))
    CHECK((*next)["method"] != "plan.changed");  // no echo of our own commit as a git change

  write_text(note, original);  // fixed: committed again
  CHECK(wait_for(subscriber, "plan.changed", milliseconds(1000))["source"] == "file");
  CHECK(read_file(plan / "letters" / "brennan-neurology.md") == original);

  // The commit names the fields the edit changed.
  std::string unwaived = original;
  unwaived.replace(unwaived.find("waived: true"), 12, "waived: false");
  write_text(note, unwaived);
  CHECK(wait_for(subscriber, "plan.changed", milliseconds(1000))["source"] == "file");
  CHECK(run_git(plan, {"log", "-1", "--format=%s"}).out == "edit: letters/brennan-neurology — waived (edited outside lorsync)\n");
}

TEST_CASE_METHOD(ServedPlan, "A commit made with the git CLI is picked up, and the daemon's own writes do not echo") {
  RpcClient subscriber = daemon.connect();
  call_ok(subscriber, "subscribe");

  write_text(plan / "packet" / "summary.md", read_file(plan / "packet" / "summary.md") + "\nOne more line.\n");
  REQUIRE(run_git(plan, {"commit", "-qam", "summary: one more line"}).exit_code == 0);
  json changed = wait_for(subscriber, "plan.changed", milliseconds(2000));
  CHECK(changed["source"] == "git");
  CHECK(changed["commit"] == head(plan));
  CHECK(changed["paths"] == json::array({"packet/summary.md"}));
  CHECK(call_ok(subscriber, "plan.status")["commit"] == head(plan));
  CHECK(run_git(plan, {"log", "-1", "--format=%s"}).out == "summary: one more line\n");

  // An API write: one plan.changed (source api), then nothing more once the watcher settles.
  call_ok(subscriber, "letter.record", {{"letter", "brennan-neurology"}, {"event", "reminded"}, {"date", "2026-08-15"}});
  CHECK(wait_for(subscriber, "plan.changed")["source"] == "api");
  wait_for(subscriber, "audit.changed");
  wait_for(subscriber, "deadlines.changed");
  auto echo = subscriber.next_notification(milliseconds(600));
  CHECK_FALSE(echo);
  CHECK(run_git(plan, {"rev-list", "--count", "HEAD"}).out == "3\n");
}

TEST_CASE_METHOD(ServedPlan, "Two clients racing on one entity: one wins, the other gets -32003 with the current revision") {
  RpcClient first = daemon.connect();
  RpcClient second = daemon.connect();
  std::string revision = call_ok(first, "plan.get", {{"kind", "writer"}, {"id", "samuel-brennan"}})["revision"];
  json update_a = {{"jsonrpc", "2.0"}, {"id", 1}, {"method", "entity.update"},
                   {"params", {{"kind", "writer"}, {"id", "samuel-brennan"}, {"set", {{"email", "a@example.org"}}},
                               {"if_revision", revision}}}};
  json update_b = update_a;
  update_b["params"]["set"]["email"] = "b@example.org";
  REQUIRE(first.send(update_a.dump()));
  REQUIRE(second.send(update_b.dump()));
  auto a = first.receive(milliseconds(5000));
  auto b = second.receive(milliseconds(5000));
  REQUIRE(a);
  REQUIRE(b);
  json ra = json::parse(*a), rb = json::parse(*b);
  CHECK(ra.contains("result") != rb.contains("result"));
  const json& loser = ra.contains("error") ? ra : rb;
  CHECK(error_code(loser) == -32003);
  std::string now = call_ok(first, "plan.get", {{"kind", "writer"}, {"id", "samuel-brennan"}})["revision"];
  CHECK(loser["error"]["message"].get<std::string>().find(now) != std::string::npos);
  CHECK(loser["error"].value("data", json::object()).value("revision", "") == now);
  CHECK(run_git(plan, {"rev-list", "--count", "HEAD"}).out == "2\n");
}

TEST_CASE_METHOD(ServedPlan, "SIGTERM during a burst of writes loses no acknowledged write and exits cleanly") {
  RpcClient client = daemon.connect();
  const int burst = 150;
  for (int i = 0; i < burst; ++i) {
    json request = {{"jsonrpc", "2.0"}, {"id", i}, {"method", "letter.record"},
                    {"params", {{"letter", "brennan-neurology"}, {"event", "reminded"}, {"date", "2026-08-15"},
                                {"note", "burst " + std::to_string(i)}}}};
    REQUIRE(client.send(request.dump()));
  }
  std::vector<std::string> acknowledged;
  bool signalled = false;
  while (true) {
    auto reply = client.receive(milliseconds(10000));
    if (!reply) break;
    json parsed = json::parse(*reply);
    if (parsed.contains("result")) acknowledged.push_back(parsed["result"]["commit"]);
    if (acknowledged.size() == 10 && !signalled) {
      ::kill(daemon.pid(), SIGTERM);
      signalled = true;
    }
  }
  REQUIRE(signalled);
  CHECK(daemon.stop() == 0);
  INFO("acknowledged " << acknowledged.size() << " of " << burst);
  CHECK(acknowledged.size() < static_cast<size_t>(burst));
  REQUIRE(client.closed());
  CHECK(client.closed()->code == 1001);
  for (const auto& commit : acknowledged)
    CHECK(run_git(plan, {"merge-base", "--is-ancestor", commit, "HEAD"}).exit_code == 0);
  CHECK(run_git(plan, {"fsck", "--full"}).exit_code == 0);
  CHECK(run_git(plan, {"status", "--porcelain"}).out.empty());
  CHECK_FALSE(fs::exists(plan / ".lorsync" / "daemon.json"));
  CHECK(run_lorsync({"--plan", plan.string(), "validate"}).exit_code == 0);
}

TEST_CASE("The token appears in no log and no commit, and a second daemon on the plan refuses to start") {
  TempDir dir;
  fs::path plan = sample(dir);
  DaemonProcess daemon(plan, {"--verbose"});
  REQUIRE(daemon.running());
  const std::string token = daemon.info().token;
  {
    RpcClient client = daemon.connect();
    call_ok(client, "letter.record", {{"letter", "brennan-neurology"}, {"event", "reminded"}, {"date", "2026-08-15"}});
    RpcClient stranger = daemon.connect(false);
    CHECK(call_error(stranger, "auth", {{"token", token.substr(0, 63) + "x"}}) == -32001);
    RpcClient friendly = daemon.connect(false);
    call_ok(friendly, "auth", {{"token", token}});
  }
  DaemonProcess second(plan);
  CHECK_FALSE(second.running());
  REQUIRE(second.exit_code());
  CHECK(*second.exit_code() == 1);
  CHECK(second.log().find("another lorsyncd already serves this plan (pid " + std::to_string(daemon.pid())) !=
        std::string::npos);
  CHECK(daemon.running());

  CHECK(daemon.stop() == 0);
  CHECK(daemon.log().find("debug") != std::string::npos);  // verbose, so the check below means something
  CHECK(daemon.log().find(token) == std::string::npos);
  CHECK(second.log().find(token) == std::string::npos);
  CHECK(run_git(plan, {"log", "--all", "-p"}).out.find(token) == std::string::npos);
  CHECK(run_git(plan, {"status", "--porcelain", "--ignored"}).out.find("daemon.json") == std::string::npos);
}

TEST_CASE("The CLI writes through a running daemon, and status says whether one serves the plan") {
  TempDir dir;
  fs::path plan = sample(dir);
  {
    auto status = run_lorsync({"--plan", plan.string(), "--json", "status"});
    CHECK(json::parse(status.out)["daemon"].is_null());
  }
  DaemonProcess daemon(plan);
  REQUIRE(daemon.running());
  RpcClient subscriber = daemon.connect();
  call_ok(subscriber, "subscribe");

  auto recorded = run_lorsync({"--plan", plan.string(), "-v", "record", "brennan-neurology", "reminded", "--via", "email"});
  INFO(recorded.err);
  REQUIRE(recorded.exit_code == 0);
  CHECK(recorded.err.find("through lorsyncd") != std::string::npos);
  json changed = wait_for(subscriber, "plan.changed");
  CHECK(changed["source"] == "api");
  CHECK(changed["commit"] == head(plan));

  auto set = run_lorsync({"--plan", plan.string(), "set", "writer", "samuel-brennan", "relationship.weeks=5"});
  CHECK(set.exit_code == 0);
  CHECK(wait_for(subscriber, "plan.changed")["paths"] == json::array({"writers/samuel-brennan.md"}));
  auto bad = run_lorsync({"--plan", plan.string(), "set", "writer", "samuel-brennan", "relationship.weeks=-3"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("writers/samuel-brennan.md") != std::string::npos);
  auto missing = run_lorsync({"--plan", plan.string(), "rm", "writer", "ghost"});
  CHECK(missing.exit_code == 2);

  auto status = run_lorsync({"--plan", plan.string(), "status"});
  CHECK(status.out.find("lorsyncd serves this plan at http://127.0.0.1:" + std::to_string(daemon.port())) !=
        std::string::npos);
  CHECK(status.out.find(daemon.info().token) == std::string::npos);
  daemon.stop();
  CHECK(run_lorsync({"--plan", plan.string(), "status"}).out.find("not running") != std::string::npos);
}

TEST_CASE("lorsyncd refuses a non-loopback address, a bad config, and an invalid plan, saying why") {
  TempDir dir;
  fs::path plan = sample(dir);
  auto open = run_process({LORSYNCD_BINARY, "--plan", plan.string(), "--address", "0.0.0.0"});
  CHECK(open.exit_code == 2);
  CHECK(open.err.find("127.0.0.1 only") != std::string::npos);

  write_text(dir / "bad.yaml", "port: 0\ndebounce: 100\n");
  auto config = run_process({LORSYNCD_BINARY, "--plan", plan.string(), "--config", (dir / "bad.yaml").string()});
  CHECK(config.exit_code == 2);
  CHECK(config.err.find("bad.yaml:2:1: unknown key \"debounce\"; did you mean \"debounce_ms\"?") != std::string::npos);

  write_text(plan / "letters" / "brennan-neurology.md", "---\nwriter: nobody\n---\n");
  auto invalid = run_process({LORSYNCD_BINARY, "--plan", plan.string(), "--port", "0"});
  CHECK(invalid.exit_code == 2);
  CHECK(invalid.err.find("letters/brennan-neurology.md") != std::string::npos);
}

TEST_CASE("Connection limit, and SIGHUP rereads the config") {
  TempDir dir;
  fs::path plan = sample(dir);
  fs::path config = dir / "config.yaml";
  write_text(config, "max_connections: 2\n");
  DaemonProcess daemon(plan, {"--config", config.string()});
  REQUIRE(daemon.running());
  RpcClient one = daemon.connect();
  RpcClient two = daemon.connect();
  ConnectOptions options;
  options.port = daemon.port();
  options.bearer = daemon.info().token;
  options.timeout = milliseconds(2000);
  CHECK_FALSE(RpcClient::connect(options));
  CHECK(call_ok(one, "plan.status").contains("letters"));

  options.origin = "http://localhost:5173";
  write_text(config, "max_connections: 10\nallowed_origins: [\"http://localhost:5173\"]\n");
  ::kill(daemon.pid(), SIGHUP);
  bool reloaded = false;
  for (int i = 0; i < 100 && !reloaded; ++i) {
    std::this_thread::sleep_for(milliseconds(20));
    reloaded = daemon.log().find("reloaded") != std::string::npos;
  }
  REQUIRE(reloaded);
  CHECK(RpcClient::connect(options));
  write_text(config, "max_connections: [oops]\n");
  ::kill(daemon.pid(), SIGHUP);
  std::this_thread::sleep_for(milliseconds(200));
  CHECK(daemon.log().find("kept the old settings") != std::string::npos);
  CHECK(daemon.running());
}

TEST_CASE("The systemd user unit passes systemd-analyze verify and names lorsyncd") {
  fs::path unit = source_path("scripts/lorsyncd.service");
  std::string text = read_file(unit);
  CHECK(text.find("ExecStart=%h/.local/bin/lorsyncd") != std::string::npos);
  CHECK(text.find("ExecReload=/bin/kill -HUP $MAINPID") != std::string::npos);
  if (run_process({"sh", "-c", "command -v systemd-analyze"}).exit_code != 0) {
    WARN("systemd-analyze is not installed: only the unit's text was checked");
    return;
  }
  // verify checks that ExecStart exists, so give it a home with the binary installed.
  fs::create_directories(test_home() / ".local" / "bin");
  fs::copy_file(LORSYNCD_BINARY, test_home() / ".local" / "bin" / "lorsyncd");
  fs::create_directories(test_home() / ".run");
  fs::permissions(test_home() / ".run", fs::perms::owner_all);
  auto verified = run_process({"systemd-analyze", "--user", "verify", unit.string()});
  INFO(verified.out << verified.err);
  CHECK(verified.exit_code == 0);
  CHECK(verified.err.empty());
}

TEST_CASE("Idle pings: a client that answers stays, one that never answers is closed after idle_timeout_s") {
  TempDir dir;
  fs::path plan = sample(dir);
  write_text(dir / "config.yaml", "idle_timeout_s: 2\n");
  DaemonProcess daemon(plan, {"--config", (dir / "config.yaml").string()});
  REQUIRE(daemon.running());
  RpcClient silent = daemon.connect();  // never reads, so never answers a ping
  RpcClient lively = daemon.connect();
  // Reading answers pings (the client library does it); nothing else arrives in 3.5 s.
  CHECK_FALSE(lively.receive(milliseconds(3500)));
  CHECK_FALSE(lively.closed());
  CHECK(call_ok(lively, "plan.status").contains("letters"));
  CHECK_FALSE(silent.receive(milliseconds(1000)));
  CHECK(silent.closed());
}

TEST_CASE("lorsync open prints or opens the dashboard URL with the token in its fragment") {
  TempDir dir;
  fs::path plan = sample(dir);
  auto before = run_lorsync({"--plan", plan.string(), "open", "--print"});
  CHECK(before.exit_code == 3);
  CHECK(before.err.find("no lorsyncd serves the plan") != std::string::npos);

  DaemonProcess daemon(plan);
  REQUIRE(daemon.running());
  std::string url = daemon.info().url + "#token=" + daemon.info().token;
  auto printed = run_lorsync({"--plan", plan.string(), "open", "--print"});
  CHECK(printed.exit_code == 0);
  CHECK(printed.out.find("  " + url + "\n") != std::string::npos);
  CHECK(json::parse(run_lorsync({"--plan", plan.string(), "--json", "open"}).out) == json{{"url", url}});

  // No desktop: the URL is printed. A desktop: its opener (xdg-open) gets the URL, token included.
  auto headless = run_lorsync({"--plan", plan.string(), "open"}, {}, {{"DISPLAY", ""}, {"WAYLAND_DISPLAY", ""}});
  CHECK(headless.out.find(url) != std::string::npos);
  fs::path bin = dir.path() / "bin";
  fs::create_directories(bin);
  write_file(bin / "xdg-open", "#!/bin/sh\nprintf '%s' \"$1\" > \"$(dirname \"$0\")/opened\"\n");
  fs::permissions(bin / "xdg-open", fs::perms::owner_all);
  auto opened = run_lorsync({"--plan", plan.string(), "open"}, {},
                            {{"DISPLAY", ":0"}, {"PATH", bin.string() + ":" + std::getenv("PATH")}});
  CHECK(opened.exit_code == 0);
  CHECK(opened.out.find("Opened the dashboard") != std::string::npos);
  CHECK(opened.out.find(daemon.info().token) == std::string::npos);
  CHECK(read_file(bin / "opened") == url);
}
