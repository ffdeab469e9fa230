// scripts/bench: lorsync's speed, each figure against a baseline measured in
// the same run on the same machine, printed as a table of ratios.
#include "assignment/assignment.hpp"
#include "status/status.hpp"
#include "store/store.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "validation/plan_check.hpp"

#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>

using namespace lorsync;
using namespace lorsync::test;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double median_ms(int runs, const std::function<void()>& work) {
  std::vector<double> times;
  for (int i = 0; i < runs; ++i) {
    auto start = Clock::now();
    work();
    times.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

struct ChildUsage {
  double wall_ms = 0;
  double peak_mb = 0;
  int exit_code = -1;
};

// Runs a program to completion (in `cwd`, when given) and reports its wall time and peak resident memory. Through
// posix_spawn, which does not copy this process's page tables as fork would: the bench holds a 10k-file plan, and
// copying it would add milliseconds to every child, lorsync's and the baseline's alike.
ChildUsage measure_child(const std::vector<std::string>& argv, const fs::path& cwd = {}) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
  std::vector<std::string> args = argv;
  std::vector<char*> ptrs;
  for (auto& a : args) ptrs.push_back(a.data());
  ptrs.push_back(nullptr);
  auto start = Clock::now();
  pid_t pid = -1;
  const int spawned = posix_spawnp(&pid, ptrs[0], &actions, nullptr, ptrs.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    std::fprintf(stderr, "cannot run %s: %s\n", ptrs[0], std::strerror(spawned));
    std::exit(1);
  }
  int status = 0;
  struct rusage usage {};
  wait4(pid, &status, 0, &usage);
  ChildUsage out;
  out.wall_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  out.peak_mb = static_cast<double>(usage.ru_maxrss) / 1024.0;
  out.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

// A plan of 10,000 entity files: 1,000 rotations, 2,500 writers, 4,000 letters
// (four events each) and 2,500 programs (four letters each).
void generate_large_plan(const fs::path& root) {
  for (const auto& file : sample_plan_files(*parse_date("2026-08-15")))
    if (file.path == "plan.yaml") write_file(root / file.path, *file.contents);
  const char* settings[] = {"inpatient-rehab", "consult", "outpatient"};
  for (int i = 0; i < 1000; ++i)
    write_file(root / ("rotations/r" + std::to_string(i) + ".md"),
               "---\ninstitution: Teaching Hospital " + std::to_string(i) + "\ncountry: US\nspecialty: pmr\nsetting: " +
                   settings[i % 3] + "\nfocus: [stroke, spinal-cord-injury]\nkind: hands-on\nstart: 2026-05-04\n"
                   "end: 2026-05-29\npmr_residency: true\n---\nFour weeks on the rehab unit.\n");
  for (int i = 0; i < 2500; ++i)
    write_file(root / ("writers/w" + std::to_string(i) + ".md"),
               "---\nname: Dr. Writer " + std::to_string(i) + "\ntitle: attending\nspecialty: pmr\ninstitution: "
               "Teaching Hospital\ncountry: US\nemail: w" + std::to_string(i) + "@example.org\nclinical: true\n"
               "teaches: true\npractice: academic\nrelationship:\n  weeks: 4\n  direct_supervision: true\n"
               "  rotations: [r" + std::to_string(i % 1000) + "]\n---\nSupervised me on the unit.\n");
  for (int i = 0; i < 4000; ++i)
    write_file(root / ("letters/l" + std::to_string(i) + ".md"),
               "---\nwriter: w" + std::to_string(i % 2500) + "\nrotation: r" + std::to_string(i % 1000) +
                   "\nwaived: true\npacket: [cv, personal-statement, summary]\nevents:\n"
                   "  - {date: 2026-05-28, event: asked, via: in-person}\n  - {date: 2026-05-29, event: agreed}\n"
                   "  - {date: 2026-06-01, event: packet-sent, via: email}\n  - {date: 2026-07-20, event: uploaded}\n"
                   "---\nThank by August.\n");
  for (int i = 0; i < 2500; ++i) {
    std::string letters;
    for (int k = 0; k < 4; ++k) letters += (k ? ", l" : "l") + std::to_string((i * 4 + k) % 4000);
    write_file(root / ("programs/p" + std::to_string(i) + ".md"),
               "---\nname: Program " + std::to_string(i) + "\nstate: IL\ndeadline: 2026-09-30\nvisa: [j1]\n"
               "requires: {letters_min: 3, letters_max: 4, pmr_letters_min: 2}\nletters: [" + letters + "]\n---\n");
  }
}

// 200 programs and 12 letters (from 12 writers over 6 rotations), for the assignment figure.
void generate_assignment_plan(const fs::path& root) {
  for (const auto& file : sample_plan_files(*parse_date("2026-08-15")))
    if (file.path == "plan.yaml") write_file(root / file.path, *file.contents);
  const char* specialties[] = {"pmr", "pmr", "neurology", "orthopedics", "internal-medicine", "pmr"};
  for (int i = 0; i < 6; ++i)
    write_file(root / ("rotations/r" + std::to_string(i) + ".md"),
               std::string("---\ninstitution: Hospital\ncountry: ") + (i == 5 ? "PK" : "US") + "\nspecialty: " +
                   specialties[i] + "\nsetting: inpatient-rehab\nkind: hands-on\nstart: 2026-05-04\nend: 2026-05-29\n---\n");
  for (int i = 0; i < 12; ++i) {
    write_file(root / ("writers/w" + std::to_string(i) + ".md"),
               std::string("---\nname: Dr. W") + std::to_string(i) + "\ntitle: attending\nspecialty: " + specialties[i % 6] +
                   "\ninstitution: Hospital\ncountry: " + (i % 6 == 5 ? "PK" : "US") + "\nrelationship:\n  weeks: " +
                   std::to_string(2 + i % 5) + "\n  direct_supervision: " + (i % 3 ? "true" : "false") +
                   "\n  rotations: [r" + std::to_string(i % 6) + "]\n---\n");
    write_file(root / ("letters/l" + std::to_string(i) + ".md"),
               "---\nwriter: w" + std::to_string(i) + "\nrotation: r" + std::to_string(i % 6) + "\nwaived: true\n---\n");
  }
  for (int i = 0; i < 200; ++i)
    write_file(root / ("programs/p" + std::to_string(i) + ".md"),
               "---\nname: Program " + std::to_string(i) + "\nvisa: [j1]\nrequires: {letters_min: " +
                   std::to_string(3 + i % 2) + ", letters_max: 4, pmr_letters_min: " + std::to_string(1 + i % 2) + "}\n---\n");
}

void read_all_files(const fs::path& root) {
  size_t total = 0;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    total += text.size();
  }
  if (total == 0) std::abort();
}

void row(const std::string& figure, const std::string& ours, const std::string& baseline_name,
         const std::string& baseline, const std::string& ratio, const std::string& target) {
  std::printf("| %-44s | %12s | %-40s | %12s | %10s | %-22s |\n", figure.c_str(), ours.c_str(), baseline_name.c_str(),
              baseline.c_str(), ratio.c_str(), target.c_str());
}

std::string ms(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, value < 10 ? "%.2f ms" : "%.0f ms", value);
  return buffer;
}

std::string times(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, value < 0.1 ? "%.3fx" : value < 1 ? "%.2fx" : "%.1fx", value);
  return buffer;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: lorsync_bench PATH/TO/lorsync\n");
    return 2;
  }
  // Absolute: some children run in another folder.
  const std::string lorsync_binary = fs::absolute(argv[1]).string();
  PrivateHome home;
  TempDir dir;
  spdlog::set_level(spdlog::level::warn);

  // 1. Load and validate 10,000 entity files.
  fs::path large = dir / "large";
  generate_large_plan(large);
  ::sync();
  ChildUsage validate = measure_child({lorsync_binary, "--plan", large.string(), "validate"});
  ChildUsage cat = measure_child({"sh", "-c", "find '" + large.string() + "' -name '*.md' -exec cat {} + > /dev/null"});
  double read_ms = median_ms(5, [&] { read_all_files(large); });
  size_t entities = 0;
  double check_ms = median_ms(5, [&] {
    CheckedPlan checked = PlanChecker(large).check();
    if (!checked.valid()) {
      std::fprintf(stderr, "generated plan is invalid: %s\n", format_diagnostic(checked.diagnostics.front()).c_str());
      std::exit(1);
    }
    entities = checked.plan.entity_count();
  });

  // 2. One record: validate, write, commit (fsync on) vs the git CLI's add + commit of the same change.
  fs::path ours = dir / "ours", theirs = dir / "theirs";
  InitOptions init;
  init.sample = true;
  init.today = *parse_date("2026-08-15");
  if (!Store::init(ours, init) || !Store::init(theirs, init)) {
    std::fprintf(stderr, "cannot create the sample plans\n");
    return 1;
  }
  auto store = Store::open(ours, StoreOptions{"bench", std::chrono::milliseconds(10000)});
  ::sync();  // flush the large plan written above, so its writeback does not land in either side's fsyncs
  fs::path letter = theirs / "letters/brennan-neurology.md";
  std::string letter_text = read_file(letter);
  const std::string git = "git -C '" + theirs.string() + "' -c core.fsync=all -c core.fsyncMethod=fsync ";
  // Interleaved, so that both sides see the same machine: one lorsync record, one git add + commit, ...
  std::vector<double> ours_ms, git_runs_ms;
  for (int round = 0; round < 41; ++round) {
    auto start = Clock::now();
    auto result = store->record("brennan-neurology", LetterEvent{*parse_date("2026-08-20"), "reminded", "email",
                                                                  "r" + std::to_string(round)});
    ours_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    if (!result) std::exit((std::fprintf(stderr, "%s\n", result.error().message.c_str()), 1));

    start = Clock::now();
    letter_text.insert(letter_text.find("---\nUS clinical"),
                       "  - {date: 2026-08-20, event: reminded, via: email, note: g" + std::to_string(round) + "}\n");
    write_file(letter, letter_text);
    if (std::system((git + "add letters/brennan-neurology.md && " + git +
                     "commit -q -m 'record: letters/brennan-neurology — reminded'").c_str()) != 0)
      std::exit((std::fprintf(stderr, "git commit failed\n"), 1));
    git_runs_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  auto median = [](std::vector<double> values) {
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
  };
  double record_ms = median(ours_ms), git_ms = median(git_runs_ms);
  // 3. Audit + deadlines + status, against only loading and validating the same plan.
  fs::path sample_dir = dir / "sample";
  for (const auto& file : sample_plan_files(*parse_date("2026-08-15"))) write_file(sample_dir / file.path, *file.contents);
  const Date review_day = *parse_date("2026-08-15");
  double sample_load_ms = median_ms(51, [&] { PlanChecker(sample_dir).check(); });
  Model sample_model = build_model(PlanChecker(sample_dir).check().plan);
  double sample_status_ms = median_ms(201, [&] { build_status(sample_model, review_day); });
  Model large_model = build_model(PlanChecker(large).check().plan);
  double large_status_ms = median_ms(5, [&] { build_status(large_model, review_day); });

  // 4. Suggested assignments for 200 programs x 12 letters.
  fs::path programs_dir = dir / "programs200";
  generate_assignment_plan(programs_dir);
  double programs_load_ms = median_ms(5, [&] { PlanChecker(programs_dir).check(); });
  Model programs_model = build_model(PlanChecker(programs_dir).check().plan);
  size_t suggested = 0;
  double suggest_ms = median_ms(11, [&] { suggested = report_programs(programs_model).size(); });

  double cli_ms = median_ms(11, [&] {
    ChildUsage run = measure_child({lorsync_binary, "--plan", ours.string(), "record", "brennan-neurology", "reminded"});
    if (run.exit_code != 0) std::exit((std::fprintf(stderr, "lorsync record failed\n"), 1));
  });

  // 5. git's merge driver, one letter, as git runs it: a new process that writes the merge into OURS. Three merges:
  // one side wrote notes while the other recorded an event (lorsync needs neither libgit2's line merge nor the
  // history, and does not start libgit2), both recorded an event (the front matter's lines merge through libgit2),
  // and both changed the same field (the later change wins: the history says which). Runs are interleaved with
  // the baseline's; OURS is restored before each, untimed.
  const fs::path merge_dir = dir / "merge-file";
  // The sample's letter as a user has it (three events), not the one the record rounds above grew to 44.
  std::string base_letter;
  for (const auto& file : sample_plan_files(*parse_date("2026-08-15")))
    if (file.path == "letters/brennan-neurology.md") base_letter = *file.contents;
  auto replaced = [&](const std::string& from, const std::string& to) {
    std::string text = base_letter;
    return text.replace(text.find(from), from.size(), to);
  };
  const std::string last_event = "  - {date: 2026-07-14, event: packet-sent, via: email}\n";
  write_file(merge_dir / "base.md", base_letter);
  struct MergeCase {
    std::string ours, theirs, expected;
    double lorsync_ms = 0, git_ms = 0;
  } notes_and_event{base_letter + "Reminder sent by text message as well.\n",
                    replaced(last_event, last_event + "  - {date: 2026-08-21, event: reminded, via: email}\n"),
                    "event: reminded"},
      event_each{replaced(last_event, last_event + "  - {date: 2026-08-21, event: reminded, via: email}\n"),
                 replaced(last_event, last_event + "  - {date: 2026-08-22, event: uploaded}\n"), "event: uploaded"},
      same_field{replaced("waived: true", "waived: false"), replaced("waived: true", "waived: no"), "waived: "};
  for (MergeCase* merge : {&notes_and_event, &event_each, &same_field}) {
    write_file(merge_dir / "theirs.md", merge->theirs);
    std::vector<double> lorsync_runs, git_runs;
    for (int round = 0; round < 31; ++round) {
      write_file(merge_dir / "ours.md", merge->ours);
      ChildUsage run = measure_child({lorsync_binary, "merge-file", "base.md", "ours.md", "theirs.md",
                                      "letters/brennan-neurology.md"}, merge_dir);
      if (run.exit_code != 0 || read_file(merge_dir / "ours.md").find(merge->expected) == std::string::npos)
        std::exit((std::fprintf(stderr, "lorsync merge-file failed (exit %d, or no \"%s\" in the merge)\n", run.exit_code,
                                merge->expected.c_str()), 1));
      lorsync_runs.push_back(run.wall_ms);
      write_file(merge_dir / "ours.md", merge->ours);
      run = measure_child({"git", "merge-file", "ours.md", "base.md", "theirs.md"}, merge_dir);
      if (run.exit_code < 0) std::exit((std::fprintf(stderr, "git merge-file failed\n"), 1));
      git_runs.push_back(run.wall_ms);
    }
    merge->lorsync_ms = median(lorsync_runs);
    merge->git_ms = median(git_runs);
  }

  // 6. `lorsync status` as a new process on the sample plan (after one run, as a user's second status finds it),
  // against `git status` of the same repository.
  measure_child({lorsync_binary, "--plan", ours.string(), "status"});
  std::vector<double> status_runs, git_status_runs;
  for (int round = 0; round < 31; ++round) {
    ChildUsage run = measure_child({lorsync_binary, "--plan", ours.string(), "status"});
    if (run.exit_code != 0) std::exit((std::fprintf(stderr, "lorsync status failed\n"), 1));
    status_runs.push_back(run.wall_ms);
    git_status_runs.push_back(measure_child({"git", "-C", ours.string(), "status"}).wall_ms);
  }
  double status_cli_ms = median(status_runs), git_status_ms = median(git_status_runs);

  std::printf("lorsync bench (%zu entity files; medians; ratio = how many times the baseline's cost)\n\n", entities);
  row("figure", "lorsync", "baseline (same run)", "baseline", "ratio", "target");
  std::printf("|%s|%s|%s|%s|%s|%s|\n", std::string(46, '-').c_str(), std::string(14, '-').c_str(),
              std::string(42, '-').c_str(), std::string(14, '-').c_str(), std::string(12, '-').c_str(),
              std::string(24, '-').c_str());
  row("load + validate 10k files (in process)", ms(check_ms), "read the same files (in process)", ms(read_ms),
      times(check_ms / read_ms), "<= 1000 ms");
  row("`lorsync validate` 10k files: wall", ms(validate.wall_ms), "find -exec cat of the same files", ms(cat.wall_ms),
      times(validate.wall_ms / cat.wall_ms), "<= 1000 ms");
  char peak[32], cat_peak[32];
  std::snprintf(peak, sizeof peak, "%.0f MB", validate.peak_mb);
  std::snprintf(cat_peak, sizeof cat_peak, "%.0f MB", cat.peak_mb);
  row("`lorsync validate` 10k files: peak memory", peak, "find -exec cat of the same files", cat_peak,
      times(validate.peak_mb / std::max(cat.peak_mb, 0.1)), "<= 200 MB");
  row("record (validate+write+commit, in process)", ms(record_ms), "git add + git commit, fsync on", ms(git_ms),
      times(git_ms / record_ms) + " faster", ">= 2x faster");
  row("`lorsync record` as a new process", ms(cli_ms), "git add + git commit, fsync on", ms(git_ms),
      times(git_ms / cli_ms) + " faster", "(for information)");
  row("audit + deadlines + status, sample plan", ms(sample_status_ms), "load + validate the sample plan",
      ms(sample_load_ms), times(sample_status_ms / sample_load_ms), "<= 1 ms");
  row("audit + deadlines + status, 10k files", ms(large_status_ms), "load + validate the 10k plan", ms(check_ms),
      times(large_status_ms / check_ms), "<= 200 ms");
  row("suggest letters, " + std::to_string(suggested) + " programs x 12 letters", ms(suggest_ms),
      "load + validate that plan", ms(programs_load_ms), times(suggest_ms / programs_load_ms), "<= 50 ms");
  row("`lorsync merge-file`, notes + an event", ms(notes_and_event.lorsync_ms), "`git merge-file` of the same files",
      ms(notes_and_event.git_ms), times(notes_and_event.lorsync_ms / notes_and_event.git_ms), "<= 2x");
  row("`lorsync merge-file`, an event each side", ms(event_each.lorsync_ms), "`git merge-file` of the same files",
      ms(event_each.git_ms), times(event_each.lorsync_ms / event_each.git_ms), "<= 2x");
  row("`lorsync merge-file`, one field both sides", ms(same_field.lorsync_ms), "`git merge-file` of the same files",
      ms(same_field.git_ms), times(same_field.lorsync_ms / same_field.git_ms), "<= 2x");
  row("`lorsync status` as a new process, sample", ms(status_cli_ms), "`git status` of the same repository",
      ms(git_status_ms), times(status_cli_ms / git_status_ms), "<= 15 ms");
  bool ok = notes_and_event.lorsync_ms <= 2 * notes_and_event.git_ms && event_each.lorsync_ms <= 2 * event_each.git_ms &&
            same_field.lorsync_ms <= 2 * same_field.git_ms &&
            status_cli_ms <= 15 && sample_status_ms <= 1 && large_status_ms <= 200 && suggest_ms <= 50 && check_ms <= 1000 && validate.wall_ms <= 1000 && validate.peak_mb <= 200 && git_ms / record_ms >= 2;
  std::printf("\n%s\n", ok ? "All targets met." : "Some targets were missed (see above).");
  return ok ? 0 : 1;
}
