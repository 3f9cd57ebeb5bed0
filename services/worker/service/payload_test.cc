#include "services/worker/service/payload.h"

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "services/worker/schema/payload_schema.h"
#include "services/worker/service/artifact_spec.h"
#include "services/worker/service/task_environment.h"

namespace bulwark::worker {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

json Minimal() { return json{{"command", {"echo", "hello"}}, {"maxRunTime", 60}}; }

// The problems of `payload` (the parse fails with exactly these).
std::vector<std::string> Problems(const json& payload) {
  std::vector<std::string> problems = PayloadProblems(payload);
  absl::StatusOr<Payload> parsed = ParsePayload(payload);
  EXPECT_EQ(parsed.ok(), problems.empty());
  if (!parsed.ok()) {
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_TRUE(absl::StartsWith(parsed.status().message(), "invalid task payload: "));
    if (problems.size() <= kMaxReportedProblems) {
      EXPECT_EQ(parsed.status().message(),
                absl::StrCat("invalid task payload: ", absl::StrJoin(problems, "; ")));
    }
  }
  return problems;
}

json With(json payload, const std::string& key, json value) {
  payload[key] = std::move(value);
  return payload;
}

json WithArtifact(json artifact) {
  return With(Minimal(), "artifacts", json::array({std::move(artifact)}));
}

TEST(PayloadTest, ParsesAMinimalPayload) {
  absl::StatusOr<Payload> payload = ParsePayload(Minimal());
  ASSERT_TRUE(payload.ok()) << payload.status();
  EXPECT_EQ(payload->commands, (std::vector<std::vector<std::string>>{{"echo", "hello"}}));
  EXPECT_TRUE(payload->env.empty());
  EXPECT_EQ(payload->max_run_time, absl::Seconds(60));
  EXPECT_TRUE(payload->artifacts.empty());
  EXPECT_TRUE(payload->upstream_artifacts.empty());
  EXPECT_FALSE(payload->chain_of_trust.has_value());
}

TEST(PayloadTest, ParsesEveryMember) {
  absl::StatusOr<Payload> payload = ParsePayloadJson(R"({
    "command": [["make", "build"], ["make", "test", ""]],
    "env": {"CC": "clang", "_private": "", "lower": "x"},
    "maxRunTime": 3600.0,
    "artifacts": [
      {"name": "public/build/target.tar.gz", "path": "dist/target.tar.gz", "type": "file",
       "expires": "2030-01-02T03:04:05.678Z"},
      {"name": "public/docs", "path": "./out/docs/", "type": "directory"}
    ],
    "upstreamArtifacts": [
      {"taskId": "fN1ZC3BTRbO7t0_Hq0Aqxw", "taskType": "build", "paths": ["public/build/a.zip"]},
      {"taskId": "VUHLwO4lSXCcAQDHO_tREg", "taskType": "docker-image", "paths": ["public/*.tar"],
       "optional": true}
    ],
    "features": {"chainOfTrust": true}
  })");
  ASSERT_TRUE(payload.ok()) << payload.status();
  EXPECT_EQ(payload->commands,
            (std::vector<std::vector<std::string>>{{"make", "build"}, {"make", "test", ""}}));
  EXPECT_EQ(payload->env, (std::map<std::string, std::string>{
                              {"CC", "clang"}, {"_private", ""}, {"lower", "x"}}));
  EXPECT_EQ(payload->max_run_time, absl::Hours(1));
  ASSERT_EQ(payload->artifacts.size(), 2u);
  EXPECT_EQ(payload->artifacts[0].name, "public/build/target.tar.gz");
  EXPECT_EQ(payload->artifacts[0].path, "dist/target.tar.gz");
  EXPECT_EQ(payload->artifacts[0].type, ArtifactType::kFile);
  EXPECT_EQ(payload->artifacts[0].expires,
            absl::FromUnixMillis(1893553445678));  // 2030-01-02T03:04:05.678Z
  EXPECT_EQ(payload->artifacts[1].type, ArtifactType::kDirectory);
  EXPECT_EQ(payload->artifacts[1].path, "./out/docs/");
  EXPECT_FALSE(payload->artifacts[1].expires.has_value());
  ASSERT_EQ(payload->upstream_artifacts.size(), 2u);
  EXPECT_EQ(payload->upstream_artifacts[0].task_id, "fN1ZC3BTRbO7t0_Hq0Aqxw");
  EXPECT_EQ(payload->upstream_artifacts[0].task_type, "build");
  EXPECT_EQ(payload->upstream_artifacts[0].paths, std::vector<std::string>{"public/build/a.zip"});
  EXPECT_FALSE(payload->upstream_artifacts[0].optional);
  EXPECT_TRUE(payload->upstream_artifacts[1].optional);
  EXPECT_EQ(payload->chain_of_trust, true);
}

TEST(PayloadTest, RequiresCommandAndMaxRunTime) {
  EXPECT_THAT(Problems(json::object()),
              ElementsAre("(root): must have required property \"command\"",
                          "(root): must have required property \"maxRunTime\""));
  EXPECT_THAT(Problems(json::array()), ElementsAre("(root): must be object"));
}

TEST(PayloadTest, MaxRunTimeIsWholeSecondsFromOneToADay) {
  EXPECT_TRUE(Problems(With(Minimal(), "maxRunTime", 1)).empty());
  EXPECT_TRUE(Problems(With(Minimal(), "maxRunTime", 86400)).empty());
  EXPECT_THAT(Problems(With(Minimal(), "maxRunTime", 0)), ElementsAre("/maxRunTime: must be >= 1"));
  EXPECT_THAT(Problems(With(Minimal(), "maxRunTime", 86401)),
              ElementsAre("/maxRunTime: must be <= 86400"));
  EXPECT_THAT(Problems(With(Minimal(), "maxRunTime", 1.5)),
              ElementsAre("/maxRunTime: must be integer"));
  EXPECT_THAT(Problems(With(Minimal(), "maxRunTime", "60")),
              ElementsAre("/maxRunTime: must be integer"));
}

TEST(PayloadTest, CommandIsAnArgvOrAListOfArgvs) {
  const std::string shape =
      "/command: must be an argv (a non-empty array of strings) or a non-empty list of argvs";
  EXPECT_THAT(Problems(With(Minimal(), "command", json::array())), ElementsAre(shape));
  EXPECT_THAT(Problems(With(Minimal(), "command", "echo hello")), ElementsAre(shape));
  EXPECT_THAT(Problems(With(Minimal(), "command", json::parse("[[]]"))),
              ElementsAre("/command/0: must be an argv: a non-empty array of strings"));
  EXPECT_THAT(Problems(With(Minimal(), "command", json::parse(R"([["ls"], "-l"])"))),
              ElementsAre("/command/1: must be an argv: a non-empty array of strings"));
  EXPECT_THAT(Problems(With(Minimal(), "command", json::parse(R"(["ls", 3])"))),
              ElementsAre("/command/1: must be a string"));
  EXPECT_THAT(Problems(With(Minimal(), "command", json::parse(R"([["ls"], ["", "x"]])"))),
              ElementsAre("/command/1/0: the program must not be empty"));
  EXPECT_THAT(Problems(With(Minimal(), "command", json::parse(R"([3])"))),
              ElementsAre("/command/0: must be a string"));
  json many = json::array();
  for (int i = 0; i < 101; ++i) many.push_back({"true"});
  EXPECT_THAT(Problems(With(Minimal(), "command", many)),
              ElementsAre("/command: must have at most 100 argvs"));
}

TEST(PayloadTest, EnvNamesAreValidAndNotTheWorkers) {
  EXPECT_THAT(Problems(With(Minimal(), "env", {{"PATH", "/tmp"}})),
              ElementsAre("/env/PATH: PATH is set by the worker and cannot be set by the payload"));
  EXPECT_THAT(Problems(With(Minimal(), "env", {{"TASKCLUSTER_ROOT_URL", "x"}})),
              ElementsAre("/env/TASKCLUSTER_ROOT_URL: TASKCLUSTER_ROOT_URL is set by the worker "
                          "and cannot be set by the payload"));
  EXPECT_THAT(
      Problems(With(Minimal(), "env", {{"1A", "x"}, {"a/b", "y"}})),
      ElementsAre("/env/1A: environment variable names must match ^[A-Za-z_][A-Za-z0-9_]*$",
                  "/env/a~1b: environment variable names must match ^[A-Za-z_][A-Za-z0-9_]*$"));
  EXPECT_THAT(Problems(With(Minimal(), "env", {{"A", 3}})), ElementsAre("/env/A: must be string"));
  EXPECT_THAT(Problems(With(Minimal(), "env", json::array())), ElementsAre("/env: must be object"));
}

TEST(PayloadTest, TheSchemaAloneRefusesEveryWorkerSetVariable) {
  // The published schema must list every name the worker sets, so that tools validating
  // payloads with it agree with the worker.
  std::vector<std::string> names(kWorkerSetVariables.begin(), kWorkerSetVariables.end());
  names.push_back("TASKCLUSTER_ANYTHING");
  for (const std::string& name : names) {
    EXPECT_FALSE(PayloadSchema().IsValid(With(Minimal(), "env", {{name, "x"}}))) << name;
  }
  EXPECT_TRUE(PayloadSchema().IsValid(With(Minimal(), "env", {{"TASK", "x"}, {"path", "x"}})));
}

TEST(PayloadTest, ArtifactPathsStayInsideTheTaskDirectory) {
  auto artifact = [](const std::string& path) {
    return json{{"name", "public/a"}, {"path", path}, {"type", "file"}};
  };
  EXPECT_TRUE(Problems(WithArtifact(artifact("out/a.txt"))).empty());
  EXPECT_TRUE(Problems(WithArtifact(artifact("out/..a/b..c"))).empty());
  EXPECT_THAT(Problems(WithArtifact(artifact("/etc/passwd"))),
              ElementsAre("/artifacts/0/path: must be a path relative to the task directory, not "
                          "an absolute path"));
  for (const char* path : {"..", "../x", "a/../../x", "a/.."}) {
    EXPECT_THAT(Problems(WithArtifact(artifact(path))),
                ElementsAre("/artifacts/0/path: must not contain a '..' component"))
        << path;
  }
  EXPECT_THAT(Problems(WithArtifact(artifact(""))),
              ElementsAre("/artifacts/0/path: must NOT have fewer than 1 characters"));
}

TEST(PayloadTest, ArtifactNamesAreValidUniqueAndNotReserved) {
  auto artifact = [](const std::string& name) {
    return json{{"name", name}, {"path", "x"}, {"type", "file"}};
  };
  for (absl::string_view reserved : kReservedArtifactNames) {
    const std::string name(reserved);
    EXPECT_THAT(Problems(WithArtifact(artifact(name))),
                ElementsAre(absl::StrCat("/artifacts/0/name: '", name,
                                         "' is reserved for the worker's own artifacts")));
    // The published schema alone refuses it too.
    EXPECT_FALSE(PayloadSchema().IsValid(WithArtifact(artifact(name)))) << name;
  }
  for (const char* name : {"/public/x", "public//x", "public/x/", "public/./x", "public/../x"}) {
    EXPECT_THAT(Problems(WithArtifact(artifact(name))),
                ElementsAre("/artifacts/0/name: artifact name must be '/'-separated segments, "
                            "none empty, '.' or '..'"))
        << name;
  }
  EXPECT_THAT(Problems(WithArtifact(artifact("public/caf\xc3\xa9"))),
              ElementsAre("/artifacts/0/name: artifact name must be printable ASCII"));
  EXPECT_TRUE(Problems(WithArtifact(artifact("public/logs/live_backing.log.txt"))).empty());

  json two = With(Minimal(), "artifacts",
                  {artifact("public/a"), artifact("public/b"), artifact("public/a")});
  EXPECT_THAT(Problems(two), ElementsAre("/artifacts/2/name: duplicate artifact name 'public/a' "
                                         "(also /artifacts/0/name)"));
}

TEST(PayloadTest, ArtifactShape) {
  EXPECT_THAT(Problems(WithArtifact({{"name", "public/a"}, {"path", "a"}, {"type", "link"}})),
              ElementsAre("/artifacts/0/type: must be \"file\" or \"directory\""));
  EXPECT_THAT(Problems(WithArtifact({{"name", "public/a"}, {"type", "file"}})),
              ElementsAre("/artifacts/0: must have required property \"path\""));
  EXPECT_THAT(
      Problems(WithArtifact({{"name", "public/a"}, {"path", "a"}, {"type", "file"}, {"x", 1}})),
      ElementsAre("/artifacts/0: must NOT have additional property \"x\""));
  EXPECT_THAT(Problems(WithArtifact(
                  {{"name", "public/a"}, {"path", "a"}, {"type", "file"}, {"expires", "soon"}})),
              ElementsAre("/artifacts/0/expires: must match format \"date-time\""));
}

TEST(PayloadTest, UpstreamArtifactsShape) {
  json upstream = {{"taskId", "not-a-slug"}, {"taskType", "Build"}, {"paths", json::array()}};
  EXPECT_THAT(
      Problems(With(Minimal(), "upstreamArtifacts", {upstream})),
      ElementsAre("/upstreamArtifacts/0/paths: must NOT have fewer than 1 items",
                  "/upstreamArtifacts/0/taskId: must be a task id (a slugid)",
                  "/upstreamArtifacts/0/taskType: must be a task type: lowercase letters, digits "
                  "and '-', starting with a letter"));
  EXPECT_THAT(Problems(With(Minimal(), "upstreamArtifacts", {json::object()})),
              ElementsAre("/upstreamArtifacts/0: must have required property \"taskId\"",
                          "/upstreamArtifacts/0: must have required property \"taskType\"",
                          "/upstreamArtifacts/0: must have required property \"paths\""));
}

TEST(PayloadTest, UnknownMembersAndFeaturesAreRefused) {
  EXPECT_THAT(Problems(With(Minimal(), "maxRuntime", 60)),
              ElementsAre("(root): must NOT have additional property \"maxRuntime\""));
  EXPECT_THAT(Problems(With(Minimal(), "features", {{"interactive", true}})),
              ElementsAre("/features: must NOT have additional property \"interactive\""));
  EXPECT_THAT(Problems(With(Minimal(), "features", {{"chainOfTrust", "yes"}})),
              ElementsAre("/features/chainOfTrust: must be boolean"));
}

TEST(PayloadTest, RefusesNulCharacters) {
  EXPECT_THAT(Problems(With(Minimal(), "command", {"echo", std::string("a\0b", 3)})),
              ElementsAre("/command/1: must not contain a NUL character"));
  EXPECT_THAT(Problems(With(Minimal(), "env", {{"A", std::string("\0", 1)}})),
              ElementsAre("/env/A: must not contain a NUL character"));
}

TEST(PayloadTest, ListsAtMostTwentyProblems) {
  json env = json::object();
  for (int i = 0; i < 25; ++i) env[absl::StrCat("TASKCLUSTER_", i)] = "x";
  absl::StatusOr<Payload> parsed = ParsePayload(With(Minimal(), "env", env));
  ASSERT_FALSE(parsed.ok());
  EXPECT_TRUE(absl::EndsWith(parsed.status().message(), "; and 5 more")) << parsed.status();
}

TEST(PayloadTest, TextThatIsNotJsonIsRefused) {
  EXPECT_EQ(ParsePayloadJson("{\"command\": ").status(),
            absl::InvalidArgumentError("invalid task payload: not valid JSON"));
}

TEST(PayloadSchemaTest, EmbedsExactlyThePublishedFile) {
  std::ifstream file("services/worker/schema/payload.schema.json", std::ios::binary);
  ASSERT_TRUE(file.good()) << "the schema file is not in the test's runfiles";
  std::stringstream text;
  text << file.rdbuf();
  EXPECT_EQ(PayloadSchemaJson(), text.str());
  EXPECT_EQ(PayloadSchema().document(), json::parse(text.str()));
}

}  // namespace
}  // namespace bulwark::worker
