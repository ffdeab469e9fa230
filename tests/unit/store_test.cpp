#include <catch2/catch.hpp>

#include "common/text.hpp"
#include "store/store.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

#include <algorithm>
#include <sys/wait.h>
#include <unistd.h>

using namespace lorsync;
using namespace lorsync::test;
namespace fs = std::filesystem;

namespace {

const Date kToday = *parse_date("2026-08-15");

std::string run_git(const fs::path& repo, std::vector<std::string> args) {
  args.insert(args.begin(), {"git", "-C", repo.string()});
  ProcessResult result = run_process(args);
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  return result.out;
}

Store sample_store(const fs::path& root) {
  InitOptions options;
  options.sample = true;
  options.today = kToday;
  options.store.device = "laptop";
  auto created = Store::init(root, options);
  INFO((created ? "" : created.error().message));
  REQUIRE(created.ok());
  auto store = Store::open(root, StoreOptions{"laptop", std::chrono::milliseconds(200)});
  REQUIRE(store.ok());
  return std::move(store.value());
}

}  // namespace

TEST_CASE("init creates a repository with the plan - .gitignore - .gitattributes and one commit") {
  TempDir dir;
  sample_store(dir / "plan");
  CHECK(read_file(dir / "plan/.gitignore").find(".lorsync/") != std::string::npos);
  CHECK(read_file(dir / "plan/.gitattributes").find("*.md merge=lorsync") != std::string::npos);
  CHECK(run_git(dir / "plan", {"status", "--porcelain"}).empty());
  CHECK(run_git(dir / "plan", {"log", "--format=%s|%an|%(trailers:key=Lorsync-Device,valueonly)"}) ==
        "init: plan — sample plan|Test Applicant|laptop\n\n");
  CHECK(run_git(dir / "plan", {"rev-parse", "--abbrev-ref", "HEAD"}) == "main\n");
}

TEST_CASE("init refuses a folder that already has things in it") {
  TempDir dir;
  write_file(dir / "notes.txt", "mine");
  InitOptions options;
  options.today = kToday;
  auto result = Store::init(dir.path(), options);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == ErrorCode::exists);
  CHECK(read_file(dir / "notes.txt") == "mine");
}

TEST_CASE("a new empty plan validates and has sensible dates") {
  TempDir dir;
  InitOptions options;
  options.today = *parse_date("2026-11-28");
  options.applicant_name = "Amina Rahman";
  REQUIRE(Store::init(dir / "plan", options).ok());
  auto store = Store::open(dir / "plan");
  REQUIRE(store.ok());
  CHECK(store->check().valid());
  std::string plan = read_file(dir / "plan/plan.yaml");
  CHECK_THAT(plan, Catch::Contains("cycle: 2028"));
  CHECK_THAT(plan, Catch::Contains("match_day: 2028-03-17"));  // third Friday of March 2028
}

TEST_CASE("each change is one commit VERB: KIND/ID — summary with a device trailer") {
  TempDir dir;
  Store store = sample_store(dir / "plan");
  auto recorded = store.record("delgado-consult", LetterEvent{kToday, "agreed", "email", ""});
  REQUIRE(recorded.ok());
  CHECK(recorded->message == "record: letters/delgado-consult — agreed on 2026-08-15 via email");
  CHECK(run_git(dir / "plan", {"log", "-1", "--format=%B"}) ==
        "record: letters/delgado-consult — agreed on 2026-08-15 via email\n\nLorsync-Device: laptop\n\n");
  CHECK(run_git(dir / "plan", {"diff", "--numstat", "HEAD~1"}) == "1\t0\tletters/delgado-consult.md\n");
  CHECK(recorded->revision == run_git(dir / "plan", {"rev-parse", "HEAD:letters/delgado-consult.md"}).substr(0, 40));

  auto updated = store.update(DocumentRef{DocumentKind::writer, "samuel-brennan"},
                              {FieldEdit{FieldEdit::Op::set, {"relationship", "weeks"}, 4}});
  REQUIRE(updated.ok());
  CHECK(updated->message == "set: writers/samuel-brennan — relationship.weeks=4");
  CHECK(run_git(dir / "plan", {"diff", "--numstat", "HEAD~1"}) == "1\t1\twriters/samuel-brennan.md\n");

  auto created = store.create(EntityKind::writer, "jane-lee",
                              {FieldEdit{FieldEdit::Op::set, {"name"}, "Dr. Jane Lee"},
                               FieldEdit{FieldEdit::Op::set, {"title"}, "attending"},
                               FieldEdit{FieldEdit::Op::set, {"specialty"}, "pmr"},
                               FieldEdit{FieldEdit::Op::set, {"institution"}, "Lakeshore"},
                               FieldEdit{FieldEdit::Op::set, {"country"}, "US"}});
  REQUIRE(created.ok());
  CHECK(created->message == "add: writers/jane-lee — Dr. Jane Lee");

  auto removed = store.remove(EntityKind::writer, "jane-lee");
  REQUIRE(removed.ok());
  CHECK(removed->message == "rm: writers/jane-lee — removed");
  CHECK_FALSE(fs::exists(dir / "plan/writers/jane-lee.md"));
  CHECK(run_git(dir / "plan", {"status", "--porcelain"}).empty());
  CHECK(run_git(dir / "plan", {"rev-list", "--count", "HEAD"}) == "5\n");
}

TEST_CASE("a change that would make the plan invalid is refused and nothing is written") {
  TempDir dir;
  Store store = sample_store(dir / "plan");
  std::string before = read_file(dir / "plan/letters/qureshi-home.md");
  auto result = store.update(DocumentRef{DocumentKind::letter, "qureshi-home"},
                             {FieldEdit{FieldEdit::Op::set, {"writer"}, "nobody"}});
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == ErrorCode::invalid_plan);
  REQUIRE(result.error().diagnostics.size() == 1);
  CHECK(format_diagnostic(result.error().diagnostics[0]) ==
        "letters/qureshi-home.md:2:9: writer: no writers/nobody.md in this plan");
  CHECK(read_file(dir / "plan/letters/qureshi-home.md") == before);
  CHECK(run_git(dir / "plan", {"rev-list", "--count", "HEAD"}) == "1\n");

  auto removal = store.remove(EntityKind::writer, "farah-qureshi");
  REQUIRE_FALSE(removal.ok());
  CHECK(fs::exists(dir / "plan/writers/farah-qureshi.md"));

  auto bad_event = store.record("qureshi-home", LetterEvent{kToday, "emailed", "", ""});
  REQUIRE_FALSE(bad_event.ok());
  CHECK_THAT(format_diagnostic(bad_event.error().diagnostics.at(0)), Catch::Contains("events[0].event: \"emailed\" is not one of"));
}

TEST_CASE("a problem elsewhere in the plan does not block an unrelated change") {
  TempDir dir;
  Store store = sample_store(dir / "plan");
  write_file(dir / "plan/programs/blue-ridge-pmr.md", "---\nname: Blue Ridge\nvisa: [j2]\n---\n");
  auto result = store.record("delgado-consult", LetterEvent{kToday, "agreed", "", ""});
  CHECK(result.ok());
  CHECK(run_git(dir / "plan", {"show", "--name-only", "--format=", "HEAD"}) == "letters/delgado-consult.md\n");
}

TEST_CASE("if_revision refuses a lost update") {
  TempDir dir;
  Store store = sample_store(dir / "plan");
  DocumentRef letter{DocumentKind::letter, "qureshi-home"};
  std::string stale = Repository::blob_id(read_file(dir / "plan/letters/qureshi-home.md"));
  REQUIRE(store.update(letter, {FieldEdit{FieldEdit::Op::set, {"waived"}, true}}, stale).ok());
  auto second = store.update(letter, {FieldEdit{FieldEdit::Op::set, {"eras_letter_id"}, "123"}}, stale);
  REQUIRE_FALSE(second.ok());
  CHECK(second.error().code == ErrorCode::conflict);
}

TEST_CASE("only the changed file is committed - whatever else is staged") {
  TempDir dir;
  Store store = sample_store(dir / "plan");
  write_file(dir / "plan/packet/cv-notes.txt", "draft");
  run_git(dir / "plan", {"add", "packet/cv-notes.txt"});
  REQUIRE(store.record("delgado-consult", LetterEvent{kToday, "agreed", "", ""}).ok());
  CHECK(run_git(dir / "plan", {"show", "--name-only", "--format=", "HEAD"}) == "letters/delgado-consult.md\n");
  CHECK(run_git(dir / "plan", {"status", "--porcelain"}) == "A  packet/cv-notes.txt\n");
}

TEST_CASE("one writer at a time: a held lock makes another writer wait - then give up clearly") {
  TempDir dir;
  Store store = sample_store(dir / "plan");
  auto held = PlanLock::acquire(dir / "plan", std::chrono::milliseconds(0));
  REQUIRE(held.ok());
  auto blocked = store.record("delgado-consult", LetterEvent{kToday, "agreed", "", ""});
  REQUIRE_FALSE(blocked.ok());
  CHECK(blocked.error().code == ErrorCode::locked);
  CHECK_THAT(blocked.error().message, Catch::Contains(std::to_string(getpid())));
}

TEST_CASE("a stale lock and a stale index.lock from a crashed writer are recovered") {
  TempDir dir;
  Store store = sample_store(dir / "plan");
  pid_t child = fork();
  if (child == 0) _exit(0);
  waitpid(child, nullptr, 0);  // a pid that is surely dead now
  write_file(dir / "plan/.lorsync/lock", std::to_string(child) + "\n");
  write_file(dir / "plan/.git/index.lock", "");
  auto result = store.record("delgado-consult", LetterEvent{kToday, "agreed", "", ""});
  INFO((result ? "" : result.error().message));
  REQUIRE(result.ok());
  CHECK_FALSE(fs::exists(dir / "plan/.git/index.lock"));
  CHECK(run_git(dir / "plan", {"status", "--porcelain"}).empty());
  CHECK(read_file(dir / "plan/.lorsync/lock").empty());  // released cleanly
}

TEST_CASE("log lists commits in history order - children before parents whatever their clocks say") {
  TempDir dir;
  Store store = sample_store(dir / "plan");
  const fs::path repo = dir / "plan";
  auto commit_at = [&](const std::string& file, const std::string& date) {
    write_file(repo / file, date + "\n");
    run_git(repo, {"add", file});
    run_process({"env", "GIT_AUTHOR_DATE=" + date, "GIT_COMMITTER_DATE=" + date, "git", "-C", repo.string(),
                 "commit", "-q", "-m", file});
  };
  // A side branch made on a device whose clock was behind, merged back: its commit is older by the
  // clock than the base commit it follows.
  commit_at("base.txt", "2026-08-15T10:00:00Z");
  run_git(repo, {"checkout", "-q", "-b", "side"});
  commit_at("side.txt", "2026-08-15T09:00:00Z");
  run_git(repo, {"checkout", "-q", "main"});
  commit_at("main.txt", "2026-08-15T10:00:00Z");
  run_process({"env", "GIT_AUTHOR_DATE=2026-08-15T10:00:00Z", "GIT_COMMITTER_DATE=2026-08-15T10:00:00Z", "git",
               "-C", repo.string(), "merge", "-q", "--no-edit", "-m", "merge", "side"});
  auto entries = store.log(10);
  REQUIRE(entries.ok());
  std::vector<std::string> summaries;
  for (const auto& e : entries.value()) summaries.push_back(e.summary);
  auto at = [&](const std::string& summary) {
    return std::find(summaries.begin(), summaries.end(), summary) - summaries.begin();
  };
  INFO(join(summaries, " | "));
  REQUIRE(summaries.size() == 5);
  CHECK(summaries.front() == "merge");
  CHECK(at("side.txt") < at("base.txt"));
  CHECK(at("main.txt") < at("base.txt"));
  CHECK(summaries.back() == "init: plan — sample plan");
}

TEST_CASE("store: a LogEntry and a SyncConflict cross the wire and come back whole") {
  LogEntry entry{"3f1c9a0d2b7e4c5a8f6e1d0b9c8a7f6e5d4c3b2a", 1790000000, -300, "Amara Okafor",
                 "record: letters/qureshi-home — asked", "laptop", "", ""};
  nlohmann::json wire = entry;
  CHECK(wire["date"] == "2026-09-21T09:13:20-05:00");  // ISO 8601 on the author's clock
  CHECK(wire["device"] == "laptop");
  LogEntry back = wire.get<LogEntry>();
  CHECK(back.commit == entry.commit);
  CHECK(back.time == entry.time);
  CHECK(back.offset_minutes == entry.offset_minutes);
  CHECK(back.summary == entry.summary);
  CHECK(back.device == entry.device);
  entry.device.clear();
  CHECK(nlohmann::json(entry)["device"].is_null());  // a commit made outside lorsync

  SyncConflict conflict{"letters/qureshi-home.md", "waived", "true", "false", "laptop", "phone"};
  nlohmann::json conflict_wire = conflict;
  CHECK(conflict_wire["kept"] == "true");
  CHECK(conflict_wire["lost_device"] == "phone");
  CHECK(conflict_wire.get<SyncConflict>() == conflict);
}
