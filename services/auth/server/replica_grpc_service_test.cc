// Forwarded replay checks end to end on loopback: GrpcReplayForwarder → a real gRPC server
// (GrpcServer, with its input guard) serving ReplicaGrpcService → a fake ReplayOwner; and the
// mutual-TLS check that only auth's own certificate may record a nonce.
#include "services/auth/server/replica_grpc_service.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bulwark/auth/v1/replicas.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "libraries/client/channel.h"
#include "libraries/clock/clock.h"
#include "libraries/grpc_server/server.h"
#include "libraries/tls/peer_allowlist.h"
#include "libraries/tls/test_certificates.h"
#include "libraries/tls/tls_config.h"
#include "services/auth/server/grpc_replay_forwarder.h"
#include "services/auth/service/replay_forwarder.h"

namespace bulwark::auth {
namespace {

using ::testing::HasSubstr;

// Records every RecordHere and answers with the programmed status.
class FakeOwner final : public ReplayOwner {
 public:
  struct Recorded {
    std::string id, ts, nonce;
    absl::Time now, forget_after;
  };

  absl::Status RecordHere(absl::string_view id, absl::string_view ts, absl::string_view nonce,
                          absl::Time now, absl::Time forget_after) override {
    absl::Duration delay;
    absl::Status answer;
    {
      absl::MutexLock lock(&mu_);
      recorded_.push_back(
          {std::string(id), std::string(ts), std::string(nonce), now, forget_after});
      delay = delay_;
      answer = answer_;
      auto it = by_nonce_.find(std::string(nonce));
      if (it != by_nonce_.end()) answer = it->second;
    }
    absl::SleepFor(delay);  // only the deadline test sets one
    return answer;
  }

  void Answer(absl::Status answer) {
    absl::MutexLock lock(&mu_);
    answer_ = std::move(answer);
  }
  void AnswerFor(const std::string& nonce, absl::Status answer) {
    absl::MutexLock lock(&mu_);
    by_nonce_[nonce] = std::move(answer);
  }
  void Delay(absl::Duration delay) {
    absl::MutexLock lock(&mu_);
    delay_ = delay;
  }
  std::vector<Recorded> recorded() const {
    absl::MutexLock lock(&mu_);
    return recorded_;
  }

 private:
  mutable absl::Mutex mu_;
  absl::Status answer_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, absl::Status> by_nonce_ ABSL_GUARDED_BY(mu_);
  absl::Duration delay_ ABSL_GUARDED_BY(mu_);
  std::vector<Recorded> recorded_ ABSL_GUARDED_BY(mu_);
};

// What a Forward answered, and how often.
struct Answer {
  absl::Notification answered;
  std::atomic<int> calls{0};
  absl::Mutex mu;
  absl::Status status ABSL_GUARDED_BY(mu);
};

// Forwards and waits for `done` (bounded); the state outlives a late second call.
std::shared_ptr<Answer> ForwardAndWait(ReplayForwarder& forwarder, const std::string& address,
                                       absl::string_view id, absl::string_view ts,
                                       absl::string_view nonce, absl::Time forget_after,
                                       absl::Time deadline) {
  auto answer = std::make_shared<Answer>();
  forwarder.Forward(address, id, ts, nonce, forget_after, deadline, [answer](absl::Status s) {
    {
      absl::MutexLock lock(&answer->mu);
      answer->status = std::move(s);
    }
    if (answer->calls.fetch_add(1) == 0) answer->answered.Notify();
  });
  EXPECT_TRUE(answer->answered.WaitForNotificationWithTimeout(absl::Seconds(30)))
      << "done was never called";
  return answer;
}

absl::Status StatusOf(const std::shared_ptr<Answer>& answer) {
  absl::MutexLock lock(&answer->mu);
  return answer->status;
}

absl::Time Soon() { return absl::Now() + absl::Seconds(10); }

// A loopback port nothing listens on (bound, then closed).
int UnusedPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  EXPECT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  close(fd);
  return ntohs(addr.sin_port);
}

const absl::Time kForgetAfter = absl::FromUnixMicros(1700000123456789);

class ReplicaGrpcServiceTest : public ::testing::Test {
 protected:
  // Starts the server; `credentials` null serves plaintext.
  void Serve(tls::PeerAllowlist peers,
             std::shared_ptr<grpc::ServerCredentials> credentials = nullptr) {
    service_ = std::make_unique<ReplicaGrpcService>(owner_, clock_, std::move(peers));
    GrpcServer::Options options;
    options.service_name = "auth";
    options.credentials = std::move(credentials);
    options.drain_deadline = absl::Seconds(2);
    auto server = GrpcServer::Start(
        options, {{service_.get(), v1::AuthReplicas::service_full_name()}}, nullptr);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    address_ = absl::StrCat("127.0.0.1:", server_->port());
  }

  void ServePlaintext() { Serve(tls::PeerAllowlist::Anyone()); }

  // A forwarder dialling in plaintext, counting its dials.
  std::unique_ptr<GrpcReplayForwarder> PlaintextForwarder(size_t max_cached = 64) {
    return std::make_unique<GrpcReplayForwarder>(
        [this](const std::string& address) {
          ++dials_;
          return CreateServiceChannel(address, tls::TlsConfig{});
        },
        max_cached);
  }

  std::unique_ptr<v1::AuthReplicas::Stub> DirectStub() {
    return v1::AuthReplicas::NewStub(
        grpc::CreateChannel(address_, grpc::InsecureChannelCredentials()));
  }

  FakeOwner owner_;
  SimulatedClock clock_;
  std::unique_ptr<ReplicaGrpcService> service_;
  std::unique_ptr<GrpcServer> server_;
  std::string address_;
  std::atomic<int> dials_{0};
};

TEST_F(ReplicaGrpcServiceTest, RecordsTheTripleIntactAtTheOwner) {
  ServePlaintext();
  auto forwarder = PlaintextForwarder();
  auto answer = ForwardAndWait(*forwarder, address_, "static/queue", "1700000000", "n0nce",
                               kForgetAfter, Soon());
  EXPECT_TRUE(StatusOf(answer).ok()) << StatusOf(answer);
  std::vector<FakeOwner::Recorded> recorded = owner_.recorded();
  ASSERT_EQ(recorded.size(), 1u);
  EXPECT_EQ(recorded[0].id, "static/queue");
  EXPECT_EQ(recorded[0].ts, "1700000000");
  EXPECT_EQ(recorded[0].nonce, "n0nce");
  EXPECT_EQ(recorded[0].forget_after, kForgetAfter);  // to the microsecond
  EXPECT_EQ(recorded[0].now, clock_.Now());           // the owner's clock
}

TEST_F(ReplicaGrpcServiceTest, ReplaysAndAFullOwnerPassThrough) {
  ServePlaintext();
  auto forwarder = PlaintextForwarder();
  owner_.Answer(absl::AlreadyExistsError(hawk::kNonceAlreadyUsed));
  absl::Status replay =
      StatusOf(ForwardAndWait(*forwarder, address_, "c", "1", "n", kForgetAfter, Soon()));
  EXPECT_EQ(replay.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(replay.message(), hawk::kNonceAlreadyUsed);

  owner_.Answer(absl::ResourceExhaustedError("replay protection is full"));
  absl::Status full =
      StatusOf(ForwardAndWait(*forwarder, address_, "c", "1", "n2", kForgetAfter, Soon()));
  EXPECT_EQ(full.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(full.message(), "replay protection is full");
  EXPECT_EQ(dials_, 1);  // one channel per address
}

TEST_F(ReplicaGrpcServiceTest, APartitionThatMovedIsUnavailable) {
  ServePlaintext();
  auto forwarder = PlaintextForwarder();
  owner_.Answer(absl::FailedPreconditionError("partition 17 is not owned here"));
  absl::Status moved =
      StatusOf(ForwardAndWait(*forwarder, address_, "c", "1", "n", kForgetAfter, Soon()));
  EXPECT_EQ(moved.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(moved.message()), HasSubstr("partition is moving"));
  EXPECT_THAT(std::string(moved.message()), HasSubstr("retry"));
}

TEST_F(ReplicaGrpcServiceTest, RefusesBadInputWithoutCallingTheOwner) {
  ServePlaintext();
  auto stub = DirectStub();
  auto call = [&](const std::string& id, const std::string& nonce, int64_t forget_after) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(Soon()));
    v1::RecordNonceRequest request;
    request.set_id(id);
    request.set_ts("1700000000");
    request.set_nonce(nonce);
    request.set_forget_after_micros(forget_after);
    v1::RecordNonceResponse response;
    return stub->RecordNonce(&context, request, &response);
  };
  grpc::Status empty_nonce = call("c", "", 1);
  EXPECT_EQ(empty_nonce.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(empty_nonce.error_message(), HasSubstr("nonce is empty"));
  grpc::Status long_id = call(std::string(4097, 'i'), "n", 1);
  EXPECT_EQ(long_id.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(long_id.error_message(), HasSubstr("id is 4097 bytes; at most 4096"));
  EXPECT_TRUE(call(std::string(4096, 'i'), "n", 1).ok());  // the limit itself is accepted
  grpc::Status no_expiry = call("c", "n2", 0);
  EXPECT_EQ(no_expiry.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(no_expiry.error_message(), HasSubstr("forget_after_micros"));
  // The input guard's refusal (a NUL in a string) also stops the handler.
  EXPECT_EQ(call("c", std::string("n\0n", 3), 1).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(owner_.recorded().size(), 1u);  // only the accepted 4096-byte id

  // Through the forwarder such a refusal is not a replay verdict: UNAVAILABLE, code named.
  auto forwarder = PlaintextForwarder();
  absl::Status forwarded =
      StatusOf(ForwardAndWait(*forwarder, address_, "c", "1", "", kForgetAfter, Soon()));
  EXPECT_EQ(forwarded.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(forwarded.message()), HasSubstr("INVALID_ARGUMENT"));
  EXPECT_EQ(owner_.recorded().size(), 1u);
}

TEST_F(ReplicaGrpcServiceTest, NobodyListeningIsUnavailableAndAnsweredOnce) {
  auto forwarder = PlaintextForwarder();
  const std::string nowhere = absl::StrCat("127.0.0.1:", UnusedPort());
  auto answer = ForwardAndWait(*forwarder, nowhere, "c", "1", "n", kForgetAfter,
                               absl::Now() + absl::Seconds(2));
  absl::Status status = StatusOf(answer);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr(nowhere));
  EXPECT_THAT(std::string(status.message()), HasSubstr("retry"));
  absl::SleepFor(absl::Milliseconds(200));  // a second call would have come by now
  EXPECT_EQ(answer->calls.load(), 1);
}

TEST_F(ReplicaGrpcServiceTest, APastDeadlineIsRefusedWithoutACall) {
  ServePlaintext();
  auto forwarder = PlaintextForwarder();
  bool called = false;
  absl::Status status;
  forwarder->Forward(address_, "c", "1", "n", kForgetAfter, absl::Now() - absl::Milliseconds(1),
                     [&](absl::Status s) {
                       called = true;
                       status = std::move(s);
                     });
  EXPECT_TRUE(called);  // at once, on this thread
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(dials_, 0);
  EXPECT_TRUE(owner_.recorded().empty());
}

TEST_F(ReplicaGrpcServiceTest, AnOwnerTooSlowForTheDeadlineIsDeadlineExceeded) {
  ServePlaintext();
  auto forwarder = PlaintextForwarder();
  owner_.Delay(absl::Milliseconds(500));
  absl::Status late = StatusOf(ForwardAndWait(*forwarder, address_, "c", "1", "n", kForgetAfter,
                                              absl::Now() + absl::Milliseconds(100)));
  EXPECT_EQ(late.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(std::string(late.message()), HasSubstr("was not accepted"));
}

TEST_F(ReplicaGrpcServiceTest, ConcurrentForwardsAreEachAnsweredOnce) {
  ServePlaintext();
  auto forwarder = PlaintextForwarder();
  constexpr int kThreads = 8;
  constexpr int kPerThread = 25;
  constexpr int kTotal = kThreads * kPerThread;
  std::vector<std::atomic<int>> answers(kTotal);
  std::atomic<int> failed{0};
  std::atomic<int> answered{0};
  absl::Notification all_answered;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const int index = t * kPerThread + i;
        forwarder->Forward(address_, "c", "1", absl::StrCat("nonce-", index), kForgetAfter,
                           absl::Now() + absl::Seconds(20), [&, index](const absl::Status& s) {
                             if (!s.ok()) failed.fetch_add(1);
                             answers[index].fetch_add(1);
                             if (answered.fetch_add(1) + 1 == kTotal) all_answered.Notify();
                           });
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  ASSERT_TRUE(all_answered.WaitForNotificationWithTimeout(absl::Seconds(30)))
      << answered.load() << " of " << kTotal << " answered";
  absl::SleepFor(absl::Milliseconds(100));  // a second answer would have come by now
  for (int i = 0; i < kTotal; ++i) EXPECT_EQ(answers[i].load(), 1) << "call " << i;
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(owner_.recorded().size(), static_cast<size_t>(kTotal));
  EXPECT_EQ(dials_, 1);
}

// While a call to an owner is under way, what comes for it queues and goes in one call, each
// triple answered with its own answer.
TEST_F(ReplicaGrpcServiceTest, ChecksWaitingForACallGoTogetherInTheNext) {
  ServePlaintext();
  auto forwarder = PlaintextForwarder();
  owner_.Delay(absl::Milliseconds(20));
  owner_.AnswerFor("dup-3", absl::AlreadyExistsError(hawk::kNonceAlreadyUsed));
  owner_.AnswerFor("dup-7", absl::AlreadyExistsError(hawk::kNonceAlreadyUsed));
  constexpr int kTotal = 11;
  absl::Mutex mu;
  std::map<std::string, absl::Status> answers;
  absl::Notification all_answered;
  auto done = [&](const std::string& nonce) {
    return [&, nonce](const absl::Status& s) {
      absl::MutexLock lock(&mu);
      answers[nonce] = s;
      if (answers.size() == kTotal) all_answered.Notify();
    };
  };
  // The first goes at once and holds the owner for 20 ms; the ten after it wait for it.
  forwarder->Forward(address_, "c", "1", "first", kForgetAfter, absl::Now() + absl::Seconds(20),
                     done("first"));
  for (int i = 0; i < 10; ++i) {
    const std::string nonce = absl::StrCat(i == 3 || i == 7 ? "dup-" : "n-", i);
    forwarder->Forward(address_, "c", "1", nonce, kForgetAfter, absl::Now() + absl::Seconds(20),
                       done(nonce));
  }
  ASSERT_TRUE(all_answered.WaitForNotificationWithTimeout(absl::Seconds(20)));
  EXPECT_EQ(forwarder->sent(), kTotal);
  EXPECT_EQ(forwarder->calls(), 2) << "the ten waiting should have gone in one call";
  absl::MutexLock lock(&mu);
  for (const auto& [nonce, status] : answers) {
    if (absl::StartsWith(nonce, "dup-")) {
      EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists) << nonce;
    } else {
      EXPECT_TRUE(status.ok()) << nonce << ": " << status;
    }
  }
  EXPECT_EQ(owner_.recorded().size(), static_cast<size_t>(kTotal));
}

TEST_F(ReplicaGrpcServiceTest, TheStubCacheIsBounded) {
  ServePlaintext();
  // Every address reaches the same server; the dials show what the cache kept.
  std::atomic<int> dials{0};
  GrpcReplayForwarder forwarder(
      [&](const std::string&) {
        ++dials;
        return CreateServiceChannel(address_, tls::TlsConfig{});
      },
      /*max_cached_addresses=*/2);
  for (const char* address : {"a:1", "b:1", "a:1", "b:1"}) {
    EXPECT_TRUE(
        StatusOf(ForwardAndWait(forwarder, address, "c", "1", address, kForgetAfter, Soon())).ok());
  }
  EXPECT_EQ(dials.load(), 2);
  // A third address drops the cache: a and b are dialled again.
  for (const char* address : {"c:1", "a:1", "b:1"}) {
    EXPECT_TRUE(
        StatusOf(ForwardAndWait(forwarder, address, "c", "2", address, kForgetAfter, Soon())).ok());
  }
  EXPECT_EQ(dials.load(), 5);
}

TEST(GrpcReplayForwarderTest, MapsEveryOtherAnswerToUnavailable) {
  for (grpc::StatusCode code : {grpc::StatusCode::UNAVAILABLE, grpc::StatusCode::PERMISSION_DENIED,
                                grpc::StatusCode::UNAUTHENTICATED, grpc::StatusCode::INTERNAL,
                                grpc::StatusCode::CANCELLED, grpc::StatusCode::UNIMPLEMENTED}) {
    absl::Status mapped =
        GrpcReplayForwarder::ForwardedStatus("auth-1:50051", grpc::Status(code, "why"));
    EXPECT_EQ(mapped.code(), absl::StatusCode::kUnavailable) << code;
    EXPECT_THAT(std::string(mapped.message()), HasSubstr("auth-1:50051"));
    EXPECT_THAT(std::string(mapped.message()),
                HasSubstr(absl::StrCat(
                    absl::StatusCodeToString(static_cast<absl::StatusCode>(code)), ": why")));
  }
  EXPECT_TRUE(GrpcReplayForwarder::ForwardedStatus("a", grpc::Status::OK).ok());
}

TEST(GrpcReplayForwarderTest, NoChannelIsUnavailable) {
  GrpcReplayForwarder forwarder([](const std::string&) { return nullptr; });
  auto answer = ForwardAndWait(forwarder, "auth-1:50051", "c", "1", "n", kForgetAfter, Soon());
  EXPECT_EQ(StatusOf(answer).code(), absl::StatusCode::kUnavailable);
  answer = ForwardAndWait(forwarder, "", "c", "1", "n", kForgetAfter, Soon());
  EXPECT_EQ(StatusOf(answer).code(), absl::StatusCode::kUnavailable);
}

// Attack: another service's valid certificate (signed by the deployment's CA) must not record
// nonces in auth's replay protection, nor may a client without a certificate.
class ReplicaMutualTlsTest : public ReplicaGrpcServiceTest {
 protected:
  void SetUp() override {
    auto ca = tls::TestCertificateAuthority::Create("Bulwark test CA");
    ASSERT_TRUE(ca.ok()) << ca.status();
    ca_ = std::make_unique<tls::TestCertificateAuthority>(*std::move(ca));
    auto server = ca_->Issue("auth", {"auth", "localhost"}, {"127.0.0.1"});
    ASSERT_TRUE(server.ok()) << server.status();
    tls::TlsConfig config{false, ca_->cert_pem(), server->cert_pem, server->key_pem};
    Serve(tls::PeerAllowlist::Of({"auth"}), tls::ServerCredentials(config));
  }

  // A forwarder presenting a certificate named `name` (none when empty).
  std::unique_ptr<GrpcReplayForwarder> ForwarderAs(const std::string& name) {
    tls::TlsConfig config{false, ca_->cert_pem(), "", ""};
    if (!name.empty()) {
      auto issued = ca_->Issue(name, {name}, {});
      EXPECT_TRUE(issued.ok()) << issued.status();
      config.cert_pem = issued->cert_pem;
      config.key_pem = issued->key_pem;
    }
    return std::make_unique<GrpcReplayForwarder>(
        [config](const std::string& address) { return CreateServiceChannel(address, config); });
  }

  std::unique_ptr<tls::TestCertificateAuthority> ca_;
};

TEST_F(ReplicaMutualTlsTest, OnlyAuthsOwnCertificateMayRecord) {
  absl::Status queue = StatusOf(
      ForwardAndWait(*ForwarderAs("queue"), address_, "c", "1", "n", kForgetAfter, Soon()));
  EXPECT_EQ(queue.code(), absl::StatusCode::kUnavailable) << queue;
  EXPECT_THAT(std::string(queue.message()), HasSubstr("PERMISSION_DENIED"));
  EXPECT_THAT(std::string(queue.message()), HasSubstr("queue"));

  absl::Status anonymous =
      StatusOf(ForwardAndWait(*ForwarderAs(""), address_, "c", "1", "n", kForgetAfter, Soon()));
  EXPECT_EQ(anonymous.code(), absl::StatusCode::kUnavailable) << anonymous;
  EXPECT_THAT(std::string(anonymous.message()), HasSubstr("UNAUTHENTICATED"));
  EXPECT_TRUE(owner_.recorded().empty());

  absl::Status auth =
      StatusOf(ForwardAndWait(*ForwarderAs("auth"), address_, "c", "1", "n", kForgetAfter, Soon()));
  EXPECT_TRUE(auth.ok()) << auth;
  ASSERT_EQ(owner_.recorded().size(), 1u);
  EXPECT_EQ(owner_.recorded()[0].nonce, "n");
}

}  // namespace
}  // namespace bulwark::auth
