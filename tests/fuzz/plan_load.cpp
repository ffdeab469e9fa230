// fuzz target plan_load: one plan file's text, as a user's editor or a peer's
// commit leaves it, read the way the daemon reads it: split and parsed
// (parse_document), checked against its JSON Schema (validate_document), then
// checked with the rest of a sample plan (PlanChecker with the file as an
// overlay: references, packet files) and, when the plan is valid, turned into
// the model that the audit rules and deadlines are computed from.
//
// Input: the file's path on the first line ("plan.yaml", "letters/<id>.md",
// "writers/<id>.md", ..., or "sync-conflicts.yaml"), its text after it. An
// input whose first line is no plan file is read whole as letters/fuzzed.md.
//
// Invariants: parsing gives a document or says why not (at least one
// diagnostic, located in the file); a document keeps the text byte for byte
// and its YAML and body ranges lie inside it, and its data is UTF-8 text; every diagnostic names the file.
#include "fuzz_support.hpp"

#include "common/text.hpp"
#include "deadlines/deadlines.hpp"
#include "model/entities.hpp"
#include "model/front_matter_edit.hpp"
#include "model/sync_conflicts.hpp"
#include "rules/audit.hpp"
#include "validation/plan_check.hpp"
#include "validation/validator.hpp"

#include <memory>

using namespace lorsync;

namespace {

const Date kToday = *parse_date("2026-08-15");

PlanChecker& sample_checker() {
  static PlanChecker checker(fuzz::sample_plan("plan"));
  return checker;
}

void check_diagnostics_name(const std::vector<Diagnostic>& diagnostics, const std::string& path) {
  for (const auto& diagnostic : diagnostics)
    fuzz::require(diagnostic.where.path == path, "a diagnostic of a file names another file",
                  diagnostic.where.path + " for " + path + ": " + diagnostic.message);
}

void load_sync_conflicts(std::string_view text) {
  ParsedSyncConflicts parsed = parse_sync_conflicts(std::string(text));
  check_diagnostics_name(parsed.diagnostics, kSyncConflictsPath);
  for (const auto& conflict : parsed.conflicts) (void)describe(conflict);
  // What the merge writes back must read back as the same records.
  std::vector<SyncConflict> conflicts = parsed.conflicts;
  normalize(conflicts);
  if (!parsed.diagnostics.empty()) return;
  ParsedSyncConflicts again = parse_sync_conflicts(emit_sync_conflicts(conflicts));
  fuzz::require(again.diagnostics.empty(), "emitted sync conflicts do not parse");
  normalize(again.conflicts);
  fuzz::require(again.conflicts == conflicts, "emitted sync conflicts read back differently");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::scratch_dir();
  sample_checker().check();  // reads the sample once; later checks reread only the overlay
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input = fuzz::as_text(data, size);
  fuzz::FirstLine first = fuzz::split_first_line(input);
  if (first.found && first.line == kSyncConflictsPath) {
    load_sync_conflicts(first.rest);
    return 0;
  }
  std::optional<fuzz::PlanFile> file = first.found ? fuzz::plan_file_at(first.line) : std::nullopt;
  std::string_view text = file ? first.rest : input;
  if (!file) file = fuzz::PlanFile{DocumentKind::letter, "letters/fuzzed.md", "fuzzed"};

  ParsedDocument parsed = parse_document(file->kind, file->path, file->id, std::string(text));
  check_diagnostics_name(parsed.diagnostics, file->path);
  if (!parsed.document) {
    fuzz::require(!parsed.diagnostics.empty(), "a document was refused without a diagnostic");
    return 0;
  }
  const Document& document = *parsed.document;
  fuzz::require(document.text == text, "the document's text is not the file's");
  fuzz::require(document.yaml_begin <= document.yaml_end && document.yaml_end <= document.text.size(),
                "the YAML range lies outside the text");
  fuzz::require(document.body_begin <= document.text.size(), "the body starts outside the text");
  (void)document.body();
  // The data is sent as JSON and edited with nlohmann's dump(), which throws on text that is not UTF-8. A file
  // that is not UTF-8 is refused above; one that is must give UTF-8 data, whatever its escapes and control
  // characters (regressions/plan_load/ holds a NUL byte that once did not).
  fuzz::require(all_text_is_utf8(document.data), "a UTF-8 file gave data that is not UTF-8", text);

  std::vector<Diagnostic> problems = validate_document(document);
  check_diagnostics_name(problems, file->path);

  // The whole plan with this file in it, as a change through the store would be checked.
  auto shared = std::make_shared<const Document>(std::move(*parsed.document));
  CheckedPlan checked = sample_checker().check({FileOverlay{file->path, file->kind, file->id, shared}});
  if (!checked.valid()) return 0;
  Model model = build_model(checked.plan);
  (void)run_audit(model, kToday);
  for (const auto& deadline : derive_deadlines(model, kToday)) (void)to_json(deadline);
  return 0;
}
