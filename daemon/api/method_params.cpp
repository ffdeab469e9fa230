#include "api/method_params.hpp"

#include "model/document.hpp"
#include "model/entities.hpp"
#include "model/front_matter_edit.hpp"
#include "model/plan.hpp"

namespace lorsync::api {

using nlohmann::json;

namespace {

Error refused(std::string message) { return make_error(ErrorCode::usage, std::move(message)); }

std::string text_of(const json& params, const char* name, std::string fallback = "") {
  auto found = params.find(name);
  return found == params.end() ? fallback : found->get<std::string>();
}

std::optional<std::string> optional_text(const json& params, const char* name) {
  auto found = params.find(name);
  if (found == params.end()) return std::nullopt;
  return found->get<std::string>();
}

// A kind word the schema allows (singular, folder name or `plan`) as the document it names.
Result<DocumentRef> document_of(const json& params) {
  const std::string& word = params["kind"].get_ref<const std::string&>();
  if (word == "plan") return DocumentRef{DocumentKind::plan, ""};
  auto kind = kind_from_word(word);
  if (!kind) return kind.take_error();
  auto id = optional_text(params, "id");
  if (!id) return refused("params.id is required unless params.kind is plan");
  return DocumentRef{document_kind(kind.value()), *id};
}

Result<EntityKind> entity_of(const json& params) { return kind_from_word(params["kind"].get_ref<const std::string&>()); }

// {"field.path": value, ...} as edits that set them.
Result<std::vector<FieldEdit>> set_edits(const json& fields) {
  std::vector<FieldEdit> edits;
  for (const auto& [key, value] : fields.items()) {
    auto path = parse_field_path(key);
    if (!path) return path.take_error();
    edits.push_back(FieldEdit{FieldEdit::Op::set, std::move(path.value()), value});
  }
  return edits;
}

}  // namespace

Result<TargetParams> decode_target(const json& params) {
  if (!params.contains("kind")) return TargetParams{};
  auto target = document_of(params);
  if (!target) return target.take_error();
  return TargetParams{std::move(target.value())};
}

Result<DeadlinesParams> decode_deadlines(const json& params) {
  auto within = params.find("within");
  return DeadlinesParams{within == params.end() ? std::nullopt : std::optional<int>(within->get<int>())};
}

Result<DraftParams> decode_draft(const json& params) {
  return DraftParams{text_of(params, "letter"), text_of(params, "step")};
}

Result<AssignParams> decode_assign(const json& params) {
  return AssignParams{text_of(params, "program"), params["letters"].get<std::vector<std::string>>(),
                      params.value("force", false)};
}

Result<CreateParams> decode_create(const json& params) {
  auto kind = entity_of(params);
  if (!kind) return kind.take_error();
  auto fields = set_edits(params["fields"]);
  if (!fields) return fields.take_error();
  return CreateParams{kind.value(), text_of(params, "id"), std::move(fields.value()), text_of(params, "body")};
}

Result<UpdateParams> decode_update(const json& params) {
  auto target = document_of(params);
  if (!target) return target.take_error();
  std::vector<FieldEdit> edits;
  if (auto set = params.find("set"); set != params.end()) {
    auto setting = set_edits(*set);
    if (!setting) return setting.take_error();
    edits = std::move(setting.value());
  }
  if (auto unset = params.find("unset"); unset != params.end())
    for (const auto& key : *unset) {
      auto path = parse_field_path(key.get<std::string>());
      if (!path) return path.take_error();
      edits.push_back(FieldEdit{FieldEdit::Op::remove, std::move(path.value()), nullptr});
    }
  if (edits.empty()) return refused("nothing to change: give params.set or params.unset");
  return UpdateParams{std::move(target.value()), std::move(edits), optional_text(params, "if_revision")};
}

Result<DeleteParams> decode_delete(const json& params) {
  auto kind = entity_of(params);
  if (!kind) return kind.take_error();
  return DeleteParams{kind.value(), text_of(params, "id"), optional_text(params, "if_revision")};
}

Result<RecordParams> decode_record(const json& params) {
  RecordParams out{text_of(params, "letter"), text_of(params, "event"), std::nullopt, text_of(params, "via"),
                   text_of(params, "note"), std::nullopt};
  if (auto on = optional_text(params, "date")) {
    auto date = parse_event_date(*on);
    if (!date) return refused("params.date " + date.error().message);
    out.date = date.value();
  }
  if (auto packet = params.find("packet"); packet != params.end()) out.packet = packet->get<std::vector<std::string>>();
  return out;
}

Result<LogParams> decode_log(const json& params) { return LogParams{params.value("limit", size_t{50})}; }

Result<ResolveParams> decode_resolve(const json& params) {
  ResolveParams out{text_of(params, "path"), text_of(params, "field"),
                    text_of(params, "keep", "current") == "other" ? ResolveKeep::other : ResolveKeep::current};
  if (out.path.empty() && !out.field.empty()) return refused("params.field needs params.path");
  return out;
}

}  // namespace lorsync::api
