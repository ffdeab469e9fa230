// common/date: calendar dates (YYYY-MM-DD) in the plan's local calendar, and
// "today", which --today and LORSYNC_TODAY override for every command.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace lorsync {

using Date = std::chrono::year_month_day;

inline constexpr int kFirstYear = 1900, kLastYear = 2199;

// A real calendar date in strict YYYY-MM-DD form (2026-02-30 is not one), from kFirstYear to kLastYear.
std::optional<Date> parse_date(std::string_view text);
std::string format_date(Date date);
Date add_days(Date date, int days);
int days_between(Date from, Date to);  // to - from

// The override (from --today or LORSYNC_TODAY) if given, else the local calendar date.
std::optional<Date> today_override_from_env();
Date local_today();

}  // namespace lorsync
