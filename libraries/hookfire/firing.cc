#include "libraries/hookfire/firing.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "libraries/jsone/render.h"

namespace bulwark::hookfire {
namespace {

bool Falsy(const nlohmann::json& task, const char* key) {
  if (!task.contains(key)) return true;
  const nlohmann::json& v = task[key];
  return v.is_null() || (v.is_string() && v.get<std::string>().empty()) ||
         (v.is_boolean() && !v.get<bool>()) || (v.is_number() && v.get<double>() == 0);
}

}  // namespace

std::string IsoMillis(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone());
}

nlohmann::json RenderContext(const FireContext& fire) {
  nlohmann::json context = {
      {"firedBy", fire.fired_by}, {"taskId", fire.task_id}, {"now", IsoMillis(fire.now)}};
  if (fire.fired_by != "schedule") context["payload"] = fire.payload;
  if (fire.fired_by == "triggerHook") context["clientId"] = fire.client_id;
  return context;
}

absl::StatusOr<std::optional<nlohmann::json>> RenderTask(const nlohmann::json& tmpl,
                                                         const FireContext& fire) {
  absl::StatusOr<nlohmann::json> rendered = jsone::Render(tmpl, RenderContext(fire), fire.now);
  if (!rendered.ok()) {
    return absl::InvalidArgumentError(std::string(rendered.status().message()));
  }
  if (rendered->is_null()) return std::optional<nlohmann::json>();
  if (!rendered->is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the template rendered to ", rendered->type_name(), ", not a task object"));
  }
  nlohmann::json task = std::move(*rendered);
  if (Falsy(task, "created")) task["created"] = IsoMillis(fire.now);
  if (Falsy(task, "deadline")) task["deadline"] = IsoMillis(fire.now + absl::Hours(24));
  if (Falsy(task, "expires")) task["expires"] = IsoMillis(fire.now + absl::Hours(24 * 30));
  if (Falsy(task, "taskGroupId")) task["taskGroupId"] = fire.task_id;
  return std::optional<nlohmann::json>(std::move(task));
}

absl::StatusOr<queue::v1::TaskDefinition> TaskFromJson(const nlohmann::json& task) {
  queue::v1::TaskDefinition definition;
  auto parsed = google::protobuf::util::JsonStringToMessage(task.dump(), &definition);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the rendered task is not a valid task: ", parsed.message().as_string()));
  }
  return definition;
}

}  // namespace bulwark::hookfire
