// Sync in process, with real repositories and a real bare remote in temp dirs:
// the property that devices editing at random, syncing at random, always
// converge with nothing lost; and crash recovery of an interrupted merge.
#include <catch2/catch.hpp>

#include "merge/tree_merge.hpp"
#include "store/store.hpp"
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
