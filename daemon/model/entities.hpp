// model/entities: the plan as typed values (applicant, policy, rotations,
// writers, letters with their derived status, programs), built from a valid
// Plan. Rules, deadlines and reports read these, never raw YAML; each entity
// keeps its document so findings can point at the exact file, line and field.
#pragma once

#include "common/date.hpp"
#include "model/plan.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lorsync {

struct Policy {
  int letters_min = 3;
  int letters_max = 4;
  int pmr_letters_min = 2;
  int ask_window_days = 14;
  std::vector<int> reminder_lead_days = {28, 21};
  int packet_days = 7;
  int follow_up_days = 7;  // wait this long for an answer to an emailed request
};

struct Applicant {
  std::string name;
  std::string citizenship;  // us | non-us
  std::string graduate;     // us-md | us-do | img
  std::string visa;         // none | j1 | h1b | undecided; empty when not given
  bool non_us_img() const { return citizenship == "non-us" && graduate == "img"; }
};

struct Settings {
  Applicant applicant;
  std::string specialty;
  int cycle = 0;
  std::vector<std::string> interests;
  Date eras_submit, programs_review, match_day;
  Policy policy;
  DocumentPtr document;
};

struct Rotation {
  std::string id;
  std::string institution, country, specialty, setting, kind;
  std::vector<std::string> focus;
  Date start, end;
  std::optional<bool> pmr_residency;
  DocumentPtr document;
  bool us() const { return country == "US"; }
  bool pmr() const { return specialty == "pmr"; }
};

struct Writer {
  std::string id;
  std::string name, title, specialty, institution, country, email, practice;
  std::optional<bool> clinical, teaches;
  std::optional<int> weeks;
  std::optional<bool> direct_supervision;
  std::vector<std::string> rotations;
  DocumentPtr document;
  bool us() const { return country == "US"; }
  bool pmr() const { return specialty == "pmr"; }
  // Clinical unless it says otherwise (or is basic science).
  bool is_clinical() const { return clinical.value_or(specialty != "basic-science"); }
};

// planned -> asked -> agreed -> packet-sent -> reminded -> uploaded -> thanked; declined ends it.
enum class LetterStatus { planned, asked, agreed, packet_sent, reminded, uploaded, thanked, declined };
const char* status_name(LetterStatus status);

struct LetterEventRecord {
  Date date;
  std::string event;
  std::string via, note;
  size_t index = 0;  // position in the file's events list
};

struct Letter {
  std::string id;
  std::string writer_id, rotation_id;
  std::optional<bool> waived;
  std::string eras_letter_id;
  std::vector<std::string> packet;
  std::vector<LetterEventRecord> events;  // sorted by date (stable)
  LetterStatus status = LetterStatus::planned;
  DocumentPtr document;

  bool active() const { return status != LetterStatus::declined; }
  // The first event of this kind, if any.
  const LetterEventRecord* first(const std::string& event) const;
  const LetterEventRecord* last(const std::string& event) const;
  size_t count(const std::string& event) const;
};

struct Requirements {
  std::optional<int> letters_min, letters_max, pmr_letters_min;
};

struct Program {
  std::string id;
  std::string name, state;
  std::optional<Date> deadline;
  std::optional<std::vector<std::string>> visa;  // nullopt: not known
  Requirements requires_;
  std::vector<std::string> letters;
  DocumentPtr document;
};

struct Model {
  Settings settings;
  std::map<std::string, Rotation> rotations;
  std::map<std::string, Writer> writers;
  std::map<std::string, Letter> letters;
  std::map<std::string, Program> programs;
  std::optional<std::string> packet_summary;  // packet/summary.md, when present
  std::vector<SyncConflict> conflicts;

  const Rotation* rotation(const std::string& id) const;
  const Writer* writer(const std::string& id) const;
  const Writer* writer_of(const Letter& letter) const;
  // The letter's rotation, else the latest rotation its writer supervised.
  const Rotation* rotation_of(const Letter& letter) const;
};

// Builds the typed model of a plan that validated (missing optional fields get defaults).
Model build_model(const Plan& plan);

// The line of a field in an entity's file (the file's first line without a field), for the refs of findings
// and deadlines, which point at lines.
SourceRef ref_to(const DocumentPtr& document, std::vector<std::string> field = {});

// The day a letter event happened, as a user or a client gives it (the CLI's --on, letter.record's date):
// a real date in YYYY-MM-DD form, or a usage error saying how to write one.
Result<Date> parse_event_date(std::string_view text);

}  // namespace lorsync
