#include <catch2/catch.hpp>

#include "common/date.hpp"
#include "common/text.hpp"

using namespace lorsync;

TEST_CASE("did you mean finds typos and extensions - and stays quiet otherwise") {
  CHECK(closest_match("waved", {"writer", "waived", "rotation"}) == std::optional<std::string>("waived"));
  CHECK(closest_match("inpatient", {"inpatient-rehab", "consult", "outpatient"}) ==
        std::optional<std::string>("inpatient-rehab"));
  CHECK(closest_match("farah-qureshy", {"farah-qureshi", "marcus-delgado"}) ==
        std::optional<std::string>("farah-qureshi"));
  CHECK_FALSE(closest_match("banana", {"writer", "waived"}).has_value());
  CHECK(did_you_mean("banana", {"writer"}).empty());
}

TEST_CASE("UTF-8 check finds the first bad byte") {
  CHECK_FALSE(find_invalid_utf8("Zoë Ω 日本").has_value());
  CHECK(find_invalid_utf8(std::string("ok\xff", 3)) == std::optional<size_t>(2));
  CHECK(find_invalid_utf8(std::string("\xc3", 1)) == std::optional<size_t>(0));        // truncated
  CHECK(find_invalid_utf8(std::string("\xc0\xaf", 2)) == std::optional<size_t>(0));    // overlong
  CHECK(find_invalid_utf8(std::string("\xed\xa0\x80", 3)) == std::optional<size_t>(0));  // surrogate
}

TEST_CASE("ids follow the contract") {
  CHECK(is_valid_id("jane-smith"));
  CHECK(is_valid_id("a"));
  CHECK_FALSE(is_valid_id("Dr Smith"));
  CHECK_FALSE(is_valid_id("-lee"));
  CHECK_FALSE(is_valid_id(""));
  CHECK_FALSE(is_valid_id(std::string(65, 'a')));
}

TEST_CASE("dates are real calendar dates") {
  CHECK(parse_date("2028-02-29").has_value());
  CHECK_FALSE(parse_date("2026-02-29").has_value());
  CHECK_FALSE(parse_date("2026-02-30").has_value());
  CHECK_FALSE(parse_date("2026-2-3").has_value());
  CHECK(format_date(add_days(*parse_date("2026-12-30"), 3)) == "2027-01-02");
  CHECK(days_between(*parse_date("2026-08-15"), *parse_date("2026-09-24")) == 40);
}

TEST_CASE("counts agree with their nouns and articles follow the first sound") {
  CHECK(count_of(1, "problem") == "1 problem");
  CHECK(count_of(0, "problem") == "0 problems");
  CHECK(count_of(2, "PM&R letter") == "2 PM&R letters");
  CHECK(count_of(3, "child", "children") == "3 children");
  CHECK(with_article("inpatient-rehab rotation") == "an inpatient-rehab rotation");
  CHECK(with_article("outpatient rotation") == "an outpatient rotation");
  CHECK(with_article("msk rotation") == "a msk rotation");
  CHECK(with_article("PM&R rotation") == "a PM&R rotation");
  CHECK(with_article("SCI rotation") == "an SCI rotation");
  CHECK(with_article("university hospital") == "a university hospital");
  CHECK(with_article("hour") == "an hour");
}

TEST_CASE("printable_line replaces bytes that are not UTF-8 and control characters - one line, UTF-8") {
  const std::string replacement = "\xef\xbf\xbd";
  CHECK(printable_line("laptop Zoë") == "laptop Zoë");
  CHECK(printable_line(std::string("a\xff" "b", 3)) == "a" + replacement + "b");
  CHECK(printable_line("\x1b[31mred") == replacement + "[31mred");
  CHECK(printable_line("one\ntwo\r\tx") == "one" + replacement + "two" + replacement + replacement + "x");
  CHECK(printable_line("\xc2\x9b" "1m") == replacement + "1m");
  CHECK(printable_line(std::string("\xe2\x82", 2)) == replacement + replacement);  // cut short
  CHECK_FALSE(find_invalid_utf8(printable_line(std::string("\xc0\xaf\xed\xa0\x80\xf8", 6))).has_value());
}

TEST_CASE("find_control_character names the first one YAML refuses - with its code point") {
  CHECK_FALSE(find_control_character("tab\there\r\nnel\xc2\x85 ok").has_value());
  auto nul = find_control_character(std::string("ab\0c", 4));
  REQUIRE(nul);
  CHECK(nul->offset == 2);
  CHECK(nul->code_point == 0);
  auto csi = find_control_character("x\xc2\x9b");
  REQUIRE(csi);
  CHECK(csi->offset == 1);
  CHECK(csi->code_point == 0x9b);
  CHECK_FALSE(find_control_character(std::string("\xff\xfe", 2)).has_value());  // not UTF-8: not this check's job
}

TEST_CASE("in_quotes shows control characters and bytes that are not UTF-8 - one UTF-8 line") {
  CHECK(in_quotes("Zoë \"x\"") == "\"Zoë \\\"x\\\"\"");
  CHECK(in_quotes("a\x1b[2J\x7f\xc2\x9b\nb") == "\"a?[2J??\\nb\"");
  CHECK(in_quotes(std::string("q\xff", 2)) == "\"q\xef\xbf\xbd\"");
}
