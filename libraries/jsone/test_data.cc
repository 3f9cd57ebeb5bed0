#include "libraries/jsone/test_data.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace bulwark::jsone {
namespace {

bool Exists(const std::string& path) { return access(path.c_str(), R_OK) == 0; }

std::string SelfPath() {
  char buffer[4096];
  const ssize_t n = readlink("/proc/self/exe", buffer, sizeof buffer - 1);
  return n > 0 ? std::string(buffer, n) : std::string();
}

// The path of `file` (relative to its repository; "" is this one) in the
// runfiles.
absl::StatusOr<std::string> RunfilePath(const std::string& repository, const std::string& file) {
  std::vector<std::string> roots;
  for (const char* var : {"TEST_SRCDIR", "RUNFILES_DIR"}) {
    if (const char* value = std::getenv(var)) roots.emplace_back(value);
  }
  roots.push_back(SelfPath() + ".runfiles");
  for (const std::string& root : roots) {
    std::vector<std::string> candidates;
    if (repository.empty()) {
      candidates.push_back(absl::StrCat(root, "/bulwark/", file));
    } else {
      candidates.push_back(absl::StrCat(root, "/", repository, "/", file));
      candidates.push_back(absl::StrCat(root, "/bulwark/external/", repository, "/", file));
    }
    for (const std::string& candidate : candidates) {
      if (Exists(candidate)) return candidate;
    }
  }
  return absl::NotFoundError(file + " is not in the runfiles; add it to the data");
}

absl::StatusOr<nlohmann::json> ReadJson(const std::string& repository, const std::string& file) {
  absl::StatusOr<std::string> path = RunfilePath(repository, file);
  if (!path.ok()) return path.status();
  std::ifstream in(*path);
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json parsed = nlohmann::json::parse(text.str(), nullptr, false);
  if (parsed.is_discarded()) {
    return absl::InvalidArgumentError(*path + " is not valid JSON");
  }
  return parsed;
}

}  // namespace

absl::Time SpecSuiteNow() { return absl::FromUnixMillis(1484843240974); }

absl::StatusOr<std::vector<SpecCase>> LoadSpecSuite() {
  absl::StatusOr<nlohmann::json> cases = ReadJson("shared", "testdata/json-e-specification.json");
  if (!cases.ok()) return cases.status();
  if (!cases->is_array()) {
    return absl::InvalidArgumentError("the spec suite is not a JSON array");
  }
  std::vector<SpecCase> out;
  out.reserve(cases->size());
  for (const nlohmann::json& c : *cases) {
    if (!c.is_object() || !c.contains("template") ||
        (c.contains("result") == c.contains("error"))) {
      return absl::InvalidArgumentError("malformed case: " + c.dump().substr(0, 200));
    }
    SpecCase spec;
    spec.section = c.value("section", "");
    spec.title = c.value("title", "");
    spec.context = c.value("context", nlohmann::json::object());
    spec.tmpl = c["template"];
    if (c.contains("result")) {
      spec.result = c["result"];
    } else {
      spec.expects_error = true;
      if (c["error"].is_string()) spec.error = c["error"].get<std::string>();
    }
    out.push_back(std::move(spec));
  }
  return out;
}

absl::StatusOr<DecisionTask> LoadDecisionTask() {
  absl::StatusOr<nlohmann::json> data = ReadJson("", "libraries/jsone/testdata/decision_task.json");
  if (!data.ok()) return data.status();
  if (!data->is_object() || !data->contains("template") || !(*data)["context"].is_object() ||
      !(*data)["now"].is_string()) {
    return absl::InvalidArgumentError("decision_task.json is malformed");
  }
  absl::Time now;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, (*data)["now"].get<std::string>(), &now, &error)) {
    return absl::InvalidArgumentError("decision_task.json: bad now: " + error);
  }
  return DecisionTask{(*data)["template"], (*data)["context"], now};
}

absl::StatusOr<DecisionTask> LoadDecisionTaskWithPushEvent() {
  absl::StatusOr<DecisionTask> task = LoadDecisionTask();
  if (!task.ok()) return task.status();
  absl::StatusOr<nlohmann::json> event =
      ReadJson("", "libraries/jsone/testdata/github_push_event.json");
  if (!event.ok()) return event.status();
  task->context["event"] = *std::move(event);
  return task;
}

}  // namespace bulwark::jsone
