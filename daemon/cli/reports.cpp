// cli/reports: the commands that read the plan and report on it: status,
// audit, deadlines (with --ics), programs, draft (a letter's email); and assign, which records a
// program's letters through the store.
#include "assignment/assignment.hpp"
#include "cli/commands.hpp"
#include "cli/git_config_cache.hpp"
#include "cli/output.hpp"
#include "cli/plan_writer.hpp"
#include "client/daemon_file.hpp"
#include "store/plan_location.hpp"
#include "common/text.hpp"
#include "draft/draft.hpp"
#include "rules/audit.hpp"
#include "rules/program_fit.hpp"
#include "status/status.hpp"
#include "sync/sync_cycle.hpp"
#include "store/store.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>

namespace lorsync::cli {
namespace fs = std::filesystem;

namespace {

struct Loaded {
  fs::path root;
  Model model;
  Date today;
};

// The plan, checked and typed; reports need a valid plan (else: exit 2 with its problems).
Result<Loaded> load(const GlobalOptions& global) {
  auto today = today_from(global);
  if (!today) return today.take_error();
  fs::path root = find_plan(global.plan);
  if (!fs::is_directory(root)) return no_plan_at(root);
  CheckedPlan checked = PlanChecker(root).check();
  if (!checked.valid())
    return make_error(ErrorCode::invalid_plan,
                      "the plan has problems; fix them first (lorsync validate lists them)", std::move(checked.diagnostics));
  return Loaded{root, build_model(checked.plan), today.value()};
}

class Paint {
 public:
  Paint() : on_(colour_on_stdout()) {}
  std::string operator()(const std::string& text, const char* code) const {
    return on_ ? std::string("\033[") + code + "m" + text + "\033[0m" : text;
  }
  std::string severity(Severity s, const std::string& text) const {
    return (*this)(text, s == Severity::error ? "1;31" : s == Severity::warning ? "33" : "36");
  }
  std::string state(DeadlineState s, const std::string& text) const {
    switch (s) {
      case DeadlineState::overdue: return (*this)(text, "1;31");
      case DeadlineState::due_soon: return (*this)(text, "33");
      case DeadlineState::done: return (*this)(text, "32");
      default: return text;
    }
  }

 private:
  bool on_ = false;
};

std::string pad(std::string text, size_t width) {
  // Pads by characters, not bytes, so names like "Zoë" line up.
  size_t chars = 0;
  for (unsigned char c : text) chars += (c & 0xC0) != 0x80 ? 1 : 0;
  if (chars > width) {
    while (!text.empty() && chars > width - 1) {
      unsigned char c = static_cast<unsigned char>(text.back());
      text.pop_back();
      if ((c & 0xC0) != 0x80) --chars;
    }
    return text + "…";
  }
  return text + std::string(width - chars, ' ');
}

void print_finding(const Finding& f, const Paint& paint) {
  std::cout << "  " << paint.severity(f.severity, pad(severity_name(f.severity), 7)) << " " << f.message << "\n"
            << "          → " << f.action << "\n";
  std::string where;
  for (const auto& r : f.refs)
    if (!r.path.empty()) where += (where.empty() ? "" : ", ") + r.path + (r.line > 0 ? ":" + std::to_string(r.line) : "");
  std::cout << "          " << paint(f.rule + (where.empty() ? "" : " · " + where) + " · guide: " + f.guide, "2") << "\n";
}

void print_deadline(const Deadline& d, const Date today, const Paint& paint) {
  int days = days_between(today, d.date);
  std::string when = days == 0 ? "today" : days > 0 ? "in " + std::to_string(days) + "d" : std::to_string(-days) + "d ago";
  std::cout << "  " << format_date(d.date) << "  " << paint.state(d.state, pad(when, 9)) << " "
            << paint.state(d.state, pad(state_name(d.state), 9)) << " " << d.title << "\n";
}

std::string in_hand(const LetterCounts& c) {
  return std::to_string(c.uploaded) + " of " + std::to_string(c.needed) + " uploaded" +
         (c.on_track ? ", " + std::to_string(c.on_track) + " on track" : "");
}

void print_readiness(const StatusReport& report, const Paint& paint) {
  if (report.season_over) {
    std::cout << "Season: " << paint("over", "1") << " — Match Day has passed; thank your writers and tell them where "
              << "you matched.\n";
    return;
  }
  std::cout << "Readiness: " << (report.ready ? paint("ready", "1;32") : paint("not ready", "1;31")) << " — letters "
            << in_hand(report.letters_in_hand) << "; " << count_of(report.errors, "error") << ", "
            << count_of(report.warnings, "warning") << ", " << count_of(report.infos, "note") << "\n";
  if (report.programs.empty()) return;
  int ready = static_cast<int>(std::count_if(report.programs.begin(), report.programs.end(),
                                             [](const ProgramReadiness& p) { return p.ready; }));
  std::cout << "Programs: " << ready << " of " << report.programs.size()
            << " have the letters they will see uploaded or on track\n";
  for (const auto& p : report.programs)
    if (!p.ready)
      std::cout << "  " << pad(p.name, 40) << " " << in_hand(p.letters)
                << (p.letters.late.empty() ? "" : "; late: " + join(p.letters.late, ", ")) << "\n";
}

// What cannot wait: advice due within the week, or late, by its day.
void print_do_now(const StatusReport& report, const Paint& paint) {
  const Date act_by = add_days(report.today, kActNowDays);
  bool any = false;
  for (const auto& f : report.findings) {
    if (!f.due || *f.due > act_by) break;  // the audit puts these first
    if (!any) std::cout << paint("Do now", "1") << "\n";
    any = true;
    std::cout << "  " << paint.severity(f.severity, "by " + format_date(*f.due)) << "  " << f.action << "\n";
  }
  if (any) std::cout << "\n";
}

int run_status(const GlobalOptions& global) {
  auto loaded = load(global);
  if (!loaded) return report_error(loaded.error(), global.json);
  // Brings the merge driver's registration up to date when git's config changed, as check_merge_driver does.
  std::optional<std::string> remote = status_git_config(loaded->root).origin_url;
  warn_unless_lorsync_on_path();
  StatusReport report = build_status(loaded->model, loaded->today);
  std::optional<DaemonInfo> daemon = running_daemon(loaded->root);
  if (global.json) {
    nlohmann::json out = to_json(report);
    out["plan"] = loaded->root.string();
    out["daemon"] = daemon ? nlohmann::json{{"pid", daemon->pid}, {"url", daemon->url}} : nlohmann::json();
    nlohmann::json conflicts = nlohmann::json::array();
    for (const auto& c : loaded->model.conflicts) conflicts.push_back(c);
    out["sync"] = {{"remote", remote ? nlohmann::json(*remote) : nlohmann::json()}, {"conflicts", conflicts}};
    print_json(out);
    return kExitOk;
  }
  Paint paint;
  std::cout << paint(report.applicant, "1") << " · PM&R Match " << report.cycle << " · today " << format_date(report.today)
            << "\n";
  print_readiness(report, paint);
  std::cout << "Daemon: "
            << (daemon ? "lorsyncd serves this plan at " + daemon->url + " (pid " + std::to_string(daemon->pid) + ")"
                       : std::string("not running (start it with lorsyncd; changes then reach your plugins live)"))
            << "\n";
  std::cout << "Sync: " << (remote ? "with " + *remote : std::string("no remote yet (lorsync remote URL, then lorsync sync)"));
  if (!loaded->model.conflicts.empty())
    std::cout << " — " << paint(count_of(loaded->model.conflicts.size(), "conflict") + " to check",
                                "1;33")
              << " (settle with lorsync resolve)";
  std::cout << "\n";
  for (const auto& c : loaded->model.conflicts) std::cout << "  " << describe(c) << "\n";
  std::cout << "\n";
  print_do_now(report, paint);
  std::cout << paint("Letters", "1") << "\n";
  std::cout << "  " << pad("writer", 24) << pad("specialty", 18) << pad("from", 6) << pad("status", 13) << "next\n";
  for (const auto& row : report.letters) {
    std::string next = row.next_action.empty() ? "—" : row.next_action;
    if (row.due) next += " · by " + format_date(*row.due);
    std::cout << "  " << pad(row.writer, 24) << pad(row.specialty, 18) << pad(row.us ? "US" : "home", 6)
              << pad(row.status, 13) << (row.due_state ? paint.state(*row.due_state, next) : next) << "\n";
  }
  std::cout << "\n" << paint("Next deadlines", "1") << "\n";
  if (report.next_deadlines.empty()) std::cout << "  none\n";
  for (const auto& d : report.next_deadlines) print_deadline(d, report.today, paint);
  std::cout << "\n" << paint("Top findings", "1") << (report.findings.size() > 5 ? " (lorsync audit lists all " + std::to_string(report.findings.size()) + ")" : "") << "\n";
  if (report.findings.empty()) std::cout << "  none: your letter plan follows the guide\n";
  for (size_t i = 0; i < report.findings.size() && i < 5; ++i) print_finding(report.findings[i], paint);
  return kExitOk;
}

int run_audit_command(const GlobalOptions& global) {
  auto loaded = load(global);
  if (!loaded) return report_error(loaded.error(), global.json);
  auto findings = run_audit(loaded->model, loaded->today);
  AuditCounts counts = count(findings);
  if (global.json) {
    auto array = nlohmann::json::array();
    for (const auto& f : findings) array.push_back(to_json(f));
    print_json({{"today", format_date(loaded->today)},
                {"errors", counts.errors},
                {"warnings", counts.warnings},
                {"infos", counts.infos},
                {"findings", array}});
  } else {
    Paint paint;
    for (const auto& f : findings) print_finding(f, paint);
    std::cout << (findings.empty() ? "No findings: your letter plan follows the guide.\n" : "")
              << count_of(counts.errors, "error") << ", " << count_of(counts.warnings, "warning") << ", "
              << count_of(counts.infos, "note") << "\n";
  }
  return counts.errors > 0 ? kExitAuditErrors : kExitOk;
}

int run_deadlines(const GlobalOptions& global, std::optional<int> within, bool ics, const std::string& output) {
  auto loaded = load(global);
  if (!loaded) return report_error(loaded.error(), global.json);
  std::vector<Deadline> shown = deadlines_within(derive_deadlines(loaded->model, loaded->today), loaded->today, within);
  if (ics) {
    std::string calendar = to_icalendar(shown, loaded->today);
    if (output.empty() || output == "-") {
      std::cout << calendar;
    } else {
      std::ofstream out(output, std::ios::binary | std::ios::trunc);
      out << calendar;
      if (!out) return report_error(make_error(ErrorCode::io, "cannot write " + output), global.json);
      if (!global.json) std::cerr << "Wrote " << shown.size() << " deadlines to " << output << "\n";
    }
    return kExitOk;
  }
  if (global.json) {
    auto array = nlohmann::json::array();
    for (const auto& d : shown) array.push_back(to_json(d));
    print_json(array);
    return kExitOk;
  }
  Paint paint;
  if (shown.empty()) std::cout << "No deadlines" << (within ? " in the next " + std::to_string(*within) + " days" : "") << ".\n";
  for (const auto& d : shown) print_deadline(d, loaded->today, paint);
  return kExitOk;
}

int run_programs(const GlobalOptions& global) {
  auto loaded = load(global);
  if (!loaded) return report_error(loaded.error(), global.json);
  auto reports = report_programs(loaded->model);
  if (global.json) {
    auto array = nlohmann::json::array();
    for (const auto& r : reports) array.push_back(to_json(r));
    print_json(array);
    return kExitOk;
  }
  if (reports.empty())
    std::cout << "No programs in this plan yet; add one with lorsync add program ID name=\"...\" (lorsync add --help).\n";
  Paint paint;
  for (const auto& r : reports) {
    std::cout << paint(r.name, "1") << " (" << r.id << ")\n";
    if (r.assigned.empty()) std::cout << "  assigned: none yet\n";
    else if (r.assigned_problems.empty()) std::cout << "  assigned: " << join(r.assigned, ", ") << " — " << paint("fits", "32") << "\n";
    else std::cout << "  assigned: " << join(r.assigned, ", ") << " — " << paint(join(r.assigned_problems, "; "), "31") << "\n";
    std::cout << "  visa: "
              << (r.sponsors_visa ? (*r.sponsors_visa ? paint("sponsors yours", "32") : paint("does not sponsor yours", "31"))
                                  : std::string("unknown or not needed"))
              << " · deadline: " << (r.deadline ? format_date(*r.deadline) : std::string("not set"))
              << (r.deadline_ok ? "" : paint(" (before your letters are due)", "33")) << "\n";
    std::cout << "  suggested:\n";
    for (const auto& c : r.suggestion) std::cout << "    " << pad(c.letter, 24) << c.reason << "\n";
    if (!r.suggestion_problems.empty())
      std::cout << "    " << paint("even the best set falls short: " + join(r.suggestion_problems, "; "), "33") << "\n";
  }
  return kExitOk;
}

int run_assign(const GlobalOptions& global, const std::string& program_id, const std::vector<std::string>& letters,
               bool force) {
  auto loaded = load(global);
  if (!loaded) return report_error(loaded.error(), global.json);
  auto store = Store::open(loaded->root);
  if (!store) return report_error(store.error(), global.json);
  PlanWriter writer = PlanWriter::open(std::move(store.value()));
  auto assigned = writer.assign(loaded->model, program_id, letters, force);
  if (!assigned) return report_error(assigned.error(), global.json);
  auto program = loaded->model.programs.find(program_id);
  std::string done = "Assigned " + join(letters, ", ") + " to " +
                     (program == loaded->model.programs.end() ? program_id : program->second.name);
  if (!assigned->problems.empty()) done += ", despite: " + join(assigned->problems, "; ");
  return report_commit(assigned->commit, global, done, {{"problems", assigned->problems}});
}

int run_draft(const GlobalOptions& global, const std::string& letter_id, const std::string& asked, bool mailto,
              bool open) {
  auto loaded = load(global);
  if (!loaded) return report_error(loaded.error(), global.json);
  const Model& model = loaded->model;
  auto letter = model.letters.find(letter_id);
  if (letter == model.letters.end())
    return report_error(make_error(ErrorCode::not_found, "no letter '" + letter_id + "' (lorsync status lists them)"),
                        global.json);
  auto step = choose_draft_step(model, letter->second, asked, loaded->today);
  if (!step) return report_error(step.error(), global.json);
  auto draft = render_draft(model, letter->second, step.value(), loaded->root);
  if (!draft) return report_error(draft.error(), global.json);
  std::string url = mailto_url(draft.value());
  if (open) {
    if (!has_display() || !open_with_desktop(url))
      return report_error(make_error(ErrorCode::io, "no desktop mail client to open the draft (xdg-open failed or no "
                                                    "DISPLAY); print it with --mailto or without options"),
                          global.json);
    std::cout << "Opened the " << draft_step_name(step.value()) << " draft to " << draft->to
              << " in your mail client; lorsync never sends mail.\n";
    return kExitOk;
  }
  if (global.json) {
    print_json(draft_json(draft.value()));
  } else if (mailto) {
    std::cout << url << "\n";
  } else {
    std::cout << "To: " << draft->to << "\nSubject: " << draft->subject << "\n";
    for (const std::string& file : draft->attachments) std::cout << "Attach: " << file << "\n";
    std::cout << "\n" << draft->body;
  }
  return kExitOk;
}

}  // namespace

void register_report_commands(CLI::App& app, GlobalOptions& global, std::function<int()>& run) {
  auto* status = app.add_subcommand("status", "One screen: readiness, each letter's next step, deadlines, findings");
  status->footer("Colour on a terminal; none when piped or with NO_COLOR.\nExample:\n  lorsync status\n  lorsync status --json");
  status->callback([&global, &run] { run = [&global] { return run_status(global); }; });

  auto* audit = app.add_subcommand("audit", "Check the letter plan against what PM&R programs expect");
  audit->footer("Exit 1 when there are errors. docs/rules.md explains every rule.\nExample:\n  lorsync audit --today 2026-08-20");
  audit->callback([&global, &run] { run = [&global] { return run_audit_command(global); }; });

  auto* deadlines = app.add_subcommand("deadlines", "List the dated steps: ask, send packet, remind, upload, thank");
  auto within = std::make_shared<int>(-1);
  auto ics = std::make_shared<bool>(false);
  auto output = std::make_shared<std::string>();
  deadlines->add_option("--within", *within, "Only what is not done and due within DAYS, 0 to 3650 (overdue included)")
      ->check(CLI::Range(0, 3650));
  deadlines->add_flag("--ics", *ics, "Write an iCalendar file (one to-do per deadline, with an alarm the day before)");
  deadlines->add_option("-o,--output", *output, "With --ics: the file to write (default: stdout)");
  deadlines->footer("Examples:\n  lorsync deadlines --within 14\n  lorsync deadlines --ics -o letters.ics");
  deadlines->callback([&global, &run, within, ics, output] {
    run = [&global, within, ics, output] {
      std::optional<int> days;
      if (*within >= 0) days = *within;
      return run_deadlines(global, days, *ics, *output);
    };
  });

  auto* programs = app.add_subcommand("programs", "For each program: do its letters fit, visa, deadline, and a suggested set");
  programs->footer("Example:\n  lorsync programs\n  lorsync assign lakeshore-pmr whitfield-inpatient delgado-consult brennan-neurology");
  programs->callback([&global, &run] { run = [&global] { return run_programs(global); }; });

  auto* assign = app.add_subcommand("assign", "Record which letters (at most 4) go to a program in ERAS");
  auto program = std::make_shared<std::string>();
  auto letters = std::make_shared<std::vector<std::string>>();
  auto force = std::make_shared<bool>(false);
  assign->add_option("PROGRAM", *program, "The program's id")->required();
  assign->add_option("LETTER", *letters, "Letter ids, at most 4")->required();
  assign->add_flag("--force", *force, "Record it even if it does not meet the program's requirements");
  assign->footer("Refuses more than 4 letters, and a set that breaks the program's requirements unless --force.\n"
                 "Example:\n  lorsync assign riverside-pmr whitfield-inpatient delgado-consult brennan-neurology");
  assign->callback([&global, &run, program, letters, force] {
    run = [&global, program, letters, force] { return run_assign(global, *program, *letters, *force); };
  });

  auto* draft = app.add_subcommand("draft", "Print the email for a letter's next step (or a step you name); never sends");
  auto draft_letter = std::make_shared<std::string>();
  auto draft_asked = std::make_shared<std::string>();
  auto draft_mailto = std::make_shared<bool>(false);
  auto draft_open = std::make_shared<bool>(false);
  draft->add_option("LETTER", *draft_letter, "The letter's id")->required();
  draft->add_option("STEP", *draft_asked, "ask | follow-up | packet | remind | thank | match (default: the next step)");
  draft->add_flag("--mailto", *draft_mailto, "Print an RFC 6068 mailto: URL (attachments listed in the body)");
  draft->add_flag("--open", *draft_open, "Open the mailto: URL in the desktop's mail client (xdg-open)");
  draft->footer("The wording comes from the plan's templates/<step>.txt, else lorsync's defaults (docs/cli.md).\n"
                "Examples:\n  lorsync draft whitfield-inpatient\n  lorsync draft qureshi-home packet --mailto");
  draft->callback([&global, &run, draft_letter, draft_asked, draft_mailto, draft_open] {
    run = [&global, draft_letter, draft_asked, draft_mailto, draft_open] {
      return run_draft(global, *draft_letter, *draft_asked, *draft_mailto, *draft_open);
    };
  });
}

}  // namespace lorsync::cli
