// iCalendar output (RFC 5545): CRLF lines folded at 75 octets without
// splitting a UTF-8 character, TEXT values escaped, stable UIDs.
#include "deadlines/deadlines.hpp"

#include <string>

namespace lorsync {
namespace {

std::string escape_text(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case ';': out += "\\;"; break;
      case ',': out += "\\,"; break;
      case '\n': out += "\\n"; break;
      case '\r': break;
      default: out += c;
    }
  }
  return out;
}

void add_line(std::string& out, const std::string& line) {
  size_t start = 0;
  size_t limit = 75;  // octets on the first line; continuation lines start with a space
  while (line.size() - start > limit) {
    size_t cut = start + limit;
    while (cut > start && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;  // not inside a character
    out += line.substr(start, cut - start) + "\r\n ";
    start = cut;
    limit = 74;
  }
  out += line.substr(start) + "\r\n";
}

std::string ics_date(Date date) {
  std::string text = format_date(date);
  return text.substr(0, 4) + text.substr(5, 2) + text.substr(8, 2);
}

}  // namespace

std::string to_icalendar(const std::vector<Deadline>& deadlines, Date today) {
  std::string out;
  add_line(out, "BEGIN:VCALENDAR");
  add_line(out, "VERSION:2.0");
  add_line(out, "PRODID:-//lorsync//letters of recommendation//EN");
  add_line(out, "CALSCALE:GREGORIAN");
  add_line(out, "X-WR-CALNAME:Letters of recommendation");
  // DTSTAMP is when this file was made; using today (not the clock) keeps the output reproducible.
  const std::string stamp = ics_date(today) + "T000000Z";
  for (const auto& d : deadlines) {
    add_line(out, "BEGIN:VTODO");
    add_line(out, "UID:" + d.id + "@lorsync");
    add_line(out, "DTSTAMP:" + stamp);
    add_line(out, "DUE;VALUE=DATE:" + ics_date(d.date));
    add_line(out, "SUMMARY:" + escape_text(d.title));
    std::string where;
    for (const auto& r : d.refs) where += (where.empty() ? "" : ", ") + r.path;
    add_line(out, "DESCRIPTION:" + escape_text("lorsync " + d.kind + " deadline (" + state_name(d.state) + "); see " + where));
    add_line(out, "CATEGORIES:" + escape_text(d.kind));
    add_line(out, std::string("STATUS:") + (d.state == DeadlineState::done ? "COMPLETED" : "NEEDS-ACTION"));
    if (d.state != DeadlineState::done) {
      add_line(out, "BEGIN:VALARM");
      add_line(out, "ACTION:DISPLAY");
      add_line(out, "TRIGGER;RELATED=END:-P1D");
      add_line(out, "DESCRIPTION:" + escape_text(d.title));
      add_line(out, "END:VALARM");
    }
    add_line(out, "END:VTODO");
  }
  add_line(out, "END:VCALENDAR");
  return out;
}

}  // namespace lorsync
