#include "services/verifier/service/report_proto.h"

#include "gtest/gtest.h"

namespace bulwark::verifier {
namespace {

VerificationReport Sample() {
  VerificationReport r;
  r.task_id = "SIGN";
  r.task_type = "signing";
  r.passed = false;
  r.policy_version = "7";
  r.policy_sha256 = std::string(64, 'b');
  r.repository = "https://git.example.com/proj/app";
  r.started = absl::FromUnixMillis(1700000000123);
  r.finished = r.started + absl::Seconds(2);
  LinkReport root{"signing", "SIGN", "signing", "proj-3/signing", 0, "DEC", false, {"BUILD"}, {}};
  root.checks = {{"cot.signature", true, "ok"}, {"artifact.sha256", false, "bad"}};
  LinkReport build{"signing:build", "BUILD",      "build",
                   "proj-3/build",  std::nullopt, "DEC",
                   false,           {},           {{"link.run", true, "run 2"}}};
  r.links = {root, build};
  r.chain_checks = {{"chain.cycle", true, "none"}};
  return r;
}

TEST(ReportProtoTest, RoundTrip) {
  v1::Verification v;
  ToProto(Sample(), &v);
  EXPECT_EQ(v.verdict(), v1::VERDICT_FAIL);
  EXPECT_EQ(v.links_size(), 2);
  EXPECT_TRUE(v.links(0).has_run_id());
  EXPECT_FALSE(v.links(1).has_run_id());
  EXPECT_FALSE(v.links(0).passed());
  EXPECT_TRUE(v.links(1).passed());
  EXPECT_EQ(v.checks(0).name(), "chain.cycle");
  EXPECT_EQ(v.created().nanos(), 123000000);

  VerificationReport back = FromProto(v);
  EXPECT_EQ(ReportToJson(back), ReportToJson(Sample()));
  v.set_verdict(v1::VERDICT_PASS);
  EXPECT_TRUE(FromProto(v).passed);
}

TEST(ReportProtoTest, RootMode) {
  EXPECT_EQ(RootModeFromProto(v1::ROOT_MODE_AUTO), RootMode::kAuto);
  EXPECT_EQ(RootModeFromProto(v1::ROOT_MODE_BEFORE_RUN), RootMode::kBeforeRun);
  EXPECT_EQ(RootModeFromProto(v1::ROOT_MODE_COMPLETED), RootMode::kCompleted);
}

}  // namespace
}  // namespace bulwark::verifier
