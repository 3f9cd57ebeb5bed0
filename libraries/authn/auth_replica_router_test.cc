#include "libraries/authn/auth_replica_router.h"

#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "libraries/clock/clock.h"

namespace bulwark {
namespace {

std::string Header(int n) {
  return absl::StrCat("Hawk id=\"c\", ts=\"1700000000\", nonce=\"n", n, "\", mac=\"bWFj\"");
}

// Two headers in different partitions, and one more in the first's.
struct Headers {
  std::string a, b, a2;
};
Headers TwoPartitions() {
  Headers h;
  h.a = Header(0);
  const int pa = *hawk::ReplayPartitionOfHeader(h.a);
  for (int n = 1; h.b.empty() || h.a2.empty(); ++n) {
    const int p = *hawk::ReplayPartitionOfHeader(Header(n));
    if (p != pa && h.b.empty()) h.b = Header(n);
    if (p == pa && h.a2.empty()) h.a2 = Header(n);
  }
  return h;
}

class AuthReplicaRouterTest : public ::testing::Test {
 protected:
  AuthReplicaRouter Router() {
    return AuthReplicaRouter(grpc::CreateChannel("127.0.0.1:1", grpc::InsecureChannelCredentials()),
                             [this](const std::string& address) {
                               absl::MutexLock lock(&dial_mu_);
                               ++dialed_[address];
                               // Never connected: the router only chooses.
                               return grpc::CreateChannel(address,
                                                          grpc::InsecureChannelCredentials());
                             },
                             clock_, {.avoid_for = absl::Seconds(10)});
  }
  SimulatedClock clock_;
  absl::Mutex dial_mu_;
  std::map<std::string, int> dialed_;
  Headers h_ = TwoPartitions();
};

TEST_F(AuthReplicaRouterTest, SendsAPartitionToTheOwnerAnAnswerNamed) {
  AuthReplicaRouter router = Router();
  AuthReplicaRouter::Route first = router.Pick(h_.a);
  EXPECT_TRUE(first.address.empty());  // nothing known yet: the auth service address
  EXPECT_EQ(first.partition, *hawk::ReplayPartitionOfHeader(h_.a));
  router.Learn(first, "10.0.0.2:50051");

  AuthReplicaRouter::Route again = router.Pick(h_.a2);
  EXPECT_EQ(again.address, "10.0.0.2:50051");
  EXPECT_NE(again.stub, first.stub);
  EXPECT_TRUE(router.Pick(h_.b).address.empty());  // another partition: still unknown
  EXPECT_EQ(router.routed(), 1u);
  EXPECT_EQ(router.unrouted(), 2u);

  // The same owner again dials nothing new; a second partition there shares its channel.
  router.Learn(again, "10.0.0.2:50051");
  router.Learn(router.Pick(h_.b), "10.0.0.2:50051");
  EXPECT_EQ(router.Pick(h_.b).stub, router.Pick(h_.a).stub);
  EXPECT_EQ(dialed_["10.0.0.2:50051"], 1);
}

TEST_F(AuthReplicaRouterTest, AnAnswerNamingNoOwnerOrAnotherOneIsFollowed) {
  AuthReplicaRouter router = Router();
  router.Learn(router.Pick(h_.a), "10.0.0.2:50051");
  EXPECT_EQ(router.misrouted(), 0u);
  router.Learn(router.Pick(h_.a), "10.0.0.3:50051");  // the partition moved
  EXPECT_EQ(router.misrouted(), 1u);                  // the owner it was sent to named another
  EXPECT_EQ(router.Pick(h_.a).address, "10.0.0.3:50051");
  router.Learn(router.Pick(h_.a), "");  // replay protection not partitioned, or no owner known
  EXPECT_TRUE(router.Pick(h_.a).address.empty());
  // An over-long hint is not followed.
  router.Learn(router.Pick(h_.a), std::string(AuthReplicaRouter::kMaxAddressLength + 1, 'x'));
  EXPECT_TRUE(router.Pick(h_.a).address.empty());
  EXPECT_EQ(dialed_.size(), 2u);
}

TEST_F(AuthReplicaRouterTest, HeadersWithoutATripleAlwaysTakeTheServiceAddress) {
  AuthReplicaRouter router = Router();
  for (const std::string& header :
       {std::string(""), std::string("Bearer x"), std::string("Hawk id=\"c\", mac=\"bWFj\"")}) {
    AuthReplicaRouter::Route route = router.Pick(header);
    EXPECT_EQ(route.partition, -1) << header;
    router.Learn(route, "10.0.0.2:50051");
    EXPECT_TRUE(router.Pick(header).address.empty()) << header;
  }
  EXPECT_TRUE(dialed_.empty());
}

TEST_F(AuthReplicaRouterTest, AnOwnerThatFailedIsAvoidedForAWhile) {
  AuthReplicaRouter router = Router();
  router.Learn(router.Pick(h_.a), "10.0.0.2:50051");
  router.Learn(router.Pick(h_.b), "10.0.0.2:50051");
  router.Failed(router.Pick(h_.a));
  // Every partition routed there goes back to the service address, and hints naming it are
  // not followed until avoid_for has passed.
  EXPECT_TRUE(router.Pick(h_.a).address.empty());
  EXPECT_TRUE(router.Pick(h_.b).address.empty());
  router.Learn(router.Pick(h_.a), "10.0.0.2:50051");
  EXPECT_TRUE(router.Pick(h_.a).address.empty());
  clock_.Advance(absl::Seconds(11));
  router.Learn(router.Pick(h_.a), "10.0.0.2:50051");
  EXPECT_EQ(router.Pick(h_.a).address, "10.0.0.2:50051");
  EXPECT_EQ(dialed_["10.0.0.2:50051"], 2);  // the failed channel was dropped, a new one made
  // A failure through the service address changes nothing.
  router.Failed(router.Pick(h_.b));
  EXPECT_EQ(router.Pick(h_.a).address, "10.0.0.2:50051");
}

TEST_F(AuthReplicaRouterTest, ChannelsAreKeptOnlyForAddressesSomePartitionUses) {
  AuthReplicaRouter router = Router();
  // 1,000 owners in turn for one partition: each dialed once, each dropped when replaced.
  for (int i = 0; i < 1000; ++i) router.Learn(router.Pick(h_.a), absl::StrCat("10.0.", i, ":1"));
  EXPECT_EQ(dialed_.size(), 1000u);
  router.Learn(router.Pick(h_.a), "10.0.0:1");
  EXPECT_EQ(dialed_["10.0.0:1"], 2);  // re-dialed: the first channel had been dropped
  // 1,000 failing addresses: the avoided set stays bounded and the newest are avoided.
  for (int i = 0; i < 1000; ++i) {
    router.Learn(router.Pick(h_.a), absl::StrCat("10.1.", i, ":1"));
    router.Failed(router.Pick(h_.a));
    clock_.Advance(absl::Milliseconds(1));
  }
  router.Learn(router.Pick(h_.a), "10.1.999:1");
  EXPECT_TRUE(router.Pick(h_.a).address.empty());
}

TEST_F(AuthReplicaRouterTest, PicksLearnsAndFailuresFromManyThreadsAtOnce) {
  AuthReplicaRouter router = Router();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&router, t] {
      for (int i = 0; i < 500; ++i) {
        AuthReplicaRouter::Route route = router.Pick(Header(i));
        ASSERT_NE(route.stub, nullptr);
        router.Learn(route, absl::StrCat("10.0.0.", (i + t) % 3, ":1"));
        if (i % 50 == t) router.Failed(route);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(router.routed() + router.unrouted(), 2000u);
}

TEST(AuthReplicaRouterOffTest, WithoutADialEverythingTakesTheServiceAddress) {
  AuthReplicaRouter router(grpc::CreateChannel("127.0.0.1:1", grpc::InsecureChannelCredentials()),
                           nullptr);
  const std::string header = Header(1);
  router.Learn(router.Pick(header), "10.0.0.2:50051");
  EXPECT_TRUE(router.Pick(header).address.empty());
  EXPECT_EQ(router.routed(), 0u);
}

}  // namespace
}  // namespace bulwark
