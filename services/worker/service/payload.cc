#include "services/worker/service/payload.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/worker/schema/payload_schema.h"
#include "services/worker/service/artifact_spec.h"
#include "services/worker/service/task_environment.h"

namespace bulwark::worker {
namespace {

using nlohmann::json;

// Clearer words for the schema's keyword messages, by the keyword's location in the schema.
const std::map<std::string, std::string>& MessageOverrides() {
  static const auto* const overrides = new std::map<std::string, std::string>{
      {"#/definitions/artifactName/pattern", "artifact name must be printable ASCII"},
      {"#/definitions/artifactName/allOf/0/not",
       "artifact name must be '/'-separated segments, none empty, '.' or '..'"},
      {"#/definitions/artifactName/allOf/1/not", "this artifact name is reserved for the worker"},
      {"#/definitions/artifactPath/allOf/0/not",
       "must be a path relative to the task directory, not an absolute path"},
      {"#/definitions/artifactPath/allOf/1/not", "must not contain a '..' component"},
      {"#/definitions/upstreamArtifact/properties/taskId/pattern", "must be a task id (a slugid)"},
      {"#/definitions/upstreamArtifact/properties/taskType/pattern",
       "must be a task type: lowercase letters, digits and '-', starting with a letter"},
      {"#/definitions/artifact/properties/type/enum", "must be \"file\" or \"directory\""},
      {"#/properties/command/oneOf",
       "must be an argv (a non-empty array of strings) or a non-empty list of argvs"},
  };
  return *overrides;
}

std::string PointerToken(absl::string_view token) {
  std::string out;
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string Where(const std::string& pointer) { return pointer.empty() ? "(root)" : pointer; }

// The checks the schema cannot express, or expresses with messages too vague for a task
// author, each with the area of the payload it speaks for.
struct ExtraProblems {
  std::vector<std::string> command;              // anything under /command
  std::vector<std::string> env_names;            // /env member names
  std::set<std::string> reserved_artifact_spec;  // pointers of reserved /artifacts/i/name
  std::vector<std::string> other;                // duplicates, NUL bytes
};

void AddNulProblems(const json& value, const std::string& pointer, std::vector<std::string>& out) {
  if (value.is_string()) {
    if (value.get_ref<const std::string&>().find('\0') != std::string::npos) {
      out.push_back(absl::StrCat(Where(pointer), ": must not contain a NUL character"));
    }
  } else if (value.is_array()) {
    for (size_t i = 0; i < value.size(); ++i) {
      AddNulProblems(value[i], absl::StrCat(pointer, "/", i), out);
    }
  } else if (value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it) {
      const std::string child = absl::StrCat(pointer, "/", PointerToken(it.key()));
      if (it.key().find('\0') != std::string::npos) {
        out.push_back(absl::StrCat(child, ": the name must not contain a NUL character"));
      }
      AddNulProblems(it.value(), child, out);
    }
  }
}

void CheckArgv(const json& argv, const std::string& pointer, std::vector<std::string>& out) {
  constexpr char kShape[] = "must be an argv: a non-empty array of strings";
  if (!argv.is_array() || argv.empty()) {
    out.push_back(absl::StrCat(pointer, ": ", kShape));
    return;
  }
  if (argv.size() > 10000) out.push_back(absl::StrCat(pointer, ": must have at most 10000 items"));
  for (size_t i = 0; i < argv.size(); ++i) {
    if (!argv[i].is_string()) {
      out.push_back(absl::StrCat(pointer, "/", i, ": must be a string"));
    } else if (i == 0 && argv[i].get_ref<const std::string&>().empty()) {
      out.push_back(absl::StrCat(pointer, "/0: the program must not be empty"));
    }
  }
}

ExtraProblems FindExtraProblems(const json& payload) {
  ExtraProblems problems;
  if (!payload.is_object()) return problems;

  if (auto command = payload.find("command"); command != payload.end()) {
    if (!command->is_array() || command->empty()) {
      problems.command.push_back(
          "/command: must be an argv (a non-empty array of strings) or a non-empty list of argvs");
    } else if ((*command)[0].is_array()) {
      if (command->size() > 100) {
        problems.command.push_back("/command: must have at most 100 argvs");
      }
      for (size_t i = 0; i < command->size(); ++i) {
        CheckArgv((*command)[i], absl::StrCat("/command/", i), problems.command);
      }
    } else {
      CheckArgv(*command, "/command", problems.command);
    }
  }

  if (auto env = payload.find("env"); env != payload.end() && env->is_object()) {
    for (auto it = env->begin(); it != env->end(); ++it) {
      const std::string where = absl::StrCat("/env/", PointerToken(it.key()));
      if (!IsValidVariableName(it.key())) {
        problems.env_names.push_back(absl::StrCat(
            where, ": environment variable names must match ^[A-Za-z_][A-Za-z0-9_]*$"));
      } else if (IsWorkerSetVariable(it.key())) {
        problems.env_names.push_back(absl::StrCat(
            where, ": ", it.key(), " is set by the worker and cannot be set by the payload"));
      }
    }
  }

  if (auto artifacts = payload.find("artifacts");
      artifacts != payload.end() && artifacts->is_array()) {
    std::map<std::string, size_t> first_use;
    for (size_t i = 0; i < artifacts->size(); ++i) {
      const json& artifact = (*artifacts)[i];
      if (!artifact.is_object()) continue;
      auto name = artifact.find("name");
      if (name == artifact.end() || !name->is_string()) continue;
      const std::string& text = name->get_ref<const std::string&>();
      const std::string where = absl::StrCat("/artifacts/", i, "/name");
      if (IsReservedArtifactName(text)) {
        problems.reserved_artifact_spec.insert(where);
        problems.other.push_back(
            absl::StrCat(where, ": '", text, "' is reserved for the worker's own artifacts"));
      }
      auto [it, inserted] = first_use.emplace(text, i);
      if (!inserted) {
        problems.other.push_back(absl::StrCat(where, ": duplicate artifact name '", text,
                                              "' (also /artifacts/", it->second, "/name)"));
      }
    }
  }
  AddNulProblems(payload, "", problems.other);
  return problems;
}

absl::StatusOr<absl::Time> ParseTime(const std::string& text, const std::string& where) {
  absl::Time t;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, text, &t, &error)) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid task payload: ", where, ": not an RFC 3339 date-time: ", error));
  }
  return t;
}

absl::StatusOr<Payload> Convert(const json& in) {
  Payload payload;
  const json& command = in.at("command");
  if (command[0].is_array()) {
    for (const json& argv : command)
      payload.commands.push_back(argv.get<std::vector<std::string>>());
  } else {
    payload.commands.push_back(command.get<std::vector<std::string>>());
  }
  if (auto env = in.find("env"); env != in.end()) {
    payload.env = env->get<std::map<std::string, std::string>>();
  }
  const json& max_run_time = in.at("maxRunTime");
  const int64_t seconds = max_run_time.is_number_integer()
                              ? max_run_time.get<int64_t>()
                              : static_cast<int64_t>(max_run_time.get<double>());
  payload.max_run_time = absl::Seconds(seconds);
  if (auto artifacts = in.find("artifacts"); artifacts != in.end()) {
    for (size_t i = 0; i < artifacts->size(); ++i) {
      const json& a = (*artifacts)[i];
      ArtifactSpec spec;
      spec.name = a.at("name").get<std::string>();
      spec.path = a.at("path").get<std::string>();
      spec.type = a.at("type").get<std::string>() == "directory" ? ArtifactType::kDirectory
                                                                 : ArtifactType::kFile;
      if (auto expires = a.find("expires"); expires != a.end()) {
        absl::StatusOr<absl::Time> t =
            ParseTime(expires->get<std::string>(), absl::StrCat("/artifacts/", i, "/expires"));
        if (!t.ok()) return t.status();
        spec.expires = *t;
      }
      payload.artifacts.push_back(std::move(spec));
    }
  }
  if (auto upstream = in.find("upstreamArtifacts"); upstream != in.end()) {
    for (const json& u : *upstream) {
      UpstreamArtifact artifact;
      artifact.task_id = u.at("taskId").get<std::string>();
      artifact.task_type = u.at("taskType").get<std::string>();
      artifact.paths = u.at("paths").get<std::vector<std::string>>();
      artifact.optional = u.value("optional", false);
      payload.upstream_artifacts.push_back(std::move(artifact));
    }
  }
  if (auto features = in.find("features"); features != in.end()) {
    if (auto cot = features->find("chainOfTrust"); cot != features->end()) {
      payload.chain_of_trust = cot->get<bool>();
    }
  }
  return payload;
}

}  // namespace

const jsonschema::Schema& PayloadSchema() {
  static const jsonschema::Schema* const schema = [] {
    json document = json::parse(PayloadSchemaJson(), nullptr, /*allow_exceptions=*/false);
    absl::StatusOr<jsonschema::Schema> compiled =
        document.is_discarded() ? absl::InternalError("payload.schema.json is not JSON")
                                : jsonschema::Compile(document);
    if (!compiled.ok()) {
      std::fprintf(stderr, "fatal: the embedded payload schema does not compile: %s\n",
                   compiled.status().ToString().c_str());
      std::abort();
    }
    return new jsonschema::Schema(*std::move(compiled));
  }();
  return *schema;
}

std::vector<std::string> PayloadProblems(const json& payload) {
  ExtraProblems extra = FindExtraProblems(payload);
  std::vector<std::string> problems;
  for (const jsonschema::ValidationError& error : PayloadSchema().Errors(payload)) {
    // Where the extra checks speak for an area, their words replace the schema's.
    if (!extra.command.empty() && absl::StartsWith(error.instance_path, "/command")) continue;
    if (!extra.env_names.empty() && error.instance_path == "/env" &&
        error.keyword == "propertyNames") {
      continue;
    }
    if (error.schema_path == "#/definitions/artifactName/allOf/1/not" &&
        extra.reserved_artifact_spec.count(error.instance_path) > 0) {
      continue;
    }
    auto override = MessageOverrides().find(error.schema_path);
    problems.push_back(
        absl::StrCat(Where(error.instance_path), ": ",
                     override != MessageOverrides().end() ? override->second : error.message));
  }
  for (auto* list : {&extra.command, &extra.env_names, &extra.other}) {
    problems.insert(problems.end(), list->begin(), list->end());
  }
  // In document order, roughly: by pointer ("(root)" sorts first).
  std::stable_sort(problems.begin(), problems.end(),
                   [](const std::string& a, const std::string& b) {
                     return a.substr(0, a.find(": ")) < b.substr(0, b.find(": "));
                   });
  return problems;
}

absl::StatusOr<Payload> ParsePayload(const json& payload) {
  std::vector<std::string> problems = PayloadProblems(payload);
  if (!problems.empty()) {
    std::string message = absl::StrCat(
        "invalid task payload: ",
        absl::StrJoin(problems.begin(),
                      problems.begin() + std::min(problems.size(), kMaxReportedProblems), "; "));
    if (problems.size() > kMaxReportedProblems) {
      absl::StrAppend(&message, "; and ", problems.size() - kMaxReportedProblems, " more");
    }
    return absl::InvalidArgumentError(message);
  }
  try {
    return Convert(payload);
  } catch (const json::exception& e) {
    // Unreachable for a payload the schema accepted; reported rather than trusted.
    return absl::InvalidArgumentError(absl::StrCat("invalid task payload: ", e.what()));
  }
}

absl::StatusOr<Payload> ParsePayloadJson(absl::string_view text) {
  json payload = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (payload.is_discarded()) {
    return absl::InvalidArgumentError("invalid task payload: not valid JSON");
  }
  return ParsePayload(payload);
}

}  // namespace bulwark::worker
