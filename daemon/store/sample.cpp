#include "common/resources.hpp"
#include "store/store.hpp"

#include <regex>

namespace lorsync {

std::vector<FileChange> sample_plan_files(Date today) {
  // The sample files are written for a day in mid-August 2026, the 2027 Match.
  const Date written_for = *parse_date("2026-08-15");
  int shift = days_between(written_for, today);
  shift -= ((shift % 7) + 7) % 7;  // whole weeks keep weekdays (and Match Day a Friday)
  static const std::regex date_re("\\b([0-9]{4}-[0-9]{2}-[0-9]{2})\\b");
  static const std::regex cycle_re("(\\ncycle: )([0-9]{4})");
  std::vector<FileChange> files;
  for (const auto& file : resources::sample_plan()) {
    std::string text(file.contents);
    std::string shifted;
    auto last = text.cbegin();
    for (std::sregex_iterator it(text.begin(), text.end(), date_re), end; it != end; ++it) {
      shifted.append(last, (*it)[0].first);
      auto date = parse_date((*it)[1].str());
      shifted += date ? format_date(add_days(*date, shift)) : (*it)[1].str();
      last = (*it)[0].second;
    }
    shifted.append(last, text.cend());
    if (file.path == "plan.yaml") {
      std::smatch match;
      if (std::regex_search(shifted, match, cycle_re)) {
        int cycle = std::stoi(match[2].str());
        int moved = static_cast<int>(add_days(Date{std::chrono::year{cycle}, std::chrono::March, std::chrono::day{19}}, shift).year());
        shifted = match.prefix().str() + match[1].str() + std::to_string(moved) + match.suffix().str();
      }
    }
    files.push_back(FileChange{std::string(file.path), std::move(shifted)});
  }
  return files;
}

}  // namespace lorsync
