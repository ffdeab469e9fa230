#include "common/date.hpp"

#include <cstdio>
#include <cstdlib>
#include <ctime>

namespace lorsync {

std::optional<Date> parse_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  auto digits = [&](size_t from, size_t count) -> std::optional<int> {
    int value = 0;
    for (size_t i = from; i < from + count; ++i) {
      if (text[i] < '0' || text[i] > '9') return std::nullopt;
      value = value * 10 + (text[i] - '0');
    }
    return value;
  };
  auto y = digits(0, 4), m = digits(5, 2), d = digits(8, 2);
  if (!y || !m || !d) return std::nullopt;
  // Year 0 is no year at all to most YAML readers, and no plan needs dates centuries away.
  if (*y < kFirstYear || *y > kLastYear) return std::nullopt;
  Date date{std::chrono::year{*y}, std::chrono::month{static_cast<unsigned>(*m)},
            std::chrono::day{static_cast<unsigned>(*d)}};
  if (!date.ok()) return std::nullopt;
  return date;
}

std::string format_date(Date date) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return buffer;
}

namespace {
std::tm clock_of(int64_t seconds, int offset_minutes) {
  std::time_t shifted = static_cast<std::time_t>(seconds + int64_t{offset_minutes} * 60);
  std::tm tm{};
  gmtime_r(&shifted, &tm);
  return tm;
}
}  // namespace

std::string format_clock_time(int64_t seconds, int offset_minutes) {
  std::tm tm = clock_of(seconds, offset_minutes);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M", &tm);
  return buffer;
}

std::string format_iso_time(int64_t seconds, int offset_minutes) {
  std::tm tm = clock_of(seconds, offset_minutes);
  char buffer[48];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &tm);
  int minutes = offset_minutes < 0 ? -offset_minutes : offset_minutes;
  char zone[16];
  std::snprintf(zone, sizeof zone, "%c%02d:%02d", offset_minutes < 0 ? '-' : '+', minutes / 60 % 100, minutes % 60);
  return std::string(buffer) + zone;
}

Date add_days(Date date, int days) {
  return Date{std::chrono::sys_days{date} + std::chrono::days{days}};
}

int days_between(Date from, Date to) {
  return static_cast<int>((std::chrono::sys_days{to} - std::chrono::sys_days{from}).count());
}

Result<std::optional<Date>> today_override_from_env() {
  const char* value = std::getenv("LORSYNC_TODAY");
  if (!value || !*value) return std::optional<Date>();
  if (auto date = parse_date(value)) return std::optional<Date>(*date);
  return make_error(ErrorCode::usage, "LORSYNC_TODAY=" + std::string(value) + " is not a date (YYYY-MM-DD)");
}

Date calendar_today() {
  std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  return Date{std::chrono::year{local.tm_year + 1900}, std::chrono::month{static_cast<unsigned>(local.tm_mon + 1)},
              std::chrono::day{static_cast<unsigned>(local.tm_mday)}};
}

}  // namespace lorsync
