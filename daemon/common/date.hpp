// common/date: calendar dates (YYYY-MM-DD) in the plan's local calendar, and
// "today", which --today and LORSYNC_TODAY override for every command and the daemon.
#pragma once

#include "common/diagnostic.hpp"

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

// The date LORSYNC_TODAY names, read once by each program at its start: nullopt when it is unset or empty,
// a usage error when it is not a date (a mistyped override must not quietly become the real date).
Result<std::optional<Date>> today_override_from_env();
// The local calendar date.
Date calendar_today();

}  // namespace lorsync
