// scripts/bench, third table: sync. One round (fetch, semantic merge, push)
// against the git CLI doing `git pull --no-rebase && git push` on an identical
// pair of clones, and a merge of two branches 1,000 commits apart each, against
// `git merge` of the same branches.
#include "store/store.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "sync/sync_cycle.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>

using namespace lorsync;
using namespace lorsync::test;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "sync bench: %s\n", what.c_str());
  std::exit(1);
}

double elapsed_ms(Clock::time_point start) { return std::chrono::duration<double, std::milli>(Clock::now() - start).count(); }

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

void shell(const std::string& command) {
  if (std::system(command.c_str()) != 0) fail("failed: " + command);
}

std::string quoted(const fs::path& path) { return "'" + path.string() + "'"; }

Store open_store(const fs::path& root, const std::string& device) {
  auto store = Store::open(root, StoreOptions{device, std::chrono::milliseconds(10000)});
  if (!store) fail(store.error().message);
  return std::move(store.value());
}

Remote open_remote(const fs::path& root) {
  auto remote = Remote::open(root);
  if (!remote) fail(remote.error().message);
  return std::move(remote.value());
}

SyncReport sync(Store& store, Remote& remote) {
  auto report = run_sync_cycle(remote, [&store](const std::string& commit) { return store.integrate(commit); });
  if (!report) fail(report.error().message);
  return std::move(report.value());
}

// Adds an event line to a letter file the way an editor would, for the git CLI side.
void append_event(const fs::path& letter, const std::string& note) {
  std::string text = read_file(letter);
  size_t end_of_front_matter = text.find("\n---\n", 4);
  text.insert(end_of_front_matter + 1, "  - {date: 2026-08-20, event: reminded, via: email, note: " + note + "}\n");
  write_file(letter, text);
}

void row(const std::string& figure, const std::string& ours, const std::string& baseline_name,
         const std::string& baseline, const std::string& ratio, const std::string& target) {
  std::printf("| %-46s | %10s | %-44s | %10s | %12s | %-16s |\n", figure.c_str(), ours.c_str(), baseline_name.c_str(),
              baseline.c_str(), ratio.c_str(), target.c_str());
}

std::string ms(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, value < 10 ? "%.2f ms" : "%.0f ms", value);
  return buffer;
}

std::string ratio(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1fx", value);
  return buffer;
}

// A fast-import stream: `count` commits on `branch` (continuing from where the stream left it), each
// changing one letter file.
void write_branch_commits(std::ofstream& out, const std::string& branch, int first, int count) {
  for (int i = 0; i < count; ++i) {
    int n = first + i;
    char id[16];
    std::snprintf(id, sizeof id, "%04d", n);
    std::string file = "---\nwriter: samuel-brennan\nwaived: true\nevents:\n"
                       "  - {date: 2026-07-09, event: asked, via: in-person}\n"
                       "  - {date: 2026-07-20, event: agreed, via: email}\n---\nChanged on " + branch + ".\n";
    std::string message = "record: letters/bench-" + std::string(id) + " — agreed\n\nLorsync-Device: " + branch + "\n";
    out << "commit refs/heads/" << branch << "\n"
        << "committer Bench <bench@example.org> " << (1786000000 + n) << " +0000\n"
        << "data " << message.size() << "\n" << message
        << "M 100644 inline letters/bench-" << id << ".md\n"
        << "data " << file.size() << "\n" << file << "\n";
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: lorsync_sync_bench PATH/TO/lorsync\n");
    return 2;
  }
  const std::string lorsync_binary = argv[1];
  PrivateHome home;
  TempDir dir;
  spdlog::set_level(spdlog::level::warn);
  InitOptions init;
  init.sample = true;
  init.today = *parse_date("2026-08-15");

  // 1. One sync round with a new commit on each side. lorsync: two devices and a bare remote; the git CLI:
  // the same plan in another bare remote and two plain clones.
  fs::path remote_a = dir / "remote-a.git", remote_b = dir / "remote-b.git";
  fs::path laptop_dir = dir / "laptop", desktop_dir = dir / "desktop", git_one = dir / "git-one", git_two = dir / "git-two";
  shell("git init -q --bare --initial-branch=main " + quoted(remote_a));
  if (!Store::init(laptop_dir, init)) fail("cannot create the sample plan");
  Store laptop = open_store(laptop_dir, "laptop");
  Remote laptop_remote = open_remote(laptop_dir);
  if (!laptop_remote.set_origin(remote_a.string())) fail("cannot set the remote");
  sync(laptop, laptop_remote);
  if (!clone_plan(remote_a.string(), desktop_dir, "")) fail("cannot clone");
  Store desktop = open_store(desktop_dir, "desktop");
  Remote desktop_remote = open_remote(desktop_dir);
  shell("git clone -q --bare " + quoted(remote_a) + " " + quoted(remote_b));
  shell("git clone -q " + quoted(remote_b) + " " + quoted(git_one) + " && git clone -q " + quoted(remote_b) + " " +
        quoted(git_two));
  const std::string git_fsync = " -c core.fsync=all -c core.fsyncMethod=fsync ";
  ::sync();

  // Not timed: the other device's commit reaches the remote, and the laptop makes one of its own.
  auto diverge = [&](const std::string& note) {
    if (!desktop.record("halvorsen-chair", LetterEvent{*parse_date("2026-08-20"), "reminded", "email", note}))
      fail("record failed");
    sync(desktop, desktop_remote);
    if (!laptop.record("brennan-neurology", LetterEvent{*parse_date("2026-08-20"), "reminded", "email", note}))
      fail("record failed");
  };
  std::vector<double> ours_ms, git_ms;
  for (int round = 0; round < 21; ++round) {
    const std::string note = "r" + std::to_string(round);
    diverge(note);
    auto start = Clock::now();
    SyncReport report = sync(laptop, laptop_remote);
    ours_ms.push_back(elapsed_ms(start));
    if (report.integrations.empty() || !report.pushed) fail("the round did not merge and push");

    shell("git -C " + quoted(git_one) + " pull -q --no-rebase --no-edit origin main");
    append_event(git_one / "letters/halvorsen-chair.md", note);
    shell("git -C " + quoted(git_one) + git_fsync + "commit -qam 'record: letters/halvorsen-chair — reminded' && git -C " +
          quoted(git_one) + " push -q origin main");
    append_event(git_two / "letters/brennan-neurology.md", note);
    shell("git -C " + quoted(git_two) + git_fsync + "commit -qam 'record: letters/brennan-neurology — reminded'");
    start = Clock::now();
    shell("git -C " + quoted(git_two) + git_fsync + "pull -q --no-rebase --no-edit origin main && git -C " +
          quoted(git_two) + git_fsync + "push -q origin main");
    git_ms.push_back(elapsed_ms(start));
  }
  // The same round as `lorsync sync`, a new process each time.
  std::vector<double> cli_ms;
  for (int round = 0; round < 11; ++round) {
    diverge("c" + std::to_string(round));
    auto start = Clock::now();
    ProcessResult run = run_process({lorsync_binary, "--plan", laptop_dir.string(), "sync"});
    cli_ms.push_back(elapsed_ms(start));
    if (run.exit_code != 0) fail("lorsync sync failed: " + run.err);
  }

  // 2. Two branches 1,000 commits apart each, every commit touching a different letter.
  fs::path big = dir / "diverged";
  if (!Store::init(big, init)) fail("cannot create the sample plan");
  {
    std::ofstream out(dir / "history.fi", std::ios::binary);
    std::string base = "---\nwriter: samuel-brennan\nwaived: true\nevents:\n"
                       "  - {date: 2026-07-09, event: asked, via: in-person}\n---\n";
    std::string message = "add: letters — 2,000 bench letters\n";
    out << "commit refs/heads/main\ncommitter Bench <bench@example.org> 1785000000 +0000\n"
        << "data " << message.size() << "\n" << message << "from refs/heads/main^0\n";
    for (int n = 0; n < 2000; ++n) {
      char id[16];
      std::snprintf(id, sizeof id, "%04d", n);
      out << "M 100644 inline letters/bench-" << id << ".md\ndata " << base.size() << "\n" << base << "\n";
    }
    out << "reset refs/heads/theirs\nfrom refs/heads/main\n\n";
    write_branch_commits(out, "main", 0, 1000);
    write_branch_commits(out, "theirs", 1000, 1000);
  }
  shell("git -C " + quoted(big) + " fast-import --quiet < " + quoted(dir / "history.fi") + " && git -C " + quoted(big) +
        " reset -q --hard main");
  fs::path big_git = dir / "diverged-git";
  shell("cp -a " + quoted(big) + " " + quoted(big_git));
  std::string theirs = run_process({"git", "-C", big.string(), "rev-parse", "theirs"}).out.substr(0, 40);
  ::sync();
  Store big_store = open_store(big, "laptop");
  auto start = Clock::now();
  auto merged = big_store.integrate(theirs);
  double merge_ms = elapsed_ms(start);
  if (!merged || merged->integration.kind != Integration::Kind::merged) fail("the diverged merge failed");
  if (!merged->problems.empty()) fail("the merged plan has problems: " + format_diagnostic(merged->problems.front()));
  start = Clock::now();
  shell("git -C " + quoted(big_git) + git_fsync + "merge -q --no-edit theirs");
  double git_merge_ms = elapsed_ms(start);

  double round_ms = median(ours_ms), git_round_ms = median(git_ms), cli_round_ms = median(cli_ms);
  std::printf("sync bench (sample plan, bare remotes in temp dirs; medians of 21 rounds; 2-core machine)\n\n");
  row("figure", "lorsync", "baseline (same run)", "baseline", "ratio", "target");
  std::printf("|%s|%s|%s|%s|%s|%s|\n", std::string(48, '-').c_str(), std::string(12, '-').c_str(),
              std::string(46, '-').c_str(), std::string(12, '-').c_str(), std::string(14, '-').c_str(),
              std::string(18, '-').c_str());
  row("sync round, 1 new commit each side (daemon)", ms(round_ms), "git pull --no-rebase && git push, fsync on",
      ms(git_round_ms), ratio(git_round_ms / round_ms) + " faster", ">= 3x faster");
  row("the same round as `lorsync sync` (new process)", ms(cli_round_ms), "git pull --no-rebase && git push, fsync on",
      ms(git_round_ms), ratio(git_round_ms / cli_round_ms) + " faster", "(for information)");
  row("merge of 1,000 x 1,000 diverged commits", ms(merge_ms), "git merge of the same branches, fsync on",
      ms(git_merge_ms), ratio(git_merge_ms / merge_ms) + " faster", "<= 1000 ms");
  bool ok = git_round_ms / round_ms >= 3 && merge_ms <= 1000;
  std::printf("\n%s\n", ok ? "All targets met." : "Some targets were missed (see above).");
  return ok ? 0 : 1;
}
