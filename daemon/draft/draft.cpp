// draft/draft: rendering the emails of a letter's life from templates; see draft.hpp for the syntax.
#include "draft/draft.hpp"

#include "common/file_contents.hpp"
#include "common/resources.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>

namespace lorsync {
namespace fs = std::filesystem;

namespace {

// The guide's gentle theme suggestion, only for a non-US citizen IMG (guide, section 4).
constexpr const char* kImgThemes =
    "If you feel it's appropriate, it would be especially helpful if you could comment on my ability to adapt "
    "to the US clinical environment as a non-US citizen IMG, my teamwork with therapists and nursing, and my "
    "commitment to PM&R.";

// The packet the guide lists (section 4), when plan.yaml names no documents of its own.
constexpr const char* kGuideDocuments[][2] = {
    {"cv", "Updated CV"},
    {"personal-statement", "Personal statement"},
    {"scores", "USMLE/COMLEX score reports"},
    {"photo", "ERAS photo"},
    {"summary", "A one-page summary for writers"},
};

struct Piece {
  bool placeholder;
  std::string text;  // literal text, or the placeholder's name
};

// A template line split into literal text and placeholders.
using Line = std::vector<Piece>;

struct ParsedTemplate {
  Line subject;
  std::vector<Line> body;
};

Result<Line> parse_line(const std::string& path, int line_no, int column_offset, std::string_view text) {
  const auto& known = draft_placeholders();
  Line pieces;
  std::string literal;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if ((c == '{' || c == '}') && i + 1 < text.size() && text[i + 1] == c) {
      literal += c;
      ++i;
      continue;
    }
    if (c == '}')
      return make_error(ErrorCode::invalid_plan, "unmatched '}' (write '}}' for a brace)",
                        {{{path, line_no, column_offset + int(i) + 1, ""}, "unmatched '}' (write '}}' for a brace)"}});
    if (c != '{') {
      literal += c;
      continue;
    }
    size_t close = text.find('}', i + 1);
    if (close == std::string_view::npos) {
      std::string message = "placeholder not closed (write '{{' for a brace)";
      return make_error(ErrorCode::invalid_plan, message, {{{path, line_no, column_offset + int(i) + 1, ""}, message}});
    }
    std::string name(text.substr(i + 1, close - i - 1));
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      std::string message = "unknown placeholder {" + name + "}; known: ";
      for (size_t k = 0; k < known.size(); ++k) message += (k ? ", {" : "{") + known[k] + "}";
      return make_error(ErrorCode::invalid_plan, message, {{{path, line_no, column_offset + int(i) + 1, ""}, message}});
    }
    if (!literal.empty()) pieces.push_back({false, std::move(literal)});
    literal.clear();
    pieces.push_back({true, std::move(name)});
    i = close;
  }
  if (!literal.empty()) pieces.push_back({false, std::move(literal)});
  return pieces;
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    start = end + 1;
  }
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  return lines;
}

Result<ParsedTemplate> parse_pieces(const std::string& path, std::string_view text) {
  constexpr std::string_view kSubject = "Subject:";
  auto lines = split_lines(text);
  if (lines.empty() || lines[0].substr(0, kSubject.size()) != kSubject) {
    std::string message = "a template starts with a 'Subject: ...' line";
    return make_error(ErrorCode::invalid_plan, message, {{{path, 1, 1, ""}, message}});
  }
  std::string_view subject = lines[0].substr(kSubject.size());
  int offset = int(kSubject.size());
  while (!subject.empty() && subject.front() == ' ') subject.remove_prefix(1), ++offset;
  ParsedTemplate parsed;
  auto subject_line = parse_line(path, 1, offset, subject);
  if (!subject_line) return subject_line.take_error();
  parsed.subject = std::move(subject_line.value());
  size_t first_body = lines.size() > 1 && lines[1].empty() ? 2 : 1;
  for (size_t n = first_body; n < lines.size(); ++n) {
    auto line = parse_line(path, int(n) + 1, 0, lines[n]);
    if (!line) return line.take_error();
    parsed.body.push_back(std::move(line.value()));
  }
  return parsed;
}

using Values = std::map<std::string, std::string>;

std::string render_line(const Line& line, const Values& values) {
  std::string out;
  for (const Piece& piece : line) out += piece.placeholder ? values.at(piece.text) : piece.text;
  return out;
}

std::string render_body(const std::vector<Line>& body, const Values& values) {
  std::string out;
  bool previous_blank = true;  // no blank line at the top, nor two in a row where a line was dropped
  for (const Line& line : body) {
    bool only_placeholders = !line.empty() && std::all_of(line.begin(), line.end(), [](const Piece& p) { return p.placeholder; });
    std::string text = render_line(line, values);
    if (text.empty() && only_placeholders) continue;  // an empty placeholder on its own line drops the line
    if (text.empty() && previous_blank) continue;
    out += text + "\n";
    previous_blank = text.empty();
  }
  while (out.size() >= 2 && out.ends_with("\n\n")) out.pop_back();
  return out;
}

std::string default_template_text(DraftStep step) {
  std::string file = std::string(draft_step_name(step)) + ".txt";
  for (const auto& embedded : resources::draft_templates())
    if (embedded.path == file) return std::string(embedded.contents);
  return {};
}

struct PacketDocument {
  std::string title;
  std::string file;  // empty when plan.yaml gives none
};

// The packet documents of plan.yaml (`packet:`), else the guide's list.
std::vector<PacketDocument> packet_documents(const Model& model, const fs::path& plan_root) {
  std::vector<PacketDocument> documents;
  const nlohmann::json* packet = nullptr;
  if (model.settings.document && model.settings.document->data.is_object() &&
      model.settings.document->data.contains("packet"))
    packet = &model.settings.document->data["packet"];
  if (packet && packet->is_object()) {
    for (const auto& [key, _] : kGuideDocuments) {
      auto it = packet->find(key);
      if (it == packet->end() || !it->is_object()) continue;
      PacketDocument document{it->value("title", std::string(key)), it->value("file", std::string())};
      if (!document.file.empty() && fs::path(document.file).is_relative())
        document.file = (plan_root / document.file).lexically_normal().string();
      documents.push_back(std::move(document));
    }
  }
  if (documents.empty())
    for (const auto& [key, title] : kGuideDocuments) {
      PacketDocument document{title, {}};
      if (std::string(key) == "summary" && model.packet_summary)
        document.file = (plan_root / kPacketSummaryPath).lexically_normal().string();
      documents.push_back(std::move(document));
    }
  return documents;
}

Values values_for(const Model& model, const Letter& letter, const std::vector<PacketDocument>& documents) {
  const Settings& settings = model.settings;
  const Writer* writer = model.writer_of(letter);
  const Rotation* rotation = model.rotation_of(letter);
  LetterDue due = letter_due(model, letter);
  Values v;
  v["applicant.name"] = settings.applicant.name;
  v["specialty"] = settings.specialty == "pmr" ? "PM&R" : settings.specialty;
  v["cycle"] = std::to_string(settings.cycle);
  v["writer.name"] = writer ? writer->name : letter.writer_id;
  v["writer.title"] = writer ? writer->title : "";
  v["writer.institution"] = writer ? writer->institution : "";
  v["rotation.institution"] = rotation ? rotation->institution : (writer ? writer->institution : "");
  v["rotation.start"] = rotation ? format_date(rotation->start) : "";
  v["rotation.end"] = rotation ? format_date(rotation->end) : "";
  v["rotation.dates"] = rotation ? format_date(rotation->start) + " to " + format_date(rotation->end) : "";
  v["due"] = format_date(due.date);
  v["due.program"] = due.program ? due.program->name : "program review";
  v["eras_letter_id"] = letter.eras_letter_id.empty() ? "[ERAS Letter ID]" : letter.eras_letter_id;
  std::string list;
  for (const PacketDocument& d : documents) list += (list.empty() ? "- " : "\n- ") + d.title;
  v["documents"] = list;
  v["themes"] = settings.applicant.non_us_img() ? kImgThemes : "";
  return v;
}

}  // namespace

const char* draft_step_name(DraftStep step) {
  switch (step) {
    case DraftStep::ask: return "ask";
    case DraftStep::follow_up: return "follow-up";
    case DraftStep::packet: return "packet";
    case DraftStep::remind: return "remind";
    case DraftStep::thank: return "thank";
    case DraftStep::match: return "match";
  }
  return "ask";
}

std::optional<DraftStep> parse_draft_step(std::string_view name) {
  for (DraftStep step : {DraftStep::ask, DraftStep::follow_up, DraftStep::packet, DraftStep::remind,
                         DraftStep::thank, DraftStep::match})
    if (name == draft_step_name(step)) return step;
  return std::nullopt;
}

DraftStep draft_step_for(LetterStep step) {
  switch (step) {
    case LetterStep::ask: return DraftStep::ask;
    case LetterStep::follow_up: return DraftStep::follow_up;
    case LetterStep::packet: return DraftStep::packet;
    case LetterStep::remind:
    case LetterStep::upload: return DraftStep::remind;
    case LetterStep::thank: return DraftStep::thank;
    case LetterStep::share_match: return DraftStep::match;
  }
  return DraftStep::ask;
}

const std::vector<std::string>& draft_placeholders() {
  static const std::vector<std::string> names = {
      "applicant.name", "specialty",     "cycle",         "writer.name",    "writer.title",
      "writer.institution", "rotation.institution", "rotation.start", "rotation.end", "rotation.dates",
      "due",            "due.program",   "eras_letter_id", "documents",     "themes"};
  return names;
}

Result<Template> parse_template(const std::string& path, std::string_view text) {
  auto parsed = parse_pieces(path, text);
  if (!parsed) return parsed.take_error();
  Values names;
  for (const std::string& name : draft_placeholders()) names[name] = "{" + name + "}";
  std::string body;
  for (const Line& line : parsed.value().body) body += render_line(line, names) + "\n";
  return Template{render_line(parsed.value().subject, names), body};
}

// A plan's own template is a regular file inside the plan: a symlink (which a synced plan could carry)
// would let a draft's body quote a file from anywhere on the machine.
// Its text, or nullopt when it is absent, a link, or in a linked folder.
std::optional<std::string> read_own_template(const fs::path& file) {
  std::error_code ec;
  if (fs::symlink_status(file, ec).type() != fs::file_type::regular ||
      fs::symlink_status(file.parent_path(), ec).type() != fs::file_type::directory)
    return std::nullopt;
  return read_whole(file);
}

std::vector<Diagnostic> check_plan_templates(const fs::path& plan_root) {
  std::vector<Diagnostic> problems;
  std::error_code ec;
  const fs::path folder = plan_root / "templates";
  if (!fs::is_directory(fs::symlink_status(folder, ec))) return problems;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(folder, ec)) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    const std::string path = "templates/" + file.filename().string();
    std::string stem = file.stem().string();
    if (file.extension() != ".txt" || !parse_draft_step(stem)) {
      problems.push_back({{path, 0, 0, ""}, "not a draft template: they are ask.txt, follow-up.txt, packet.txt, "
                                            "remind.txt, thank.txt and match.txt"});
      continue;
    }
    auto text = read_own_template(file);
    if (!text) {
      problems.push_back({{path, 0, 0, ""}, "must be a plain file in the plan, not a link"});
      continue;
    }
    if (auto parsed = parse_template(path, *text); !parsed)
      for (auto& d : parsed.error().diagnostics) problems.push_back(d);
  }
  return problems;
}

Result<Draft> render_draft(const Model& model, const Letter& letter, DraftStep step, const fs::path& plan_root) {
  std::string path = std::string("templates/") + draft_step_name(step) + ".txt";
  std::string text;
  if (auto own = read_own_template(plan_root / path)) {
    text = std::move(*own);
  } else {
    path = "(built-in) " + path;
    text = default_template_text(step);
  }
  auto parsed = parse_pieces(path, text);
  if (!parsed) return parsed.take_error();
  auto documents = packet_documents(model, plan_root);
  Values values = values_for(model, letter, documents);
  Draft draft{step, {}, render_line(parsed.value().subject, values), render_body(parsed.value().body, values), {}};
  if (const Writer* writer = model.writer_of(letter)) draft.to = writer->email;
  if (step == DraftStep::packet)
    for (const PacketDocument& d : documents)
      if (!d.file.empty()) draft.attachments.push_back(d.file);
  return draft;
}

std::string percent_encode(std::string_view text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    bool unreserved = std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += char(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 0xF];
    }
  }
  return out;
}

std::string mailto_url(const Draft& draft) {
  std::string body = draft.body;
  if (!draft.attachments.empty()) {
    body += "\n[Attach before sending:]\n";
    for (const std::string& file : draft.attachments) body += "- " + file + "\n";
  }
  // Line breaks in a mailto body are CRLF (RFC 6068 section 5).
  std::string crlf;
  for (char c : body) {
    if (c == '\n') crlf += "\r\n";
    else crlf += c;
  }
  // The address keeps '@' (allowed in the path), everything else of it is encoded.
  std::string to;
  for (char c : draft.to) to += c == '@' ? std::string("@") : percent_encode(std::string_view(&c, 1));
  return "mailto:" + to + "?subject=" + percent_encode(draft.subject) + "&body=" + percent_encode(crlf);
}

nlohmann::json draft_json(const Draft& draft) {
  return {{"step", draft_step_name(draft.step)}, {"to", draft.to},           {"subject", draft.subject},
          {"body", draft.body},                  {"attachments", draft.attachments}, {"mailto", mailto_url(draft)}};
}

Result<DraftStep> choose_draft_step(const Model& model, const Letter& letter, const std::string& named, Date today) {
  if (!named.empty()) {
    if (auto step = parse_draft_step(named)) return *step;
    return make_error(ErrorCode::usage,
                      "no draft for step '" + named + "'; steps: ask, follow-up, packet, remind, thank, match");
  }
  if (auto next = next_step(model, letter, today)) return draft_step_for(*next);
  return make_error(ErrorCode::usage, "letter " + letter.id + " has no next step on " + format_date(today) +
                                          "; name the step: ask, follow-up, packet, remind, thank or match");
}

}  // namespace lorsync
