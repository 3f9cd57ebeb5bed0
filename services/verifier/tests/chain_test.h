// File: services/verifier/tests/chain_test.h
//
// ChainTest (testonly): the gtest fixture of the chain-of-trust suites. One ChainCluster per
// suite, started by the suite's SetUpTestSuite through StartCluster (with the release role and
// hook of docs/examples installed) and stopped after it; every test is skipped unless it runs as
// root (the workers run tasks as `nobody`). Also the steps the suites share: firing a release and
// reading what the real decision worker made of it, downloading an artifact, verifying.
//
//   class MyChainTest : public ChainTest {
//    protected:
//     static void SetUpTestSuite() { StartCluster({}); }
//   };
//
// Thread-safety: test code. Errors: failures are gtest failures of the calling test.

#ifndef BULWARK_SERVICES_VERIFIER_TESTS_CHAIN_TEST_H_
#define BULWARK_SERVICES_VERIFIER_TESTS_CHAIN_TEST_H_

#include <string>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "services/verifier/tests/chain_cluster.h"

namespace bulwark::verifier {

class ChainTest : public ::testing::Test {
 protected:
  static constexpr absl::Duration kTimeout = absl::Seconds(120);

  static void StartCluster(const ChainCluster::Options& options);
  static void TearDownTestSuite();
  void SetUp() override;

  // Artifact `name` of the task's latest run ("" and a failure when it cannot be read).
  static std::string Artifact(const std::string& task_id, const std::string& name);

  // A release's tasks: the decision task a fire of demo/release created, and the build and
  // signing tasks its signed task graph holds.
  struct Release {
    std::string decision, build, signing;
  };
  // Fires demo/release for `repository` at `revision`, waits for the decision task to complete
  // and reads its graph (the build and signing tasks then exist).
  static Release FireRelease(const std::string& repository, const std::string& revision);
  // Waits until the task's latest run is resolved.
  static void WaitResolved(const std::string& task_id);
  // VerifyTask as `signing` (a failure and an empty verification when the call fails).
  static v1::Verification Verify(const std::string& task_id, v1::RootMode mode);

  static ChainCluster* cluster_;
};

}  // namespace bulwark::verifier

#endif  // BULWARK_SERVICES_VERIFIER_TESTS_CHAIN_TEST_H_
