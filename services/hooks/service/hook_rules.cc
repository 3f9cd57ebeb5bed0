#include "services/hooks/service/hook_rules.h"

#include <optional>
#include <regex>
#include <set>

#include "absl/strings/str_cat.h"
#include "libraries/jsonschema/ecma_regex.h"
#include "libraries/jsonschema/validator.h"
#include "libraries/proto/struct_json.h"

namespace bulwark::hooks {
namespace {

absl::Status Invalid(const std::string& field, const std::string& why) {
  return absl::InvalidArgumentError(absl::StrCat("hook.", field, ": ", why));
}

// The first pattern of `schema` (pattern, patternProperties) that uses backreferences: those
// run on a backtracking engine whose time can be exponential in the text, so a trigger payload
// could make a hook's validation take forever. Values of const/enum/default/examples are data.
std::optional<std::string> BacktrackingPattern(const nlohmann::json& schema) {
  if (schema.is_array()) {
    for (const nlohmann::json& item : schema) {
      if (auto found = BacktrackingPattern(item)) return found;
    }
    return std::nullopt;
  }
  if (!schema.is_object()) return std::nullopt;
  auto uses_backreferences = [](const std::string& pattern) {
    absl::StatusOr<jsonschema::EcmaRegex> regex = jsonschema::EcmaRegex::Compile(pattern);
    return regex.ok() && regex->uses_backreferences();
  };
  for (const auto& [key, value] : schema.items()) {
    if (key == "const" || key == "enum" || key == "default" || key == "examples") continue;
    if (key == "pattern" && value.is_string() && uses_backreferences(value.get<std::string>())) {
      return value.get<std::string>();
    }
    if (key == "patternProperties" && value.is_object()) {
      for (const auto& [pattern, sub] : value.items()) {
        if (uses_backreferences(pattern)) return pattern;
      }
    }
    if (auto found = BacktrackingPattern(value)) return found;
  }
  return std::nullopt;
}

}  // namespace

absl::Status ValidateHookIds(const std::string& group, const std::string& id) {
  static const std::regex* const group_re = new std::regex("[a-zA-Z0-9_-]{1,1000}");
  static const std::regex* const id_re = new std::regex("[a-zA-Z0-9_/-]{1,1000}");
  if (!std::regex_match(group, *group_re)) {
    return absl::InvalidArgumentError(
        absl::StrCat("hook_group_id '", group, "' must be 1 to 1000 of [a-zA-Z0-9-_]"));
  }
  if (!std::regex_match(id, *id_re)) {
    return absl::InvalidArgumentError(
        absl::StrCat("hook_id '", id, "' must be 1 to 1000 of [a-zA-Z0-9-_/]"));
  }
  return absl::OkStatus();
}

absl::StatusOr<CheckedDefinition> CheckDefinition(const v1::Hook& hook) {
  if (absl::Status s = ValidateHookIds(hook.hook_group_id(), hook.hook_id()); !s.ok()) return s;
  CheckedDefinition d;
  const v1::HookMetadata& m = hook.metadata();
  if (m.name().empty() || m.name().size() > 255) {
    return Invalid("metadata.name", "is required, at most 255 characters");
  }
  if (m.description().size() > 32768) {
    return Invalid("metadata.description", "is at most 32768 characters");
  }
  if (m.owner().size() > 255 || m.owner().find('@') == std::string::npos) {
    return Invalid("metadata.owner", "must be an email address (at most 255 characters)");
  }
  d.metadata = {{"name", m.name()},
                {"description", m.description()},
                {"owner", m.owner()},
                {"emailOnError", m.email_on_error()}};
  std::set<std::string> seen;
  d.schedule = nlohmann::json::array();
  for (const std::string& pattern : hook.schedule()) {
    if (!seen.insert(pattern).second) {
      return Invalid("schedule", absl::StrCat("'", pattern, "' is listed twice"));
    }
    absl::StatusOr<cron::Schedule> parsed = cron::Schedule::Parse(pattern);
    if (!parsed.ok()) return Invalid("schedule", std::string(parsed.status().message()));
    d.schedules.push_back(*parsed);
    d.schedule.push_back(pattern);
  }
  if (!hook.has_task()) return Invalid("task", "is required (a JSON-e template of a task)");
  d.task = JsonFromStruct(hook.task());
  d.trigger_schema = hook.has_trigger_schema()
                         ? JsonFromStruct(hook.trigger_schema())
                         : nlohmann::json{{"type", "object"}, {"additionalProperties", false}};
  absl::StatusOr<jsonschema::Schema> schema = jsonschema::Compile(d.trigger_schema);
  if (!schema.ok()) {
    return Invalid("triggerSchema",
                   absl::StrCat("is not a valid JSON schema: ", schema.status().message()));
  }
  if (std::optional<std::string> pattern = BacktrackingPattern(d.trigger_schema)) {
    return Invalid("triggerSchema",
                   absl::StrCat("pattern \"", *pattern,
                                "\" uses backreferences, which need a backtracking regular "
                                "expression engine (exponential time); rewrite it without them"));
  }
  return d;
}

std::vector<cron::Schedule> SchedulesOf(const HookRow& row) {
  std::vector<cron::Schedule> out;
  for (const nlohmann::json& p : row.schedule) {
    absl::StatusOr<cron::Schedule> s = cron::Schedule::Parse(p.get<std::string>());
    if (s.ok()) out.push_back(*s);
  }
  return out;
}

v1::Hook HookProto(const HookRow& row) {
  v1::Hook hook;
  hook.set_hook_group_id(row.hook_group_id);
  hook.set_hook_id(row.hook_id);
  v1::HookMetadata* m = hook.mutable_metadata();
  m->set_name(row.metadata.value("name", ""));
  m->set_description(row.metadata.value("description", ""));
  m->set_owner(row.metadata.value("owner", ""));
  m->set_email_on_error(row.metadata.value("emailOnError", false));
  for (const nlohmann::json& p : row.schedule) hook.add_schedule(p.get<std::string>());
  if (auto task = StructFromJson(row.task); task.ok()) *hook.mutable_task() = *task;
  if (auto schema = StructFromJson(row.trigger_schema); schema.ok()) {
    *hook.mutable_trigger_schema() = *schema;
  }
  return hook;
}

}  // namespace bulwark::hooks
