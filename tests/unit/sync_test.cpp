// Sync in process, with real repositories and a real bare remote in temp dirs:
// the property that devices editing at random, syncing at random, always
// converge with nothing lost; crash recovery of an interrupted merge; each
// kind of remote failure as the remote gives it; and the plan's location and
// LORSYNC_TODAY rules sync's commands rely on.
#include <catch2/catch.hpp>

#include "common/date.hpp"
#include "merge/tree_merge.hpp"
#include "store/plan_location.hpp"
#include "store/store.hpp"
#include "support/git_server.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "sync/sync_cycle.hpp"

#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <set>

using namespace lorsync;
using namespace lorsync::test;
namespace fs = std::filesystem;

namespace {

const Date kToday = *parse_date("2026-08-15");
const std::vector<std::string> kLetters = {"brennan-neurology", "delgado-consult", "halvorsen-chair", "qureshi-home",
                                           "whitfield-inpatient"};
const std::vector<std::string> kEvents = {"asked", "agreed", "packet-sent", "reminded", "uploaded", "thanked"};
const std::vector<std::string> kTitles = {"attending", "chair", "program-director", "faculty"};

std::string git_out(const fs::path& repo, std::vector<std::string> args) {
  args.insert(args.begin(), {"git", "-C", repo.string()});
  ProcessResult result = run_process(args);
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  return result.out;
}

struct SimDevice {
  std::string name;
  fs::path root;
  std::optional<Store> store;
  std::optional<Remote> remote;

  void open() {
    auto opened = Store::open(root, StoreOptions{name, std::chrono::milliseconds(2000)});
    REQUIRE(opened.ok());
    store.emplace(std::move(opened.value()));
    auto linked = Remote::open(root);
    REQUIRE(linked.ok());
    remote.emplace(std::move(linked.value()));
  }
  Result<SyncReport> sync() {
    return run_sync_cycle(*remote, [this](const std::string& commit) { return store->integrate(commit); });
  }
  std::string head() { return store->head().value().value_or(""); }
};

// Devices that share a bare remote: the first starts from the sample plan, the others clone it.
// Durability is not what these tests are about: in memory (when there is a tmpfs), the commits' fsyncs cost
// nothing and 200 random sequences take seconds instead of minutes.
fs::path fast_temp_parent() {
  std::error_code ec;
  return fs::is_directory("/dev/shm", ec) ? fs::path("/dev/shm") : fs::temp_directory_path();
}

struct Fleet {
  TempDir dir{fast_temp_parent()};
  fs::path bare = dir / "remote.git";
  std::vector<SimDevice> devices;

  explicit Fleet(size_t count) {
    REQUIRE(run_process({"git", "init", "-q", "--bare", "--initial-branch=main", bare.string()}).exit_code == 0);
    for (size_t i = 0; i < count; ++i) {
      SimDevice device{"device-" + std::to_string(i), dir / ("device-" + std::to_string(i)), {}, {}};
      if (i == 0) {
        InitOptions options;
        options.sample = true;
        options.today = kToday;
        options.store.device = device.name;
        REQUIRE(Store::init(device.root, options).ok());
        device.open();
        REQUIRE(device.remote->set_origin(bare.string()).ok());
        auto pushed = device.sync();
        INFO((pushed ? "" : pushed.error().message));
        REQUIRE(pushed.ok());
      } else {
        auto cloned = clone_plan(bare.string(), device.root, "");
        INFO((cloned ? "" : cloned.error().message));
        REQUIRE(cloned.ok());
        device.open();
      }
      devices.push_back(std::move(device));
    }
  }

  // Syncs every device in turn until all have the same HEAD.
  void converge(std::vector<SyncConflict>& reported) {
    for (int round = 0; round < 4; ++round) {
      for (auto& device : devices) {
        auto done = device.sync();
        INFO(device.name << ": " << (done ? "" : done.error().message));
        REQUIRE(done.ok());
        for (const auto& item : done->integrations)
          reported.insert(reported.end(), item.integration.conflicts.begin(), item.integration.conflicts.end());
      }
      bool same = true;
      for (auto& device : devices) same = same && device.head() == devices.front().head();
      if (same) return;
    }
    FAIL("devices did not converge in four rounds");
  }
};

}  // namespace

TEST_CASE("sync property: random edits on two or three devices with random sync points always converge, nothing lost",
          "[sync][property]") {
  // 200 in the main test pass; the sanitizer pass (ten times slower) may ask for fewer.
  const char* asked = std::getenv("LORSYNC_PROPERTY_SEQUENCES");
  const int sequences = asked && *asked ? std::atoi(asked) : 200;
  for (int sequence = 0; sequence < sequences; ++sequence) {
    std::mt19937 random(static_cast<unsigned>(sequence) * 7919u + 17u);
    Fleet fleet(2 + random() % 2);
    auto pick = [&random](const auto& list) -> const auto& { return list[random() % list.size()]; };
    std::set<std::pair<std::string, std::string>> recorded;  // (letter, note) of every event recorded
    std::vector<SyncConflict> reported;
    std::set<std::string> pushed;  // every tip the remote's branch had after a sync
    int operations = 6 + static_cast<int>(random() % 6);
    for (int op = 0; op < operations; ++op) {
      SimDevice& device = fleet.devices[random() % fleet.devices.size()];
      const std::string tag = "s" + std::to_string(sequence) + "-op" + std::to_string(op);
      switch (random() % 5) {
        case 0:
        case 1: {  // record an event
          const std::string& letter = pick(kLetters);
          LetterEvent event{*parse_date("2026-07-" + std::to_string(10 + random() % 20)), pick(kEvents), "", tag};
          if (device.store->record(letter, event).ok()) recorded.insert({letter, tag});
          break;
        }
        case 2: {  // change a scalar field both sides may change
          DocumentRef target{DocumentKind::letter, pick(kLetters)};
          (void)device.store->update(target, {FieldEdit{FieldEdit::Op::set, {"eras_letter_id"}, device.name + "-" + tag}});
          break;
        }
        case 3: {  // a line added to a letter's notes in an editor
          fs::path file = device.root / "letters" / (pick(kLetters) + ".md");
          std::ofstream(file, std::ios::app) << "Note " << tag << " from " << device.name << ".\n";
          OutsideEdits edits = device.store->commit_outside_edits();
          REQUIRE_FALSE(edits.error);
          break;
        }
        default: {  // sync now
          auto done = device.sync();
          INFO(device.name << ": " << (done ? "" : done.error().message));
          REQUIRE(done.ok());
          for (const auto& item : done->integrations)
            reported.insert(reported.end(), item.integration.conflicts.begin(), item.integration.conflicts.end());
          if (auto tip = device.remote->tip_of("refs/remotes/origin/main"); tip && *tip) pushed.insert(**tip);
        }
      }
    }
    fleet.converge(reported);

    INFO("sequence " << sequence);
    const std::string tree = git_out(fleet.devices.front().root, {"rev-parse", "HEAD^{tree}"});
    for (auto& device : fleet.devices) {
      CHECK(git_out(device.root, {"rev-parse", "HEAD^{tree}"}) == tree);
      CHECK(git_out(device.root, {"status", "--porcelain"}).empty());
      CheckedPlan checked = device.store->check();
      INFO((checked.diagnostics.empty() ? "" : format_diagnostic(checked.diagnostics.front())));
      CHECK(checked.valid());
    }
    // Every event ever recorded is there.
    SimDevice& any = fleet.devices.back();
    for (const auto& [letter, note] : recorded) {
      std::ifstream in(any.root / "letters" / (letter + ".md"));
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      INFO(letter << " " << note);
      CHECK(text.find("note: " + note) != std::string::npos);
    }
    // Every conflict a merge reported is recorded, once.
    CheckedPlan final_plan = any.store->check();
    std::vector<SyncConflict> open = final_plan.plan.sync_conflicts;
    std::vector<SyncConflict> unique = open;
    normalize(unique);
    CHECK(unique.size() == open.size());
    for (const auto& conflict : reported) {
      INFO(conflict.path << " " << conflict.field << " kept " << conflict.kept_value << " lost " << conflict.lost_value);
      CHECK(std::binary_search(unique.begin(), unique.end(), conflict));
    }
    // Every commit ever pushed is still in the remote's history: nothing was rewritten.
    for (auto& device : fleet.devices) pushed.insert(device.head());
    for (const auto& commit : pushed)
      CHECK(run_process({"git", "-C", fleet.bare.string(), "merge-base", "--is-ancestor", commit, "main"}).exit_code == 0);
  }
}

namespace {

// A fetch from `url` by a device whose plan has it as origin.
Error fetch_failure(const std::string& url) {
  Fleet fleet(1);
  SimDevice& device = fleet.devices.front();
  REQUIRE(device.remote->set_origin(url).ok());
  auto fetched = device.remote->fetch();
  REQUIRE_FALSE(fetched.ok());
  return fetched.error();
}

}  // namespace

TEST_CASE("sync: a remote's failure comes back as its kind, decided from libgit2's codes and error classes",
          "[sync]") {
  TempDir scratch;
  SECTION("a closed port on 127.0.0.1 is unreachable") {
    for (const std::string scheme : {"git", "ssh", "http"}) {
      Error error = fetch_failure(scheme + "://127.0.0.1:" + std::to_string(free_port()) + "/plan.git");
      INFO(error.message);
      CHECK(error.code == ErrorCode::remote);
      CHECK(error.remote_failure == RemoteFailure::unreachable);
      CHECK_THAT(error.message, Catch::Contains("cannot reach the remote"));
    }
  }
  SECTION("a folder that does not exist, and one that is no repository, are not found") {
    for (const std::string& folder : {(scratch / "nowhere.git").string(), "file://" + (scratch / "nowhere.git").string(),
                                      scratch.path().string()}) {
      Error error = fetch_failure(folder);
      INFO(error.message);
      CHECK(error.remote_failure == RemoteFailure::not_found);
      CHECK_THAT(error.message, Catch::Contains("not a git repository, or it does not exist"));
    }
  }
  SECTION("a kind of URL lorsync has no transport for") {
    Error error = fetch_failure("ftp://127.0.0.1/plan.git");
    CHECK(error.remote_failure == RemoteFailure::unsupported_url);
    CHECK_THAT(error.message, Catch::Contains("cannot use this kind of URL"));
  }
  SECTION("errors that are not the remote's carry no remote failure") {
    Fleet fleet(1);
    auto unset = fleet.devices.front().remote->set_origin("  ");
    REQUIRE_FALSE(unset.ok());
    CHECK(unset.error().remote_failure == RemoteFailure::none);
  }
}

TEST_CASE("sync: a push the remote cannot fast-forward is told from one it refuses, and the next cycle merges and pushes",
          "[sync]") {
  Fleet fleet(2);
  SimDevice& laptop = fleet.devices[0];
  SimDevice& desktop = fleet.devices[1];
  std::optional<GitServer> server;
  SECTION("a folder") {}
  SECTION("git:// served by git daemon") {
    server.emplace(fleet.dir.path());
    const std::string url = "git://127.0.0.1:" + std::to_string(server->port) + "/remote.git";
    for (SimDevice* device : {&laptop, &desktop}) REQUIRE(device->remote->set_origin(url).ok());
  }
  REQUIRE(desktop.store->record("qureshi-home", LetterEvent{kToday, "reminded", "", "from the desktop"}).ok());
  REQUIRE(desktop.sync().ok());
  REQUIRE(laptop.store->record("brennan-neurology", LetterEvent{kToday, "uploaded", "", "from the laptop"}).ok());
  // Without a fetch first, the laptop's push would lose the desktop's commit: the remote refuses it.
  auto refused = laptop.remote->push();
  INFO((refused ? "" : refused.error().message));
  REQUIRE(refused.ok());
  CHECK(*refused == PushOutcome::rejected_not_fast_forward);
  auto synced = laptop.sync();
  INFO((synced ? "" : synced.error().message));
  REQUIRE(synced.ok());
  CHECK(synced->pushed);
  CHECK(git_out(fleet.bare, {"rev-parse", "main"}) == git_out(laptop.root, {"rev-parse", "HEAD"}));

  // A remote refusing for a reason of its own is no race to retry (libgit2 runs no hooks on a folder).
  if (!server) return;
  fs::path hook = fleet.bare / "hooks/pre-receive";
  std::ofstream(hook) << "#!/bin/sh\necho 'pushes are frozen' >&2\nexit 1\n";
  fs::permissions(hook, fs::perms::owner_all);
  REQUIRE(laptop.store->record("qureshi-home", LetterEvent{kToday, "thanked", "", "from the laptop"}).ok());
  auto frozen = laptop.remote->push();
  REQUIRE_FALSE(frozen.ok());
  CHECK(frozen.error().remote_failure == RemoteFailure::rejected);
  CHECK_THAT(frozen.error().message, Catch::Contains("refused the push"));
}

TEST_CASE("LORSYNC_TODAY: a date overrides today, unset or empty it does not, anything else is refused", "[date]") {
  const char* saved = std::getenv("LORSYNC_TODAY");
  const std::string restore = saved ? saved : "";
  ::setenv("LORSYNC_TODAY", "2026-09-30", 1);
  auto given = today_override_from_env();
  REQUIRE(given.ok());
  CHECK(*given == parse_date("2026-09-30"));
  ::setenv("LORSYNC_TODAY", "", 1);
  auto empty = today_override_from_env();
  REQUIRE(empty.ok());
  CHECK_FALSE(empty->has_value());
  for (const char* malformed : {"2026-02-30", "tomorrow", "2026-9-30"}) {
    ::setenv("LORSYNC_TODAY", malformed, 1);
    auto refused = today_override_from_env();
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == ErrorCode::usage);
    CHECK(refused.error().message == "LORSYNC_TODAY=" + std::string(malformed) + " is not a date (YYYY-MM-DD)");
  }
  if (saved) ::setenv("LORSYNC_TODAY", restore.c_str(), 1);
  else ::unsetenv("LORSYNC_TODAY");
}

TEST_CASE("plan location: init and clone create the plan at DIR, else --plan, else the default - and a missing plan says how to make one",
          "[store]") {
  CHECK(new_plan_dir("/tmp/given", "/tmp/option") == fs::path("/tmp/given"));
  CHECK(new_plan_dir("", "/tmp/option") == fs::path("/tmp/option"));
  CHECK(new_plan_dir("", "") == default_plan_dir());
  CHECK(new_plan_dir("relative", "") == fs::current_path() / "relative");
  TempDir empty;
  auto opened = Store::open(empty.path());
  REQUIRE_FALSE(opened.ok());
  CHECK(opened.error().code == ErrorCode::not_found);
  CHECK(opened.error().message == no_plan_at(empty.path()).message);
  CHECK_THAT(opened.error().message, Catch::StartsWith("no plan at " + empty.path().string() + "; create one with `lorsync init`"));
  CHECK_THAT(opened.error().message, Catch::EndsWith("or pass --plan DIR"));
}

TEST_CASE("a commit's summary is what follows VERB: KIND/ID, or the whole first line when it has no such part",
          "[store]") {
  CHECK(CommitResult{"c", "letters/x.md", "r", "record: letters/x — reminded"}.summary() == "reminded");
  CHECK(CommitResult{"c", "sync-conflicts.yaml", "r", "resolve: 2 sync conflicts"}.summary() == "resolve: 2 sync conflicts");
  CHECK(CommitResult{"c", "", "", ""}.summary().empty());
}
