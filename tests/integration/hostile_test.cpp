// The real lorsyncd attacked as a process on the same machine would: clients
// that never authenticate or never read, replies built to exhaust memory,
// malformed HTTP, links out of the plan. Each case is a regression test for a
// defect found that way; the last case reruns the whole list against one daemon.
#include <catch2/catch.hpp>

#include "integration/programs.hpp"
#include "support/daemon.hpp"
#include "support/process.hpp"
#include "support/rpc_calls.hpp"
#include "support/temp_dir.hpp"

#include <nlohmann/json.hpp>

#include <signal.h>

#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <thread>
#include <vector>

using namespace lorsync;
using namespace lorsync::test;
using nlohmann::json;
namespace fs = std::filesystem;
using std::chrono::milliseconds;

namespace {

// The most memory the process has held so far (VmHWM), in KiB.
long peak_rss_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line))
    if (line.starts_with("VmHWM:")) return std::stol(line.substr(6));
  return -1;
}

// A plan of about `megabytes` MB: the sample with letters whose notes are large.
void make_plan_large(const fs::path& plan, int megabytes) {
  std::string notes(900'000, 'x');
  for (size_t at = 80; at < notes.size(); at += 81) notes[at] = '\n';
  int n = 0;
  for (const auto& entry : fs::directory_iterator(plan / "letters")) {
    if (n++ == megabytes) break;
    std::ofstream(entry.path(), std::ios::app) << "\n" << notes << "\n";
  }
  REQUIRE(run_git(plan, {"add", "-A"}).exit_code == 0);
  REQUIRE(run_git(plan, {"commit", "-qm", "large notes"}).exit_code == 0);
}

json batch_of(const std::string& method, size_t count) {
  json batch = json::array();
  for (size_t i = 0; i < count; ++i) batch.push_back({{"jsonrpc", "2.0"}, {"id", i}, {"method", method}});
  return batch;
}

}  // namespace

TEST_CASE("Connections that never authenticate are closed after auth_timeout_s and never keep an authenticated client out") {
  TempDir dir;
  fs::path plan = sample(dir);
  write_file(dir / "config.yaml", "max_connections: 4\nmax_unauthenticated: 8\nauth_timeout_s: 1\n");
  DaemonProcess daemon(plan, {"--config", (dir / "config.yaml").string()});
  REQUIRE(daemon.running());

  // 40 WebSocket clients that never authenticate (their pings are answered: the client library reads),
  // and 40 TCP connections that never send a byte.
  std::vector<RpcClient> idle_clients;
  for (int i = 0; i < 40; ++i) {
    ConnectOptions options;
    options.port = daemon.port();
    auto client = RpcClient::connect(options);
    if (client) idle_clients.push_back(std::move(*client));
  }
  std::vector<std::unique_ptr<RawConnection>> silent;
  for (int i = 0; i < 40; ++i) silent.push_back(std::make_unique<RawConnection>(daemon.port()));

  // An authenticated client still gets in, at once, and is served.
  RpcClient mine = daemon.connect();
  CHECK(call_ok(mine, "plan.status").contains("letters"));
  // So does one that authenticates with the `auth` method, as the dashboard does.
  RpcClient dashboard = daemon.connect(false);
  CHECK(call_ok(dashboard, "auth", {{"token", daemon.info().token}}).value("authenticated", false));

  // After the deadline every unauthenticated one is gone; the authenticated ones stay.
  std::this_thread::sleep_for(milliseconds(1500));
  for (auto& client : idle_clients) {
    (void)client.receive(milliseconds(100));  // lets the client see the close
    CHECK(client.closed());
  }
  for (auto& connection : silent) CHECK(connection->closed_by_peer(100));
  CHECK(call_ok(mine, "plan.status").contains("letters"));
  CHECK(call_ok(dashboard, "plan.status").contains("letters"));

  // max_connections counts authenticated clients; the one past it is told so, with the real reason.
  RpcClient third = daemon.connect();
  RpcClient fourth = daemon.connect();
  ConnectOptions options;
  options.port = daemon.port();
  options.bearer = daemon.info().token;
  auto refused = RpcClient::connect(options);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message.find("HTTP 503") != std::string::npos);
  CHECK(refused.error().message.find("too many connections") != std::string::npos);
  CHECK(refused.error().message.find("500") == std::string::npos);
  auto status = run_lorsync({"--plan", plan.string(), "status"});
  CHECK(status.err.find("HTTP 500") == std::string::npos);
}

TEST_CASE("A batch whose replies would exceed the connection's budget gets errors for the rest, not a huge reply") {
  TempDir dir;
  fs::path plan = sample(dir);
  make_plan_large(plan, 5);
  DaemonProcess daemon(plan);
  REQUIRE(daemon.running());
  RpcClient client = daemon.connect();
  auto one = client.call("plan.get", json::object(), std::chrono::seconds(20));
  REQUIRE(one);
  REQUIRE(one->contains("result"));
  const size_t one_size = one->dump().size();
  REQUIRE(one_size > 4'000'000);

  REQUIRE(client.send(batch_of("plan.get", 64).dump()));
  auto reply = client.receive(std::chrono::seconds(30));
  REQUIRE(reply);
  INFO(reply->size());
  CHECK(reply->size() < (16u << 20));
  json replies = json::parse(*reply);
  REQUIRE(replies.size() == 64);
  size_t served = 0;
  for (const auto& item : replies)
    if (item.contains("result")) ++served;
    else CHECK(item["error"]["code"] == -32006);
  CHECK(served >= 1);
  CHECK(served <= 3);
  CHECK(replies[63]["error"]["message"].get<std::string>().find("not run") != std::string::npos);
  CHECK(replies[63]["id"] == 63);

  // Two clients that send such batches and never read hold their budgets at most, not gigabytes.
  std::vector<RpcClient> hoarders;
  for (int i = 0; i < 2; ++i) {
    hoarders.push_back(daemon.connect());
    for (int j = 0; j < 4; ++j) CHECK(hoarders.back().send(batch_of("plan.get", 64).dump()));
  }
  std::this_thread::sleep_for(milliseconds(2000));
  CHECK(call_ok(client, "plan.status").contains("letters"));
  long peak = peak_rss_kib(daemon.pid());
  INFO("peak RSS " << peak << " KiB");
  CHECK(peak < 300 * 1024);
}

TEST_CASE("HTTP: HEAD says the body's length, malformed requests get 400, [::1] is not an allowed Host") {
  TempDir dir;
  fs::path plan = sample(dir);
  DaemonProcess daemon(plan);
  REQUIRE(daemon.running());
  HttpReply get = http_request(daemon.port(), "GET", "/");
  HttpReply head = http_request(daemon.port(), "HEAD", "/");
  REQUIRE(get.status == 200);
  CHECK(head.status == 200);
  CHECK(head.body.empty());
  CHECK(head.headers.find("Content-Length: " + std::to_string(get.body.size())) != std::string::npos);

  for (std::string garbage : {std::string("GET / HTTP/9.9\r\n\r\n"), std::string("\x01\x02 / HTTP/1.1\r\n\r\n"),
                              std::string("GET / HTTP/1.1\r\nHost 127.0.0.1\r\n\r\n"),
                              std::string("GET / HTTP/1.1\r\nContent-Length: -5\r\n\r\n")}) {
    RawConnection connection(daemon.port());
    connection.send(garbage);
    INFO(garbage);
    CHECK(parse_http_reply(connection.receive(2000)).status == 400);
  }
  CHECK(http_request(daemon.port(), "GET", "/", {{"Host", "[::1]:" + std::to_string(daemon.port())}}).status == 403);
  CHECK(http_request(daemon.port(), "GET", "/health").status == 200);
}

TEST_CASE("A kind folder that is a link out of the plan is neither read nor written, and validate names it") {
  TempDir dir;
  fs::path plan = sample(dir);
  fs::path outside = dir / "outside";
  fs::rename(plan / "letters", outside);
  fs::create_directory_symlink(outside, plan / "letters");
  const std::string letter = (outside / "brennan-neurology.md").string();
  const std::string before = read_file(letter);

  auto validate = lorsync_on(plan)({"validate"});
  CHECK(validate.exit_code == 2);
  CHECK(validate.out.find("letters/: is a link to " + outside.string()) != std::string::npos);
  auto set = lorsync_on(plan)({"set", "letter", "brennan-neurology", "waived=false"});
  CHECK(set.exit_code != 0);
  CHECK(read_file(letter) == before);
  CHECK(lorsync_on(plan)({"record", "letter", "brennan-neurology", "asked"}).exit_code != 0);
  CHECK(read_file(letter) == before);

  // Pointed at /etc, nothing of /etc is listed.
  fs::remove(plan / "letters");
  fs::create_directory_symlink("/etc", plan / "letters");
  auto etc = lorsync_on(plan)({"--json", "validate"});
  CHECK(etc.out.find("passwd") == std::string::npos);
  CHECK(etc.out.find("hostname") == std::string::npos);
  CHECK(etc.out.find("letters/") != std::string::npos);
}

TEST_CASE("The API refuses to write through a kind folder replaced by a link while the daemon runs") {
  TempDir dir;
  fs::path plan = sample(dir);
  DaemonProcess daemon(plan);
  REQUIRE(daemon.running());
  RpcClient client = daemon.connect();
  fs::path outside = dir / "outside";
  fs::copy(plan / "letters", outside);
  fs::remove_all(plan / "letters");
  fs::create_directory_symlink(outside, plan / "letters");
  const std::string before = read_file(outside / "brennan-neurology.md");
  auto recorded = client.call("letter.record", {{"id", "brennan-neurology"}, {"event", "asked"}});
  REQUIRE(recorded);
  INFO(recorded->dump());
  CHECK(recorded->contains("error"));
  CHECK(read_file(outside / "brennan-neurology.md") == before);
  CHECK(call_ok(client, "plan.status").is_object());
}

TEST_CASE("A link another device committed in place of a folder is refused by sync, and nothing is taken") {
  TempDir dir;
  fs::path plan = sample(dir);
  fs::path remote = dir / "plan.git";
  REQUIRE(run_git(dir.path(), {"clone", "-q", "--bare", plan.string(), remote.string()}).exit_code == 0);
  REQUIRE(lorsync_on(plan)({"remote", remote.string()}).exit_code == 0);
  fs::path peer = dir / "peer";
  REQUIRE(run_git(dir.path(), {"clone", "-q", remote.string(), peer.string()}).exit_code == 0);
  fs::remove_all(peer / "letters");
  fs::create_directory_symlink("/etc", peer / "letters");
  REQUIRE(run_git(peer, {"add", "-A"}).exit_code == 0);
  REQUIRE(run_git(peer, {"-c", "user.name=Peer", "-c", "user.email=peer@example.org", "commit", "-qm", "link"}).exit_code == 0);
  REQUIRE(run_git(peer, {"push", "-q", "origin", "HEAD"}).exit_code == 0);

  const std::string head_before = run_git(plan, {"rev-parse", "HEAD"}).out;
  auto synced = lorsync_on(plan)({"sync"});
  INFO(synced.out << synced.err);
  CHECK(synced.exit_code != 0);
  CHECK(synced.err.find("letters as a link") != std::string::npos);
  CHECK(fs::is_directory(fs::symlink_status(plan / "letters")));
  CHECK(run_git(plan, {"rev-parse", "HEAD"}).out == head_before);
  CHECK(run_process({"git", "-C", plan.string(), "fsck", "--no-progress"}).exit_code == 0);
}

TEST_CASE("A file in a kind folder whose name is not UTF-8 is reported by the daemon as plan.invalid, not ignored") {
  TempDir dir;
  fs::path plan = sample(dir);
  DaemonProcess daemon(plan);
  REQUIRE(daemon.running());
  RpcClient client = daemon.connect();
  call_ok(client, "subscribe");
  write_file(plan / "letters" / "q\xff.md", "---\nwriter: brennan\n---\n");
  json invalid = wait_for(client, "plan.invalid", milliseconds(3000));
  INFO(invalid.dump());
  REQUIRE(invalid["diagnostics"].size() == 1);
  CHECK(invalid["diagnostics"][0]["path"] == "letters/q\xef\xbf\xbd.md");
  CHECK(invalid["diagnostics"][0]["message"].get<std::string>().find("not a valid id") != std::string::npos);
  CHECK(call_ok(client, "plan.status").is_object());
}

TEST_CASE("A change retried with its request_id is made once, also after the daemon was killed, and the CLI sends one") {
  TempDir dir;
  fs::path plan = sample(dir);
  auto count_events = [&] {
    std::string text = read_file(plan / "letters/delgado-consult.md");
    size_t count = 0;
    for (size_t at = text.find("event: reminded"); at != std::string::npos; at = text.find("event: reminded", at + 1)) ++count;
    return count;
  };
  const json change = {{"letter", "delgado-consult"}, {"event", "reminded"}, {"request_id", "retry-1"}};
  std::string first_commit;
  {
    DaemonProcess daemon(plan);
    REQUIRE(daemon.running());
    RpcClient client = daemon.connect();
    json first = call_ok(client, "letter.record", change);
    json again = call_ok(client, "letter.record", change);
    CHECK(again == first);
    CHECK(count_events() == 1);
    first_commit = first["commit"];
    CHECK(run_git(plan, {"log", "-1", "--format=%B"}).out.find("Lorsync-Request: retry-1\n") != std::string::npos);
    CHECK(call_error(client, "letter.record", {{"letter", "delgado-consult"}, {"event", "reminded"},
                                               {"request_id", "no spaces"}}) == -32602);
    daemon.stop(SIGKILL);
  }
  DaemonProcess restarted(plan);
  REQUIRE(restarted.running());
  RpcClient client = restarted.connect();
  // Known from the commit, not from memory: the daemon that made the change is gone.
  CHECK(call_ok(client, "letter.record", change)["commit"] == first_commit);
  CHECK(count_events() == 1);
  // A new change is a new id (or none).
  call_ok(client, "letter.record", {{"letter", "delgado-consult"}, {"event", "reminded"}});
  CHECK(count_events() == 2);

  // The CLI, through the daemon, gives each change a request id of its own.
  auto recorded = lorsync_on(plan)({"record", "delgado-consult", "thanked"});
  INFO(recorded.err);
  REQUIRE(recorded.exit_code == 0);
  std::string message = run_git(plan, {"log", "-1", "--format=%B"}).out;
  CHECK(message.find("Lorsync-Request: ") != std::string::npos);
  CHECK(message.find("retry-1") == std::string::npos);
}

namespace {

// Every file under `root` but `skip`, with its size and modification time: what must not change.
std::map<std::string, std::string> files_outside(const fs::path& root, const fs::path& skip) {
  std::map<std::string, std::string> found;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
    if (it->path() == skip) {
      it.disable_recursion_pending();
      continue;
    }
    std::error_code ec;
    auto stamp = fs::last_write_time(it->path(), ec).time_since_epoch().count();
    found[it->path().string()] = std::to_string(it->is_regular_file() ? fs::file_size(it->path(), ec) : 0) + "@" +
                                 std::to_string(stamp);
  }
  return found;
}

}  // namespace

TEST_CASE("The whole list of hostile cases against one daemon: it answers afterwards, within bounded memory, and nothing outside the plan is touched") {
  TempDir dir;
  fs::path plan = sample(dir);
  make_plan_large(plan, 3);
  fs::path outside = dir / "outside";
  fs::create_directories(outside);
  fs::copy(plan / "rotations", outside / "rotations");
  const auto untouched = files_outside(dir.path(), plan);
  DaemonProcess daemon(plan);
  REQUIRE(daemon.running());
  RpcClient client = daemon.connect();
  call_ok(client, "subscribe");
  auto thanks = [&] {
    std::string text = read_file(plan / "letters/delgado-consult.md");
    size_t count = 0;
    for (size_t at = text.find("event: thanked"); at != std::string::npos; at = text.find("event: thanked", at + 1)) ++count;
    return count;
  };
  const size_t thanks_before = thanks();
  const uint16_t port = daemon.port();

  // 1. Nesting past the bound, in a change.
  std::string deep = R"({"jsonrpc":"2.0","id":1,"method":"entity.update","params":{"kind":"writer","id":"samuel-brennan","set":{"name":)" +
                     std::string(30000, '[') + std::string(30000, ']') + "}}}";
  REQUIRE(client.send(deep));
  auto refused = client.receive(std::chrono::seconds(10));
  REQUIRE(refused);
  CHECK(json::parse(*refused)["error"]["code"] == -32600);

  // 2. Clients that never authenticate, and TCP connections that never speak.
  std::vector<RpcClient> strangers;
  for (int i = 0; i < 30; ++i) {
    ConnectOptions options;
    options.port = port;
    if (auto stranger = RpcClient::connect(options)) strangers.push_back(std::move(*stranger));
  }
  std::vector<std::unique_ptr<RawConnection>> mute;
  for (int i = 0; i < 30; ++i) mute.push_back(std::make_unique<RawConnection>(port));
  RpcClient late = daemon.connect();
  CHECK(call_ok(late, "plan.status").contains("letters"));

  // 3. Batches built to exhaust memory, from clients that never read.
  std::vector<RpcClient> hoarders;
  for (int i = 0; i < 2; ++i) {
    hoarders.push_back(daemon.connect());
    for (int j = 0; j < 3; ++j) CHECK(hoarders.back().send(batch_of("plan.get", 64).dump()));
  }

  // 4. A kind folder turned into a link out of the plan: the API must not write through it.
  fs::rename(plan / "rotations", dir / "rotations-real");
  fs::create_directory_symlink(outside / "rotations", plan / "rotations");
  auto through_link = client.call("entity.update", {{"kind", "rotation"}, {"id", "riverside-pmr-consult"},
                                                    {"set", {{"site", "elsewhere"}}}});
  REQUIRE(through_link);
  CHECK(through_link->contains("error"));
  fs::remove(plan / "rotations");
  fs::rename(dir / "rotations-real", plan / "rotations");

  // 5. Terminal escapes in a writer's name, as another device could send them: the CLI shows them escaped.
  call_ok(client, "entity.update", {{"kind", "writer"}, {"id", "samuel-brennan"},
                                    {"set", {{"name", "Dr. \x1b]0;pwned\x07\x1b[2JSam"}}}});
  CHECK(lorsync_on(plan)({"status"}).out.find('\x1b') == std::string::npos);

  // 6. A file name that is not UTF-8: announced as a problem, and --json stays JSON.
  write_file(plan / "letters" / "q\xff.md", "---\nwriter: samuel-brennan\n---\n");
  CHECK(wait_for(client, "plan.invalid", milliseconds(3000))["diagnostics"].size() >= 1);
  CHECK_NOTHROW(json::parse(lorsync_on(plan)({"--json", "validate"}).out));
  fs::remove(plan / "letters" / "q\xff.md");

  // 7. The smaller ones.
  CHECK(call_error(client, "letter.record", {{"letter", "delgado-consult"}, {"event", "reminded"}, {"date", "9999-12-31"}}) == -32602);
  CHECK(call_error(client, "letter.record", {{"letter", "delgado-consult"}, {"event", "reminded"}, {"date", "0000-01-01"}}) == -32602);
  CHECK(call_error(client, "entity.create", {{"kind", "writer"}, {"id", "con"}, {"fields", {{"name", "X"}}}}) != 0);
  REQUIRE(client.send(R"({"jsonrpc":"2.0","id":9007199254740993,"method":"plan.status"})"));
  auto huge_id = client.receive(std::chrono::seconds(5));
  REQUIRE(huge_id);
  CHECK(json::parse(*huge_id)["error"]["code"] == -32600);
  HttpReply get = http_request(port, "GET", "/");
  CHECK(http_request(port, "HEAD", "/").headers.find("Content-Length: " + std::to_string(get.body.size())) != std::string::npos);
  RawConnection garbage(port);
  garbage.send("\x16\x03\x01 not http\r\n\r\n");
  CHECK(parse_http_reply(garbage.receive(2000)).status == 400);
  CHECK(http_request(port, "GET", "/", {{"Host", "[::1]:" + std::to_string(port)}}).status == 403);

  // 8. A retried change is made once.
  const json retried = {{"letter", "delgado-consult"}, {"event", "thanked"}, {"request_id", "hostile-retry"}};
  CHECK(call_ok(client, "letter.record", retried) == call_ok(client, "letter.record", retried));

  // Afterwards: the daemon answers, its memory stayed bounded, nothing outside the plan changed, git is sound.
  std::this_thread::sleep_for(milliseconds(1500));
  RpcClient after = daemon.connect();
  CHECK(call_ok(after, "plan.status").contains("letters"));
  long peak = peak_rss_kib(daemon.pid());
  WARN("lorsyncd peak RSS after the hostile list: " << peak / 1024 << " MiB");
  CHECK(peak < 300 * 1024);
  CHECK(files_outside(dir.path(), plan) == untouched);
  auto fsck = run_process({"git", "-C", plan.string(), "fsck", "--no-progress", "--strict"});
  INFO(fsck.out << fsck.err);
  CHECK(fsck.exit_code == 0);
  CHECK(thanks() == thanks_before + 1);
}
