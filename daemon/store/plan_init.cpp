// store/plan_init: `lorsync init`: a new plan repository with its first commit, from the templates here
// (.gitignore, .gitattributes, an empty plan.yaml and packet summary) or from the sample plan (store/sample).
#include "store/store.hpp"

#include "common/text.hpp"
#include "model/plan.hpp"
#include "store/atomic_file.hpp"
#include "store/store_internal.hpp"

#include <spdlog/spdlog.h>

namespace lorsync {
namespace fs = std::filesystem;

namespace {

constexpr const char* kGitignore = "# lorsync's local state (daemon port and token, locks): never committed\n.lorsync/\n";
constexpr const char* kGitattributes =
    "# Plan files merge field by field with lorsync's merge driver (see `lorsync merge-file`)\n"
    "*.md merge=lorsync\n"
    "plan.yaml merge=lorsync\n"
    "sync-conflicts.yaml merge=lorsync\n"
    "templates/*.txt merge=lorsync\n";


// A Match year's default dates: ERAS opens to programs in late September of the
// year before; Match Day is the third Friday of March.
std::string new_plan_yaml(const std::string& name, Date today) {
  using namespace std::chrono;
  int year = static_cast<int>(today.year());
  Date review_this_year{std::chrono::year{year}, September, day{24}};
  int cycle = today < review_this_year ? year + 1 : year + 2;
  year_month_weekday third_friday{std::chrono::year{cycle} / March / Friday[3]};
  Date match_day{sys_days{third_friday}};
  std::string season = std::to_string(cycle - 1);
  return "# lorsync plan: who you are, when things are due, and any thresholds you override.\n"
         "# Comments in this file are kept when lorsync changes it.\n"
         "applicant:\n"
         "  name: " + emit_flow(name) + "\n"
         "  citizenship: non-us      # us | non-us\n"
         "  graduate: img            # us-md | us-do | img\n"
         "  visa: undecided          # none | j1 | h1b | undecided\n"
         "specialty: pmr\n"
         "cycle: " + std::to_string(cycle) + "                # Match year\n"
         "interests: []              # what your personal statement argues, e.g. [inpatient-rehab, spinal-cord-injury]\n"
         "dates:\n"
         "  eras_submit: " + season + "-09-03      # when you plan to submit\n"
         "  programs_review: " + season + "-09-24  # letters should be uploaded by then\n"
         "  match_day: " + format_date(match_day) + "\n"
         "policy: {}                 # overrides: letters_min, letters_max, pmr_letters_min, ask_window_days,\n"
         "                           # reminder_lead_days, packet_days\n";
}

constexpr const char* kNewPacketSummary =
    "# LOR packet summary\n\n"
    "One page for your letter writers.\n\n"
    "## Why PM&R, and my long-term goals\n\n"
    "## Strengths you may have observed\n\n"
    "## Patient encounters that mattered to me\n\n"
    "## Context: medical school, IMG background, visa\n";


// The first commit's files: the repository's own, and the sample plan or an empty one.
std::vector<FileChange> first_files(const InitOptions& options) {
  std::vector<FileChange> files = {{".gitignore", kGitignore}, {".gitattributes", kGitattributes}};
  if (options.sample) {
    auto sample = sample_plan_files(options.today);
    files.insert(files.end(), sample.begin(), sample.end());
  } else {
    files.push_back({kPlanFileName, new_plan_yaml(options.applicant_name.empty() ? "Your Name" : options.applicant_name,
                                                  options.today)});
    files.push_back({kPacketSummaryPath, kNewPacketSummary});
  }
  return files;
}

}  // namespace

Result<CommitResult> Store::init(const fs::path& root, const InitOptions& options) {
  std::error_code ec;
  if (fs::exists(root / kPlanFileName, ec))
    return make_error(ErrorCode::exists, "a plan already exists at " + root.string());
  if (fs::exists(root, ec) && !fs::is_empty(root, ec))
    return make_error(ErrorCode::exists, root.string() + " is not empty; choose a new or empty folder for the plan");

  std::vector<FileChange> files = first_files(options);
  const bool root_existed = fs::exists(root, ec);
  fs::create_directories(root, ec);
  if (ec) return make_error(ErrorCode::io, "cannot create " + root.string() + ": " + ec.message());
  // A failed init (no git author, say) leaves nothing behind, so running it again just works.
  auto undo = [&](Error error) {
    std::error_code ignored;
    if (!root_existed) {
      fs::remove_all(root, ignored);
    } else {
      for (const auto& entry : fs::directory_iterator(root, ignored)) fs::remove_all(entry.path(), ignored);
    }
    return error;
  };
  auto repository = Repository::create(root);
  if (!repository) return undo(repository.take_error());
  for (const auto& file : files) {
    Status written = write_file_atomically(root / file.path, *file.contents);
    if (!written) return undo(written.take_error());
  }
  CheckedPlan checked = PlanChecker(root).check();
  if (!checked.valid())
    return undo(make_error(ErrorCode::invalid_plan, "the new plan does not validate", std::move(checked.diagnostics)));
  std::string device = options.store.device.empty() ? default_device() : options.store.device;
  std::string summary = options.sample ? "sample plan" : "new plan";
  std::string message = "init: plan — " + summary + "\n\nLorsync-Device: " + device + "\n";
  if (!options.merge_driver.empty()) {
    Status configured = repository->configure_merge_driver(options.merge_driver);
    if (!configured) return undo(configured.take_error());
  }
  auto commit = repository->commit(files, message);
  if (!commit) return undo(commit.take_error());
  spdlog::info("created a plan repository at {}", root.string());
  return CommitResult{commit.value(), kPlanFileName, "", "init: plan — " + summary};
}

}  // namespace lorsync
