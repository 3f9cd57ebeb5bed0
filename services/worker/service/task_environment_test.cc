#include "services/worker/service/task_environment.h"

#include <stdlib.h>

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libraries/process/subprocess.h"

namespace bulwark::worker {
namespace {

using Env = std::map<std::string, std::string>;

TaskEnvironmentInputs Inputs() {
  TaskEnvironmentInputs in;
  in.task_id = "fN1ZC3BTRbO7t0_Hq0Aqxw";
  in.run_id = 2;
  in.credentials = {"task-client/fN1ZC3BTRbO7t0_Hq0Aqxw/2/on/g/w", "token-secret",
                    "{\"version\":1,\"scopes\":[]}"};
  in.queue_address = "127.0.0.1:50052";
  in.task_directory = "/work/tasks/task_1";
  return in;
}

TEST(TaskEnvironmentTest, IsThePayloadEnvPlusTheWorkersVariablesAndNothingElse) {
  ASSERT_EQ(setenv("BULWARK_WORKER_SECRET", "must-not-leak", 1), 0);
  absl::StatusOr<Env> env = BuildTaskEnvironment(Inputs(), {{"CC", "clang"}, {"lower_ok", ""}});
  ASSERT_TRUE(env.ok()) << env.status();
  EXPECT_EQ(*env, (Env{
                      {"CC", "clang"},
                      {"lower_ok", ""},
                      {"TASK_ID", "fN1ZC3BTRbO7t0_Hq0Aqxw"},
                      {"RUN_ID", "2"},
                      {"TASK_WORKDIR", "/work/tasks/task_1"},
                      {"HOME", "/work/tasks/task_1"},
                      {"PATH", "/usr/local/bin:/usr/bin:/bin"},
                      {"TASKCLUSTER_CLIENT_ID", "task-client/fN1ZC3BTRbO7t0_Hq0Aqxw/2/on/g/w"},
                      {"TASKCLUSTER_ACCESS_TOKEN", "token-secret"},
                      {"TASKCLUSTER_CERTIFICATE", "{\"version\":1,\"scopes\":[]}"},
                      {"TASKCLUSTER_QUEUE_ADDRESS", "127.0.0.1:50052"},
                  }));
  unsetenv("BULWARK_WORKER_SECRET");
}

TEST(TaskEnvironmentTest, TheWorkersToolsComeFirstInPath) {
  TaskEnvironmentInputs in = Inputs();
  in.tools_directory = "/opt/worker-tools";
  absl::StatusOr<Env> env = BuildTaskEnvironment(in, {});
  ASSERT_TRUE(env.ok()) << env.status();
  EXPECT_EQ(env->at("PATH"), "/opt/worker-tools:/usr/local/bin:/usr/bin:/bin");
}

TEST(TaskEnvironmentTest, ACommandSeesExactlyThisEnvironment) {
  TaskEnvironmentInputs in = Inputs();
  in.task_directory = "/tmp";
  absl::StatusOr<Env> env = BuildTaskEnvironment(in, {{"GREETING", "hello world"}});
  ASSERT_TRUE(env.ok()) << env.status();
  process::RunOptions options;
  options.argv = {"env"};  // Found through the task's PATH.
  options.env = *env;
  options.working_directory = "/tmp";
  options.time_limit = absl::Seconds(60);
  std::vector<std::string> lines;
  absl::StatusOr<process::RunResult> result =
      process::Run(options, [&](const process::OutputLine& l) { lines.emplace_back(l.text); });
  ASSERT_TRUE(result.ok()) << result.status();
  std::vector<std::string> expected;
  for (const auto& [name, value] : *env) expected.push_back(absl::StrCat(name, "=", value));
  EXPECT_EQ(lines, expected);
}

TEST(TaskEnvironmentTest, RefusesEveryReservedVariable) {
  std::vector<std::string> reserved(kWorkerSetVariables.begin(), kWorkerSetVariables.end());
  reserved.push_back("TASKCLUSTER_ROOT_URL");
  reserved.push_back("TASKCLUSTER_");
  for (const std::string& name : reserved) {
    EXPECT_TRUE(IsWorkerSetVariable(name)) << name;
    absl::StatusOr<Env> env = BuildTaskEnvironment(Inputs(), {{name, "override"}});
    EXPECT_EQ(env.status().code(), absl::StatusCode::kInvalidArgument) << name;
    EXPECT_EQ(env.status().message(),
              absl::StrCat("environment variable ", name,
                           " is set by the worker and cannot be set by the payload"));
  }
  for (const char* name : {"TASK_IDS", "path", "taskcluster_client_id", "HOMEDIR", "TASK"}) {
    EXPECT_FALSE(IsWorkerSetVariable(name)) << name;
  }
}

TEST(TaskEnvironmentTest, RefusesInvalidNamesAndValues) {
  for (const char* name : {"", "1ABC", "A-B", "A B", "A=B", "É"}) {
    EXPECT_FALSE(IsValidVariableName(name)) << name;
    absl::StatusOr<Env> env = BuildTaskEnvironment(Inputs(), {{name, "x"}});
    EXPECT_EQ(env.status().code(), absl::StatusCode::kInvalidArgument) << name;
    EXPECT_TRUE(absl::StrContains(env.status().message(), "must match")) << env.status();
  }
  for (const char* name : {"_", "a", "A_1", "_x9"}) EXPECT_TRUE(IsValidVariableName(name)) << name;
  absl::StatusOr<Env> nul = BuildTaskEnvironment(Inputs(), {{"A", std::string("x\0y", 3)}});
  EXPECT_EQ(nul.status(), absl::InvalidArgumentError("environment variable A contains a NUL byte"));
}

TEST(TaskEnvironmentTest, RefusesIncompleteInputs) {
  auto code = [](const TaskEnvironmentInputs& in) { return BuildTaskEnvironment(in, {}).status(); };
  TaskEnvironmentInputs in = Inputs();
  in.task_id.clear();
  EXPECT_EQ(code(in), absl::InvalidArgumentError("the task id is empty"));
  in = Inputs();
  in.credentials.access_token.clear();
  EXPECT_EQ(code(in), absl::InvalidArgumentError("the credentials' accessToken is empty"));
  in = Inputs();
  in.credentials.certificate.clear();
  EXPECT_EQ(code(in), absl::InvalidArgumentError("the credentials' certificate is empty"));
  in = Inputs();
  in.queue_address.clear();
  EXPECT_EQ(code(in), absl::InvalidArgumentError("the queue address is empty"));
  in = Inputs();
  in.task_directory = "tasks/task_1";
  EXPECT_EQ(code(in).code(), absl::StatusCode::kInvalidArgument);
  in = Inputs();
  in.run_id = -1;
  EXPECT_EQ(code(in), absl::InvalidArgumentError("the run id -1 is negative"));
}

}  // namespace
}  // namespace bulwark::worker
