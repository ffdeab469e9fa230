// common/: dates (strict YYYY-MM-DD, the 1900..2199 range, leap days, arithmetic across month and year ends,
// the LORSYNC_TODAY override) and diagnostics (their one printed form, their JSON wire form read back
// leniently), the lenient JSON member readers, and files read whole. common/text has its own file, text_test.cpp.
#include <catch2/catch.hpp>

#include "common/date.hpp"
#include "common/diagnostic.hpp"
#include "common/file_contents.hpp"
#include "common/json_members.hpp"
#include "support/temp_dir.hpp"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <optional>
#include <set>
#include <string>

using namespace lorsync;

namespace {

Date day(const char* text) {
  auto parsed = parse_date(text);
  REQUIRE(parsed.has_value());
  return *parsed;
}

// Sets LORSYNC_TODAY for one test and puts back what was there.
class TodayEnv {
 public:
  explicit TodayEnv(const char* value) {
    if (const char* old = std::getenv("LORSYNC_TODAY")) saved_ = old;
    if (value) setenv("LORSYNC_TODAY", value, 1);
    else unsetenv("LORSYNC_TODAY");
  }
  ~TodayEnv() {
    if (saved_) setenv("LORSYNC_TODAY", saved_->c_str(), 1);
    else unsetenv("LORSYNC_TODAY");
  }

 private:
  std::optional<std::string> saved_;
};

}  // namespace

TEST_CASE("parse_date takes the first and last years lorsync knows and refuses the years around them") {
  CHECK(format_date(day("1900-01-01")) == "1900-01-01");
  CHECK(format_date(day("2199-12-31")) == "2199-12-31");
  CHECK_FALSE(parse_date("1899-12-31"));
  CHECK_FALSE(parse_date("2200-01-01"));
  CHECK_FALSE(parse_date("0000-01-01"));
  CHECK_FALSE(parse_date("9999-12-31"));
}

TEST_CASE("parse_date knows the leap years of the Gregorian calendar and the length of each month") {
  CHECK(parse_date("2000-02-29"));        // divisible by 400: a leap year
  CHECK_FALSE(parse_date("1900-02-29"));  // divisible by 100, not by 400: not one
  CHECK_FALSE(parse_date("2100-02-29"));
  CHECK(parse_date("2024-02-29"));
  CHECK_FALSE(parse_date("2026-04-31"));
  CHECK(parse_date("2026-05-31"));
  CHECK_FALSE(parse_date("2026-06-31"));
  CHECK_FALSE(parse_date("2026-00-10"));
  CHECK_FALSE(parse_date("2026-13-01"));
  CHECK_FALSE(parse_date("2026-01-00"));
  CHECK_FALSE(parse_date("2026-01-32"));
}

TEST_CASE("parse_date refuses every form but strict YYYY-MM-DD") {
  for (const char* text : {"", "2026-1-05", "2026-01-5", "26-01-05", "2026/01/05", "2026.01.05", " 2026-01-05",
                           "2026-01-05 ", "2026-01-05\n", "2026-01-05T00:00", "+026-01-05", "2026-0a-05", "2026--1-05",
                           "2026-01-+5", "20260105", "2026-01-05Z"}) {
    INFO(text);
    CHECK_FALSE(parse_date(text));
  }
  // A NUL inside the ten characters is not a digit either.
  CHECK_FALSE(parse_date(std::string_view("2026-01-0\0", 10)));
}

TEST_CASE("add_days and days_between cross month, year and leap-day boundaries and agree with each other") {
  CHECK(format_date(add_days(day("2028-02-28"), 1)) == "2028-02-29");
  CHECK(format_date(add_days(day("2027-02-28"), 1)) == "2027-03-01");
  CHECK(format_date(add_days(day("2027-01-01"), -1)) == "2026-12-31");
  CHECK(format_date(add_days(day("2026-03-31"), -31)) == "2026-02-28");
  CHECK(format_date(add_days(day("2026-08-15"), 0)) == "2026-08-15");
  CHECK(days_between(day("2027-03-19"), day("2026-09-24")) == -176);
  CHECK(days_between(day("2028-01-01"), day("2029-01-01")) == 366);
  CHECK(days_between(day("2027-01-01"), day("2028-01-01")) == 365);
  for (int offset : {-400, -1, 1, 59, 60, 365, 1000}) {
    Date from = day("2027-12-31");
    CHECK(days_between(from, add_days(from, offset)) == offset);
  }
}

TEST_CASE("LORSYNC_TODAY: unset or empty is no override, a date is one, anything else is a usage error") {
  {
    TodayEnv env(nullptr);
    auto today = today_override_from_env();
    REQUIRE(today.ok());
    CHECK_FALSE(today.value().has_value());
  }
  {
    TodayEnv env("");
    auto today = today_override_from_env();
    REQUIRE(today.ok());
    CHECK_FALSE(today.value().has_value());
  }
  {
    TodayEnv env("2027-03-19");
    auto today = today_override_from_env();
    REQUIRE(today.ok());
    REQUIRE(today.value().has_value());
    CHECK(format_date(*today.value()) == "2027-03-19");
  }
  {
    TodayEnv env("2026-02-29");  // a mistyped override must not quietly become the real date
    auto today = today_override_from_env();
    REQUIRE_FALSE(today.ok());
    CHECK(today.error().code == ErrorCode::usage);
    CHECK(today.error().message == "LORSYNC_TODAY=2026-02-29 is not a date (YYYY-MM-DD)");
  }
}

TEST_CASE("calendar_today is a real date in the range parse_date accepts") {
  std::string today = format_date(calendar_today());
  CHECK(parse_date(today).has_value());
}

TEST_CASE("format_diagnostic prints path:line:col: field: message, leaving out what is unknown") {
  CHECK(format_diagnostic({{"letters/ana.md", 4, 7, "events.0.date"}, "not a date"}) ==
        "letters/ana.md:4:7: events.0.date: not a date");
  CHECK(format_diagnostic({{"letters/ana.md", 4, 0, ""}, "bad"}) == "letters/ana.md:4:1: bad");  // no column: 1
  CHECK(format_diagnostic({{"plan.yaml", 0, 9, "cycle"}, "missing"}) == "plan.yaml: cycle: missing");  // whole file
  CHECK(format_diagnostic({{"stray.txt", 0, 0, ""}, "not a plan file"}) == "stray.txt: not a plan file");
}

TEST_CASE("a diagnostic's JSON carries its printed line and reads back, and what another program sent wrong reads as empty") {
  Diagnostic original{{"writers/lee.md", 3, 2, "relationship.weeks"}, "expected a whole number"};
  nlohmann::json wire = original;
  CHECK(wire["text"] == "writers/lee.md:3:2: relationship.weeks: expected a whole number");
  Diagnostic back = wire.get<Diagnostic>();
  CHECK(back.where.path == original.where.path);
  CHECK(back.where.line == 3);
  CHECK(back.where.column == 2);
  CHECK(back.where.field == original.where.field);
  CHECK(back.message == original.message);

  nlohmann::json mistyped = {{"path", 7}, {"line", "3"}, {"column", 2.5}, {"message", nullptr}};
  Diagnostic odd = mistyped.get<Diagnostic>();
  CHECK(odd.where.path.empty());
  CHECK(odd.where.line == 0);
  CHECK(odd.where.column == 0);
  CHECK(odd.message.empty());
  Diagnostic from_array = nlohmann::json::array({1, 2}).get<Diagnostic>();
  CHECK(from_array.where.path.empty());
  CHECK(string_member(nlohmann::json("text"), "path").empty());
  CHECK(int_member(nlohmann::json::object({{"n", 5}}), "n") == 5);
}

TEST_CASE("every error code and remote failure has its own wire name") {
  std::set<std::string> codes;
  for (ErrorCode code : {ErrorCode::usage, ErrorCode::invalid_plan, ErrorCode::not_found, ErrorCode::conflict,
                         ErrorCode::exists, ErrorCode::locked, ErrorCode::io, ErrorCode::git, ErrorCode::no_author,
                         ErrorCode::remote})
    codes.insert(error_code_name(code));
  CHECK(codes.size() == 10);
  CHECK(codes.count("invalid_plan") == 1);
  std::set<std::string> failures;
  for (RemoteFailure failure :
       {RemoteFailure::none, RemoteFailure::unreachable, RemoteFailure::auth, RemoteFailure::certificate,
        RemoteFailure::not_found, RemoteFailure::unsupported_url, RemoteFailure::rejected, RemoteFailure::kept_moving,
        RemoteFailure::damaged, RemoteFailure::cancelled, RemoteFailure::other})
    failures.insert(remote_failure_name(failure));
  CHECK(failures.size() == 11);
}

TEST_CASE("a file read whole keeps every byte - a file that cannot be opened is nullopt") {
  test::TempDir dir;
  const std::string bytes("---\r\nname: a\0b\xff\n\r", 17);
  test::write_file(dir / "letter.md", bytes);
  CHECK(read_whole(dir / "letter.md") == bytes);
  test::write_file(dir / "empty.md", "");
  CHECK(read_whole(dir / "empty.md") == "");
  CHECK_FALSE(read_whole(dir / "absent.md"));
}
