// cli/sync_commands: the commands that keep a plan in step between devices:
// `remote`, `clone`, `sync`, `resolve`, and `merge-file` (git's merge driver).
#include "api/errors.hpp"
#include "cli/commands.hpp"
#include "common/file_contents.hpp"
#include "common/text.hpp"
#include "cli/output.hpp"
#include "client/daemon_file.hpp"
#include "merge/tree_merge.hpp"
#include "store/plan_location.hpp"
#include "sync/sync_cycle.hpp"
#include "validation/plan_check.hpp"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>

namespace lorsync::cli {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string shell_quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Whether the shell git runs a merge driver with finds `program`: an executable file of that name in a folder
// of $PATH. Empty entries (the current folder) are skipped: git runs the driver in the plan, not here.
bool on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::string_view rest = path ? path : "";
  while (!rest.empty()) {
    size_t colon = rest.find(':');
    fs::path folder(rest.substr(0, colon));
    rest.remove_prefix(colon == std::string_view::npos ? rest.size() : colon + 1);
    if (folder.empty()) continue;
    std::error_code ec;
    fs::path candidate = folder / program;
    if (fs::is_regular_file(candidate, ec) && ::access(candidate.c_str(), X_OK) == 0) return true;
  }
  return false;
}

// What a sync did, in a few lines (the same for a direct sync and one the daemon ran).
void print_report(const json& report) {
  size_t files = 0, conflicts = 0;
  for (const auto& item : report["received"]) files += item["paths"].size();
  std::cout << "Synced with " << report["remote"].get<std::string>() << ": ";
  if (report["received"].empty()) std::cout << "nothing new there";
  else std::cout << "received changes to " << count_of(files, "file");
  std::cout << (report["pushed"].get<bool>() ? "; sent yours" : "; nothing of yours to send") << ".\n";
  for (const auto& item : report["received"]) {
    for (const auto& c : item["conflicts"]) {
      ++conflicts;
      std::cout << "  conflict: "
                << describe(SyncConflict{c["path"], c["field"], c["kept"], c["lost"], c["kept_device"], c["lost_device"]})
                << "\n";
    }
    for (const auto& d : item["problems"])
      std::cout << "  problem after the merge: " << d["path"].get<std::string>() << ": " << d["message"].get<std::string>()
                << "\n";
  }
  if (conflicts) std::cout << "Check the kept values; settle each with `lorsync resolve PATH FIELD`.\n";
}

void add_remote(CLI::App& app, GlobalOptions& global, std::function<int()>& run) {
  auto* cmd = app.add_subcommand("remote", "Show or set the git remote your plan syncs with (origin)");
  auto url = std::make_shared<std::string>();
  cmd->add_option("URL", *url, "Any git remote: git@github.com:you/plan.git, https://..., or a folder (a USB disk)");
  cmd->footer("Create an empty private repository first (or `git init --bare /media/usb/plan.git`).\n"
              "Examples:\n  lorsync remote git@github.com:amina/lor-plan.git\n  lorsync remote   # show it");
  cmd->callback([&global, &run, url] {
    run = [&global, url] {
      auto store = open_store(global);
      if (!store) return report_error(store.error(), global.json);
      auto remote = Remote::open(store->root());
      if (!remote) return report_error(remote.error(), global.json);
      if (!url->empty()) {
        if (Status set = remote->set_origin(*url); !set) return report_error(set.error(), global.json);
      }
      auto current = remote->origin_url();
      if (!current) return report_error(current.error(), global.json);
      if (global.json) {
        print_json({{"remote", *current ? json(**current) : json()}});
      } else if (!*current) {
        std::cout << "This plan has no remote yet. Set one: lorsync remote URL\n";
      } else {
        std::cout << (url->empty() ? "This plan syncs with " : "This plan now syncs with ") << **current << "\n";
        if (!url->empty()) std::cout << "Next: lorsync sync   (then, on another device: lorsync clone " << **current << ")\n";
      }
      return static_cast<int>(kExitOk);
    };
  });
}

void add_clone(CLI::App& app, GlobalOptions& global, std::function<int()>& run) {
  auto* cmd = app.add_subcommand("clone", "Set up your plan on another device from its git remote");
  auto url = std::make_shared<std::string>();
  auto dir = std::make_shared<std::string>();
  cmd->add_option("URL", *url, "The remote your first device syncs with (see `lorsync remote` there)")->required();
  cmd->add_option("DIR", *dir, "Where to put the plan (default: --plan, else $XDG_DATA_HOME/lorsync/plan)");
  cmd->footer("Example:\n  lorsync clone git@github.com:amina/lor-plan.git");
  cmd->callback([&global, &run, url, dir] {
    run = [&global, url, dir] {
      fs::path root = new_plan_dir(*dir, global.plan);
      auto commit = clone_plan(*url, root, merge_driver_command());
      if (!commit) return report_error(commit.error(), global.json);
      check_merge_driver(root);
      CheckedPlan checked = PlanChecker(root).check();
      if (global.json) {
        print_json({{"plan", root.string()}, {"commit", *commit}, {"remote", *url},
                    {"valid", checked.valid()}, {"diagnostics", nlohmann::json(checked.diagnostics)}});
      } else {
        std::cout << "Cloned your plan into " << root.string() << "; it syncs with " << *url << ".\n";
        for (const auto& d : checked.diagnostics) std::cout << format_diagnostic(d) << "\n";
        std::cout << "Next: lorsync --plan " << root.string() << " status   (and run lorsyncd to sync automatically)\n";
      }
      return static_cast<int>(kExitOk);
    };
  });
}

void add_sync(CLI::App& app, GlobalOptions& global, std::function<int()>& run) {
  auto* cmd = app.add_subcommand("sync", "Fetch the other devices' changes, merge them, and send yours (one round)");
  cmd->footer("With lorsyncd serving the plan, the daemon runs the round (it also syncs on its own).\n"
              "Conflicting values are never dropped: the later change is kept and the other recorded\n"
              "until you settle it with `lorsync resolve`.\nExample:\n  lorsync sync");
  cmd->callback([&global, &run] {
    run = [&global] {
      auto writer = open_writer(global);
      if (!writer) return report_error(writer.error(), global.json);
      json report;
      if (RpcClient* daemon = writer->daemon()) {
        auto response = daemon->call("sync.now", json::object(), std::chrono::minutes(5));
        if (!response) return report_error(make_error(ErrorCode::io, "lorsyncd did not answer: " + response.error().message), global.json);
        if (response->contains("error"))
          return report_error(api::from_rpc_error((*response)["error"]), global.json);
        report = (*response)["result"];
      } else {
        Store& store = *writer->store();
        OutsideEdits edits = store.commit_outside_edits();
        if (edits.error)
          std::cerr << "lorsync: edits not committed (" << edits.error->message << "); syncing the rest\n";
        auto remote = Remote::open(store.root());
        if (!remote) return report_error(remote.error(), global.json);
        auto done = run_sync_cycle(*remote, [&store](const std::string& commit) { return store.integrate(commit); });
        if (!done) return report_error(done.error(), global.json);
        report = report_json(*done);
      }
      if (global.json) print_json(report);
      else print_report(report);
      return static_cast<int>(kExitOk);
    };
  });
}

// Which recorded value `--keep VALUE` names: the set-aside one is put back, the kept one stays.
Result<ResolveKeep> keep_choice(const std::vector<SyncConflict>& conflicts, const std::string& path,
                                const std::string& field, const std::string& value) {
  if (path.empty() || field.empty())
    return make_error(ErrorCode::usage, "--keep settles one conflict: name its PATH and FIELD, e.g.\n"
                                        "  lorsync resolve letters/okafor-pmr.md waived --keep false");
  auto conflict = std::find_if(conflicts.begin(), conflicts.end(),
                               [&](const SyncConflict& c) { return c.path == path && c.field == field; });
  if (conflict == conflicts.end())
    return make_error(ErrorCode::not_found, "no open sync conflict of " + path + " " + field + " (lorsync resolve lists them)");
  if (value == conflict->lost_value) return ResolveKeep::other;
  if (value == conflict->kept_value) return ResolveKeep::current;
  // Shell-quoted: the values as they would be typed after --keep.
  return make_error(ErrorCode::usage, shell_quoted(value) + " is neither value of the conflict: --keep " +
                                          shell_quoted(conflict->kept_value) + " (from " + conflict->kept_device +
                                          ") or --keep " + shell_quoted(conflict->lost_value) + " (from " +
                                          conflict->lost_device + "); for a third value, set it, then resolve");
}

void add_resolve(CLI::App& app, GlobalOptions& global, std::function<int()>& run) {
  auto* cmd = app.add_subcommand("resolve", "List the sync conflicts, or settle them keeping the value of your choice");
  auto path = std::make_shared<std::string>();
  auto field = std::make_shared<std::string>();
  auto keep = std::make_shared<std::string>();
  auto all = std::make_shared<bool>(false);
  cmd->add_option("PATH", *path, "The file of the conflict, e.g. letters/okafor-pmr.md");
  cmd->add_option("FIELD", *field, "The field (default: every conflict of PATH)");
  cmd->add_option("--keep", *keep,
                  "The value to keep, as the list shows it: the set-aside one is written back, in the same commit "
                  "(default: the values the plan has now)");
  cmd->add_flag("--all", *all, "Settle every open conflict");
  cmd->footer("Examples:\n"
              "  lorsync resolve                                            # list, with both values\n"
              "  lorsync resolve letters/okafor-pmr.md waived               # keep what the plan has now\n"
              "  lorsync resolve letters/okafor-pmr.md waived --keep false  # keep the other device's value");
  cmd->callback([&global, &run, path, field, keep, all] {
    run = [&global, path, field, keep, all] {
      if (path->empty() && !*all) {
        auto store = open_store(global);
        if (!store) return report_error(store.error(), global.json);
        CheckedPlan checked = store->check();
        json list = json::array();
        for (const auto& c : checked.plan.sync_conflicts) list.push_back(c);
        if (global.json) {
          print_json({{"conflicts", list}});
        } else if (checked.plan.sync_conflicts.empty()) {
          std::cout << "No sync conflicts.\n";
        } else {
          for (const auto& c : checked.plan.sync_conflicts) std::cout << describe(c) << "\n";
          std::cout << "Settle one with `lorsync resolve PATH FIELD` (add --keep VALUE for the other value), "
                       "or all as they are with --all.\n";
        }
        return static_cast<int>(kExitOk);
      }
      ResolveKeep choice = ResolveKeep::current;
      if (!keep->empty()) {
        auto store = open_store(global);
        if (!store) return report_error(store.error(), global.json);
        auto chosen = keep_choice(store->check().plan.sync_conflicts, *all ? "" : *path, *field, *keep);
        if (!chosen) return report_error(chosen.error(), global.json);
        choice = chosen.value();
      }
      auto writer = open_writer(global);
      if (!writer) return report_error(writer.error(), global.json);
      auto result = writer->resolve(*all ? "" : *path, *all ? "" : *field, choice);
      return report_commit(result, global, result ? "Settled: " + result->summary() : "");
    };
  });
}

void add_merge_file(CLI::App& app, GlobalOptions& global, std::function<int()>& run) {
  auto* cmd = app.add_subcommand("merge-file", "Merge one plan file as sync does (git's merge driver; you rarely run it)");
  auto base = std::make_shared<std::string>(), ours = std::make_shared<std::string>(),
       theirs = std::make_shared<std::string>(), path = std::make_shared<std::string>();
  cmd->add_option("BASE", *base, "The common ancestor's version (git's %O)")->required();
  cmd->add_option("OURS", *ours, "Our version; the result is written here (git's %A)")->required();
  cmd->add_option("THEIRS", *theirs, "Their version (git's %B)")->required();
  cmd->add_option("PATH", *path, "The file's path in the plan (git's %P)")->required();
  cmd->footer("`lorsync init` and `lorsync clone` register it in .git/config:\n"
              "  [merge \"lorsync\"] driver = lorsync merge-file %O %A %B %P\n"
              "It never writes conflict markers; it exits 0 with the merged file in OURS.");
  cmd->callback([&global, &run, base, ours, theirs, path] {
    run = [&global, base, ours, theirs, path] {
      auto our_text = read_whole(*ours);
      auto their_text = read_whole(*theirs);
      if (!our_text || !their_text)
        return report_error(make_error(ErrorCode::io, "cannot read " + (!our_text ? *ours : *theirs)), global.json);
      // git passes an empty file for the ancestor of a file both sides added.
      auto base_text = read_whole(*base);
      if (base_text && base_text->empty()) base_text.reset();
      std::error_code ec;
      auto merged = merge_for_git(fs::current_path(ec), *path, base_text, *our_text, *their_text);
      if (!merged) return report_error(merged.error(), global.json);
      std::ofstream out(*ours, std::ios::binary | std::ios::trunc);
      out << merged->merged.text;
      if (!out.flush()) return report_error(make_error(ErrorCode::io, "cannot write " + *ours), global.json);
      const auto& conflicts = merged->merged.conflicts;
      for (const auto& c : conflicts) std::cerr << "lorsync: " << describe(c) << "\n";
      if (conflicts.empty()) return static_cast<int>(kExitOk);
      // The merge still succeeds: the kept values are in the file, and the set-aside ones must not be lost.
      if (Status noted = Store::note_git_merge_conflicts(fs::current_path(ec), merged->theirs_commit, conflicts); !noted)
        return report_error(noted.error(), global.json);
      std::cerr << "lorsync: recorded in sync-conflicts.yaml once the merge is committed, by lorsyncd or the next "
                   "`lorsync commit` or `lorsync sync`; settle with `lorsync resolve`\n";
      return static_cast<int>(kExitOk);
    };
  });
}

}  // namespace

std::string merge_driver_command() { return "lorsync merge-file %O %A %B %P"; }

bool upgrade_merge_driver_registration(const fs::path& root) {
  // A plan folder that is not a git repository has no registration to bring up to date.
  auto repository = Repository::open(root);
  if (!repository) return true;
  Status upgraded = repository->upgrade_merge_driver(merge_driver_command());
  if (!upgraded) std::cerr << "lorsync: warning: " << upgraded.error().message << "\n";
  return static_cast<bool>(upgraded);
}

void warn_unless_lorsync_on_path() {
  if (on_path("lorsync")) return;
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  std::cerr << "lorsync: warning: no `lorsync` on PATH, so git cannot run lorsync's merge driver and a plain\n"
               "`git pull` stops at conflicts in plan files (`lorsync sync` is not affected). Install lorsync\n"
               "into a folder on PATH:\n"
            << "  install -Dm755 -t ~/.local/bin " << (ec ? std::string("path/to/lorsync") : shell_quoted(self.string()))
            << "\n(if ~/.local/bin is not on PATH yet: echo 'export PATH=\"$HOME/.local/bin:$PATH\"' >> ~/.profile,\n"
               "then log in again)\n";
}

void check_merge_driver(const fs::path& root) {
  upgrade_merge_driver_registration(root);
  warn_unless_lorsync_on_path();
}

void register_sync_commands(CLI::App& app, GlobalOptions& global, std::function<int()>& run) {
  add_remote(app, global, run);
  add_clone(app, global, run);
  add_sync(app, global, run);
  add_resolve(app, global, run);
  add_merge_file(app, global, run);
}

}  // namespace lorsync::cli
