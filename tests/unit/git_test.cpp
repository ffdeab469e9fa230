// git/: the libgit2 handles over a real repository the git CLI made in a temp dir — opening it, reading HEAD's
// commit and its id as git prints it, a trailer read back as one printable line (the last one wins; a longer
// key is not the key) — and a libgit2 failure as an Error that names what was being done.
#include <catch2/catch.hpp>

#include "git/git.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

#include <string>

using namespace lorsync;
using namespace lorsync::test;

namespace {

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

}  // namespace

TEST_CASE("a Repository opened on a repository the git CLI made reads HEAD's commit, its id and its trailers") {
  TempDir dir;
  REQUIRE(run_process({"git", "init", "-q", "--initial-branch=main", dir.path().string()}).exit_code == 0);
  write_file(dir / "plan.yaml", "cycle: 2027\n");
  REQUIRE(run_process({"git", "add", "plan.yaml"}, dir.path()).exit_code == 0);
  REQUIRE(run_process({"git", "commit", "-q", "-m", "Record ana asked\n\nLorsync-Device: first\n"}, dir.path()).exit_code == 0);
  write_file(dir / "plan.yaml", "cycle: 2028\n");
  REQUIRE(run_process({"git", "commit", "-q", "-a", "-m",
                       "Edit plan\n\nLorsync-Device-Id: not-this\nLorsync-Device: laptop\n"},
                      dir.path()).exit_code == 0);
  ProcessResult head = run_process({"git", "rev-parse", "HEAD"}, dir.path());
  REQUIRE(head.exit_code == 0);

  git_repository* raw = nullptr;
  REQUIRE(lorsync::git_repository_open(&raw, dir.path().c_str()) == 0);
  git::Repository repo(raw);
  git_oid oid;
  REQUIRE(lorsync::git_reference_name_to_id(&oid, repo.get(), "HEAD") == 0);
  CHECK(git::oid_hex(oid) == trimmed(head.out));
  git_commit* raw_commit = nullptr;
  REQUIRE(lorsync::git_commit_lookup(&raw_commit, repo.get(), &oid) == 0);
  git::Commit commit(raw_commit);
  std::string message = lorsync::git_commit_message(commit.get());
  CHECK(git::trailer(message, "Lorsync-Device") == "laptop");
  CHECK(git::trailer(message, "Lorsync-Device-Id") == "not-this");
  CHECK(git::trailer(message, "Lorsync-Missing").empty());
  REQUIRE(lorsync::git_commit_parentcount(commit.get()) == 1);
  git_commit* raw_parent = nullptr;
  REQUIRE(lorsync::git_commit_parent(&raw_parent, commit.get(), 0) == 0);
  git::Commit parent(raw_parent);
  CHECK(git::trailer(lorsync::git_commit_message(parent.get()), "Lorsync-Device") == "first");
}

TEST_CASE("trailer takes the last line with the key, drops a CR, and makes a peer's bytes one printable line") {
  CHECK(git::trailer("Subject\n\nLorsync-Device: a\nLorsync-Device: b\n", "Lorsync-Device") == "b");
  CHECK(git::trailer("Subject\n\nLorsync-Device: phone\r\n", "Lorsync-Device") == "phone");
  CHECK(git::trailer("Subject\n\nLorsync-Device: at-end", "Lorsync-Device") == "at-end");
  CHECK(git::trailer("Lorsync-Device: subject-line-is-no-trailer", "Lorsync-Device").empty());
  CHECK(git::trailer("Subject\n\nlorsync-device: lower\n", "Lorsync-Device").empty());  // keys are exact
  CHECK(git::trailer("Subject\n\nLorsync-Device:nospace\n", "Lorsync-Device").empty());
  std::string hostile = git::trailer("S\n\nLorsync-Device: ev\x1b" "il\xff\n", "Lorsync-Device");
  CHECK(hostile.find('\x1b') == std::string::npos);
  CHECK(hostile.find('\xff') == std::string::npos);
  CHECK(hostile.starts_with("ev"));
}

TEST_CASE("a libgit2 failure becomes a git Error naming what was being done and what libgit2 said") {
  TempDir dir;  // an empty folder: no repository
  git_repository* raw = nullptr;
  int rc = lorsync::git_repository_open_ext(&raw, dir.path().c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr);
  REQUIRE(rc != 0);
  CHECK(raw == nullptr);
  Error error = git::failure(rc, "opening the plan's repository");
  CHECK(error.code == ErrorCode::git);
  CHECK(error.message.starts_with("opening the plan's repository: "));
  CHECK(error.message.size() > std::string("opening the plan's repository: ").size());
  CHECK(error.remote_failure == RemoteFailure::none);
}
