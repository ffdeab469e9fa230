// client/: how clients find a daemon through the plan folder — daemon.json written 0600 and read back only
// while a daemon holds the lock (a crash leaves a stale file that must not be believed), a missing, garbled
// or incomplete file is no daemon, one lock per plan naming its holder, fresh 256-bit tokens — and the
// WebSocket client's refusal when nothing listens.
#include <catch2/catch.hpp>

#include "client/daemon_file.hpp"
#include "client/rpc_client.hpp"
#include "support/git_server.hpp"
#include "support/temp_dir.hpp"

#include <sys/stat.h>

#include <filesystem>
#include <set>

using namespace lorsync;
using namespace lorsync::test;
namespace fs = std::filesystem;

namespace {

DaemonInfo sample_info() { return DaemonInfo{4242, 23231, "http://127.0.0.1:23231/", std::string(64, 'a')}; }

}  // namespace

TEST_CASE("daemon.json is written 0600 and read back while the daemon holds the lock") {
  TempDir plan;
  auto lock = DaemonLock::acquire(plan.path());
  REQUIRE(lock.ok());
  REQUIRE(write_daemon_info(plan.path(), sample_info()).ok());
  struct stat st {};
  REQUIRE(::stat((plan / ".lorsync/daemon.json").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK_FALSE(fs::exists(plan / ".lorsync/daemon.json.tmp"));
  auto running = running_daemon(plan.path());
  REQUIRE(running.has_value());
  CHECK(running->pid == 4242);
  CHECK(running->port == 23231);
  CHECK(running->url == "http://127.0.0.1:23231/");
  CHECK(running->token == std::string(64, 'a'));
  remove_daemon_info(plan.path());
  CHECK_FALSE(running_daemon(plan.path()).has_value());  // locked, but not (or no longer) published
}

TEST_CASE("a daemon.json nobody holds the lock for is stale: the daemon died, and its port may be anyone's") {
  TempDir plan;
  {
    auto lock = DaemonLock::acquire(plan.path());
    REQUIRE(lock.ok());
    REQUIRE(write_daemon_info(plan.path(), sample_info()).ok());
    REQUIRE(running_daemon(plan.path()).has_value());
  }  // the daemon is gone; the kernel released its lock, the file stays behind
  CHECK(fs::exists(plan / ".lorsync/daemon.json"));
  CHECK_FALSE(running_daemon(plan.path()).has_value());
}

TEST_CASE("no plan folder, no lock file, and no daemon.json are all no daemon") {
  TempDir plan;
  CHECK_FALSE(running_daemon(plan / "missing").has_value());
  CHECK_FALSE(running_daemon(plan.path()).has_value());
  auto lock = DaemonLock::acquire(plan.path());
  REQUIRE(lock.ok());
  CHECK_FALSE(running_daemon(plan.path()).has_value());  // locked, nothing published yet
}

TEST_CASE("a garbled or incomplete daemon.json is no daemon") {
  TempDir plan;
  auto lock = DaemonLock::acquire(plan.path());
  REQUIRE(lock.ok());
  for (const char* text : {"", "{", "not json", "[1, 2]", "\"text\"", "{\"pid\": 1, \"url\": \"http://127.0.0.1:1/\"}",
                           "{\"port\": 23231}", "{\"port\": 0, \"token\": \"abc\"}",
                           "{\"port\": 23231, \"token\": \"\"}"}) {
    INFO(text);
    write_file(plan / ".lorsync/daemon.json", text);
    CHECK_FALSE(running_daemon(plan.path()).has_value());
  }
}

// A daemon.json whose members have the wrong types (another program's, or a half-written file from a tool
// that is not lorsyncd), or a port out of range, reads as no daemon.
TEST_CASE("a daemon.json with members of the wrong type is no daemon, not an exception") {
  TempDir plan;
  auto lock = DaemonLock::acquire(plan.path());
  REQUIRE(lock.ok());
  write_file(plan / ".lorsync/daemon.json", "{\"pid\": 1, \"port\": \"23231\", \"url\": \"u\", \"token\": \"t\"}");
  std::optional<DaemonInfo> running;
  CHECK_NOTHROW(running = running_daemon(plan.path()));
  CHECK_FALSE(running.has_value());
  write_file(plan / ".lorsync/daemon.json", "{\"pid\": 1, \"port\": 70000, \"url\": \"u\", \"token\": \"t\"}");
  CHECK_FALSE(running_daemon(plan.path()).has_value());
}

TEST_CASE("one daemon per plan: a second lock is refused naming the first, and is free once it is gone") {
  TempDir plan;
  {
    auto first = DaemonLock::acquire(plan.path());
    REQUIRE(first.ok());
    REQUIRE(write_daemon_info(plan.path(), sample_info()).ok());
    auto second = DaemonLock::acquire(plan.path());
    REQUIRE_FALSE(second.ok());
    CHECK(second.error().code == ErrorCode::locked);
    CHECK(second.error().message ==
          "another lorsyncd already serves this plan (pid 4242, http://127.0.0.1:23231/); stop it first, or use it");
  }
  auto again = DaemonLock::acquire(plan.path());
  CHECK(again.ok());
}

TEST_CASE("tokens are 64 lowercase hex digits and never repeat") {
  std::set<std::string> seen;
  for (int i = 0; i < 20; ++i) {
    auto token = new_token();
    REQUIRE(token.ok());
    CHECK(token.value().size() == 64);
    CHECK(token.value().find_first_not_of("0123456789abcdef") == std::string::npos);
    seen.insert(token.value());
  }
  CHECK(seen.size() == 20);
}

TEST_CASE("the RPC client's connect to a port nobody listens on is an error within its timeout") {
  ConnectOptions options;
  options.port = free_port();
  options.timeout = std::chrono::milliseconds(2000);
  auto started = std::chrono::steady_clock::now();
  auto client = RpcClient::connect(options);
  REQUIRE_FALSE(client.ok());
  CHECK(client.error().code == ErrorCode::io);
  CHECK(client.error().message.starts_with("cannot connect to the daemon on port " + std::to_string(options.port) + ": "));
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(4000));
  options.address = "localhost";  // a name, not an address: refused before any connection
  auto named = RpcClient::connect(options);
  REQUIRE_FALSE(named.ok());
  CHECK(named.error().code == ErrorCode::usage);
  CHECK(named.error().message == "localhost is not an IP address");
}
