#include "services/verifier/client/verification_text.h"

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace bulwark::verifier {
namespace {

v1::ChainLink* AddLink(v1::Verification& v, const std::string& name, const std::string& task,
                       const std::string& decision, bool passed) {
  v1::ChainLink* link = v.add_links();
  link->set_name(name);
  link->set_task_id(task);
  link->set_decision_task_id(decision);
  link->set_worker_pool("proj/" + name.substr(name.rfind(':') + 1));
  link->set_passed(passed);
  v1::Check* c = link->add_checks();
  c->set_name("cot.signature");
  c->set_passed(passed);
  c->set_reason(passed ? "signed by key k1" : "signed by a key of another pool");
  return link;
}

v1::Verification Chain() {
  v1::Verification v;
  v.set_task_id("SIGN");
  v.set_task_type("signing");
  v.set_verification_id("v1");
  v.set_policy_version("p1");
  v.set_verdict(v1::VERDICT_FAIL);
  AddLink(v, "signing", "SIGN", "DEC", true)->add_upstream_task_ids("BUILD");
  AddLink(v, "signing:decision", "DEC", "DEC", true);
  AddLink(v, "signing:build", "BUILD", "DEC", false);
  v1::Check* c = v.add_checks();
  c->set_name("policy.restricted-scopes");
  c->set_passed(true);
  return v;
}

TEST(VerificationTextTest, TheTreeNestsLinksUnderTheLinkThatLedToThemWithEveryCheck) {
  std::string tree = VerificationTree(Chain());
  EXPECT_TRUE(absl::StartsWith(tree,
                               "chain of trust of task SIGN as signing: FAIL (verification "
                               "v1, policy p1)\n"))
      << tree;
  EXPECT_TRUE(absl::StrContains(tree,
                                "\u2713 signing  task SIGN on proj/signing\n"
                                "    \u2713 cot.signature: signed by key k1\n"
                                "  \u2713 signing:decision  task DEC on proj/decision\n"))
      << tree;
  EXPECT_TRUE(absl::StrContains(tree,
                                "  \u2717 signing:build  task BUILD on proj/build\n"
                                "      \u2717 cot.signature: signed by a key of another pool"))
      << tree;
  EXPECT_TRUE(absl::StrContains(tree, "chain:\n    \u2713 policy.restricted-scopes\n")) << tree;
}

TEST(VerificationTextTest, TheDotGraphHasANodePerLinkAndEdgesToDecisionAndUpstream) {
  std::string dot = VerificationDot(Chain());
  EXPECT_TRUE(absl::StartsWith(dot, "digraph chain_of_trust {")) << dot;
  EXPECT_TRUE(absl::StrContains(dot, "\"SIGN\" -> \"DEC\" [label=decision];")) << dot;
  EXPECT_TRUE(absl::StrContains(dot, "\"SIGN\" -> \"BUILD\" [label=upstream];")) << dot;
  EXPECT_TRUE(absl::StrContains(dot, "\"BUILD\" -> \"DEC\" [label=decision];")) << dot;
  EXPECT_FALSE(absl::StrContains(dot, "\"DEC\" -> \"DEC\"")) << dot;
  EXPECT_TRUE(absl::StrContains(dot, "\\n\u2717 cot.signature\", fillcolor=lightpink")) << dot;
  EXPECT_TRUE(absl::EndsWith(dot, "}\n"));
}

TEST(VerificationTextTest, QuotesInNamesCannotBreakTheGraph) {
  v1::Verification v;
  AddLink(v, "x\"]; evil [", "T\"", "", true);
  std::string dot = VerificationDot(v);
  EXPECT_TRUE(absl::StrContains(dot, "\"T\\\"\" [label=\"x\\\"]; evil [")) << dot;
}

}  // namespace
}  // namespace bulwark::verifier
