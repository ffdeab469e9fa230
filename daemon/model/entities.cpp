#include "model/entities.hpp"

#include "common/text.hpp"

#include <algorithm>

namespace lorsync {
namespace {

using nlohmann::json;

std::string text(const json& data, const char* key) {
  auto found = data.find(key);
  return found != data.end() && found->is_string() ? found->get<std::string>() : std::string();
}

std::optional<bool> flag(const json& data, const char* key) {
  auto found = data.find(key);
  if (found == data.end() || !found->is_boolean()) return std::nullopt;
  return found->get<bool>();
}

std::optional<int> number(const json& data, const char* key) {
  auto found = data.find(key);
  if (found == data.end() || !found->is_number_integer()) return std::nullopt;
  return found->get<int>();
}

std::vector<std::string> strings(const json& data, const char* key) {
  std::vector<std::string> out;
  auto found = data.find(key);
  if (found == data.end() || !found->is_array()) return out;
  for (const auto& item : *found)
    if (item.is_string()) out.push_back(item.get<std::string>());
  return out;
}

Date date(const json& data, const char* key, Date fallback = Date{}) {
  auto parsed = parse_date(text(data, key));
  return parsed ? *parsed : fallback;
}

const json& object(const json& data, const char* key) {
  static const json empty = json::object();
  auto found = data.find(key);
  return found != data.end() && found->is_object() ? *found : empty;
}

int rank(const std::string& event) {
  static const char* const order[] = {"asked", "agreed", "packet-sent", "reminded", "uploaded", "thanked"};
  for (int i = 0; i < 6; ++i)
    if (event == order[i]) return i + 1;
  return 0;
}

// plan.yaml's settings; what it leaves out keeps Policy's defaults.
Settings read_settings(const DocumentPtr& document) {
  const json& data = document->data;
  Settings s;
  const json& applicant = object(data, "applicant");
  s.applicant = Applicant{text(applicant, "name"), text(applicant, "citizenship"), text(applicant, "graduate"),
                          text(applicant, "visa")};
  s.specialty = text(data, "specialty");
  s.cycle = number(data, "cycle").value_or(0);
  s.interests = strings(data, "interests");
  const json& dates = object(data, "dates");
  s.eras_submit = date(dates, "eras_submit");
  s.programs_review = date(dates, "programs_review");
  s.match_day = date(dates, "match_day");
  const json& policy = object(data, "policy");
  Policy& p = s.policy;
  p.letters_min = number(policy, "letters_min").value_or(p.letters_min);
  p.letters_max = number(policy, "letters_max").value_or(p.letters_max);
  p.pmr_letters_min = number(policy, "pmr_letters_min").value_or(p.pmr_letters_min);
  p.ask_window_days = number(policy, "ask_window_days").value_or(p.ask_window_days);
  p.packet_days = number(policy, "packet_days").value_or(p.packet_days);
  p.follow_up_days = number(policy, "follow_up_days").value_or(p.follow_up_days);
  if (policy.contains("reminder_lead_days") && policy["reminder_lead_days"].is_array()) {
    p.reminder_lead_days.clear();
    for (const auto& lead : policy["reminder_lead_days"])
      if (lead.is_number_integer()) p.reminder_lead_days.push_back(lead.get<int>());
  }
  std::sort(p.reminder_lead_days.rbegin(), p.reminder_lead_days.rend());  // earliest reminder first
  s.document = document;
  return s;
}

Rotation read_rotation(const std::string& id, const DocumentPtr& doc) {
  const json& d = doc->data;
  return Rotation{id, text(d, "institution"), text(d, "country"), text(d, "specialty"), text(d, "setting"),
                  text(d, "kind"), strings(d, "focus"), date(d, "start"), date(d, "end"), flag(d, "pmr_residency"), doc};
}

Writer read_writer(const std::string& id, const DocumentPtr& doc) {
  const json& d = doc->data;
  const json& relationship = object(d, "relationship");
  return Writer{id, text(d, "name"), text(d, "title"), text(d, "specialty"), text(d, "institution"), text(d, "country"),
                text(d, "email"), text(d, "practice"), flag(d, "clinical"), flag(d, "teaches"),
                number(relationship, "weeks"), flag(relationship, "direct_supervision"), strings(relationship, "rotations"),
                doc};
}

// How far a letter has come: the furthest step its events reached, unless the writer declined.
LetterStatus status_of(const Letter& letter) {
  int furthest = 0;
  for (const auto& e : letter.events) furthest = std::max(furthest, rank(e.event));
  static const LetterStatus by_rank[] = {LetterStatus::planned,     LetterStatus::asked,    LetterStatus::agreed,
                                         LetterStatus::packet_sent, LetterStatus::reminded, LetterStatus::uploaded,
                                         LetterStatus::thanked};
  return letter.first("declined") ? LetterStatus::declined : by_rank[furthest];
}

Letter read_letter(const std::string& id, const DocumentPtr& doc) {
  const json& d = doc->data;
  Letter l;
  l.id = id;
  l.writer_id = text(d, "writer");
  l.rotation_id = text(d, "rotation");
  l.waived = flag(d, "waived");
  l.eras_letter_id = text(d, "eras_letter_id");
  l.packet = strings(d, "packet");
  l.document = doc;
  if (auto events = d.find("events"); events != d.end() && events->is_array()) {
    for (size_t i = 0; i < events->size(); ++i) {
      const json& e = (*events)[i];
      l.events.push_back(LetterEventRecord{date(e, "date"), text(e, "event"), text(e, "via"), text(e, "note"), i});
    }
  }
  std::stable_sort(l.events.begin(), l.events.end(), [](const auto& a, const auto& b) { return a.date < b.date; });
  l.status = status_of(l);
  return l;
}

Program read_program(const std::string& id, const DocumentPtr& doc) {
  const json& d = doc->data;
  Program p;
  p.id = id;
  p.name = text(d, "name");
  p.state = text(d, "state");
  if (auto deadline = parse_date(text(d, "deadline"))) p.deadline = *deadline;
  if (d.contains("visa") && d["visa"].is_array()) p.visa = strings(d, "visa");
  const json& requires_ = object(d, "requires");
  p.requires_ = Requirements{number(requires_, "letters_min"), number(requires_, "letters_max"),
                             number(requires_, "pmr_letters_min")};
  p.letters = strings(d, "letters");
  p.document = doc;
  return p;
}

}  // namespace

const char* status_name(LetterStatus status) {
  switch (status) {
    case LetterStatus::planned: return "planned";
    case LetterStatus::asked: return "asked";
    case LetterStatus::agreed: return "agreed";
    case LetterStatus::packet_sent: return "packet-sent";
    case LetterStatus::reminded: return "reminded";
    case LetterStatus::uploaded: return "uploaded";
    case LetterStatus::thanked: return "thanked";
    case LetterStatus::declined: return "declined";
  }
  return "";
}

const LetterEventRecord* Letter::first(const std::string& event) const {
  for (const auto& e : events)
    if (e.event == event) return &e;
  return nullptr;
}

const LetterEventRecord* Letter::last(const std::string& event) const {
  for (auto it = events.rbegin(); it != events.rend(); ++it)
    if (it->event == event) return &*it;
  return nullptr;
}

size_t Letter::count(const std::string& event) const {
  return static_cast<size_t>(std::count_if(events.begin(), events.end(), [&](const auto& e) { return e.event == event; }));
}

const Rotation* Model::rotation(const std::string& id) const {
  auto found = rotations.find(id);
  return found == rotations.end() ? nullptr : &found->second;
}

const Writer* Model::writer(const std::string& id) const {
  auto found = writers.find(id);
  return found == writers.end() ? nullptr : &found->second;
}

const Writer* Model::writer_of(const Letter& letter) const { return writer(letter.writer_id); }

const Rotation* Model::rotation_of(const Letter& letter) const {
  if (!letter.rotation_id.empty()) return rotation(letter.rotation_id);
  const Writer* w = writer_of(letter);
  if (!w) return nullptr;
  const Rotation* latest = nullptr;
  for (const auto& id : w->rotations)
    if (const Rotation* r = rotation(id); r && (!latest || latest->end < r->end)) latest = r;
  return latest;
}

Model build_model(const Plan& plan) {
  Model model;
  if (plan.settings) model.settings = read_settings(plan.settings);
  for (const auto& [id, doc] : plan.of(EntityKind::rotation)) model.rotations.emplace(id, read_rotation(id, doc));
  for (const auto& [id, doc] : plan.of(EntityKind::writer)) model.writers.emplace(id, read_writer(id, doc));
  for (const auto& [id, doc] : plan.of(EntityKind::letter)) model.letters.emplace(id, read_letter(id, doc));
  for (const auto& [id, doc] : plan.of(EntityKind::program)) model.programs.emplace(id, read_program(id, doc));
  model.packet_summary = plan.packet_summary;
  model.conflicts = plan.sync_conflicts;
  return model;
}

SourceRef ref_to(const DocumentPtr& document, std::vector<std::string> field) {
  if (!document) return SourceRef{};
  SourceRef where = field.empty() ? SourceRef{document->path, 1, 1, ""} : locate(*document, field);
  where.column = 0;
  return where;
}

Result<Date> parse_event_date(std::string_view text) {
  if (auto date = parse_date(text)) return *date;
  constexpr size_t kShown = 64;  // what was typed, enough of it to recognise
  std::string shown = text.size() > kShown ? in_quotes(text.substr(0, kShown)) + "…" : in_quotes(text);
  return make_error(ErrorCode::usage, shown + " is not a date; write it as YYYY-MM-DD, e.g. 2026-09-24");
}

}  // namespace lorsync
