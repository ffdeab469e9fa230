#include "cli/commands.hpp"

#include "draft/draft.hpp"

#include "cli/output.hpp"
#include "cli/plan_writer.hpp"
#include "store/plan_location.hpp"
#include "common/date.hpp"
#include "common/text.hpp"
#include "model/entities.hpp"
#include "store/store.hpp"
#include "validation/schema_set.hpp"

#include <ctime>
#include <iostream>
#include <memory>

namespace lorsync::cli {
namespace fs = std::filesystem;

int report_commit(const Result<CommitResult>& result, const GlobalOptions& global, const std::string& done,
                  nlohmann::json extra) {
  if (!result) return report_error(result.error(), global.json);
  if (global.json) {
    nlohmann::json out = result.value();
    if (extra.is_object()) out.update(extra);
    print_json(out);
  } else {
    std::cout << done << " (commit " << result->commit.substr(0, 7) << ")\n";
  }
  return kExitOk;
}

Result<Date> today_from(const GlobalOptions& global) {
  if (global.today.empty()) {
    auto overridden = today_override_from_env();
    if (!overridden) return overridden.take_error();
    return overridden->value_or(calendar_today());
  }
  if (auto date = parse_date(global.today)) return *date;
  return make_error(ErrorCode::usage, "--today " + global.today + " is not a date (YYYY-MM-DD)");
}

Result<Store> open_store(const GlobalOptions& global) {
  return Store::open(find_plan(global.plan));
}

Result<PlanWriter> open_writer(const GlobalOptions& global) {
  auto store = open_store(global);  // the same checks and messages whichever way the change goes
  if (!store) return store.take_error();
  return PlanWriter::open(std::move(store.value()));
}

namespace {

// "key=value" into a field edit. The value is read as YAML, like a file's
// contents, except where the schema expects text: there it is taken as typed
// (so eras_letter_id=12345 stays "12345", and a note may hold a colon).
Result<FieldEdit> parse_assignment(DocumentKind kind, const std::string& assignment) {
  size_t equals = assignment.find('=');
  if (equals == std::string::npos || equals == 0)
    return make_error(ErrorCode::usage, in_quotes(assignment) + " is not key=value (e.g. waived=true, relationship.weeks=4)");
  auto path = parse_field_path(assignment.substr(0, equals));
  if (!path) return path.take_error();
  FieldEdit edit;
  edit.path = std::move(path.value());
  std::string raw = assignment.substr(equals + 1);
  if (Status utf8 = check_edit_is_utf8(FieldEdit{FieldEdit::Op::set, edit.path, raw}); !utf8) return utf8.take_error();
  const SchemaSet& schemas = SchemaSet::instance();
  const nlohmann::json* schema = schemas.schema_at(kind, edit.path);
  if (schema && schemas.resolved(kind, *schema).value("type", "") == "string") {
    edit.value = raw;
    return edit;
  }
  YamlParseResult parsed = parse_yaml(raw);
  if (parsed.error)
    return make_error(ErrorCode::usage, "the value of " + field_name(edit.path) + " is not valid YAML: " +
                                            parsed.error->message + " (quote text that contains : or #)");
  edit.value = to_json(*parsed.root);
  return edit;
}

Result<std::vector<FieldEdit>> parse_assignments(DocumentKind kind, const std::vector<std::string>& assignments,
                                                 const std::vector<std::string>& unset) {
  std::vector<FieldEdit> edits;
  for (const auto& assignment : assignments) {
    auto edit = parse_assignment(kind, assignment);
    if (!edit) return edit.take_error();
    edits.push_back(std::move(edit.value()));
  }
  for (const auto& key : unset) {
    auto path = parse_field_path(key);
    if (!path) return path.take_error();
    FieldEdit removal{FieldEdit::Op::remove, std::move(path.value()), nullptr};
    if (Status utf8 = check_edit_is_utf8(removal); !utf8) return utf8.take_error();
    edits.push_back(std::move(removal));
  }
  return edits;
}

void add_init(CLI::App& app, GlobalOptions& global, std::function<int()>& run) {
  auto* cmd = app.add_subcommand("init", "Create a new plan repository (git) with plan.yaml and a first commit");
  auto dir = std::make_shared<std::string>();
  auto sample = std::make_shared<bool>(false);
  auto name = std::make_shared<std::string>();
  cmd->add_option("DIR", *dir, "Folder for the plan (default: --plan, else $XDG_DATA_HOME/lorsync/plan)");
  cmd->add_flag("--sample", *sample,
                "Fill the plan with a realistic sample (a non-US IMG applying to PM&R), dated so that today is mid-season");
  cmd->add_option("--name", *name, "Your name, for plan.yaml (without --sample)");
  cmd->footer("Examples:\n  lorsync init                      # a new plan in ~/.local/share/lorsync/plan\n"
              "  lorsync init --sample /tmp/try    # a sample plan to explore");
  cmd->callback([&global, &run, dir, sample, name] {
    run = [&global, dir, sample, name] {
      auto today = today_from(global);
      if (!today) return report_error(today.error(), global.json);
      fs::path root = new_plan_dir(*dir, global.plan);
      InitOptions options;
      options.sample = *sample;
      options.today = today.value();
      options.applicant_name = *name;
      options.merge_driver = merge_driver_command();
      auto result = Store::init(root, options);
      if (!result) return report_error(result.error(), global.json);
      check_merge_driver(root);
      if (global.json) {
        print_json({{"plan", root.string()}, {"commit", result->commit}, {"message", result->message}});
      } else {
        std::cout << "Created a " << (*sample ? "sample " : "") << "plan in " << root.string() << "\n"
                  << "Next: lorsync --plan " << root.string() << " validate"
                  << (*sample ? "" : "   (then edit plan.yaml, or add writers: lorsync add writer ID --set name=...)")
                  << "\n";
      }
      return static_cast<int>(kExitOk);
    };
  });
}

void add_validate(CLI::App& app, GlobalOptions& global, std::function<int()>& run) {
  auto* cmd = app.add_subcommand("validate", "Check every plan file: schema, dates, references; list all problems");
  cmd->footer("Prints one line per problem: path:line:col: field: message. Exit 0 when valid, 2 otherwise.\n"
              "Example:\n  lorsync validate --json");
  cmd->callback([&global, &run] {
    run = [&global] {
      fs::path root = find_plan(global.plan);
      if (!fs::is_directory(root)) return report_error(no_plan_at(root), global.json);
      CheckedPlan checked = PlanChecker(root).check();
      for (auto& problem : check_plan_templates(root)) checked.diagnostics.push_back(std::move(problem));
      const Plan& plan = checked.plan;
      nlohmann::json counts = nlohmann::json::object();
      for (EntityKind kind : kEntityKinds) counts[kind_folder(kind)] = plan.of(kind).size();
      if (global.json) {
        print_json({{"valid", checked.valid()},
                    {"plan", root.string()},
                    {"counts", counts},
                    {"diagnostics", nlohmann::json(checked.diagnostics)}});
      } else if (checked.valid()) {
        std::cout << "The plan is valid: " << count_of(counts["rotations"], "rotation") << ", "
                  << count_of(counts["writers"], "writer") << ", " << count_of(counts["letters"], "letter") << ", "
                  << count_of(counts["programs"], "program") << ".\n";
      } else {
        for (const auto& d : checked.diagnostics) std::cout << format_diagnostic(d) << "\n";
        std::cerr << count_of(checked.diagnostics.size(), "problem") << " found; fix them in the files (or with lorsync set) and run lorsync validate again.\n";
      }
      return static_cast<int>(checked.valid() ? kExitOk : kExitUsage);
    };
  });
}

void add_add(CLI::App& app, GlobalOptions& global, std::function<int()>& run) {
  auto* cmd = app.add_subcommand("add", "Create an entity (rotation, writer, letter, program) and commit it");
  auto kind = std::make_shared<std::string>();
  auto id = std::make_shared<std::string>();
  auto sets = std::make_shared<std::vector<std::string>>();
  auto body = std::make_shared<std::string>();
  cmd->add_option("KIND", *kind, "rotation, writer, letter or program")->required();
  cmd->add_option("ID", *id, "The new entity's id: lowercase letters, digits, hyphens (its file name)")->required();
  cmd->add_option("--set", *sets, "A field as key=value (repeatable; nested fields with dots: relationship.weeks=4)");
  cmd->add_option("--body", *body, "Markdown notes below the front matter");
  cmd->footer("Example:\n  lorsync add writer jane-lee --set name=\"Jane Lee\" --set title=attending --set specialty=pmr \\\n"
              "      --set institution=\"Lakeshore Rehab\" --set country=US --set relationship.weeks=4");
  cmd->callback([&global, &run, kind, id, sets, body] {
    run = [&global, kind, id, sets, body] {
      auto entity = kind_from_word(*kind);
      if (!entity) return report_error(entity.error(), global.json);
      auto edits = parse_assignments(document_kind(entity.value()), *sets, {});
      if (!edits) return report_error(edits.error(), global.json);
      auto writer = open_writer(global);
      if (!writer) return report_error(writer.error(), global.json);
      std::string text = body->empty() || body->back() == '\n' ? *body : *body + "\n";
      return report_commit(writer->create(entity.value(), *id, edits.value(), text), global,
                           "Added " + entity_path(entity.value(), *id));
    };
  });
}

void add_set(CLI::App& app, GlobalOptions& global, std::function<int()>& run) {
  auto* cmd = app.add_subcommand("set", "Change fields of an entity (or of plan.yaml) in place and commit");
  auto kind = std::make_shared<std::string>();
  auto rest = std::make_shared<std::vector<std::string>>();
  auto unset = std::make_shared<std::vector<std::string>>();
  auto revision = std::make_shared<std::string>();
  cmd->add_option("KIND", *kind, "rotation, writer, letter, program, or plan (plan.yaml: no ID)")->required();
  cmd->add_option("ARGS", *rest, "ID then key=value... (for plan: key=value...)");
  cmd->add_option("--unset", *unset, "Remove a field (repeatable)");
  cmd->add_option("--if-revision", *revision, "Refuse if the file changed since this revision (its blob id)");
  cmd->footer("Only the lines of the changed fields change; comments, order and notes stay as they are.\n"
              "Examples:\n  lorsync set letter lee-pmr waived=true packet=[cv,personal-statement,summary]\n"
              "  lorsync set plan dates.programs_review=2026-09-24\n  lorsync set writer jane-lee --unset email");
  cmd->callback([&global, &run, kind, rest, unset, revision] {
    run = [&global, kind, rest, unset, revision] {
      DocumentRef target;
      std::vector<std::string> assignments = *rest;
      if (*kind != "plan") {
        auto entity = kind_from_word(*kind);
        if (!entity) return report_error(entity.error(), global.json);
        if (assignments.empty())
          return report_error(make_error(ErrorCode::usage, "name the " + std::string(kind_name(entity.value())) +
                                                               " to change: lorsync set " + *kind + " ID key=value"),
                              global.json);
        target = DocumentRef{document_kind(entity.value()), assignments.front()};
        assignments.erase(assignments.begin());
      }
      if (assignments.empty() && unset->empty())
        return report_error(make_error(ErrorCode::usage, "nothing to change: give key=value or --unset KEY"), global.json);
      auto edits = parse_assignments(target.kind, assignments, *unset);
      if (!edits) return report_error(edits.error(), global.json);
      auto writer = open_writer(global);
      if (!writer) return report_error(writer.error(), global.json);
      std::optional<std::string> if_revision;
      if (!revision->empty()) if_revision = *revision;
      return report_commit(writer->update(target, edits.value(), if_revision), global, "Changed " + target.path());
    };
  });
}

void add_rm(CLI::App& app, GlobalOptions& global, std::function<int()>& run) {
  auto* cmd = app.add_subcommand("rm", "Remove an entity and commit (refused while other files refer to it)");
  auto kind = std::make_shared<std::string>();
  auto id = std::make_shared<std::string>();
  auto revision = std::make_shared<std::string>();
  cmd->add_option("KIND", *kind, "rotation, writer, letter or program")->required();
  cmd->add_option("ID", *id, "The entity's id")->required();
  cmd->add_option("--if-revision", *revision, "Refuse if the file changed since this revision (its blob id)");
  cmd->footer("The file stays in git history: lorsync log shows the commit that removed it.\n"
              "Example:\n  lorsync rm program gulf-coast-pmr");
  cmd->callback([&global, &run, kind, id, revision] {
    run = [&global, kind, id, revision] {
      auto entity = kind_from_word(*kind);
      if (!entity) return report_error(entity.error(), global.json);
      auto writer = open_writer(global);
      if (!writer) return report_error(writer.error(), global.json);
      std::optional<std::string> if_revision;
      if (!revision->empty()) if_revision = *revision;
      return report_commit(writer->remove(entity.value(), *id, if_revision), global,
                           "Removed " + entity_path(entity.value(), *id));
    };
  });
}

void add_record(CLI::App& app, GlobalOptions& global, std::function<int()>& run) {
  auto* cmd = app.add_subcommand("record", "Record what happened with a letter (asked, agreed, uploaded, ...) and commit");
  auto letter = std::make_shared<std::string>();
  auto event = std::make_shared<std::string>();
  auto on = std::make_shared<std::string>();
  auto via = std::make_shared<std::string>();
  auto note = std::make_shared<std::string>();
  auto packet = std::make_shared<std::vector<std::string>>();
  cmd->add_option("LETTER", *letter, "The letter's id")->required();
  cmd->add_option("EVENT", *event,
                  "asked, agreed, declined, packet-sent, reminded, uploaded, thanked or match-shared")
      ->required();
  cmd->add_option("--on", *on, "The day it happened, YYYY-MM-DD (default: today)");
  cmd->add_option("--via", *via, "How: in-person, email, phone, eras, ...");
  cmd->add_option("--note", *note, "A short note kept with the event");
  cmd->add_option("--packet", *packet,
                  "With packet-sent: the documents that went, e.g. cv,summary (default: those plan.yaml's packet names)")
      ->delimiter(',');
  cmd->footer("Examples:\n  lorsync record lee-pmr asked --via in-person\n"
              "  lorsync record lee-pmr packet-sent --packet cv,personal-statement,summary\n"
              "  lorsync record lee-pmr uploaded --on 2026-08-20 --note \"confirmed in ERAS\"");
  cmd->callback([&global, &run, letter, event, on, via, note, packet, cmd] {
    run = [&global, letter, event, on, via, note, packet, given = cmd->count("--packet") > 0,
           on_given = cmd->count("--on") > 0] {
      auto today = today_from(global);
      if (!today) return report_error(today.error(), global.json);
      LetterEvent recorded{today.value(), *event, *via, *note, std::nullopt};
      if (given) recorded.packet = *packet;
      if (on_given) {
        auto date = parse_event_date(*on);
        if (!date) return report_error(make_error(ErrorCode::usage, "--on " + date.error().message), global.json);
        recorded.date = date.value();
      }
      auto writer = open_writer(global);
      if (!writer) return report_error(writer.error(), global.json);
      return report_commit(writer->record(*letter, recorded), global,
                           "Recorded " + *event + " on " + format_date(recorded.date) + " for letters/" + *letter);
    };
  });
}

void add_log(CLI::App& app, GlobalOptions& global, std::function<int()>& run) {
  auto* cmd = app.add_subcommand("log", "Show the plan's history: one line per change");
  auto limit = std::make_shared<int>(50);
  cmd->add_option("-n,--limit", *limit, "How many changes to show, 1 to 10000 (default 50)")
      ->check(CLI::Range(1, 10000));
  cmd->footer("Example:\n  lorsync log -n 10\n  git log works too: the plan is a plain git repository.");
  cmd->callback([&global, &run, limit] {
    run = [&global, limit] {
      auto store = open_store(global);
      if (!store) return report_error(store.error(), global.json);
      auto entries = store->log(static_cast<size_t>(*limit));
      if (!entries) return report_error(entries.error(), global.json);
      if (global.json) {
        print_json(entries.value());
      } else {
        for (const auto& e : entries.value())
          std::cout << format_clock_time(e.time, e.offset_minutes) << "  " << e.commit.substr(0, 7) << "  " << e.summary
                    << (e.device.empty() ? "" : "  [" + e.device + "]") << "\n";
      }
      return static_cast<int>(kExitOk);
    };
  });
}

void add_commit(CLI::App& app, GlobalOptions& global, std::function<int()>& run) {
  auto* cmd = app.add_subcommand("commit", "Commit the plan files you edited by hand (lorsyncd does this as you save)");
  cmd->footer("One commit per file, naming the fields that changed, e.g.\n"
              "  edit: letters/delgado-consult — status, events (edited outside lorsync)\n"
              "Nothing is committed while an edit leaves the plan invalid: the problems are listed.\n"
              "Also records the conflicts git's merge driver found in a `git pull`.\nExample:\n  lorsync commit");
  cmd->callback([&global, &run] {
    run = [&global] {
      auto store = open_store(global);
      if (!store) return report_error(store.error(), global.json);
      OutsideEdits edits = store->commit_outside_edits();
      // After a failure, the commits made before it stand (`lorsync log` shows them); the failure is the answer.
      if (edits.error && global.json) return report_error(*edits.error, true);
      if (global.json) {
        auto array = nlohmann::json::array();
        for (const auto& commit : edits.committed) array.push_back(commit);
        print_json({{"committed", array}});
      } else if (edits.committed.empty() && !edits.error) {
        std::cout << "Nothing to commit: the plan's files are as last committed.\n";
      } else {
        for (const auto& commit : edits.committed)
          std::cout << "Committed " << commit.commit.substr(0, 7) << "  " << commit.message << "\n";
      }
      if (edits.error) return report_error(*edits.error, false);
      return static_cast<int>(kExitOk);
    };
  });
}

}  // namespace

void register_commands(CLI::App& app, GlobalOptions& global, std::function<int()>& run) {
  add_init(app, global, run);
  add_validate(app, global, run);
  add_add(app, global, run);
  add_set(app, global, run);
  add_rm(app, global, run);
  add_record(app, global, run);
  add_log(app, global, run);
  add_commit(app, global, run);
  register_report_commands(app, global, run);
  register_sync_commands(app, global, run);
  register_open_command(app, global, run);
}

}  // namespace lorsync::cli
