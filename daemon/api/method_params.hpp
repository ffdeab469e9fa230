// api/method_params: each method's parameters as a type, decoded from params the
// dispatcher has already checked against schema/openrpc.json (api/params): a
// decoder reads what is there without checking types, and refuses only what a
// schema cannot say (an `id` that `kind: plan` does not need, an empty change).
#pragma once

#include "common/date.hpp"
#include "common/diagnostic.hpp"
#include "store/store.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace lorsync::api {

struct TargetParams {  // plan.get; nullopt target: the whole plan
  std::optional<DocumentRef> target;
};
struct DeadlinesParams {
  std::optional<int> within;  // days
};
struct DraftParams {
  std::string letter;
  std::string step;  // empty: the letter's next step
};
struct AssignParams {
  std::string program;
  std::vector<std::string> letters;
  bool force = false;
};
struct CreateParams {
  EntityKind kind;
  std::string id;
  std::vector<FieldEdit> fields;
  std::string body;
};
struct UpdateParams {
  DocumentRef target;
  std::vector<FieldEdit> edits;
  std::optional<std::string> if_revision;
};
struct DeleteParams {
  EntityKind kind;
  std::string id;
  std::optional<std::string> if_revision;
};
struct RecordParams {
  std::string letter;
  std::string event;
  std::optional<Date> date;  // today when left out
  std::string via, note;
  std::optional<std::vector<std::string>> packet;
};
struct LogParams {
  size_t limit = 50;
};
struct ResolveParams {
  std::string path, field;
  ResolveKeep keep = ResolveKeep::current;
};

Result<TargetParams> decode_target(const nlohmann::json& params);
Result<DeadlinesParams> decode_deadlines(const nlohmann::json& params);
Result<DraftParams> decode_draft(const nlohmann::json& params);
Result<AssignParams> decode_assign(const nlohmann::json& params);
Result<CreateParams> decode_create(const nlohmann::json& params);
Result<UpdateParams> decode_update(const nlohmann::json& params);
Result<DeleteParams> decode_delete(const nlohmann::json& params);
Result<RecordParams> decode_record(const nlohmann::json& params);
Result<LogParams> decode_log(const nlohmann::json& params);
Result<ResolveParams> decode_resolve(const nlohmann::json& params);

}  // namespace lorsync::api
