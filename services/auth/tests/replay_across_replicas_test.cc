// Issue 13 item 6, end to end: two real auth replicas on one PostgreSQL database, as
// deploy/k8s runs them behind one Service name. A captured Hawk header is accepted once by the
// whole deployment, not once per replica: whichever replica sees it first accepts it, the
// other refuses it (UNAUTHENTICATED "Unauthorized: replayed request" on auth's own methods,
// AUTHENTICATION_STATUS_FAILED for AuthenticateRequest on behalf of the other services), and a
// header sent to both at once is accepted exactly once. With partitioned replay protection (the
// default) that holds for nonces checked by the owner and for those forwarded to it, when a
// replica shuts down (it hands its nonces over) and when it is killed (its partitions are
// refused until their leases run out, then taken over with its nonces); an owner whose nonce
// table refuses writes stops accepting. With "shared", a store that fails refuses the request
// (never accepts it unchecked), and AuthenticateRequest holds no server thread while the store
// answers. "replayProtection": "local" shows what both prevent: each replica accepts the
// header once.
#include <atomic>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "libraries/crypto/random.h"
#include "libraries/hawk/mac.h"
#include "libraries/hawk/request.h"
#include "libraries/hawk/signer.h"
#include "libraries/testing/service_process.h"
#include "services/auth/tests/auth_cluster.h"

namespace bulwark::auth {
namespace {

using grpc::StatusCode;

// The name both replicas answer to, as behind a Kubernetes Service.
constexpr char kAuthHost[] = "auth.bulwark.test";
constexpr int kAuthPort = 50051;
constexpr char kReplayed[] = "Unauthorized: replayed request";

class ReplayAcrossReplicasTest : public ::testing::Test {
 protected:
  void StartCluster(const nlohmann::json& config = nlohmann::json::object()) {
    auto cluster = AuthCluster::Start(2, config);
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = std::move(*cluster);
    root_ = cluster_->Static("root");
    for (int i = 0; i < 2; ++i) {
      grpc::ChannelArguments args;
      args.SetString(GRPC_ARG_DEFAULT_AUTHORITY, absl::StrCat(kAuthHost, ":", kAuthPort));
      auto channel = grpc::CreateCustomChannel(cluster_->process(i).address(),
                                               grpc::InsecureChannelCredentials(), args);
      ASSERT_TRUE(testing::WaitForServing(channel).ok()) << "replica " << i;
      stubs_.push_back(v1::Auth::NewStub(channel));
    }
  }

  // A header for CurrentScopes on auth.bulwark.test:50051, signed once by root.
  std::string Header() {
    hawk::Request request;
    request.resource = "/bulwark.auth.v1.Auth/CurrentScopes";
    request.host = kAuthHost;
    request.port = kAuthPort;
    request.payload_hash = hawk::GrpcPayloadHash("");  // the empty request message
    auto header = hawk::SignRequest(root_, request, Clock::Real(), Random::Secure());
    EXPECT_TRUE(header.ok()) << header.status();
    return header.value_or("");
  }

  // CurrentScopes on `replica` carrying exactly `header`.
  grpc::Status Send(int replica, const std::string& header) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    context.AddMetadata("authorization", header);
    v1::CurrentScopesResponse response;
    return stubs_[replica]->CurrentScopes(&context, v1::CurrentScopesRequest(), &response);
  }

  // Sends fresh headers to `replica` until 20 in a row are accepted (every partition has a
  // loaded owner again) or 30 s pass; every refusal meanwhile must be UNAVAILABLE.
  bool SettlesOn(int replica) {
    const absl::Time give_up = absl::Now() + absl::Seconds(30);
    int in_a_row = 0;
    while (in_a_row < 20 && absl::Now() < give_up) {
      grpc::Status s = Send(replica, Header());
      if (s.ok()) {
        ++in_a_row;
        continue;
      }
      EXPECT_EQ(s.error_code(), StatusCode::UNAVAILABLE) << s.error_message();
      in_a_row = 0;
      absl::SleepFor(absl::Milliseconds(50));
    }
    return in_a_row == 20;
  }

  static bool IsReplay(const grpc::Status& s) {
    return s.error_code() == StatusCode::UNAUTHENTICATED &&
           absl::StrContains(s.error_message(), kReplayed);
  }

  std::unique_ptr<AuthCluster> cluster_;
  hawk::Credentials root_;
  std::vector<std::unique_ptr<v1::Auth::Stub>> stubs_;
};

TEST_F(ReplayAcrossReplicasTest, AHeaderOneReplicaAcceptedIsRefusedByTheOther) {
  StartCluster();
  const std::string first = Header();
  grpc::Status s = Send(0, first);
  ASSERT_TRUE(s.ok()) << s.error_message();
  s = Send(1, first);
  EXPECT_TRUE(IsReplay(s)) << s.error_code() << ": " << s.error_message();

  // The other order.
  const std::string second = Header();
  s = Send(1, second);
  ASSERT_TRUE(s.ok()) << s.error_message();
  s = Send(0, second);
  EXPECT_TRUE(IsReplay(s)) << s.error_code() << ": " << s.error_message();
  // And each replica still refuses its own replays.
  EXPECT_TRUE(IsReplay(Send(0, first)));
  EXPECT_TRUE(IsReplay(Send(1, second)));
}

TEST_F(ReplayAcrossReplicasTest, AuthenticateRequestRefusesAHeaderTheOtherReplicaAccepted) {
  StartCluster();
  // The queue asks whichever auth replica its channel picks.
  hawk::Request queue_call;
  queue_call.resource = "/bulwark.queue.v1.Queue/CreateTask";
  queue_call.host = "127.0.0.1";
  queue_call.port = 50052;
  const std::string body = "\n\003abc";
  queue_call.payload_hash = hawk::GrpcPayloadHash(body);
  auto header = hawk::SignRequest(root_, queue_call, Clock::Real(), Random::Secure());
  ASSERT_TRUE(header.ok()) << header.status();
  v1::AuthenticateRequestRequest request;
  request.set_resource(queue_call.resource);
  request.set_authority("127.0.0.1:50052");
  request.set_payload_hash(*queue_call.payload_hash);
  request.set_authorization(*header);
  v1::AuthenticateRequestResponse response;
  for (int replica : {1, 0}) {
    grpc::ClientContext context;
    ASSERT_TRUE(stubs_[replica]->AuthenticateRequest(&context, request, &response).ok());
    if (replica == 1) {
      EXPECT_EQ(response.status(), v1::AUTHENTICATION_STATUS_SUCCESS) << response.message();
    } else {
      EXPECT_EQ(response.status(), v1::AUTHENTICATION_STATUS_FAILED);
      EXPECT_TRUE(absl::StartsWith(response.message(), kReplayed)) << response.message();
    }
  }
}

// AuthenticateRequest waits for the shared store without holding a server thread (it is a
// callback method, answered from the store's writer thread): with the nonce table locked, 90
// calls wait at once, more than the server's 64 threads, and the server still answers Ping;
// once the lock goes, every one of them is answered.
TEST_F(ReplayAcrossReplicasTest, AuthenticateRequestHoldsNoServerThreadWhileTheStoreWaits) {
  StartCluster({{"replayProtection", "shared"}});
  pqxx::connection admin(cluster_->database().AdminDsn());
  pqxx::work lock(admin);
  lock.exec("LOCK TABLE auth.replay_nonces IN EXCLUSIVE MODE");
  // Three connections (32 calls each at most), 30 calls on each.
  constexpr int kChannels = 3;
  constexpr int kCallsPerChannel = 30;
  auto Stub = [&] {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // a connection of its own
    return v1::Auth::NewStub(grpc::CreateCustomChannel(cluster_->process(0).address(),
                                                       grpc::InsecureChannelCredentials(), args));
  };
  std::vector<std::unique_ptr<v1::Auth::Stub>> stubs;
  for (int c = 0; c < kChannels; ++c) stubs.push_back(Stub());
  std::atomic<int> answered{0}, succeeded{0};
  std::vector<std::thread> callers;
  for (int i = 0; i < kChannels * kCallsPerChannel; ++i) {
    callers.emplace_back([&, i] {
      hawk::Request call;
      call.resource = "/bulwark.queue.v1.Queue/GetTask";
      call.host = "127.0.0.1";
      call.port = 50052;
      auto header = hawk::SignRequest(root_, call, Clock::Real(), Random::Secure());
      ASSERT_TRUE(header.ok()) << header.status();
      v1::AuthenticateRequestRequest request;
      request.set_resource(call.resource);
      request.set_authority("127.0.0.1:50052");
      request.set_authorization(*header);
      request.set_payload_hash_optional(true);
      grpc::ClientContext context;
      context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(60)));
      v1::AuthenticateRequestResponse response;
      grpc::Status s = stubs[i % kChannels]->AuthenticateRequest(&context, request, &response);
      answered.fetch_add(1);
      EXPECT_TRUE(s.ok()) << s.error_code() << ": " << s.error_message();
      if (s.ok() && response.status() == v1::AUTHENTICATION_STATUS_SUCCESS) succeeded.fetch_add(1);
    });
  }
  // Let every call reach the server and queue behind the stuck batch.
  absl::SleepFor(absl::Seconds(2));
  EXPECT_EQ(answered.load(), 0) << "a call was answered while the nonce table was locked";
  {
    auto ping_stub = Stub();
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
    v1::PingResponse pong;
    grpc::Status s = ping_stub->Ping(&context, v1::PingRequest(), &pong);
    EXPECT_TRUE(s.ok()) << "with 90 calls waiting for the store: " << s.error_code() << ": "
                        << s.error_message();
  }
  lock.commit();
  for (std::thread& t : callers) t.join();
  EXPECT_EQ(succeeded.load(), kChannels * kCallsPerChannel);
}

TEST_F(ReplayAcrossReplicasTest, AHeaderSentToBothReplicasAtOnceIsAcceptedExactlyOnce) {
  StartCluster();
  constexpr int kHeaders = 20;
  constexpr int kCopiesPerReplica = 2;
  for (int h = 0; h < kHeaders; ++h) {
    const std::string header = Header();
    absl::Notification go;
    std::atomic<int> accepted{0}, replayed{0}, other{0};
    std::vector<std::thread> senders;
    for (int replica = 0; replica < 2; ++replica) {
      for (int copy = 0; copy < kCopiesPerReplica; ++copy) {
        senders.emplace_back([&, replica] {
          go.WaitForNotification();
          grpc::Status s = Send(replica, header);
          if (s.ok()) {
            accepted.fetch_add(1);
          } else if (IsReplay(s)) {
            replayed.fetch_add(1);
          } else {
            other.fetch_add(1);
            ADD_FAILURE() << s.error_code() << ": " << s.error_message();
          }
        });
      }
    }
    go.Notify();
    for (std::thread& t : senders) t.join();
    EXPECT_EQ(accepted.load(), 1) << "header " << h;
    EXPECT_EQ(replayed.load(), 2 * kCopiesPerReplica - 1) << "header " << h;
    EXPECT_EQ(other.load(), 0);
  }
}

TEST_F(ReplayAcrossReplicasTest, ASharedStoreThatFailsRefusesRatherThanAccepts) {
  StartCluster({{"replayProtection", "shared"}});
  ASSERT_TRUE(Send(0, Header()).ok());
  // The replicas' database role loses the right to record nonces: the shared check fails.
  {
    pqxx::connection admin(cluster_->database().AdminDsn());
    pqxx::work txn(admin);
    txn.exec("REVOKE INSERT ON auth.replay_nonces FROM bulwark_auth");
    txn.commit();
  }
  for (int replica = 0; replica < 2; ++replica) {
    grpc::Status s = Send(replica, Header());
    EXPECT_EQ(s.error_code(), StatusCode::UNAVAILABLE) << s.error_message();
    EXPECT_TRUE(absl::StrContains(s.error_message(), "replay protection unavailable"))
        << s.error_message();
  }
  {
    pqxx::connection admin(cluster_->database().AdminDsn());
    pqxx::work txn(admin);
    txn.exec("GRANT INSERT ON auth.replay_nonces TO bulwark_auth");
    txn.commit();
  }
  EXPECT_TRUE(Send(1, Header()).ok());
}

TEST_F(ReplayAcrossReplicasTest, ManyHeadersEachAcceptedOnceWhicheverReplicaOwnsTheirNonce) {
  StartCluster();
  // 40 headers: their nonces fall in partitions of both replicas, so each replica answers some
  // itself and forwards the others to their owner.
  for (int h = 0; h < 40; ++h) {
    const std::string header = Header();
    const int first = h % 2;
    grpc::Status s = Send(first, header);
    ASSERT_TRUE(s.ok()) << h << ": " << s.error_message();
    s = Send(1 - first, header);
    EXPECT_TRUE(IsReplay(s)) << h << ": " << s.error_code() << ": " << s.error_message();
    EXPECT_TRUE(IsReplay(Send(first, header))) << h;
  }
}

TEST_F(ReplayAcrossReplicasTest, AReplicaThatShutsDownHandsItsNoncesToTheOther) {
  StartCluster();
  std::vector<std::string> headers;
  for (int h = 0; h < 30; ++h) {
    headers.push_back(Header());
    grpc::Status s = Send(0, headers.back());
    ASSERT_TRUE(s.ok()) << h << ": " << s.error_message();
  }
  absl::StatusOr<int> exit = cluster_->process(0).Terminate();
  ASSERT_TRUE(exit.ok()) << exit.status();
  // Handed over, not left to expire: the survivor serves them within a round of its upkeep.
  const absl::Time stopped = absl::Now();
  ASSERT_TRUE(SettlesOn(1));
  EXPECT_LT(absl::Now() - stopped, absl::Seconds(5));
  // With the nonces the leaver accepted: every replay refused.
  for (size_t h = 0; h < headers.size(); ++h) {
    grpc::Status s = Send(1, headers[h]);
    EXPECT_TRUE(IsReplay(s)) << h << ": " << s.error_code() << ": " << s.error_message();
  }
}

TEST_F(ReplayAcrossReplicasTest, AKilledReplicasNoncesAreNeverAcceptedAgain) {
  StartCluster();
  std::vector<std::string> headers;
  for (int h = 0; h < 40; ++h) {
    headers.push_back(Header());
    grpc::Status s = Send(0, headers.back());
    ASSERT_TRUE(s.ok()) << h << ": " << s.error_message();
  }
  // Let the writes behind land (they are not awaited by the requests; a process killed
  // within write_behind_timeout of accepting can lose its last nonces: the documented gap).
  absl::SleepFor(absl::Milliseconds(600));
  cluster_->process(0).Kill();
  // Until the dead replica's leases run out its partitions are refused, never accepted. (Even
  // headers only: a triple refused here stays in the survivor's own cache, which would answer
  // the later check by itself.)
  int unavailable = 0;
  for (size_t h = 0; h < headers.size(); h += 2) {
    grpc::Status s = Send(1, headers[h]);
    ASSERT_FALSE(s.ok()) << "header " << h << " was replayed after its replica died";
    if (!IsReplay(s)) {
      EXPECT_EQ(s.error_code(), StatusCode::UNAVAILABLE) << s.error_message();
      ++unavailable;
    }
  }
  EXPECT_GT(unavailable, 0) << "no header fell in the dead replica's partitions";
  // Then the survivor takes them over, loading the dead replica's nonces: the odd headers,
  // never sent to it before, are refused as replays.
  ASSERT_TRUE(SettlesOn(1));
  for (size_t h = 1; h < headers.size(); h += 2) {
    grpc::Status s = Send(1, headers[h]);
    EXPECT_TRUE(IsReplay(s)) << h << ": " << s.error_code() << ": " << s.error_message();
  }
}

TEST_F(ReplayAcrossReplicasTest, AnOwnerWhoseNonceTableRefusesWritesStopsAccepting) {
  StartCluster();
  {
    pqxx::connection admin(cluster_->database().AdminDsn());
    pqxx::work txn(admin);
    txn.exec("REVOKE INSERT ON auth.replay_nonce_blocks FROM bulwark_auth");
    txn.commit();
  }
  // A partition's first triple is accepted before its write behind fails (it is held in the
  // owner's memory); after that its triples are refused until the writes succeed again.
  int accepted = 0, refused = 0;
  for (int h = 0; h < 300; ++h) {
    grpc::Status s = Send(h % 2, Header());
    if (s.ok()) {
      ++accepted;
    } else {
      EXPECT_EQ(s.error_code(), StatusCode::UNAVAILABLE) << s.error_message();
      EXPECT_TRUE(absl::StrContains(s.error_message(), "replay protection unavailable"))
          << s.error_message();
      ++refused;
    }
  }
  // Each partition takes its first triple, and any that come before its write's failure is
  // known (tens of milliseconds); the rest are refused.
  EXPECT_GE(refused, 100) << accepted << " accepted";
  {
    pqxx::connection admin(cluster_->database().AdminDsn());
    pqxx::work txn(admin);
    txn.exec("GRANT INSERT ON auth.replay_nonce_blocks TO bulwark_auth");
    txn.commit();
  }
  // The failed writes are retried by the next round; then everything is accepted again.
  const absl::Time give_up = absl::Now() + absl::Seconds(20);
  int in_a_row = 0;
  while (in_a_row < 20 && absl::Now() < give_up) {
    if (Send(in_a_row % 2, Header()).ok()) {
      ++in_a_row;
    } else {
      in_a_row = 0;
      absl::SleepFor(absl::Milliseconds(50));
    }
  }
  EXPECT_EQ(in_a_row, 20);
}

TEST_F(ReplayAcrossReplicasTest, WithLocalReplayProtectionEachReplicaAcceptsTheHeaderOnce) {
  StartCluster({{"replayProtection", "local"}});
  const std::string header = Header();
  ASSERT_TRUE(Send(0, header).ok());
  EXPECT_TRUE(Send(1, header).ok()) << "local mode is per replica: this is what shared prevents";
  EXPECT_TRUE(IsReplay(Send(0, header)));
  EXPECT_TRUE(IsReplay(Send(1, header)));
}

}  // namespace
}  // namespace bulwark::auth
