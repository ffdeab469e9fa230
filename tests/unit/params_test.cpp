// Unit tests for api/params: the dispatcher's one check of every method's
// parameters against schema/openrpc.json, and the words of its refusals.
#include "api/params.hpp"

#include "api/errors.hpp"

#include <catch2/catch.hpp>

using nlohmann::json;
using lorsync::api::params_refusal;

namespace {

std::string refusal_message(const std::string& method, const json& params) {
  auto refusal = params_refusal(method, params);
  REQUIRE(refusal);
  CHECK(refusal->code == lorsync::api::kInvalidParams);
  return refusal->message;
}

}  // namespace

TEST_CASE("params: documented params pass, and methods the document does not name are left alone") {
  CHECK_FALSE(params_refusal("plan.status", json::object()));
  CHECK_FALSE(params_refusal("letter.record", {{"letter", "brennan-neurology"}, {"event", "reminded"}, {"via", "email"}}));
  CHECK_FALSE(params_refusal("deadlines.list", {{"within", 30}}));
  CHECK_FALSE(params_refusal("a.test.method", {{"anything", 1}}));
}

TEST_CASE("params: a missing or mistyped parameter is named, with what it must be") {
  CHECK_THAT(refusal_message("letter.record", {{"event", "asked"}}), Catch::Contains("params.letter is required"));
  CHECK_THAT(refusal_message("letter.record", {{"letter", 7}, {"event", "asked"}}),
             Catch::Contains("params.letter must be"));
  CHECK_THAT(refusal_message("deadlines.list", {{"within", "abc"}}), Catch::Contains("params.within must be"));
}

TEST_CASE("params: an enum value that is not one says which are, and the nearest") {
  std::string message = refusal_message("letter.draft", {{"letter", "brennan-neurology"}, {"step", "remnd"}});
  CHECK_THAT(message, Catch::Contains("params.step must be one of:"));
  CHECK_THAT(message, Catch::Contains("did you mean \"remind\""));
}

TEST_CASE("params: what the plan schemas say of a value is left to the store, its type is not") {
  // The store refuses an unknown event with located diagnostics (-32004), as `lorsync record` does
  // without a daemon; here only its type is checked.
  CHECK_FALSE(params_refusal("letter.record", {{"letter", "brennan-neurology"}, {"event", "bribed"}}));
  CHECK_FALSE(params_refusal("letter.record", {{"letter", "brennan-neurology"}, {"event", "asked"},
                                               {"via", std::string(70, 'x')}}));
  CHECK_THAT(refusal_message("letter.record", {{"letter", "brennan-neurology"}, {"event", 7}}),
             Catch::Contains("params.event must be"));
}

TEST_CASE("params: a field path of any length is answered, in the words of lorsync set") {
  // No pattern: libstdc++'s regex recurses once per character, and a 40 KB key would overflow the stack.
  CHECK_FALSE(params_refusal("entity.update", {{"kind", "plan"}, {"set", {{std::string(40000, 'a'), 1}}}}));
  CHECK_FALSE(params_refusal("entity.update", {{"kind", "plan"}, {"unset", {std::string(40000, 'a')}}}));
}

TEST_CASE("params: ids, field paths and dates are refused in the CLI's words") {
  CHECK_THAT(refusal_message("entity.create", {{"kind", "writer"}, {"id", "Dr_Smith"}, {"fields", json::object()}}),
             Catch::Contains("lowercase letters, digits and hyphens"));
  CHECK_THAT(refusal_message("letter.record", {{"letter", "brennan-neurology"}, {"event", "asked"}, {"date", "soon"}}),
             Catch::Contains("is not a date; write it as YYYY-MM-DD"));
}
