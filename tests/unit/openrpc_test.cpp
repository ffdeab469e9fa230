#include <catch2/catch.hpp>

#include "api/params.hpp"
#include "api/plan_service.hpp"
#include "support/fixtures.hpp"
#include "support/api_harness.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "api/sync_methods.hpp"

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include <algorithm>
#include <iterator>
#include <map>
#include <regex>
#include <set>

using namespace lorsync;
using namespace lorsync::api;
using namespace lorsync::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

json load_json(const fs::path& path) { return json::parse(read_file(path)); }

json api_document() { return load_json(source_path("schema/openrpc.json")); }

// Every error valijson reports, one per line, with where in the instance it is.
std::string describe(const valijson::ValidationResults& results) {
  valijson::ValidationResults copy = results;
  valijson::ValidationResults::Error error;
  std::string out;
  while (copy.popError(error)) {
    std::string where;
    for (const auto& part : error.context) where += part;
    out += where + ": " + error.description + "\n";
  }
  return out;
}

// tests/openrpc holds @open-rpc/meta-schema 1.14.9 as released (its `openrpc` version enum filled in) and the
// JSON Schema meta-schema it refers to by URL (json-schema-tools/meta-schema 1.7.5); tests never touch the
// network, so that URL is answered with the vendored copy.
class MetaSchema {
 public:
  MetaSchema() {
    json openrpc = load_json(source_path("tests/openrpc/meta-schema.json"));
    json json_schema = load_json(source_path("tests/openrpc/json-schema-tools-meta-schema.json"));
    auto fetch = [json_schema](const std::string& uri) -> const json* {
      bool known = uri == "https://meta.json-schema.tools" || uri == "https://meta.json-schema.tools/";
      return known ? new json(json_schema) : nullptr;
    };
    auto free = [](const json* document) { delete document; };
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    valijson::adapters::NlohmannJsonAdapter adapter(openrpc);
    parser.populateSchema(adapter, schema_, fetch, free);
  }

  // Empty when `document` is a valid OpenRPC document, else what is wrong.
  std::string problems(const json& document) const {
    valijson::Validator validator;
    valijson::ValidationResults results;
    valijson::adapters::NlohmannJsonAdapter target(document);
    if (validator.validate(schema_, target, &results)) return "";
    std::string text = describe(results);
    return text.empty() ? "invalid" : text;
  }

 private:
  valijson::Schema schema_;
};

void collect_refs(const json& node, const std::string& at, std::vector<std::pair<std::string, std::string>>& out) {
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      if (key == "$ref" && value.is_string()) out.emplace_back(at, value.get<std::string>());
      collect_refs(value, at + "/" + key, out);
    }
  } else if (node.is_array()) {
    for (size_t i = 0; i < node.size(); ++i) collect_refs(node[i], at + "/" + std::to_string(i), out);
  }
}

bool pointer_exists(const json& document, const std::string& pointer) {
  try {
    document.at(json::json_pointer(pointer));
    return true;
  } catch (const json::exception&) {
    return false;
  }
}

// The API document's schemas, each checked through api::bundled_schema: the one bundling the
// dispatcher checks params with, so results are held to the same reading of the document.
class ResultSchemas {
 public:
  ResultSchemas() : document_(api_document()) {}

  const json& document() const { return document_; }

  // Empty when `value` matches the subschema at `pointer` of the API document, else what is wrong.
  std::string problems(const std::string& pointer, const json& value) const {
    json schema = api::bundled_schema(document_.at(json::json_pointer(pointer)));
    valijson::Schema compiled;
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    valijson::adapters::NlohmannJsonAdapter adapter(schema);
    parser.populateSchema(adapter, compiled);
    valijson::Validator validator;
    valijson::ValidationResults results;
    valijson::adapters::NlohmannJsonAdapter checked(value);
    if (validator.validate(compiled, checked, &results)) return "";
    std::string text = describe(results);
    return text.empty() ? "invalid" : text;
  }

  // The schema pointer of a method's result, following a $ref to a content descriptor.
  std::string result_pointer(const std::string& method) const {
    const json& methods = document_["methods"];
    for (size_t i = 0; i < methods.size(); ++i) {
      if (methods[i]["name"] != method) continue;
      const json& result = methods[i]["result"];
      if (result.contains("$ref")) return result["$ref"].get<std::string>().substr(1) + "/schema";
      return "/methods/" + std::to_string(i) + "/result/schema";
    }
    FAIL("no method " << method << " in openrpc.json");
    return "";
  }

  // The schema pointer of each param of a method, by name, following $refs to content descriptors.
  std::map<std::string, std::string> param_pointers(size_t method) const {
    std::map<std::string, std::string> out;
    const json& params = document_["methods"][method]["params"];
    for (size_t i = 0; i < params.size(); ++i) {
      if (params[i].contains("$ref")) {
        std::string pointer = params[i]["$ref"].get<std::string>().substr(1);
        out[document_.at(json::json_pointer(pointer))["name"]] = pointer + "/schema";
      } else {
        out[params[i]["name"]] = "/methods/" + std::to_string(method) + "/params/" + std::to_string(i) + "/schema";
      }
    }
    return out;
  }

  std::string notification_pointer(const std::string& name) const {
    const json& notifications = document_["x-notifications"];
    for (size_t i = 0; i < notifications.size(); ++i)
      if (notifications[i]["name"] == name) return "/x-notifications/" + std::to_string(i) + "/params";
    FAIL("no notification " << name << " in openrpc.json");
    return "";
  }

 private:
  json document_;
};

// One authenticated connection over the sample plan, with the daemon's sync methods too (sync.status,
// sync.now), their notifications recorded like the others'.
struct Harness : ApiHarness {
  boost::asio::io_context io;
  SyncScheduler sync{io,
                     io.get_executor(),
                     dir / "plan",
                     [this](const std::string& commit) { return service->integrate(commit); },
                     [this] { return service->snapshot()->model.conflicts; },
                     [this](const json& status) { published.emplace_back(notification("sync.changed", status), std::vector<uint64_t>{1}); },
                     SyncSettings{}};
  Caller caller = authenticated();
  Harness() { api::register_sync_methods(dispatcher, sync); }
  json call(const std::string& method, json params) { return ApiHarness::call(caller, method, std::move(params)); }
};

std::string joined(const std::set<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + name;
  return out.empty() ? "(none)" : out;
}

}  // namespace

TEST_CASE("openrpc: schema/openrpc.json is a valid OpenRPC document", "[openrpc]") {
  MetaSchema meta;
  json document = api_document();
  CHECK(document["openrpc"] == "1.2.6");
  std::string problems = meta.problems(document);
  INFO(problems);
  CHECK(problems.empty());

  // The meta-schema really checks: an unknown method field and a broken schema are both refused.
  json unknown_field = document;
  unknown_field["methods"][0]["returns"] = "nothing";
  CHECK_FALSE(meta.problems(unknown_field).empty());
  json broken_schema = document;
  broken_schema["components"]["schemas"]["Id"]["type"] = 42;
  CHECK_FALSE(meta.problems(broken_schema).empty());
}

TEST_CASE("openrpc: the documented methods are exactly the served ones", "[openrpc]") {
  json document = api_document();
  std::set<std::string> documented;
  for (const auto& method : document["methods"]) {
    std::string name = method["name"];
    INFO("method " << name);
    CHECK(documented.insert(name).second);  // documented once
  }

  Harness h;
  std::vector<std::string> names = h.dispatcher.names();
  std::set<std::string> served(names.begin(), names.end());

  std::set<std::string> undocumented, unserved;
  std::set_difference(served.begin(), served.end(), documented.begin(), documented.end(),
                      std::inserter(undocumented, undocumented.end()));
  std::set_difference(documented.begin(), documented.end(), served.begin(), served.end(),
                      std::inserter(unserved, unserved.end()));
  INFO("served but not documented: " << joined(undocumented));
  INFO("documented but not served: " << joined(unserved));
  CHECK(undocumented.empty());
  CHECK(unserved.empty());
}

TEST_CASE("openrpc: every method and notification is described for plugin authors", "[openrpc]") {
  json document = api_document();
  for (const auto& method : document["methods"]) {
    INFO("method " << method["name"]);
    CHECK(method.value("summary", "") != "");
    CHECK(method.value("description", "") != "");
    CHECK(method.value("paramStructure", "") == "by-name");
    CHECK(method.contains("result"));
    CHECK(method.contains("errors"));
  }
  std::set<std::string> notifications;
  for (const auto& notification : document["x-notifications"]) {
    INFO("notification " << notification.value("name", "?"));
    CHECK(notifications.insert(notification.value("name", "")).second);
    CHECK(notification.value("summary", "") != "");
    CHECK(notification.contains("params"));
  }
  CHECK(notifications ==
        std::set<std::string>{"plan.changed", "audit.changed", "deadlines.changed", "plan.invalid", "sync.changed"});
}

TEST_CASE("openrpc: every $ref resolves, in the document or in a plan schema", "[openrpc]") {
  json document = api_document();
  std::vector<std::pair<std::string, std::string>> refs;
  collect_refs(document, "", refs);
  REQUIRE_FALSE(refs.empty());
  const std::regex schema_file("[a-z]+\\.schema\\.json");
  for (const auto& [at, ref] : refs) {
    INFO("$ref " << ref << " at " << at);
    if (ref.starts_with("#")) {
      CHECK(pointer_exists(document, ref.substr(1)));
      continue;
    }
    size_t hash = ref.find('#');
    std::string file = ref.substr(0, hash);
    REQUIRE(std::regex_match(file, schema_file));  // only the plan schemas, by relative name
    fs::path path = source_path("schema/" + file);
    REQUIRE(fs::exists(path));
    if (hash != std::string::npos) CHECK(pointer_exists(load_json(path), ref.substr(hash + 1)));
  }
}

TEST_CASE("openrpc: rpc.discover returns schema/openrpc.json", "[openrpc]") {
  Harness h;
  json reply = h.call("rpc.discover", json::object());
  INFO(reply.dump().substr(0, 300));
  REQUIRE(reply.contains("result"));
  json differences = json::diff(api_document(), reply["result"]);  // a stale build serves an older document
  INFO("served document differs from the file (JSON Patch): " << differences.dump().substr(0, 2000));
  CHECK(differences.empty());
}

TEST_CASE("openrpc: results and notifications have the documented shapes", "[openrpc]") {
  ResultSchemas schemas;
  Harness h;
  auto check_result = [&](const std::string& method, const json& params) {
    json reply = h.call(method, params);
    INFO(method << " " << params.dump() << " -> " << reply.dump().substr(0, 300));
    REQUIRE(reply.contains("result"));
    std::string problems = schemas.problems(schemas.result_pointer(method), reply["result"]);
    INFO(problems);
    CHECK(problems.empty());
    return reply["result"];
  };

  check_result("subscribe", json::object());
  check_result("plan.status", json::object());
  check_result("plan.get", json::object());
  check_result("plan.get", {{"kind", "plan"}});
  check_result("plan.get", {{"kind", "writer"}, {"id", "farah-qureshi"}});
  json letter = check_result("plan.get", {{"kind", "letter"}, {"id", "qureshi-home"}});
  json bad_letter = letter;
  bad_letter["data"]["waived"] = "yes";  // the check reaches into the plan schemas
  CHECK_FALSE(schemas.problems(schemas.result_pointer("plan.get"), bad_letter).empty());
  check_result("audit.run", json::object());
  check_result("deadlines.list", json::object());
  check_result("deadlines.list", {{"within", 30}});
  json drafted = check_result("letter.draft", {{"letter", "qureshi-home"}});
  CHECK(drafted["step"] == "ask");
  CHECK(check_result("letter.draft", {{"letter", "whitfield-inpatient"}, {"step", "thank"}})["step"] == "thank");
  CHECK(h.call("letter.draft", {{"letter", "no-such-letter"}})["error"]["code"] == -32002);
  CHECK(h.call("letter.draft", {{"letter", "qureshi-home"}, {"step", "beg"}})["error"]["code"] == -32602);
  check_result("entity.update", {{"kind", "letter"}, {"id", "qureshi-home"}, {"set", {{"waived", true}}},
                                 {"if_revision", letter["revision"]}});
  check_result("entity.update", {{"kind", "plan"}, {"set", {{"applicant.visa", "h1b"}}}});
  check_result("letter.record", {{"letter", "delgado-consult"}, {"event", "agreed"}, {"via", "email"}});
  check_result("entity.create", {{"kind", "rotation"}, {"id", "chicago-sports"},
                                 {"fields", {{"institution", "Lakeshore Sports Clinic"}, {"country", "US"},
                                             {"specialty", "pmr"}, {"setting", "outpatient"}, {"kind", "observership"},
                                             {"start", "2026-05-04"}, {"end", "2026-05-29"}}}});
  check_result("entity.delete", {{"kind", "rotation"}, {"id", "chicago-sports"}});
  check_result("history.log", {{"limit", 3}});
  json programs = check_result("programs.list", json::object());
  REQUIRE(programs.size() == 6);
  json suggested = json::array();
  for (const auto& chosen : programs[0]["suggestion"]) suggested.push_back(chosen["letter"]);
  check_result("programs.assign", {{"program", programs[0]["id"]}, {"letters", suggested}});
  check_result("programs.assign", {{"program", programs[0]["id"]}, {"letters", {"qureshi-home"}}, {"force", true}});
  json refused = h.call("programs.assign", {{"program", programs[0]["id"]}, {"letters", {"qureshi-home"}}});
  REQUIRE(refused["error"]["code"] == kInvalidParams);
  CHECK_FALSE(refused["error"]["data"]["problems"].empty());
  // Sync: first with no remote (not found, with the sync state in data), then with a real bare one.
  check_result("sync.status", json::object());
  json no_remote = h.call("sync.now", json::object());
  REQUIRE(no_remote["error"]["code"] == kNotFound);
  CHECK(no_remote["error"]["data"]["error"] == "not_found");
  CHECK(no_remote["error"]["data"]["sync"]["state"] == "no-remote");
  CHECK(schemas.problems("/components/schemas/SyncFailedData", no_remote["error"]["data"]) == "");
  REQUIRE(run_process({"git", "init", "-q", "--bare", (h.dir / "remote.git").string()}).exit_code == 0);
  REQUIRE(Remote::open(h.dir / "plan").value().set_origin((h.dir / "remote.git").string()).ok());
  json report = check_result("sync.now", json::object());
  CHECK(report["pushed"] == true);
  CHECK(check_result("sync.status", json::object())["state"] == "ok");
  CHECK(h.call("sync.resolve", {{"path", "letters/none.md"}})["error"]["code"] == kNotFound);
  check_result("unsubscribe", json::object());

  json invalid = h.call("entity.update", {{"kind", "letter"}, {"id", "qureshi-home"}, {"set", {{"waived", "yes"}}}});
  REQUIRE(invalid["error"]["code"] == kInvalidPlan);
  CHECK(schemas.problems("/components/schemas/InvalidPlanData", invalid["error"]["data"]) == "");

  REQUIRE_FALSE(h.published.empty());
  for (const auto& [notification, to] : h.published) {
    std::string name = notification["method"];
    INFO(name << " " << notification["params"].dump().substr(0, 300));
    CHECK(schemas.problems(schemas.notification_pointer(name), notification["params"]) == "");
  }
}

TEST_CASE("openrpc: the examples match the documented schemas", "[openrpc]") {
  ResultSchemas schemas;
  const json& methods = schemas.document()["methods"];
  size_t examples = 0;
  for (size_t m = 0; m < methods.size(); ++m) {
    std::string name = methods[m]["name"];
    auto params = schemas.param_pointers(m);
    for (const auto& pairing : methods[m].value("examples", json::array())) {
      INFO(name << " example " << pairing["name"]);
      ++examples;
      for (const auto& param : pairing["params"]) {
        INFO("param " << param["name"]);
        REQUIRE(params.count(param["name"]) == 1);
        CHECK(schemas.problems(params[param["name"]], param["value"]) == "");
      }
      CHECK(schemas.problems(schemas.result_pointer(name), pairing["result"]["value"]) == "");
    }
  }
  CHECK(examples > 0);
  // The bundled schemas really check, into the plan schemas too.
  CHECK_FALSE(schemas.problems("/components/schemas/SyncState", json("nope")).empty());
  for (const auto& [name, error] : schemas.document()["components"]["errors"].items()) {
    INFO("error " << name);
    // Each error's data has its schema, named after it: InvalidPlan -> InvalidPlanData.
    if (error.contains("data")) CHECK(schemas.problems("/components/schemas/" + name + "Data", error["data"]) == "");
  }
}
