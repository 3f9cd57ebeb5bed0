#include "libraries/jsone/spec_suite.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace bulwark::jsone {
namespace {

bool Exists(const std::string& path) { return access(path.c_str(), R_OK) == 0; }

std::string SelfPath() {
  char buffer[4096];
  const ssize_t n = readlink("/proc/self/exe", buffer, sizeof buffer - 1);
  return n > 0 ? std::string(buffer, n) : std::string();
}

}  // namespace

absl::Time SpecSuiteNow() { return absl::FromUnixMillis(1484843240974); }

absl::StatusOr<std::string> SpecSuitePath() {
  std::vector<std::string> roots;
  for (const char* var : {"TEST_SRCDIR", "RUNFILES_DIR"}) {
    if (const char* value = std::getenv(var)) roots.emplace_back(value);
  }
  roots.push_back(SelfPath() + ".runfiles");
  constexpr char kFile[] = "testdata/json-e-specification.json";
  for (const std::string& root : roots) {
    for (const std::string& candidate :
         {absl::StrCat(root, "/shared/", kFile),
          absl::StrCat(root, "/bulwark/external/shared/", kFile)}) {
      if (Exists(candidate)) return candidate;
    }
  }
  return absl::NotFoundError(
      "json-e-specification.json is not in the runfiles; add "
      "\"@shared//:json_e_spec\" to the target's data");
}

absl::StatusOr<std::vector<SpecCase>> LoadSpecSuite() {
  absl::StatusOr<std::string> path = SpecSuitePath();
  if (!path.ok()) return path.status();
  std::ifstream in(*path);
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json cases = nlohmann::json::parse(text.str(), nullptr, false);
  if (!cases.is_array()) {
    return absl::InvalidArgumentError(
        absl::StrCat(*path, " is not a JSON array"));
  }
  std::vector<SpecCase> out;
  out.reserve(cases.size());
  for (const nlohmann::json& c : cases) {
    if (!c.is_object() || !c.contains("template") ||
        (c.contains("result") == c.contains("error"))) {
      return absl::InvalidArgumentError(
          absl::StrCat("malformed case: ", c.dump().substr(0, 200)));
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

}  // namespace bulwark::jsone
