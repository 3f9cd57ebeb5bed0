// Callers sending each check to its owner (libraries/authn/auth_replica_router.h), end to end:
// two real auth replicas on one database, partitioned replay protection, and the
// RemoteAuthenticator every other service uses, pointed at the first replica as at the auth
// Service name. AuthenticateRequest's answers name each partition's owner; the authenticator
// sends later checks there directly, and routing changes nothing about what is accepted: a
// header it sent to the owner is refused as a replay wherever it is sent again. An owner address
// that cannot be reached fails the call (UNAVAILABLE, nothing recorded), and the authenticator
// goes back to the Service address for its partitions; a request refused for its own faults
// does not.
#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "libraries/authn/remote_authenticator.h"
#include "libraries/hawk/replay_partition.h"
#include "libraries/testing/service_process.h"
#include "services/auth/tests/auth_cluster.h"

namespace bulwark::auth {
namespace {

constexpr char kMethod[] = "/bulwark.queue.v1.Queue/CreateTask";
constexpr char kReplayed[] = "Unauthorized: replayed request";

std::shared_ptr<grpc::Channel> Plaintext(const std::string& address) {
  return grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
}

class AuthReplicaRoutingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cluster = AuthCluster::Start(2);
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = std::move(*cluster);
    for (int i = 0; i < 2; ++i) {
      ASSERT_TRUE(testing::WaitForServing(Plaintext(cluster_->process(i).address())).ok());
    }
  }

  // A CreateTask call as the queue receives it, signed by root.
  CallInfo Call() { return SignedCall(cluster_->Static("root"), kMethod); }
  // A call whose nonce falls in `partition`.
  CallInfo CallIn(int partition) {
    for (int i = 0; i < 10000; ++i) {
      CallInfo call = Call();
      if (hawk::ReplayPartitionOfHeader(call.authorization) == partition) return call;
    }
    ADD_FAILURE() << "no nonce in partition " << partition;
    return Call();
  }

  // What the services run: routed, with the first replica as the Service address.
  std::unique_ptr<RemoteAuthenticator> Routed(AuthReplicaRouter::Dial dial = Plaintext) {
    return std::make_unique<RemoteAuthenticator>(Plaintext(cluster_->process(0).address()),
                                                 HostBinding(), std::move(dial));
  }
  // Each replica on its own, unrouted.
  RemoteAuthenticator Direct(int replica) {
    return RemoteAuthenticator(Plaintext(cluster_->process(replica).address()));
  }

  static bool IsReplay(const absl::StatusOr<Caller>& caller) {
    return caller.status().code() == absl::StatusCode::kUnauthenticated &&
           absl::StrContains(caller.status().message(), kReplayed);
  }

  std::unique_ptr<AuthCluster> cluster_;
};

TEST_F(AuthReplicaRoutingTest, ChecksGoToTheirOwnersAndAReplayIsRefusedEverywhere) {
  std::unique_ptr<RemoteAuthenticator> routed = Routed();
  std::vector<CallInfo> sent;
  for (int i = 0; i < 300; ++i) {
    sent.push_back(Call());
    absl::StatusOr<Caller> caller = routed->Authenticate(sent.back());
    ASSERT_TRUE(caller.ok()) << i << ": " << caller.status();
    EXPECT_EQ(caller->client_id, "static/bulwark/root");
  }
  // Once a partition's owner was named, its checks went there: all but the first per partition
  // at most.
  EXPECT_GE(routed->router().routed(), 300u - hawk::kReplayPartitions);
  // ... and each reached the replica that owns it: the caller computes the partition as auth does.
  EXPECT_EQ(routed->router().misrouted(), 0u);
  RemoteAuthenticator a = Direct(0), b = Direct(1);
  for (size_t i = 0; i < sent.size(); ++i) {
    EXPECT_TRUE(IsReplay(a.Authenticate(sent[i]))) << i;
    EXPECT_TRUE(IsReplay(b.Authenticate(sent[i]))) << i;
    EXPECT_TRUE(IsReplay(routed->Authenticate(sent[i]))) << i;
  }
}

TEST_F(AuthReplicaRoutingTest, EveryReplicaNamesTheSameOwnerAndTheOwnerNamesItself) {
  std::map<std::string, int> owners;
  for (int p = 0; p < hawk::kReplayPartitions; ++p) {
    std::string named[2];
    for (int replica = 0; replica < 2; ++replica) {
      CallInfo call = CallIn(p);
      v1::AuthenticateRequestRequest request;
      request.set_resource(call.method);
      request.set_authority(call.authority);
      request.set_authorization(call.authorization);
      request.set_payload_hash(*call.payload_hash);
      v1::AuthenticateRequestResponse response;
      grpc::ClientContext context;
      grpc::Status s = cluster_->Stub(replica)->AuthenticateRequest(&context, request, &response);
      ASSERT_TRUE(s.ok()) << s.error_message();
      ASSERT_EQ(response.status(), v1::AUTHENTICATION_STATUS_SUCCESS) << response.message();
      named[replica] = response.replay_owner();
    }
    EXPECT_EQ(named[0], named[1]) << "partition " << p;
    ++owners[named[0]];
  }
  // Both replicas own partitions, each named by its own address.
  ASSERT_EQ(owners.size(), 2u);
  EXPECT_EQ(owners.count(cluster_->process(0).address()), 1u);
  EXPECT_EQ(owners.count(cluster_->process(1).address()), 1u);
}

TEST_F(AuthReplicaRoutingTest, AnUnreachableOwnerFailsTheCallAndItsPartitionsFallBack) {
  // Every owner address leads nowhere (as when pods cannot reach each other's IPs).
  std::unique_ptr<RemoteAuthenticator> routed =
      Routed([](const std::string&) { return Plaintext("127.0.0.1:1"); });
  const int p = *hawk::ReplayPartitionOfHeader(Call().authorization);
  ASSERT_TRUE(routed->Authenticate(CallIn(p)).ok());  // the Service address; names the owner
  const CallInfo call = CallIn(p);
  absl::StatusOr<Caller> failed = routed->Authenticate(call);  // to the owner: unreachable
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable) << failed.status();
  // Nothing was recorded: the same header is accepted once through the Service address.
  absl::StatusOr<Caller> retried = routed->Authenticate(call);
  EXPECT_TRUE(retried.ok()) << retried.status();
  EXPECT_TRUE(IsReplay(routed->Authenticate(call)));
  // The address is avoided: later calls of the partition go to the Service address and pass.
  for (int i = 0; i < 5; ++i) {
    absl::StatusOr<Caller> caller = routed->Authenticate(CallIn(p));
    EXPECT_TRUE(caller.ok()) << i << ": " << caller.status();
  }
}

TEST_F(AuthReplicaRoutingTest, ARequestRefusedForItsOwnFaultsKeepsTheRoute) {
  // A caller cannot steer the service away from an owner by sending bad requests: a malformed
  // authority is INVALID_ARGUMENT from the owner, and the partition stays routed there.
  std::unique_ptr<RemoteAuthenticator> routed = Routed();
  const int p = *hawk::ReplayPartitionOfHeader(Call().authorization);
  ASSERT_TRUE(routed->Authenticate(CallIn(p)).ok());
  CallInfo bad = CallIn(p);
  bad.authority = "no port here";
  EXPECT_EQ(routed->Authenticate(bad).status().code(), absl::StatusCode::kInvalidArgument);
  const uint64_t before = routed->router().routed();
  ASSERT_TRUE(routed->Authenticate(CallIn(p)).ok());
  EXPECT_EQ(routed->router().routed(), before + 1);
}

TEST_F(AuthReplicaRoutingTest, AnswersNameNoOwnerWithoutPartitionedReplayProtection) {
  cluster_.reset();
  auto cluster = AuthCluster::Start(1, {{"replayProtection", "shared"}});
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  cluster_ = std::move(*cluster);
  std::unique_ptr<RemoteAuthenticator> routed = Routed();
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(routed->Authenticate(Call()).ok()) << i;
  EXPECT_EQ(routed->router().routed(), 0u);
}

}  // namespace
}  // namespace bulwark::auth
