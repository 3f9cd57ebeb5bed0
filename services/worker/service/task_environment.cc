#include "services/worker/service/task_environment.h"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace bulwark::worker {
namespace {

bool HasNul(absl::string_view s) { return s.find('\0') != absl::string_view::npos; }

absl::Status Required(absl::string_view what, const std::string& value) {
  if (value.empty()) return absl::InvalidArgumentError(absl::StrCat(what, " is empty"));
  if (HasNul(value)) return absl::InvalidArgumentError(absl::StrCat(what, " contains a NUL byte"));
  return absl::OkStatus();
}

}  // namespace

bool IsWorkerSetVariable(absl::string_view name) {
  if (absl::StartsWith(name, kReservedVariablePrefix)) return true;
  for (absl::string_view reserved : kWorkerSetVariables) {
    if (name == reserved) return true;
  }
  return false;
}

bool IsValidVariableName(absl::string_view name) {
  if (name.empty() || absl::ascii_isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

absl::StatusOr<std::map<std::string, std::string>> BuildTaskEnvironment(
    const TaskEnvironmentInputs& inputs, const std::map<std::string, std::string>& payload_env) {
  for (const auto& [what, value] :
       {std::make_pair("the task id", &inputs.task_id),
        std::make_pair("the credentials' clientId", &inputs.credentials.client_id),
        std::make_pair("the credentials' accessToken", &inputs.credentials.access_token),
        std::make_pair("the credentials' certificate", &inputs.credentials.certificate),
        std::make_pair("the queue address", &inputs.queue_address),
        std::make_pair("the task directory", &inputs.task_directory)}) {
    if (absl::Status s = Required(what, *value); !s.ok()) return s;
  }
  if (inputs.run_id < 0) {
    return absl::InvalidArgumentError(absl::StrCat("the run id ", inputs.run_id, " is negative"));
  }
  if (inputs.task_directory[0] != '/') {
    return absl::InvalidArgumentError(
        absl::StrCat("the task directory '", inputs.task_directory, "' is not an absolute path"));
  }
  std::map<std::string, std::string> env;
  for (const auto& [name, value] : payload_env) {
    if (!IsValidVariableName(name)) {
      return absl::InvalidArgumentError(absl::StrCat("environment variable name '", name,
                                                     "' must match ^[A-Za-z_][A-Za-z0-9_]*$"));
    }
    if (IsWorkerSetVariable(name)) {
      return absl::InvalidArgumentError(absl::StrCat("environment variable ", name,
                                                     " is set by the worker and cannot be set "
                                                     "by the payload"));
    }
    if (HasNul(value)) {
      return absl::InvalidArgumentError(
          absl::StrCat("environment variable ", name, " contains a NUL byte"));
    }
    env[name] = value;
  }
  env["TASK_ID"] = inputs.task_id;
  env["RUN_ID"] = absl::StrCat(inputs.run_id);
  env["TASK_WORKDIR"] = inputs.task_directory;
  env["HOME"] = inputs.task_directory;
  env["PATH"] = inputs.tools_directory.empty()
                    ? std::string(kTaskPath)
                    : absl::StrCat(inputs.tools_directory, ":", kTaskPath);
  env["TASKCLUSTER_CLIENT_ID"] = inputs.credentials.client_id;
  env["TASKCLUSTER_ACCESS_TOKEN"] = inputs.credentials.access_token;
  env["TASKCLUSTER_CERTIFICATE"] = inputs.credentials.certificate;
  env[std::string(kQueueAddressVariable)] = inputs.queue_address;
  if (!inputs.ca_file.empty()) env["BULWARK_CA"] = inputs.ca_file;
  if (inputs.plaintext) env["BULWARK_PLAINTEXT"] = "true";
  return env;
}

}  // namespace bulwark::worker
