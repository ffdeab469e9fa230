// Sync run by real lorsyncd daemons: each device's daemon syncs after commits
// and on its timer, tells subscribers (plan.changed source sync, sync.changed),
// reports conflicts in sync.status, and keeps serving through every remote
// fault — a missing path, not a repository, a hook that rejects pushes, ssh to
// a closed port, a corrupt object — backing off, losing no local commit, and
// naming the fault's kind in sync.now's error; `lorsync sync` reports a failed
// round the same with and without a daemon. Also kill -9 in the middle of a merge.
#include <catch2/catch.hpp>

#include "integration/sync_support.hpp"
#include "support/daemon.hpp"
#include "support/git_server.hpp"
#include "support/rpc_calls.hpp"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <random>
#include <thread>

using namespace lorsync;
using namespace lorsync::test;
using nlohmann::json;
namespace fs = std::filesystem;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

namespace {

// Quick rounds for tests: sync 100 ms after a commit, poll every second, retry after 1, 2, 4, 4 ... s.
fs::path fast_sync_config(const TempDir& dir) {
  fs::path path = dir / "config.yaml";
  write_file(path, "sync_interval_s: 1\nsync_debounce_ms: 100\nsync_retry_min_s: 1\nsync_retry_max_s: 4\n");
  return path;
}

struct SyncingDevice {
  Device device;
  TempDir config_dir;
  std::optional<DaemonProcess> daemon;
  explicit SyncingDevice(std::string name) : device(std::move(name)) {}
  void start() {
    daemon.emplace(device.plan, std::vector<std::string>{"--config", fast_sync_config(config_dir).string()},
                   std::map<std::string, std::string>{{"LORSYNC_DEVICE", device.name}});
    INFO(daemon->log());
    REQUIRE(daemon->running());
  }
};

// Polls `condition` every 50 ms until it holds; fails after `timeout`.
void eventually(const std::function<bool()>& condition, milliseconds timeout, const std::string& what) {
  auto deadline = Clock::now() + timeout;
  while (!condition()) {
    INFO("waiting until " << what);
    REQUIRE(Clock::now() < deadline);
    std::this_thread::sleep_for(milliseconds(50));
  }
}

bool is_ancestor(const fs::path& repo, const std::string& commit, const std::string& of) {
  return run_git(repo, {"merge-base", "--is-ancestor", commit, of}).exit_code == 0;
}

}  // namespace

TEST_CASE("lorsyncd: two daemons sync each other's changes, announce them, and report a conflict in sync.status") {
  BareRemote remote;
  SyncingDevice laptop("laptop"), desktop("desktop");
  start_with_sample(laptop.device, remote);
  clone_to(desktop.device, remote);
  laptop.start();
  desktop.start();
  RpcClient on_laptop = laptop.daemon->connect();
  RpcClient on_desktop = desktop.daemon->connect();
  call_ok(on_desktop, "subscribe");

  eventually([&] { return call_ok(on_laptop, "sync.status")["state"] == "ok"; }, milliseconds(5000), "laptop syncs");
  json status = call_ok(on_laptop, "sync.status");
  CHECK(status["remote"] == remote.path.string());
  CHECK(status["ahead"] == 0);
  CHECK(status["last_error"].is_null());
  CHECK(status["conflicts"].empty());

  // An API change on the laptop reaches the desktop's subscribers by itself.
  call_ok(on_laptop, "letter.record", {{"letter", "halvorsen-chair"}, {"event", "reminded"}, {"date", "2026-08-14"}});
  auto sent = Clock::now();
  json changed;
  do changed = wait_for(on_desktop, "plan.changed", milliseconds(8000));
  while (changed["source"] != "sync");
  CHECK(changed["paths"] == json::array({"letters/halvorsen-chair.md"}));
  CHECK(Clock::now() - sent < std::chrono::seconds(5));
  CHECK(desktop.device.file("letters/halvorsen-chair.md").find("event: reminded") != std::string::npos);

  // The same field on both while the laptop is offline (its daemon stopped, the CLI commits locally):
  // once it is back, both daemons end up with the later value and the conflict in sync.status.
  on_laptop.close();
  REQUIRE(laptop.daemon->stop() == 0);
  laptop.device.ok({"set", "letter", "delgado-consult", "eras_letter_id=L-1"});
  std::this_thread::sleep_for(milliseconds(1100));
  call_ok(on_desktop, "entity.update", {{"kind", "letter"}, {"id", "delgado-consult"}, {"set", {{"eras_letter_id", "L-2"}}}});
  eventually([&] { return run_git(remote.path, {"rev-parse", "main"}).out == run_git(desktop.device.plan, {"rev-parse", "HEAD"}).out; },
             milliseconds(5000), "the desktop pushed");
  laptop.start();
  on_laptop = laptop.daemon->connect();
  eventually(
      [&] {
        return call_ok(on_laptop, "sync.status")["conflicts"].size() == 1 &&
               call_ok(on_desktop, "sync.status")["conflicts"].size() == 1 &&
               laptop.device.head() == desktop.device.head();
      },
      milliseconds(15000), "both daemons merged and show the conflict");
  json conflict = call_ok(on_desktop, "sync.status")["conflicts"][0];
  CHECK(conflict == json{{"path", "letters/delgado-consult.md"}, {"field", "eras_letter_id"}, {"kept", "L-2"},
                         {"lost", "L-1"}, {"kept_device", "desktop"}, {"lost_device", "laptop"}});
  json sync_changed;
  do sync_changed = wait_for(on_desktop, "sync.changed", milliseconds(5000));
  while (sync_changed["conflicts"].empty());
  CHECK(sync_changed["conflicts"][0] == conflict);
  CHECK(call_ok(on_laptop, "plan.get", {{"kind", "letter"}, {"id", "delgado-consult"}})["data"]["eras_letter_id"] == "L-2");

  // sync.now answers with what the round did; sync.resolve settles the conflict on every device.
  json report = call_ok(on_laptop, "sync.now", json::object(), std::chrono::seconds(30));
  CHECK(report["remote"] == remote.path.string());
  CHECK(call_error(on_laptop, "sync.resolve", {{"path", "letters/nope.md"}}) == -32002);
  call_ok(on_laptop, "sync.resolve", {{"path", "letters/delgado-consult.md"}, {"field", "eras_letter_id"}});
  eventually([&] { return call_ok(on_desktop, "sync.status")["conflicts"].empty(); }, milliseconds(10000),
             "the desktop hears the conflict was settled");
  CHECK(conflict_markers(laptop.device.plan).empty());
  CHECK(conflict_markers(desktop.device.plan).empty());
}

TEST_CASE("lorsyncd: remote faults are reported in plain words, retried with backoff, and lose no local commit") {
  BareRemote good;
  SyncingDevice laptop("laptop");
  start_with_sample(laptop.device, good);
  std::string expected_words;
  std::string expected_failure;  // sync.now's data.failure
  std::function<void()> repair;  // makes the remote usable again, where that is possible here
  TempDir scratch;
  std::optional<GitServer> git_server;

  SECTION("the remote path is missing") {
    fs::path missing = scratch / "usb/plan.git";
    laptop.device.ok({"remote", missing.string()});
    expected_words = "does not exist";
    expected_failure = "not_found";
    repair = [&good, missing] {
      REQUIRE(run_process({"git", "clone", "-q", "--bare", good.path.string(), missing.string()}).exit_code == 0);
    };
  }
  SECTION("the remote is not a git repository") {
    fs::create_directories(scratch / "not-a-repo");
    write_file(scratch / "not-a-repo/notes.txt", "just a folder\n");
    laptop.device.ok({"remote", (scratch / "not-a-repo").string()});
    expected_words = "not a git repository";
    expected_failure = "not_found";
    repair = [&] { laptop.device.ok({"remote", good.path.string()}); };
  }
  SECTION("the remote's pre-receive hook rejects pushes") {
    fs::path served = scratch / "served";
    REQUIRE(run_process({"git", "clone", "-q", "--bare", good.path.string(), (served / "plan.git").string()}).exit_code == 0);
    fs::path hook = served / "plan.git/hooks/pre-receive";
    write_file(hook, "#!/bin/sh\necho 'pushes are frozen for maintenance' >&2\nexit 1\n");
    fs::permissions(hook, fs::perms::owner_all);
    git_server.emplace(served);
    laptop.device.ok({"remote", "git://127.0.0.1:" + std::to_string(git_server->port) + "/plan.git"});
    expected_words = "refused the push";
    expected_failure = "rejected";
    repair = [hook] { fs::remove(hook); };
  }
  SECTION("ssh to a closed port") {
    laptop.device.ok({"remote", "ssh://git@127.0.0.1:" + std::to_string(free_port()) + "/plan.git"});
    expected_words = "cannot reach the remote";
    expected_failure = "unreachable";
    repair = [&] { laptop.device.ok({"remote", good.path.string()}); };
  }
  SECTION("an object in the remote is corrupt") {
    // Another device pushes; then the remote's copy of that push is damaged on disk.
    Device desktop("desktop");
    clone_to(desktop, good);
    desktop.ok({"record", "qureshi-home", "reminded", "--on", "2026-08-14"});
    desktop.git({"push", "-q", "origin", "main"});  // git's receive-pack keeps a small push as loose objects
    std::string blob = run_git(good.path, {"rev-parse", "main:letters/qureshi-home.md"}).out.substr(0, 40);
    fs::path object = good.path / "objects" / blob.substr(0, 2) / blob.substr(2);
    REQUIRE(fs::exists(object));
    fs::permissions(object, fs::perms::owner_read | fs::perms::owner_write);
    write_file(object, "this is not a zlib stream");
    expected_words = "damaged";
    expected_failure = "damaged";
  }

  REQUIRE_FALSE(expected_words.empty());
  laptop.start();
  RpcClient client = laptop.daemon->connect();
  call_ok(client, "subscribe");
  std::vector<std::string> local_commits;
  for (const char* event : {"reminded", "uploaded"}) {
    json done = call_ok(client, "letter.record", {{"letter", "brennan-neurology"}, {"event", event}, {"date", "2026-08-15"}});
    local_commits.push_back(done["commit"]);
  }
  // Failures come one after another, each further apart than the last (1 s, 2 s, ...).
  std::vector<Clock::time_point> failed_at;
  json status;
  auto give_up = Clock::now() + std::chrono::seconds(30);
  while (failed_at.size() < 3) {
    REQUIRE(Clock::now() < give_up);
    json changed = wait_for(client, "sync.changed", milliseconds(10000));
    if (changed["failures"].get<int>() > static_cast<int>(failed_at.size())) {
      failed_at.push_back(Clock::now());
      status = changed;
    }
  }
  INFO(status.dump());
  CHECK(status["state"] == (expected_failure == "unreachable" ? "offline" : "error"));
  CHECK(status["last_error"].get<std::string>().find(expected_words) != std::string::npos);
  CHECK(status["ahead"].get<int>() >= 2);
  CHECK(failed_at[2] - failed_at[1] > (failed_at[1] - failed_at[0]) * 3 / 2);
  // Meanwhile the daemon serves and takes changes; sync.now fails with -32005 and says why.
  CHECK(call_ok(client, "plan.status").contains("letters"));
  local_commits.push_back(call_ok(client, "letter.record", {{"letter", "qureshi-home"}, {"event", "thanked"}})["commit"]);
  auto now = client.call("sync.now", json::object(), std::chrono::seconds(30));
  REQUIRE(now);
  CHECK(error_code(*now) == -32005);
  CHECK((*now)["error"]["message"].get<std::string>().find(expected_words) != std::string::npos);
  CHECK((*now)["error"]["data"]["error"] == "remote");
  CHECK((*now)["error"]["data"]["failure"] == expected_failure);
  CHECK((*now)["error"]["data"]["sync"]["last_error"] == (*now)["error"]["message"]);
  CHECK((*now)["error"]["data"]["sync"]["failure"] == expected_failure);
  for (const auto& commit : local_commits) CHECK(is_ancestor(laptop.device.plan, commit, "HEAD"));

  if (repair) {
    repair();
    json report = call_ok(client, "sync.now", json::object(), std::chrono::seconds(30));
    CHECK(report["pushed"] == true);
    CHECK(call_ok(client, "sync.status")["state"] == "ok");
    CHECK(call_ok(client, "sync.status")["failure"].is_null());
    std::string url = call_ok(client, "sync.status")["remote"];
    fs::path remote_repo = url.starts_with("git://") ? scratch / "served/plan.git" : fs::path(url);
    for (const auto& commit : local_commits) CHECK(is_ancestor(remote_repo, commit, "main"));
  }
  CHECK(run_git(laptop.device.plan, {"fsck", "--full"}).exit_code == 0);
}

TEST_CASE("lorsync sync: a failed round is the same error with and without a daemon, for each kind of fault") {
  BareRemote good;
  SyncingDevice laptop("laptop");
  start_with_sample(laptop.device, good);
  TempDir scratch;
  fs::create_directories(scratch / "not-a-repo");
  const std::vector<std::string> remotes = {(scratch / "usb/plan.git").string(), (scratch / "not-a-repo").string(),
                                            "git://127.0.0.1:" + std::to_string(free_port()) + "/plan.git"};
  auto sync_error = [&laptop] {
    ProcessResult run = laptop.device.lorsync({"--json", "sync"});
    INFO(run.out << run.err);
    json out = json::parse(run.out, nullptr, false);
    REQUIRE(out.is_object());
    return std::pair{run.exit_code, out["error"]};
  };
  const std::vector<std::string> failures = {"not_found", "not_found", "unreachable"};
  for (size_t i = 0; i < remotes.size(); ++i) {
    const std::string& url = remotes[i];
    laptop.device.ok({"remote", url});
    auto [direct_exit, direct] = sync_error();
    CHECK(direct["failure"] == failures[i]);  // the kind of fault, which the daemon's answer keeps
    laptop.start();
    auto [daemon_exit, through_daemon] = sync_error();
    laptop.daemon.reset();
    INFO(url << "\n" << direct.dump() << "\n" << through_daemon.dump());
    CHECK(direct_exit == 3);
    CHECK(daemon_exit == direct_exit);
    CHECK(through_daemon == direct);
  }
  // The plan's remote removed: not a remote's failure, and not one through the daemon either.
  laptop.device.git({"remote", "remove", "origin"});
  auto [direct_exit, direct] = sync_error();
  laptop.start();
  auto [daemon_exit, through_daemon] = sync_error();
  CHECK(direct_exit == 2);
  CHECK_FALSE(direct.contains("failure"));
  CHECK(daemon_exit == direct_exit);
  CHECK(through_daemon == direct);
}

TEST_CASE("lorsyncd: killed with -9 in the middle of a merge, the restarted daemon finishes it with a clean work tree") {
  BareRemote remote;
  SyncingDevice laptop("laptop");
  Device desktop("desktop");
  start_with_sample(laptop.device, remote);
  clone_to(desktop, remote);
  std::mt19937 random(20261128);
  for (int round = 0; round < 6; ++round) {
    // The other device changes many files at once, so that the merge takes a while to write.
    for (int i = 0; i < 300; ++i)
      write_file(desktop.plan / "packet/extra" / ("note-" + std::to_string(i) + ".txt"),
                 "round " + std::to_string(round) + " note " + std::to_string(i) + "\n");
    desktop.git({"add", "-A"});
    desktop.git({"commit", "-q", "-m", "add: packet notes"});
    desktop.git({"push", "-q", "origin", "main"});
    std::string theirs = desktop.head();
    laptop.device.ok({"record", "halvorsen-chair", "reminded", "--on", "2026-08-1" + std::to_string(round % 6)});
    std::string ours = laptop.device.head();

    laptop.start();
    std::this_thread::sleep_for(milliseconds(random() % 120));
    laptop.daemon->stop(SIGKILL);
    laptop.daemon.reset();

    // Killed while pushing to a folder, it leaves the remote's branch locked, as git would; the error says
    // which file to delete, and the user does.
    fs::path stale_lock = remote.path / "refs/heads/main.lock";
    if (fs::exists(stale_lock)) fs::remove(stale_lock);
    laptop.start();
    RpcClient client = laptop.daemon->connect();
    call_ok(client, "sync.now", json::object(), std::chrono::seconds(30));
    INFO("round " << round);
    CHECK(laptop.device.git({"status", "--porcelain"}) == "");
    CHECK(is_ancestor(laptop.device.plan, theirs, "HEAD"));
    CHECK(is_ancestor(laptop.device.plan, ours, "HEAD"));
    CHECK(laptop.device.file("packet/extra/note-299.txt") == "round " + std::to_string(round) + " note 299\n");
    CHECK(run_git(laptop.device.plan, {"fsck", "--full"}).exit_code == 0);
    CHECK_FALSE(fs::exists(laptop.device.plan / ".lorsync/sync-in-progress"));
    laptop.daemon.reset();
    desktop.ok({"sync"});
  }
}
