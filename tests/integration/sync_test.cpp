// Sync between devices through a real bare remote, with the real lorsync
// binary on each device: every kind of concurrent edit converges to the same
// tree, nothing is lost, conflicts are recorded (never markers), and a device
// that is only the git CLI takes part: it clones a remote made by plain
// `git init --bare`, and its `git pull` finds lorsync's merge driver on PATH.
#include <catch2/catch.hpp>

#include "integration/sync_support.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <thread>

using namespace lorsync;
using namespace lorsync::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// Commit times have one-second resolution; "the later change" needs a later second.
void next_second() { std::this_thread::sleep_for(std::chrono::milliseconds(1100)); }

struct TwoDevices {
  BareRemote remote;
  Device laptop{"laptop"};
  Device desktop{"desktop"};
  TwoDevices() {
    start_with_sample(laptop, remote);
    clone_to(desktop, remote);
  }
};

size_t count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("sync: a second device is set up with clone and both converge on edits to different entities") {
  TwoDevices d;
  CHECK(d.desktop.tree() == d.laptop.tree());
  // clone registers the merge driver, as init does
  CHECK(d.desktop.git({"config", "merge.lorsync.driver"}).find("merge-file %O %A %B %P") != std::string::npos);
  CHECK(d.laptop.git({"config", "merge.lorsync.driver"}).find("merge-file %O %A %B %P") != std::string::npos);
  // remote and clone set the branch's upstream, as git clone does: a plain `git pull` knows what to merge.
  for (const Device* device : {&d.laptop, &d.desktop})
    CHECK(device->git({"rev-parse", "--abbrev-ref", "main@{upstream}"}) == "origin/main\n");

  d.laptop.ok({"set", "writer", "samuel-brennan", "title=chair"});
  d.desktop.ok({"record", "halvorsen-chair", "reminded", "--on", "2026-08-14"});
  json report = json::parse(d.laptop.ok({"--json", "sync"}));
  CHECK(report["pushed"] == true);
  CHECK(report["received"].empty());
  report = json::parse(d.desktop.ok({"--json", "sync"}));
  REQUIRE(report["received"].size() == 1);
  CHECK(report["received"][0]["kind"] == "merge");
  CHECK(report["received"][0]["conflicts"].empty());
  CHECK(report["pushed"] == true);
  converge({&d.laptop, &d.desktop});
  CHECK(d.laptop.file("writers/samuel-brennan.md").find("title: chair") != std::string::npos);
  CHECK(d.laptop.file("letters/halvorsen-chair.md").find("event: reminded") != std::string::npos);
  CHECK_FALSE(fs::exists(d.laptop.plan / "sync-conflicts.yaml"));
  // The merge commit names where the changes came from and carries this device's trailer.
  std::string message = d.desktop.git({"log", "-1", "--format=%B", "HEAD"});
  CHECK(message.find("sync: plan — merged changes from laptop") != std::string::npos);
  CHECK(message.find("Lorsync-Device: desktop") != std::string::npos);
  // Nothing was ever rewritten: both devices' commits are in the remote's history.
  CHECK(run_git(d.remote.path, {"log", "--format=%s"}).out.find("record: letters/halvorsen-chair") != std::string::npos);
}

TEST_CASE("sync: events recorded on both devices for the same letter all survive, in date order") {
  TwoDevices d;
  d.laptop.ok({"record", "brennan-neurology", "reminded", "--on", "2026-08-12", "--note", "from the laptop"});
  d.desktop.ok({"record", "brennan-neurology", "uploaded", "--on", "2026-08-10", "--note", "from the desktop"});
  d.desktop.ok({"record", "brennan-neurology", "reminded", "--on", "2026-08-13"});
  d.laptop.ok({"sync"});
  d.desktop.ok({"sync"});
  converge({&d.laptop, &d.desktop});
  std::string letter = d.laptop.file("letters/brennan-neurology.md");
  INFO(letter);
  size_t uploaded = letter.find("2026-08-10, event: uploaded");
  size_t laptop_reminder = letter.find("2026-08-12, event: reminded");
  size_t desktop_reminder = letter.find("2026-08-13, event: reminded");
  REQUIRE(uploaded != std::string::npos);
  REQUIRE(laptop_reminder != std::string::npos);
  REQUIRE(desktop_reminder != std::string::npos);
  CHECK(uploaded < laptop_reminder);
  CHECK(laptop_reminder < desktop_reminder);
  CHECK(count(letter, "event: asked") == 1);  // what both had stays once
  CHECK_FALSE(fs::exists(d.laptop.plan / "sync-conflicts.yaml"));
  d.laptop.ok({"validate"});
}

TEST_CASE("sync: the same field changed on both devices: the later change wins and the other is recorded until resolved") {
  TwoDevices d;
  d.laptop.ok({"set", "letter", "delgado-consult", "eras_letter_id=L-100"});
  next_second();
  d.desktop.ok({"set", "letter", "delgado-consult", "eras_letter_id=L-200"});
  d.desktop.ok({"sync"});  // desktop's later change reaches the remote first
  json report = json::parse(d.laptop.ok({"--json", "sync"}));
  REQUIRE(report["received"].size() == 1);
  REQUIRE(report["received"][0]["conflicts"].size() == 1);
  json conflict = report["received"][0]["conflicts"][0];
  CHECK(conflict == json{{"path", "letters/delgado-consult.md"}, {"field", "eras_letter_id"}, {"kept", "L-200"},
                         {"lost", "L-100"}, {"kept_device", "desktop"}, {"lost_device", "laptop"}});
  converge({&d.laptop, &d.desktop});
  CHECK(d.desktop.file("letters/delgado-consult.md").find("eras_letter_id: L-200") != std::string::npos);

  // Shown on both devices: status, the audit, resolve's list.
  for (const Device* device : {&d.laptop, &d.desktop}) {
    std::string status = device->ok({"status"});
    CHECK(status.find("eras_letter_id") != std::string::npos);
    json audit = json::parse(device->lorsync({"--json", "audit"}).out);
    bool found = false;
    for (const auto& finding : audit["findings"])
      found = found || (finding["rule"] == "sync-conflict" && finding["message"].get<std::string>().find("L-100") != std::string::npos);
    CHECK(found);
    json listed = json::parse(device->ok({"--json", "resolve"}));
    CHECK(listed["conflicts"].size() == 1);
  }

  // Settled on one device, settled everywhere.
  ProcessResult wrong = d.laptop.lorsync({"resolve", "letters/delgado-consult.md", "waived"});
  CHECK(wrong.exit_code == 2);
  CHECK(wrong.err.find("eras_letter_id") != std::string::npos);  // names the open ones
  // --keep names one of the two values; "removed" puts back a removal.
  CHECK(d.laptop.lorsync({"resolve", "--all", "--keep", "L-100"}).exit_code == 2);
  // Changed again since the merge: resolve names the value the plan has now.
  d.laptop.ok({"set", "letter", "delgado-consult", "eras_letter_id=L-300"});
  CHECK(d.laptop.ok({"resolve", "letters/delgado-consult.md", "eras_letter_id"}).find("kept as \"L-300\"") !=
        std::string::npos);
  CHECK_FALSE(fs::exists(d.laptop.plan / "sync-conflicts.yaml"));
  converge({&d.laptop, &d.desktop});
  CHECK(json::parse(d.desktop.ok({"--json", "resolve"}))["conflicts"].empty());
  CHECK(d.desktop.ok({"resolve"}).find("No sync conflicts") != std::string::npos);
}

TEST_CASE("sync: both devices changed the same lines of a letter's notes: both texts are kept under a plain note") {
  TwoDevices d;
  const std::string path = "letters/whitfield-inpatient.md";
  std::string original = d.laptop.file(path);
  size_t body = original.find("\n---\n") + 5;
  write_file(d.laptop.plan / path, original.substr(0, body) + "Call her office on Monday.\n");
  d.laptop.ok({"sync"});  // commits the editor's change, then syncs
  next_second();
  write_file(d.desktop.plan / path, original.substr(0, body) + "She prefers email; write on Tuesday.\n");
  d.desktop.ok({"sync"});
  converge({&d.laptop, &d.desktop});
  std::string merged = d.laptop.file(path);
  INFO(merged);
  CHECK(merged.find("Call her office on Monday.") != std::string::npos);
  CHECK(merged.find("She prefers email; write on Tuesday.") != std::string::npos);
  CHECK(merged.find("(lorsync: desktop and laptop both changed the lines below") != std::string::npos);
  CHECK(merged.find("desktop and laptop both changed") < merged.find("She prefers email"));
  CHECK(merged.find("She prefers email") < merged.find("Call her office"));  // the later text first
  d.laptop.ok({"validate"});
  // The conflict says both texts were kept, in the record, in status and in the audit.
  const std::string both_kept = path + ": notes changed on desktop and on laptop; both texts are kept";
  json conflicts = json::parse(d.laptop.ok({"--json", "resolve"}))["conflicts"];
  REQUIRE(conflicts.size() == 1);
  CHECK(conflicts[0]["field"] == "notes");
  CHECK(d.laptop.ok({"status"}).find(both_kept) != std::string::npos);
  CHECK(d.laptop.lorsync({"audit"}).out.find(both_kept) != std::string::npos);
}

TEST_CASE("sync: a peer's device name that is not UTF-8 or holds escapes reaches the merge note, the log and the "
          "terminal as printable text") {
  TwoDevices d;
  const std::string path = "letters/whitfield-inpatient.md";
  const std::string hostile = "\x1b]0;owned\x07\x1b[31mevil\xff";
  const std::string shown = "\xef\xbf\xbd]0;owned\xef\xbf\xbd\xef\xbf\xbd[31mevil\xef\xbf\xbd";
  std::string original = d.laptop.file(path);
  size_t body = original.find("\n---\n") + 5;
  write_file(d.laptop.plan / path, original.substr(0, body) + "Call her office on Monday.\n");
  d.laptop.ok({"sync"});
  next_second();
  // The other device is the git CLI with a trailer of its own making (a declared encoding keeps git from
  // rewriting the byte that is not UTF-8).
  write_file(d.desktop.plan / path, original.substr(0, body) + "She prefers email; write on Tuesday.\n");
  write_file(d.desktop.dir / "message", "edit notes\n\nLorsync-Device: " + hostile + "\n");
  d.desktop.git({"-c", "i18n.commitEncoding=ISO-8859-1", "commit", "-q", "-a", "-F", (d.desktop.dir / "message").string()});
  d.desktop.ok({"sync"});
  converge({&d.laptop, &d.desktop});

  std::string merged = d.laptop.file(path);
  INFO(merged);
  CHECK(merged.find("(lorsync: " + shown + " and laptop both changed the lines below") != std::string::npos);
  CHECK(merged.find('\x1b') == std::string::npos);
  d.laptop.ok({"validate"});
  json conflicts = json::parse(d.laptop.ok({"--json", "resolve"}))["conflicts"];
  REQUIRE(conflicts.size() == 1);
  CHECK(conflicts[0].dump().find(shown) != std::string::npos);
  json log = json::parse(d.laptop.ok({"--json", "log", "-n", "10"}));
  CHECK(log.dump().find("[31mevil") != std::string::npos);
  for (const std::string& output : {d.laptop.ok({"log", "-n", "10"}), d.laptop.ok({"status"})}) {
    CHECK(output.find('\x1b') == std::string::npos);
    CHECK(output.find('\x07') == std::string::npos);
  }
}

TEST_CASE("sync: modify beats delete, and an entity added on both devices merges field by field") {
  TwoDevices d;
  d.laptop.ok({"add", "writer", "nadia-okafor", "--set", "name=Nadia Okafor", "--set", "title=attending",
               "--set", "specialty=pmr", "--set", "institution=Lakeshore", "--set", "country=US"});
  converge({&d.laptop, &d.desktop});
  d.laptop.ok({"rm", "writer", "nadia-okafor"});
  d.desktop.ok({"set", "writer", "nadia-okafor", "institution=Riverside Medical Center"});
  // add/add: the same new id on both, agreeing on some fields, differing on one
  d.laptop.ok({"add", "writer", "lena-park", "--set", "name=Lena Park", "--set", "title=faculty", "--set",
               "specialty=neurology", "--set", "institution=Riverside", "--set", "country=US"});
  next_second();
  d.desktop.ok({"add", "writer", "lena-park", "--set", "name=Lena Park", "--set", "title=attending", "--set",
                "specialty=neurology", "--set", "institution=Riverside", "--set", "country=US"});
  d.laptop.ok({"sync"});
  d.desktop.ok({"sync"});
  converge({&d.laptop, &d.desktop});
  REQUIRE(fs::exists(d.laptop.plan / "writers/nadia-okafor.md"));
  CHECK(d.laptop.file("writers/nadia-okafor.md").find("Riverside Medical Center") != std::string::npos);
  std::string lena = d.laptop.file("writers/lena-park.md");
  INFO(lena);
  CHECK(lena.find("name: Lena Park") != std::string::npos);
  CHECK(lena.find("specialty: neurology") != std::string::npos);
  CHECK(lena.find("title: attending") != std::string::npos);  // the later one
  json conflicts = json::parse(d.laptop.ok({"--json", "resolve"}))["conflicts"];
  REQUIRE(conflicts.size() == 1);
  CHECK(conflicts[0]["field"] == "title");
  CHECK(conflicts[0]["lost"] == "faculty");
  d.laptop.ok({"validate"});
}

TEST_CASE("sync: a file that is not a plan file keeps both versions, and the conflict is reported") {
  TwoDevices d;
  auto commit_pdf = [](const Device& device, const std::string& bytes) {
    write_file(device.plan / "packet/cv.pdf", bytes);
    device.git({"add", "packet/cv.pdf"});
    device.git({"commit", "-q", "-m", "add: packet/cv.pdf — new CV", "-m", "Lorsync-Device: " + device.name});
  };
  commit_pdf(d.laptop, std::string("%PDF-1.7 laptop\0\x01\x02", 19));
  next_second();
  commit_pdf(d.desktop, std::string("%PDF-1.7 desktop\0\x03\x04", 20));
  d.laptop.ok({"sync"});
  d.desktop.ok({"sync"});
  converge({&d.laptop, &d.desktop});
  CHECK(d.laptop.file("packet/cv.pdf") == std::string("%PDF-1.7 desktop\0\x03\x04", 20));
  REQUIRE(fs::exists(d.laptop.plan / "packet/cv.from-laptop.pdf"));
  CHECK(d.laptop.file("packet/cv.from-laptop.pdf") == std::string("%PDF-1.7 laptop\0\x01\x02", 19));
  json conflicts = json::parse(d.desktop.ok({"--json", "resolve"}))["conflicts"];
  REQUIRE(conflicts.size() == 1);
  CHECK(conflicts[0] == json{{"path", "packet/cv.pdf"}, {"field", "file"}, {"kept", "packet/cv.pdf"},
                             {"lost", "packet/cv.from-laptop.pdf"}, {"kept_device", "desktop"}, {"lost_device", "laptop"}});
}

TEST_CASE("sync: a program's unknown visa set to none on one device and to J-1 on another is a conflict, in sync and "
          "in git's merge driver") {
  TwoDevices d;
  const std::string program = "programs/riverside-pmr.md";
  auto set_visa = [&program](const fs::path& plan, const std::string& line) {
    std::string text = read_file(plan / program);
    size_t at = text.find("visa: [j1]\n");
    if (at == std::string::npos) at = text.find("state: OH\n") + 10;
    else text.erase(at, 11);
    write_file(plan / program, text.insert(at, line));
  };
  // The base: Riverside's visa sponsorship is unknown.
  set_visa(d.laptop.plan, "");
  d.laptop.git({"commit", "-q", "-am", "visa unknown"});
  d.laptop.ok({"sync"});
  d.desktop.ok({"sync"});

  SECTION("lorsync sync") {
    set_visa(d.laptop.plan, "visa: [j1]\n");
    d.laptop.git({"commit", "-q", "-am", "sponsors J-1"});
    next_second();
    set_visa(d.desktop.plan, "visa: []\n");
    d.desktop.git({"commit", "-q", "-am", "sponsors none"});
    const std::string desktop_commit = d.desktop.head();
    d.desktop.ok({"sync"});
    json report = json::parse(d.laptop.ok({"--json", "sync"}));
    REQUIRE(report["received"].size() == 1);
    REQUIRE(report["received"][0]["conflicts"].size() == 1);
    json conflict = report["received"][0]["conflicts"][0];
    CHECK(conflict["field"] == "visa");
    CHECK(conflict["kept"] == "[]");
    CHECK(conflict["lost"] == "[\"j1\"]");
    // Commits made with the git CLI carry no device name: the conflict names the commits, not their author.
    CHECK(conflict["kept_device"].get<std::string>().starts_with("commit " + desktop_commit.substr(0, 7) + " of 20"));
    CHECK(conflict["lost_device"].get<std::string>().starts_with("commit "));
    converge({&d.laptop, &d.desktop});
    CHECK(d.laptop.file(program).find("visa: []\n") != std::string::npos);
    CHECK(d.desktop.file("sync-conflicts.yaml").find("visa") != std::string::npos);

    // The other value kept: written back as the list it was, in the same commit that settles the conflict.
    ProcessResult neither = d.desktop.lorsync({"resolve", program, "visa", "--keep", "[h1b]"});
    CHECK(neither.exit_code == 2);
    CHECK(neither.err.find("--keep '[]'") != std::string::npos);
    CHECK(neither.err.find("or --keep '[\"j1\"]'") != std::string::npos);
    std::string settled = d.desktop.ok({"resolve", program, "visa", "--keep", "[\"j1\"]"});
    CHECK(settled.find("visa kept as \"[\"j1\"]\"") != std::string::npos);
    CHECK(d.desktop.file(program).find("visa: [j1]\n") != std::string::npos);
    CHECK_FALSE(fs::exists(d.desktop.plan / "sync-conflicts.yaml"));
    CHECK(d.desktop.git({"show", "--stat", "--format=%s", "HEAD"}).find("sync-conflicts.yaml") != std::string::npos);
    d.desktop.ok({"validate"});
  }

  // A device that is only the git CLI with lorsync's merge driver sets none; the laptop sets J-1 meanwhile.
  auto diverge_on_git_cli = [&](const fs::path& cli) {
    REQUIRE(run_process({"git", "clone", "-q", d.remote.path.string(), cli.string()}).exit_code == 0);
    REQUIRE(run_git(cli, {"config", "merge.lorsync.driver", std::string(LORSYNC_BINARY) + " merge-file %O %A %B %P"})
                .exit_code == 0);
    set_visa(d.laptop.plan, "visa: [j1]\n");
    d.laptop.git({"commit", "-q", "-am", "sponsors J-1"});
    d.laptop.ok({"sync"});
    next_second();
    set_visa(cli, "visa: []\n");
    REQUIRE(run_git(cli, {"commit", "-q", "-am", "sponsors none"}).exit_code == 0);
  };

  SECTION("git pull through lorsync's merge driver") {
    TempDir cli_dir;
    fs::path cli = cli_dir / "plan";
    diverge_on_git_cli(cli);
    ProcessResult pull = run_git(cli, {"pull", "-q", "--no-rebase", "--no-edit", "origin", "main"});
    INFO(pull.out << pull.err);
    REQUIRE(pull.exit_code == 0);
    CHECK(conflict_markers(cli).empty());
    CHECK(read_file(cli / program).find("visa: []\n") != std::string::npos);
    CHECK(pull.err.find("visa") != std::string::npos);  // reported, not merged silently into [j1]
    // ...and recorded in sync-conflicts.yaml once the merge is committed: by `lorsync commit` here.
    CHECK_FALSE(fs::exists(cli / "sync-conflicts.yaml"));
    ProcessResult committed = run_process({LORSYNC_BINARY, "--plan", cli.string(), "commit"});
    INFO(committed.out << committed.err);
    CHECK(committed.exit_code == 0);
    CHECK(committed.out.find("1 conflict of a git merge") != std::string::npos);
    REQUIRE(fs::exists(cli / "sync-conflicts.yaml"));
    std::string recorded = read_file(cli / "sync-conflicts.yaml");
    CHECK(recorded.find("visa") != std::string::npos);
    CHECK(recorded.find("j1") != std::string::npos);
    CHECK(run_git(cli, {"status", "--porcelain"}).out.empty());
    // Recorded once: the note the driver left is gone.
    CHECK_FALSE(fs::exists(cli / ".lorsync" / "merge-conflicts" / (d.laptop.head() + ".yaml")));
  }

  SECTION("a git merge given up records nothing") {
    TempDir cli_dir;
    fs::path cli = cli_dir / "plan";
    diverge_on_git_cli(cli);
    REQUIRE(run_git(cli, {"fetch", "-q", "origin"}).exit_code == 0);
    REQUIRE(run_git(cli, {"merge", "--no-commit", "--no-ff", "origin/main"}).exit_code == 0);
    REQUIRE(run_git(cli, {"merge", "--abort"}).exit_code == 0);
    ProcessResult committed = run_process({LORSYNC_BINARY, "--plan", cli.string(), "commit"});
    INFO(committed.out << committed.err);
    CHECK(committed.exit_code == 0);
    CHECK_FALSE(fs::exists(cli / "sync-conflicts.yaml"));
    CHECK(committed.out.find("Nothing to commit") != std::string::npos);
  }
}

TEST_CASE("sync: a device that is only the git CLI takes part, with and without lorsync's merge driver") {
  TwoDevices d;
  TempDir cli_dir;
  fs::path cli = cli_dir / "plan";
  REQUIRE(run_process({"git", "clone", "-q", d.remote.path.string(), cli.string()}).exit_code == 0);
  auto cli_git = [&cli](std::vector<std::string> args) {
    ProcessResult result = run_git(cli, args);
    INFO("git " << args.front() << "\n" << result.out << result.err);
    REQUIRE(result.exit_code == 0);
    return result.out;
  };

  SECTION("without the merge driver, its plain commits are merged by lorsync") {
    std::string letter = read_file(cli / "letters/qureshi-home.md");
    size_t events = letter.find("events:\n") + 8;
    letter.insert(events, "  - {date: 2026-08-11, event: reminded, via: whatsapp}\n");
    write_file(cli / "letters/qureshi-home.md", letter);
    cli_git({"commit", "-q", "-am", "reminded Dr. Qureshi"});
    cli_git({"push", "-q", "origin", "main"});
    d.laptop.ok({"record", "qureshi-home", "uploaded", "--on", "2026-08-14"});
    d.laptop.ok({"sync"});
    d.desktop.ok({"sync"});
    converge({&d.laptop, &d.desktop});
    std::string merged = d.desktop.file("letters/qureshi-home.md");
    CHECK(merged.find("via: whatsapp") != std::string::npos);
    CHECK(merged.find("event: uploaded") != std::string::npos);
    cli_git({"pull", "-q", "--no-rebase", "origin", "main"});
    CHECK(run_git(cli, {"rev-parse", "HEAD^{tree}"}).out.substr(0, 40) == d.laptop.tree());
  }

  SECTION("with the merge driver, a plain git pull merges as lorsync does: no markers") {
    cli_git({"config", "merge.lorsync.driver", std::string(LORSYNC_BINARY) + " merge-file %O %A %B %P"});
    d.laptop.ok({"record", "qureshi-home", "uploaded", "--on", "2026-08-14"});
    d.laptop.ok({"sync"});
    std::string letter = read_file(cli / "letters/qureshi-home.md");
    letter.insert(letter.find("events:\n") + 8, "  - {date: 2026-08-11, event: reminded, via: whatsapp}\n");
    write_file(cli / "letters/qureshi-home.md", letter);
    cli_git({"commit", "-q", "-am", "reminded Dr. Qureshi"});
    ProcessResult pull = run_git(cli, {"pull", "-q", "--no-rebase", "--no-edit", "origin", "main"});
    INFO(pull.out << pull.err);
    REQUIRE(pull.exit_code == 0);
    CHECK(conflict_markers(cli).empty());
    std::string merged = read_file(cli / "letters/qureshi-home.md");
    CHECK(merged.find("via: whatsapp") != std::string::npos);
    CHECK(merged.find("event: uploaded") != std::string::npos);
    cli_git({"push", "-q", "origin", "main"});
    converge({&d.laptop, &d.desktop});
    CHECK(d.desktop.file("letters/qureshi-home.md") == merged);
  }
}

TEST_CASE("sync: remote, clone and sync explain what is missing") {
  TempDir dir;
  Device alone{"laptop"};
  ProcessResult init = run_lorsync({"init", "--sample", alone.plan.string()});
  REQUIRE(init.exit_code == 0);
  ProcessResult no_remote = alone.lorsync({"sync"});
  CHECK(no_remote.exit_code == 2);
  CHECK(no_remote.err.find("lorsync remote URL") != std::string::npos);
  CHECK(alone.ok({"remote"}).find("no remote yet") != std::string::npos);

  BareRemote empty;
  ProcessResult clone_empty = run_lorsync({"clone", empty.path.string(), (dir / "second").string()});
  CHECK(clone_empty.exit_code == 2);
  CHECK(clone_empty.err.find("holds no plan yet") != std::string::npos);
  CHECK_FALSE(fs::exists(dir / "second"));  // nothing left behind

  ProcessResult clone_missing = run_lorsync({"clone", (dir / "nowhere.git").string(), (dir / "third").string()});
  CHECK(clone_missing.exit_code == 3);
  CHECK(clone_missing.err.find("not a git repository, or it does not exist") != std::string::npos);

  alone.ok({"remote", empty.path.string()});
  CHECK(alone.ok({"remote"}).find(empty.path.string()) != std::string::npos);
  CHECK(alone.ok({"sync"}).find("sent yours") != std::string::npos);
  CHECK(alone.ok({"sync"}).find("nothing new there; nothing of yours to send") != std::string::npos);
  // The remote replaced by a new, empty repository (a new USB disk): the plan is sent there again.
  fs::remove_all(empty.path);
  REQUIRE(run_process({"git", "init", "-q", "--bare", "--initial-branch=main", empty.path.string()}).exit_code == 0);
  CHECK(alone.ok({"sync"}).find("sent yours") != std::string::npos);
  CHECK(run_git(empty.path, {"rev-parse", "main"}).out.substr(0, 40) == alone.head());
}

TEST_CASE("sync: a remote made by plain `git init --bare` (HEAD on master) gets HEAD on main, so `git clone` checks the plan out") {
  TempDir dir;
  const fs::path bare = dir / "plan.git";
  // git's old default, whatever this machine's git config says.
  REQUIRE(run_process({"git", "-c", "init.defaultBranch=master", "init", "-q", "--bare", bare.string()}).exit_code == 0);
  REQUIRE(run_git(bare, {"symbolic-ref", "HEAD"}).out == "refs/heads/master\n");
  Device laptop{"laptop"};
  REQUIRE(run_lorsync({"init", "--sample", laptop.plan.string()}).exit_code == 0);
  std::string url;
  SECTION("named by its folder") { url = bare.string(); }
  SECTION("named by a file:// URL") { url = "file://" + bare.string(); }
  laptop.ok({"remote", url});
  CHECK(laptop.ok({"sync"}).find("sent yours") != std::string::npos);
  CHECK(run_git(bare, {"symbolic-ref", "HEAD"}).out == "refs/heads/main\n");

  auto clone_with_git = [&dir, &bare](const std::string& name) {
    const fs::path other = dir / name;
    ProcessResult clone = run_process({"git", "clone", "-q", bare.string(), other.string()});
    INFO(clone.err);
    REQUIRE(clone.exit_code == 0);
    CHECK(clone.err.find("nonexistent ref") == std::string::npos);
    CHECK(fs::is_regular_file(other / "plan.yaml"));
    CHECK(fs::is_regular_file(other / "letters" / "brennan-neurology.md"));
    CHECK(run_git(other, {"rev-parse", "--abbrev-ref", "HEAD"}).out == "main\n");
    CHECK(run_git(other, {"rev-parse", "HEAD"}).out.substr(0, 40) == run_git(bare, {"rev-parse", "main"}).out.substr(0, 40));
  };
  clone_with_git("other");

  // A remote an older lorsync pushed to is put right by the next sync, though it has nothing to send.
  REQUIRE(run_git(bare, {"symbolic-ref", "HEAD", "refs/heads/master"}).exit_code == 0);
  CHECK(laptop.ok({"sync"}).find("nothing of yours to send") != std::string::npos);
  CHECK(run_git(bare, {"symbolic-ref", "HEAD"}).out == "refs/heads/main\n");
  clone_with_git("third");
}

TEST_CASE("sync: a bare remote whose HEAD names another branch that exists keeps it") {
  TempDir dir;
  const fs::path bare = dir / "plan.git";
  REQUIRE(run_process({"git", "-c", "init.defaultBranch=master", "init", "-q", "--bare", bare.string()}).exit_code == 0);
  Device laptop{"laptop"};
  REQUIRE(run_lorsync({"init", "--sample", laptop.plan.string()}).exit_code == 0);
  // The owner keeps something else on the remote, and chose it as what a clone checks out.
  laptop.git({"push", "-q", bare.string(), "main:trunk"});
  REQUIRE(run_git(bare, {"symbolic-ref", "HEAD", "refs/heads/trunk"}).exit_code == 0);
  laptop.ok({"remote", bare.string()});
  laptop.ok({"set", "writer", "samuel-brennan", "title=chair"});
  CHECK(laptop.ok({"sync"}).find("sent yours") != std::string::npos);
  CHECK(run_git(bare, {"rev-parse", "main"}).out.substr(0, 40) == laptop.head());
  CHECK(run_git(bare, {"symbolic-ref", "HEAD"}).out == "refs/heads/trunk\n");
  ProcessResult clone = run_process({"git", "clone", "-q", bare.string(), (dir / "other").string()});
  REQUIRE(clone.exit_code == 0);
  CHECK(run_git(dir / "other", {"rev-parse", "--abbrev-ref", "HEAD"}).out == "trunk\n");
}

TEST_CASE("sync: git finds the merge driver through PATH: a plain git pull merges after lorsync moved to another folder") {
  BareRemote remote;
  InstalledLorsync lorsync;
  Device laptop{"laptop"}, desktop{"desktop"};
  auto ok = [&lorsync](const Device& device, std::vector<std::string> args) {
    args.insert(args.begin(), {"--plan", device.plan.string()});
    ProcessResult result = lorsync.run(args, device.name);
    INFO(device.name << ": lorsync " << args[2] << "\n" << result.out << result.err);
    REQUIRE(result.exit_code == 0);
    CHECK(result.err.find("warning") == std::string::npos);  // lorsync is on PATH
  };
  ok(laptop, {"init", "--sample"});
  ok(laptop, {"remote", remote.path.string()});
  ok(laptop, {"sync"});
  ok(desktop, {"clone", remote.path.string()});
  for (const Device* device : {&laptop, &desktop})
    CHECK(device->git({"config", "merge.lorsync.driver"}) == "lorsync merge-file %O %A %B %P\n");

  // Both append an event to the same letter: the same place in the file, which git's line merge cannot merge.
  const std::string path = "letters/brennan-neurology.md";
  ok(laptop, {"record", "brennan-neurology", "reminded", "--on", "2026-08-12", "--note", "from the laptop"});
  ok(laptop, {"sync"});
  ok(desktop, {"record", "brennan-neurology", "uploaded", "--on", "2026-08-13", "--via", "eras"});
  desktop.git({"fetch", "-q", "origin"});
  TempDir versions;
  const std::string base = desktop.git({"merge-base", "HEAD", "origin/main"}).substr(0, 40);
  using Version = std::pair<std::string, std::string>;
  for (const auto& [name, commit] : {Version{"base", base}, Version{"ours", "HEAD"}, Version{"theirs", "origin/main"}})
    write_file(versions / name, desktop.git({"show", commit + ":" + path}));
  CHECK(run_process({"git", "merge-file", "-q", "-p", (versions / "ours").string(), (versions / "base").string(),
                     (versions / "theirs").string()})
            .exit_code > 0);
  // lorsync merges them without starting libgit2, which it loads only when a merge needs it: the dynamic
  // loader's own account (LD_DEBUG=libs) of what the driver process opened names no libgit2.
  write_file(versions / "result", read_file(versions / "ours"));
  ProcessResult driver = run_process({lorsync.binary.string(), "merge-file", (versions / "base").string(),
                                      (versions / "result").string(), (versions / "theirs").string(), path},
                                     desktop.plan, {{"LD_DEBUG", "libs"}});
  INFO(driver.err);
  REQUIRE(driver.exit_code == 0);
  CHECK(driver.err.find("libyaml-cpp") != std::string::npos);  // the loader's account is there
  CHECK(driver.err.find("libgit2") == std::string::npos);
  CHECK(read_file(versions / "result").find("2026-08-13, event: uploaded, via: eras") != std::string::npos);

  // Reinstalled elsewhere, the old copy deleted: the registration still names a lorsync that git can run.
  TempDir elsewhere;
  lorsync.move_to(elsewhere.path());
  ProcessResult pull = run_process({"git", "-C", desktop.plan.string(), "pull", "--no-rebase", "--no-edit"}, {},
                                   lorsync.env());
  INFO(pull.out << pull.err);
  REQUIRE(pull.exit_code == 0);
  CHECK(conflict_markers(desktop.plan).empty());
  CHECK(desktop.git({"status", "--porcelain"}).empty());
  CHECK(desktop.git({"rev-list", "--count", "--merges", "HEAD"}) == "1\n");
  std::string merged = desktop.file(path);
  INFO(merged);
  CHECK(merged.find("2026-08-12, event: reminded") != std::string::npos);
  CHECK(merged.find("from the laptop") != std::string::npos);
  CHECK(merged.find("2026-08-13, event: uploaded, via: eras") != std::string::npos);
  CHECK(merged.find("2026-08-12, event: reminded") < merged.find("2026-08-13, event: uploaded"));
  ok(desktop, {"validate"});
}

TEST_CASE("sync: status warns when no lorsync is on PATH for git's merge driver, and not when there is one") {
  TempDir dir;
  InstalledLorsync lorsync;
  const fs::path plan = dir / "plan";
  ProcessResult init = run_lorsync({"init", "--sample", plan.string()}, {}, kPathWithoutLorsync);
  REQUIRE(init.exit_code == 0);
  CHECK(init.err.find("no `lorsync` on PATH") != std::string::npos);

  ProcessResult warned = run_lorsync({"--plan", plan.string(), "status"}, {}, kPathWithoutLorsync);
  REQUIRE(warned.exit_code == 0);
  INFO(warned.err);
  CHECK(warned.err.find("lorsync: warning: no `lorsync` on PATH") != std::string::npos);
  CHECK(warned.err.find("git pull") != std::string::npos);
  CHECK(warned.err.find("install -Dm755 -t ~/.local/bin") != std::string::npos);
  CHECK(warned.out.find("on PATH") == std::string::npos);
  // With --json the warning stays on stderr, and stdout is the status alone.
  ProcessResult json_status = run_lorsync({"--plan", plan.string(), "--json", "status"}, {}, kPathWithoutLorsync);
  REQUIRE(json_status.exit_code == 0);
  CHECK(json_status.err.find("no `lorsync` on PATH") != std::string::npos);
  CHECK(json::parse(json_status.out)["plan"] == plan.string());

  ProcessResult quiet = lorsync.run({"--plan", plan.string(), "status"});
  REQUIRE(quiet.exit_code == 0);
  CHECK(quiet.err.empty());
  // An empty entry in PATH (the current folder) does not count, though lorsync is there: git runs the driver in the plan.
  ProcessResult here = run_process({lorsync.binary.string(), "--plan", plan.string(), "status"}, lorsync.dir.path(),
                                   {{"PATH", ":/usr/bin:/bin"}});
  CHECK(here.err.find("no `lorsync` on PATH") != std::string::npos);
}

TEST_CASE("sync: status moves a merge driver an older lorsync registered by its absolute path to lorsync on PATH") {
  TempDir dir;
  InstalledLorsync lorsync;
  const fs::path plan = dir / "plan";
  REQUIRE(lorsync.run({"init", "--sample", plan.string()}).exit_code == 0);
  auto driver = [&plan] { return run_git(plan, {"config", "merge.lorsync.driver"}).out; };
  CHECK(driver() == "lorsync merge-file %O %A %B %P\n");

  SECTION("the absolute path older versions wrote becomes the name") {
    for (const std::string old_form : {"'/home/amina/lorsync/build/daemon/lorsync' merge-file %O %A %B %P",
                                       "/opt/lorsync/bin/lorsync merge-file %O %A %B %P"}) {
      REQUIRE(run_git(plan, {"config", "merge.lorsync.driver", old_form}).exit_code == 0);
      REQUIRE(lorsync.run({"--plan", plan.string(), "status"}).exit_code == 0);
      CHECK(driver() == "lorsync merge-file %O %A %B %P\n");
    }
    CHECK(run_git(plan, {"config", "merge.lorsync.name"}).out == "lorsync: merge plan files field by field\n");
  }
  SECTION("a driver written by hand stays") {
    REQUIRE(run_git(plan, {"config", "merge.lorsync.driver", "my-merge %O %A %B"}).exit_code == 0);
    REQUIRE(lorsync.run({"--plan", plan.string(), "status"}).exit_code == 0);
    CHECK(driver() == "my-merge %O %A %B\n");
  }
}

TEST_CASE("sync: a plan's own draft templates and packet documents reach the other device, templates merged line by line") {
  TwoDevices d;
  const std::string base = "Subject: A letter for my PM&R application\n\nDear Dr. {{writer.last_name}},\n\nline three\n\n"
                           "Best wishes,\n{{applicant.name}}\n";
  fs::create_directories(d.laptop.plan / "templates");
  write_file(d.laptop.plan / "templates/ask.txt", base);
  write_file(d.laptop.plan / "packet/cv.pdf", std::string("%PDF-1.7\0cv", 11));
  d.laptop.ok({"sync"});  // commits both as outside edits, then syncs
  converge({&d.laptop, &d.desktop});
  CHECK(d.desktop.file("templates/ask.txt") == base);
  CHECK(d.desktop.file("packet/cv.pdf") == std::string("%PDF-1.7\0cv", 11));

  std::string laptop = base, desktop = base;
  laptop.replace(laptop.find("Subject: A letter"), 17, "Subject: Your letter");
  desktop.replace(desktop.find("Best wishes,"), 12, "With thanks,");
  write_file(d.laptop.plan / "templates/ask.txt", laptop);
  d.laptop.ok({"sync"});
  next_second();
  write_file(d.desktop.plan / "templates/ask.txt", desktop);
  d.desktop.ok({"sync"});
  converge({&d.laptop, &d.desktop});
  std::string merged = d.laptop.file("templates/ask.txt");
  INFO(merged);
  CHECK(merged.find("Subject: Your letter") != std::string::npos);
  CHECK(merged.find("With thanks,") != std::string::npos);
  CHECK_FALSE(fs::exists(d.laptop.plan / "sync-conflicts.yaml"));
  CHECK(conflict_markers(d.laptop.plan).empty());
}
