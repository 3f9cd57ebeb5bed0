#include "services/verifier/service/report.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace bulwark::verifier {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

VerificationReport Sample() {
  VerificationReport r;
  r.task_id = "SIGN";
  r.task_type = "signing";
  r.policy_version = "7";
  r.policy_sha256 = std::string(64, 'a');
  r.repository = "https://git.example.com/proj/app";
  r.started = absl::FromUnixSeconds(1700000000);
  r.finished = r.started + absl::Milliseconds(1500);
  LinkReport root{"signing", "SIGN", "signing", "proj-3/signing", 0, "DEC", false, {"BUILD"}, {}};
  root.checks = {{"cot.signature", true, "verified"}, {"artifact.sha256", false, "bad \"hash\""}};
  LinkReport decision{"signing:decision",
                      "DEC",
                      "decision",
                      "proj-3/decision",
                      0,
                      "DEC",
                      true,
                      {},
                      {{"decision.rerender", true, "same"}}};
  LinkReport build{"signing:build", "BUILD",      "build",
                   "proj-3/build",  std::nullopt, "DEC",
                   false,           {},           {{"link.run", false, "no completed run"}}};
  r.links = {root, decision, build};
  r.chain_checks = {{"chain.length", true, "3 links"}, {"chain.cycle", true, "none"}};
  r.passed = false;
  return r;
}

TEST(ReportTest, FailuresAndFind) {
  VerificationReport r = Sample();
  EXPECT_THAT(r.Failures(), ElementsAre("signing: artifact.sha256", "signing:build: link.run"));
  EXPECT_EQ(r.Find("signing", "cot.signature").size(), 1u);
  EXPECT_EQ(r.Find("chain", "chain.cycle").size(), 1u);
  EXPECT_TRUE(r.Find("nope", "chain.cycle").empty());
  EXPECT_TRUE(r.FindLink("signing:decision")->passed());
  EXPECT_FALSE(r.FindLink("signing")->passed());
}

TEST(ReportTest, Json) {
  nlohmann::json j = ReportToJson(Sample());
  EXPECT_EQ(j["verdict"], "FAIL");
  EXPECT_EQ(j["taskId"], "SIGN");
  EXPECT_EQ(j["policyVersion"], "7");
  EXPECT_EQ(j["started"], "2023-11-14T22:13:20.000Z");
  EXPECT_EQ(j["finished"], "2023-11-14T22:13:21.500Z");
  EXPECT_EQ(j["links"][0]["runId"], 0);
  EXPECT_TRUE(j["links"][2]["runId"].is_null());
  EXPECT_EQ(j["links"][0]["upstreamTaskIds"], nlohmann::json({"BUILD"}));
  EXPECT_EQ(j["links"][0]["passed"], false);
  EXPECT_EQ(j["links"][1]["isDecision"], true);
  EXPECT_EQ(j["links"][0]["checks"][1]["reason"], "bad \"hash\"");
  EXPECT_EQ(j["chainChecks"].size(), 2u);
}

TEST(ReportTest, TextIsATreeWithMarks) {
  std::string text = ReportToText(Sample());
  EXPECT_THAT(text, HasSubstr("FAIL: signing task SIGN\n"));
  EXPECT_THAT(text, HasSubstr("\n  ✗ signing  SIGN  pool proj-3/signing  run 0\n"));
  EXPECT_THAT(text, HasSubstr("\n      ✓ cot.signature: verified\n"));
  // Links one level down are indented further.
  EXPECT_THAT(text, HasSubstr("\n      ✓ signing:decision  DEC  pool proj-3/decision  run 0\n"));
  EXPECT_THAT(text, HasSubstr("\n      ✗ signing:build  BUILD  pool proj-3/build\n"));
  EXPECT_THAT(text, HasSubstr("\n  ✓ chain\n      ✓ chain.length: 3 links\n"));
  VerificationReport passing = Sample();
  passing.passed = true;
  EXPECT_THAT(ReportToText(passing), HasSubstr("PASS: signing task SIGN"));
}

TEST(ReportTest, DotHasNodesEdgesAndEscapes) {
  VerificationReport r = Sample();
  r.task_type = "sign\"ing";
  std::string dot = ReportToDot(r);
  EXPECT_THAT(dot, HasSubstr("digraph chain_of_trust {"));
  EXPECT_THAT(dot, HasSubstr("label=\"sign\\\"ing task SIGN: FAIL (policy 7)\""));
  EXPECT_THAT(dot, HasSubstr("\"SIGN\" [label=\"signing\\nSIGN\\nproj-3/signing\\n✗ "
                             "artifact.sha256\", fillcolor=\"salmon\"]"));
  EXPECT_THAT(dot, HasSubstr("\"DEC\" [label=\"signing:decision\\nDEC\\nproj-3/decision\", "
                             "fillcolor=\"palegreen\"]"));
  EXPECT_THAT(dot, HasSubstr("\"SIGN\" -> \"BUILD\" [label=\"upstreamArtifacts\"]"));
  EXPECT_THAT(dot, HasSubstr("\"BUILD\" -> \"DEC\" [label=\"taskGroupId\"]"));
  // No self edge for the decision task heading its own group.
  EXPECT_THAT(dot, Not(HasSubstr("\"DEC\" -> \"DEC\"")));
}

}  // namespace
}  // namespace bulwark::verifier
