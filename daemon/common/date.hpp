// common/date: calendar dates (YYYY-MM-DD) in the plan's local calendar, and
// "today", which --today and LORSYNC_TODAY override for every command and the daemon.
#pragma once

#include "common/diagnostic.hpp"

#include <chrono>
#include <cstdint>
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

// A moment (seconds since the epoch) on the clock of a time zone `offset_minutes` east of UTC:
// "2026-09-24 14:05" for people, "2026-09-24T14:05:09+02:00" (ISO 8601) for programs.
std::string format_clock_time(int64_t seconds, int offset_minutes);
std::string format_iso_time(int64_t seconds, int offset_minutes);

// The date LORSYNC_TODAY names, read once by each program at its start: nullopt when it is unset or empty,
// a usage error when it is not a date (a mistyped override must not quietly become the real date).
Result<std::optional<Date>> today_override_from_env();
// The local calendar date.
Date calendar_today();

}  // namespace lorsync
