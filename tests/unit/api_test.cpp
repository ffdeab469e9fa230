#include <catch2/catch.hpp>

#include "api/errors.hpp"
#include "api/plan_service.hpp"
#include "support/api_harness.hpp"

using namespace lorsync;
using namespace lorsync::api;
using namespace lorsync::test;
using nlohmann::json;

namespace {

using Harness = ApiHarness;

Caller authenticated(Harness& h, uint64_t id = 1) { return h.authenticated(id); }

}  // namespace

TEST_CASE("api: before auth every call gets -32001 and a wrong token closes the connection") {
  Harness h;
  Caller caller;
  CHECK(h.call(caller, "plan.status", json::object())["error"]["code"] == kUnauthorized);
  auto wrong = h.call(caller, "auth", {{"token", "secret-tokem"}});
  CHECK(wrong["error"]["code"] == kUnauthorized);
  CHECK(caller.close_after_reply);
  Caller other;
  CHECK(h.call(other, "auth", {{"token", 42}})["error"]["code"] == kUnauthorized);
}

TEST_CASE("api: malformed and hostile messages get the right error") {
  Harness h;
  Caller caller = authenticated(h);
  CHECK(h.call(caller, "{not json")["error"]["code"] == kParseError);
  CHECK(h.call(caller, "[]")["error"]["code"] == kInvalidRequest);
  CHECK(h.call(caller, "42")["error"]["code"] == kInvalidRequest);
  CHECK(h.call(caller, R"({"jsonrpc":"1.0","id":1,"method":"plan.status"})")["error"]["code"] == kInvalidRequest);
  CHECK(h.call(caller, R"({"jsonrpc":"2.0","id":{"a":1},"method":"plan.status"})")["error"]["code"] == kInvalidRequest);
  CHECK(h.call(caller, R"({"jsonrpc":"2.0","id":1,"method":"nope"})")["error"]["code"] == kMethodNotFound);
  CHECK(h.call(caller, R"({"jsonrpc":"2.0","id":1,"method":"plan.get","params":7})")["error"]["code"] == kInvalidParams);
  CHECK(h.call(caller, "plan.get", {{"kind", "letter"}, {"id", "../../etc/passwd"}})["error"]["code"] == kInvalidParams);
  CHECK(h.call(caller, "plan.get", {{"kind", 5}})["error"]["code"] == kInvalidParams);
  CHECK(h.call(caller, "letter.record", {{"letter", "qureshi-home"}, {"event", "asked"}, {"note", 5}})["error"]["code"] ==
        kInvalidParams);
  std::string big_batch = "[";
  for (int i = 0; i < 65; ++i) big_batch += std::string(i ? "," : "") + R"({"jsonrpc":"2.0","id":1,"method":"plan.status"})";
  CHECK(h.call(caller, big_batch + "]")["error"]["code"] == kInvalidRequest);
  auto batch = h.call(caller, R"([{"jsonrpc":"2.0","id":1,"method":"plan.status"},{"jsonrpc":"2.0","method":"plan.status"},5])");
  REQUIRE(batch.is_array());
  CHECK(batch.size() == 2);  // the notification gets no reply
  CHECK_FALSE(h.dispatcher.handle(R"({"jsonrpc":"2.0","method":"plan.status"})", caller).has_value());
  CHECK(h.call(caller, "plan.status", json::object())["result"]["applicant"] == "Amina Rahman");  // still usable
}

TEST_CASE("api: a value nested past the bound is refused before it is built, and the bound itself is accepted") {
  Harness h;
  Caller caller = authenticated(h);
  // 30,000 levels overflowed the writer thread's stack in the YAML emitter.
  for (const char* opening : {"[", "{\"a\":"}) {
    std::string deep = R"({"jsonrpc":"2.0","id":1,"method":"entity.update","params":{"kind":"letter","id":"qureshi-home","set":{"x-deep":)";
    for (int i = 0; i < 30000; ++i) deep += opening;
    json refused = h.call(caller, deep);  // unclosed: refused for its depth before it is even parsed
    CHECK(refused["error"]["code"] == kInvalidRequest);
    CHECK_THAT(refused["error"]["message"].get<std::string>(), Catch::Contains("nest more than 64 levels"));
  }
  // Ids come back exactly as sent, so only those every client can read back exactly are taken.
  for (const char* id : {"9007199254740993", "1e30", "18446744073709551616", "1.5"}) {
    INFO(id);
    json refused = h.call(caller, std::string(R"({"jsonrpc":"2.0","method":"plan.status","id":)") + id + "}");
    CHECK(refused["error"]["code"] == kInvalidRequest);
    CHECK(refused["id"].is_null());
  }
  CHECK(h.call(caller, R"({"jsonrpc":"2.0","method":"plan.status","id":9007199254740992})")["id"] == 9007199254740992LL);
  // Brackets inside strings are text, not nesting.
  CHECK(h.call(caller, "letter.record", {{"letter", "qureshi-home"}, {"event", "asked"}, {"note", std::string(200, '[')}})
            .contains("result"));
  json nested = "leaf";
  for (int i = 0; i < 60; ++i) nested = json::array({nested});  // 60 levels, plus the message's own 3
  json accepted = h.call(caller, "entity.update", {{"kind", "letter"}, {"id", "qureshi-home"}, {"set", {{"x-deep", nested}}}});
  CHECK(accepted.contains("result"));
  CHECK(h.call(caller, "plan.status", json::object())["result"]["applicant"] == "Amina Rahman");
}

TEST_CASE("api: reads come from the snapshot, writes commit and notify subscribers") {
  Harness h;
  Caller reader = authenticated(h, 1);
  Caller watcher = authenticated(h, 2);
  CHECK(h.call(watcher, "subscribe", json::object())["result"]["subscribed"] == true);
  auto letter = h.call(reader, "plan.get", {{"kind", "letter"}, {"id", "qureshi-home"}})["result"];
  CHECK(letter["data"]["writer"] == "farah-qureshi");
  std::string revision = letter["revision"];

  auto updated = h.call(reader, "entity.update", {{"kind", "letter"}, {"id", "qureshi-home"}, {"set", {{"waived", true}}},
                                                  {"if_revision", revision}});
  REQUIRE(updated.contains("result"));
  CHECK(updated["result"]["message"] == "set: letters/qureshi-home — waived=true");
  REQUIRE_FALSE(h.published.empty());
  CHECK(h.published.front().first["method"] == "plan.changed");
  CHECK(h.published.front().first["params"]["source"] == "api");
  CHECK(h.published.front().second == std::vector<uint64_t>{2});

  auto stale = h.call(reader, "entity.update", {{"kind", "letter"}, {"id", "qureshi-home"}, {"set", {{"waived", false}}},
                                                {"if_revision", revision}});
  CHECK(stale["error"]["code"] == kRevisionConflict);
  auto invalid = h.call(reader, "entity.update", {{"kind", "letter"}, {"id", "qureshi-home"}, {"set", {{"waived", "yes"}}}});
  CHECK(invalid["error"]["code"] == kInvalidPlan);
  CHECK_FALSE(invalid["error"]["data"]["diagnostics"].empty());
  CHECK(h.call(reader, "entity.delete", {{"kind", "writer"}, {"id", "nobody"}})["error"]["code"] == kNotFound);

  auto recorded = h.call(reader, "letter.record", {{"letter", "delgado-consult"}, {"event", "agreed"}, {"via", "email"}});
  CHECK(recorded["result"]["message"] == "record: letters/delgado-consult — agreed on 2026-08-15 via email");
  auto status = h.call(reader, "plan.status", json::object())["result"];
  CHECK(status["commit"] == recorded["result"]["commit"]);
  CHECK(h.call(reader, "history.log", {{"limit", 2}})["result"].size() == 2);
  CHECK(h.call(reader, "audit.run", json::object())["result"].contains("findings"));
  CHECK(h.call(reader, "deadlines.list", {{"within", 14}})["result"].is_array());

  h.service->forget(2);
  size_t before = h.published.size();
  REQUIRE(h.call(reader, "letter.record", {{"letter", "delgado-consult"}, {"event", "packet-sent"}}).contains("result"));
  CHECK(h.published.size() == before);  // nobody subscribed any more
}

TEST_CASE("api: programs.assign records a fitting set, refuses one that breaks the rules unless forced") {
  Harness h;
  Caller caller = authenticated(h);
  auto lakeshore_report = [&] {
    json reports = h.call(caller, "programs.list", json::object())["result"];
    for (const auto& report : reports)
      if (report["id"] == "lakeshore-pmr") return report;
    FAIL("programs.list has no lakeshore-pmr");
    return json();
  };
  json lakeshore = lakeshore_report();
  json suggested = json::array();
  for (const auto& chosen : lakeshore["suggestion"]) suggested.push_back(chosen["letter"]);
  REQUIRE(suggested.size() >= 3);

  json assigned = h.call(caller, "programs.assign", {{"program", "lakeshore-pmr"}, {"letters", suggested}});
  REQUIRE(assigned.contains("result"));
  CHECK(assigned["result"]["path"] == "programs/lakeshore-pmr.md");
  CHECK(assigned["result"]["problems"].empty());
  CHECK(h.call(caller, "plan.get", {{"kind", "program"}, {"id", "lakeshore-pmr"}})["result"]["data"]["letters"] == suggested);
  json after = lakeshore_report();
  CHECK(after["assigned"] == suggested);
  CHECK(after["assigned_fits"] == true);

  json one = {"qureshi-home"};
  json refused = h.call(caller, "programs.assign", {{"program", "lakeshore-pmr"}, {"letters", one}});
  CHECK(refused["error"]["code"] == kInvalidParams);
  CHECK_THAT(refused["error"]["message"].get<std::string>(), Catch::Contains("requirements"));
  CHECK_FALSE(refused["error"]["data"]["problems"].empty());
  CHECK(lakeshore_report()["assigned"] == suggested);  // nothing written

  json forced = h.call(caller, "programs.assign",
                       {{"program", "lakeshore-pmr"}, {"letters", one}, {"force", true}, {"request_id", "assign-once-1"}});
  REQUIRE(forced.contains("result"));
  CHECK_FALSE(forced["result"]["problems"].empty());
  CHECK(lakeshore_report()["assigned_fits"] == false);
  // A retry after a lost reply gets the first commit and the same problems, and commits nothing more.
  json retried = h.call(caller, "programs.assign",
                        {{"program", "lakeshore-pmr"}, {"letters", one}, {"force", true}, {"request_id", "assign-once-1"}});
  REQUIRE(retried.contains("result"));
  CHECK(retried["result"] == forced["result"]);
  CHECK(h.call(caller, "history.log", {{"limit", 1}})["result"][0]["commit"] == forced["result"]["commit"]);

  json five = {"brennan-neurology", "delgado-consult", "halvorsen-chair", "qureshi-home", "whitfield-inpatient"};
  CHECK(h.call(caller, "programs.assign", {{"program", "lakeshore-pmr"}, {"letters", five}, {"force", true}})["error"]["code"] ==
        kInvalidParams);
  json unknown = h.call(caller, "programs.assign", {{"program", "lakeshore"}, {"letters", suggested}});
  CHECK(unknown["error"]["code"] == kNotFound);
  CHECK_THAT(unknown["error"]["message"].get<std::string>(), Catch::Contains("lakeshore-pmr"));
  CHECK(h.call(caller, "programs.assign", {{"program", "lakeshore-pmr"}, {"letters", "x"}})["error"]["code"] == kInvalidParams);
  CHECK(h.call(caller, "programs.assign", {{"program", "lakeshore-pmr"}, {"letters", suggested}, {"force", "yes"}})["error"]["code"] ==
        kInvalidParams);
}

TEST_CASE("api: the error table carries every kind across the wire and back, with a remote's fault") {
  using lorsync::api::from_rpc_error;
  using lorsync::api::to_rpc_error;
  const std::vector<std::pair<ErrorCode, int>> table = {
      {ErrorCode::usage, kInvalidParams},   {ErrorCode::exists, kInvalidParams},  {ErrorCode::invalid_plan, kInvalidPlan},
      {ErrorCode::not_found, kNotFound},    {ErrorCode::conflict, kRevisionConflict}, {ErrorCode::remote, kSyncFailed},
      {ErrorCode::io, kInternalError},      {ErrorCode::locked, kInternalError},  {ErrorCode::git, kInternalError},
      {ErrorCode::no_author, kInternalError}};
  for (const auto& [kind, code] : table) {
    INFO(error_code_name(kind));
    RpcError wire = to_rpc_error(make_error(kind, "what happened"));
    CHECK(wire.code == code);
    CHECK(wire.data["error"] == error_code_name(kind));
    Error back = from_rpc_error({{"code", wire.code}, {"message", wire.message}, {"data", wire.data}});
    CHECK(back.code == kind);
    CHECK(back.message == "what happened");
    CHECK(back.remote_failure == RemoteFailure::none);
  }
  // A daemon that names no kind: the code alone decides, a bare -32602 is the caller's mistake.
  CHECK(from_rpc_error({{"code", kInvalidParams}, {"message", "x"}}).code == ErrorCode::usage);
  CHECK(from_rpc_error({{"code", kUnauthorized}, {"message", "x"}}).code == ErrorCode::io);

  Error offline = make_error(ErrorCode::remote, "cannot reach the remote");
  offline.remote_failure = RemoteFailure::unreachable;
  RpcError wire = to_rpc_error(offline);
  CHECK(wire.data["failure"] == "unreachable");
  CHECK(from_rpc_error({{"code", wire.code}, {"message", wire.message}, {"data", wire.data}}).remote_failure ==
        RemoteFailure::unreachable);
  // A failure name on an error that is not the remote's, or one no lorsync writes, is not taken.
  CHECK(from_rpc_error({{"code", kNotFound}, {"message", "x"}, {"data", {{"error", "not_found"}, {"failure", "auth"}}}})
            .remote_failure == RemoteFailure::none);
  CHECK(from_rpc_error({{"code", kSyncFailed}, {"message", "x"}, {"data", {{"error", "remote"}, {"failure", "gremlins"}}}})
            .remote_failure == RemoteFailure::none);
}
