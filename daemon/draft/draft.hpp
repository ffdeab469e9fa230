// draft/draft: the emails lorsync drafts for a letter (ask, follow-up, packet, remind, thank, match):
// the template syntax, the default wording that follows the guide (compiled in from
// draft/templates/*.txt), rendering a template against the plan, and the RFC 6068 mailto: URL.
// lorsync never sends mail; it prints the draft or hands the URL to the desktop's mail client.
//
// Template syntax (one file per step, `<step>.txt`):
//   Subject: the subject line, with placeholders
//   <blank line>
//   the body, with placeholders
// A placeholder is `{name}` (e.g. `{writer.name}`); `{{` and `}}` are a literal brace. A placeholder
// that renders empty on a line of its own removes that line. The names are those of kPlaceholders.
#pragma once

#include "common/diagnostic.hpp"
#include "deadlines/schedule.hpp"
#include "model/entities.hpp"

#include <nlohmann/json_fwd.hpp>

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace lorsync {

// The steps a draft exists for, as named on the command line and in the API.
enum class DraftStep { ask, follow_up, packet, remind, thank, match };
const char* draft_step_name(DraftStep step);  // ask | follow-up | packet | remind | thank | match
std::optional<DraftStep> parse_draft_step(std::string_view name);
// The draft for a letter's next step: upload → remind (the writer needs the nudge), share-match → match.
DraftStep draft_step_for(LetterStep step);

// The step to draft: the one named (empty: none), else the letter's next step on `today`; a clear error
// for an unknown step or a letter with nothing left to do.
Result<DraftStep> choose_draft_step(const Model& model, const Letter& letter, const std::string& named, Date today);

// Every placeholder a template may use.
const std::vector<std::string>& draft_placeholders();

struct Template {
  std::string subject;
  std::string body;
};

// Parses a template's text; problems (no Subject line, unknown placeholder, unclosed brace) name
// path:line:col.
Result<Template> parse_template(const std::string& path, std::string_view text);

// The problems of the plan's own templates/*.txt (`lorsync validate` reports them): a file that is not a
// step's template, a link, or a template that does not parse.
std::vector<Diagnostic> check_plan_templates(const std::filesystem::path& plan_root);

struct Draft {
  DraftStep step;
  std::string to, subject, body;
  std::vector<std::string> attachments;  // the packet documents' files (packet step)
};

// The draft for `letter` at `step`, from the plan's own templates/<step>.txt when `plan_root` has one,
// else the default wording.
Result<Draft> render_draft(const Model& model, const Letter& letter, DraftStep step,
                           const std::filesystem::path& plan_root);

// RFC 6068 mailto: URL of a draft; attachments cannot travel in it, so the body then lists them.
std::string mailto_url(const Draft& draft);
std::string percent_encode(std::string_view text);  // everything but RFC 3986 unreserved characters

// {step, to, subject, body, attachments, mailto}: the one wire form, for `lorsync draft --json` and the API.
nlohmann::json draft_json(const Draft& draft);

}  // namespace lorsync
