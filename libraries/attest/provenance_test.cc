#include "libraries/attest/provenance.h"

#include <string>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "libraries/attest/test_provenance.h"
#include "nlohmann/json.hpp"

namespace bulwark::attest {
namespace {

using nlohmann::json;

const std::string kDigest(64, 'a');

TEST(ProvenanceTest, StatementCarriesEveryFieldOfTheVerification) {
  Provenance p = TestProvenance(kDigest);
  absl::StatusOr<json> s = BuildStatement(p);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ((*s)["_type"], "https://in-toto.io/Statement/v1");
  EXPECT_EQ((*s)["predicateType"], "https://slsa.dev/provenance/v1");
  EXPECT_EQ((*s)["subject"],
            json::parse(R"([{"name":"public/build/app.tar.gz","digest":{"sha256":")" + kDigest +
                        R"("}}])"));
  const json& bd = (*s)["predicate"]["buildDefinition"];
  EXPECT_EQ(bd["buildType"], kBuildType);
  EXPECT_EQ(bd["externalParameters"]["hook"],
            json({{"hookGroupId", "proj-3"}, {"hookId", "on-push"}}));
  EXPECT_EQ(bd["externalParameters"]["firedBy"], "triggerHook");
  EXPECT_EQ(bd["externalParameters"]["payload"], p.payload);
  EXPECT_EQ(bd["externalParameters"]["repository"], "https://hg.example.org/proj-3");
  EXPECT_EQ(bd["externalParameters"]["revision"], p.revision);
  EXPECT_EQ(bd["internalParameters"]["task"], p.task_definition);
  EXPECT_EQ(bd["internalParameters"]["taskId"], p.task_id);
  ASSERT_EQ(bd["resolvedDependencies"].size(), 2u);
  const json& dep = bd["resolvedDependencies"][0];
  EXPECT_EQ(dep["uri"],
            "bulwark:task/BldTaskAAAAAAAAAAAAAAA/runs/0/artifacts/public/build/app.tar.gz");
  EXPECT_EQ(dep["digest"]["sha256"], kDigest);
  EXPECT_EQ(dep["annotations"]["taskId"], "BldTaskAAAAAAAAAAAAAAA");
  EXPECT_EQ(dep["annotations"]["consumedBy"], p.task_id);
  EXPECT_EQ(bd["resolvedDependencies"][1]["uri"], "bulwark:hook/proj-3/on-push");
  EXPECT_EQ(bd["resolvedDependencies"][1]["digest"]["sha256"], std::string(64, 'c'));
  const json& rd = (*s)["predicate"]["runDetails"];
  EXPECT_EQ(rd["builder"]["id"], "bulwark:worker-pool/proj-3/signing");
  EXPECT_EQ(rd["metadata"]["invocationId"], "SgnTaskAAAAAAAAAAAAAAA/0");
  EXPECT_EQ(rd["metadata"]["finishedOn"], "2027-01-15T08:00:00Z");
  const json& v = rd["byproducts"][0]["annotations"];
  EXPECT_EQ(v["verificationId"], p.verification_id);
  EXPECT_EQ(v["policyVersion"], "2026-11-01");
  EXPECT_EQ(v["chain"].size(), 3u);
}

TEST(ProvenanceTest, ReadBackGivesTheSummary) {
  Provenance p = TestProvenance(kDigest);
  absl::StatusOr<StatementView> v = ReadProvenance(BuildStatement(p).value());
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->hook, "proj-3/on-push");
  EXPECT_EQ(v->repository, p.repository);
  EXPECT_EQ(v->revision, p.revision);
  EXPECT_EQ(v->builder_id, "bulwark:worker-pool/proj-3/signing");
  EXPECT_EQ(v->verification_id, p.verification_id);
  ASSERT_EQ(v->chain.size(), 3u);
  EXPECT_EQ(v->chain[1].name, "signing:build");
  ASSERT_EQ(v->upstream.size(), 1u);  // the hook version has no annotations
  EXPECT_EQ(v->upstream[0].link, "signing:build");
  std::string text = SummaryText(*v);
  for (const std::string& want :
       {std::string("hook:        proj-3/on-push (triggerHook)"),
        std::string("repository:  https://hg.example.org/proj-3"), "revision:    " + p.revision,
        std::string("builder:     bulwark:worker-pool/proj-3/signing"),
        "sha256:" + kDigest + "  public/build/app.tar.gz",
        std::string("signing:decision  task DecTaskAAAAAAAAAAAAAAA run 0  pool proj-3/decision")}) {
    EXPECT_NE(text.find(want), std::string::npos) << want << "\n" << text;
  }
}

TEST(ProvenanceTest, NoRevisionIsSaidSo) {
  Provenance p = TestProvenance(kDigest);
  p.revision.clear();
  json s = BuildStatement(p).value();
  EXPECT_FALSE(s["predicate"]["buildDefinition"]["externalParameters"].contains("revision"));
  EXPECT_NE(SummaryText(ReadProvenance(s).value()).find("(not pinned by the policy)"),
            std::string::npos);
}

TEST(ProvenanceTest, BadProvenanceIsInvalidArgument) {
  Provenance none = TestProvenance(kDigest);
  none.subjects.clear();
  EXPECT_EQ(BuildStatement(none).status().code(), absl::StatusCode::kInvalidArgument);
  Provenance upper = TestProvenance(std::string(64, 'A'));
  EXPECT_EQ(BuildStatement(upper).status().code(), absl::StatusCode::kInvalidArgument);
  Provenance no_task = TestProvenance(kDigest);
  no_task.task_id.clear();
  EXPECT_EQ(BuildStatement(no_task).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ProvenanceTest, ForeignStatementsAreRefused) {
  json good = BuildStatement(TestProvenance(kDigest)).value();
  std::vector<std::function<void(json&)>> edits = {
      [](json& s) { s["_type"] = "https://in-toto.io/Statement/v0.1"; },
      [](json& s) { s["predicateType"] = "https://slsa.dev/provenance/v0.2"; },
      [](json& s) { s["subject"] = json::array(); },
      [](json& s) {
        s["subject"][0]["digest"] = {{"sha512", "00"}};
      },
      [](json& s) { s["predicate"]["runDetails"].erase("builder"); },
      [](json& s) { s["predicate"]["buildDefinition"].erase("buildType"); },
  };
  for (size_t i = 0; i < edits.size(); ++i) {
    json bad = good;
    edits[i](bad);
    EXPECT_EQ(ReadProvenance(bad).status().code(), absl::StatusCode::kInvalidArgument) << i;
  }
  EXPECT_EQ(ReadProvenance(json::array()).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace bulwark::attest
