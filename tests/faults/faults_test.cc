// The fault suite (issue 14 item 10): real auth replicas on a PostgreSQL of the suite's own,
// which the tests restart and freeze, so that these stay fixed:
//  - no stale roles: after a database restart, a role changed through one replica is never
//    answered with its old expansion by the other once kStaleBound has passed since the change
//    committed (while it catches up it answers UNAVAILABLE instead);
//  - a frozen database: health goes NOT_SERVING within kHealthBound, a write costs the caller
//    no more than its deadline, and nothing is committed after it when the database resumes;
//  - SIGTERM under load: every call in flight is answered (long-polled ClaimWork with an empty
//    success), and the process exits within its lame-duck period plus a second;
//  - PostgreSQL restarted under load (creating, claiming, completing tasks): no acknowledged
//    task lost, no run claimed twice, no INTERNAL or UNKNOWN to any client;
//  - a client that gives up (cancels) while the database is frozen: its CreateClient,
//    CreateTask or TriggerHook is not committed when the database resumes (issue 14 item 3);
//  - auth killed and restarted: the queue answers UNAVAILABLE meanwhile (never UNAUTHENTICATED
//    or INTERNAL) and uses auth again within kRecoverBound of its return;
//  - PostgreSQL crashed (crash recovery empties the unlogged replay nonces): a header accepted
//    before the crash is not accepted again after it.
// Tagged "faults": `./dev test --no-faults` skips it.
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/notification.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "libraries/crypto/random.h"
#include "libraries/hawk/mac.h"
#include "libraries/hawk/request.h"
#include "libraries/hawk/signer.h"
#include "libraries/proto/struct_json.h"
#include "libraries/proto/timestamp.h"
#include "services/auth/tests/auth_cluster.h"
#include "services/hooks/tests/hooks_cluster.h"
#include "services/queue/tests/queue_cluster.h"
#include "tests/faults/private_postgres.h"

namespace bulwark {
namespace {

using auth::AuthCluster;
using auth::SignedContext;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

// How long after a role change commits another replica may still answer from before it: the
// notification's trip and the role reload (docs/reliability.md).
constexpr absl::Duration kStaleBound = absl::Seconds(2);
// How soon health must say NOT_SERVING once the database stops answering (the readiness
// watchdog's 2 s, plus a poll).
constexpr absl::Duration kHealthBound = absl::Seconds(4);

// Waits without a condition (between polls of another process).
void Pause(absl::Duration d) {
  absl::Notification never;
  never.WaitForNotificationWithTimeout(d);
}

// A client that gives up before its deadline: runs `call` (made with `context`) on a thread,
// cancels the context after `after`, and returns the call's status once it has ended.
grpc::Status CancelAfter(grpc::ClientContext* context, absl::Duration after,
                         const std::function<grpc::Status()>& call) {
  grpc::Status status;
  absl::Notification ended;
  std::thread caller([&] {
    status = call();
    ended.Notify();
  });
  if (!ended.WaitForNotificationWithTimeout(after)) context->TryCancel();
  caller.join();
  return status;
}

// Waits (bounded) until `process` has logged that it dropped work whose caller went away
// (libraries/pg/transaction.h), so that what it did not commit can be checked. A server that
// never notices has had the whole bound to commit what it should not have.
bool WaitForCallerWentAway(const testing::ServiceProcess& process, absl::Duration bound) {
  for (absl::Time until = absl::Now() + bound; absl::Now() < until;) {
    if (process.LogTail(1 << 20).find("caller went away") != std::string::npos) return true;
    Pause(absl::Milliseconds(100));
  }
  return false;
}

// How long a cancellation test keeps the database frozen after the client gave up.
constexpr absl::Duration kCancelAfter = absl::Seconds(1);
constexpr absl::Duration kFrozenAfterCancel = absl::Seconds(1);

// Starts the suite's own PostgreSQL and points the clusters at it (BULWARK_TEST_PG_ADMIN); null,
// with a test failure, when it does not start.
std::unique_ptr<testing::PrivatePostgres> UsePrivatePostgres() {
  auto pg = testing::PrivatePostgres::Start();
  if (!pg.ok()) {
    ADD_FAILURE() << pg.status();
    return nullptr;
  }
  ::setenv("BULWARK_TEST_PG_ADMIN", (*pg)->AdminDsn().c_str(), 1);
  return *std::move(pg);
}

class FaultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pg_ = UsePrivatePostgres();
    ASSERT_NE(pg_, nullptr);
    auto cluster = AuthCluster::Start(2);
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = std::move(*cluster);
    root_ = cluster_->Static("root");
  }
  void TearDown() override {
    if (pg_) pg_->Thaw();
    cluster_.reset();
    pg_.reset();
  }

  // The expansion of assume:<role> on `replica`, or the call's status code.
  struct Expansion {
    grpc::StatusCode code;
    std::vector<std::string> scopes;
  };
  Expansion Expand(int replica, const std::string& role) {
    auto context = SignedContext(&root_);
    context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(2)));
    auth::v1::ExpandScopesRequest request;
    request.add_scopes("assume:" + role);
    auth::v1::ExpandScopesResponse response;
    grpc::Status s = cluster_->Stub(replica)->ExpandScopes(context.get(), request, &response);
    return {s.error_code(), {response.scopes().begin(), response.scopes().end()}};
  }
  static bool Has(const Expansion& e, const std::string& scope) {
    return e.code == grpc::StatusCode::OK &&
           std::find(e.scopes.begin(), e.scopes.end(), scope) != e.scopes.end();
  }
  HealthCheckResponse::ServingStatus Health(int replica) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(1)));
    HealthCheckResponse response;
    auto stub = grpc::health::v1::Health::NewStub(cluster_->process(replica).Channel());
    if (!stub->Check(&context, HealthCheckRequest(), &response).ok()) {
      return HealthCheckResponse::UNKNOWN;
    }
    return response.status();
  }

  std::unique_ptr<testing::PrivatePostgres> pg_;
  std::unique_ptr<AuthCluster> cluster_;
  hawk::Credentials root_;
};

TEST_F(FaultsTest, NoReplicaAnswersWithAStaleRoleAfterADatabaseRestart) {
  const std::string role = "project:faults";
  {
    auth::v1::CreateRoleRequest create;
    create.set_role_id(role);
    create.set_description("fault suite");
    create.add_scopes("queue:old");
    auth::v1::Role created;
    grpc::Status s = cluster_->Stub(0)->CreateRole(SignedContext(&root_).get(), create, &created);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  absl::Time until = absl::Now() + absl::Seconds(10);
  while (!Has(Expand(1, role), "queue:old") && absl::Now() < until) Pause(absl::Milliseconds(50));
  ASSERT_TRUE(Has(Expand(1, role), "queue:old"));
  // Replica 1 holds several idle database connections, as under load.
  {
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < 5; ++i) {
          auth::v1::GetRoleRequest get;
          get.set_role_id(role);
          auth::v1::Role out;
          cluster_->Stub(1)->GetRole(SignedContext(&root_).get(), get, &out);
        }
      });
    }
    for (std::thread& t : threads) t.join();
  }

  ASSERT_TRUE(pg_->Restart().ok());
  // Change the role through replica 0 as soon as the database takes it.
  absl::Time committed = absl::InfiniteFuture();
  until = absl::Now() + absl::Seconds(30);
  while (absl::Now() < until) {
    auth::v1::UpdateRoleRequest update;
    update.set_role_id(role);
    update.set_description("fault suite");
    update.add_scopes("queue:new");
    auth::v1::Role updated;
    auto context = SignedContext(&root_);
    context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
    if (cluster_->Stub(0)->UpdateRole(context.get(), update, &updated).ok()) {
      committed = absl::Now();
      break;
    }
    Pause(absl::Milliseconds(100));
  }
  ASSERT_NE(committed, absl::InfiniteFuture()) << "the database never took the change";

  // From kStaleBound after the commit, replica 1 answers the new expansion or UNAVAILABLE,
  // never the old one; and it does catch up.
  bool caught_up = false;
  int stale_answers = 0;
  until = committed + absl::Seconds(15);
  while (absl::Now() < until) {
    absl::Time asked = absl::Now();
    Expansion e = Expand(1, role);
    if (Has(e, "queue:old") && asked > committed + kStaleBound) {
      ++stale_answers;
      ADD_FAILURE() << "replica 1 granted the old scopes "
                    << absl::FormatDuration(asked - committed) << " after the change committed";
    }
    if (Has(e, "queue:new")) caught_up = true;
    if (stale_answers > 3) break;
    Pause(absl::Milliseconds(100));
  }
  EXPECT_TRUE(caught_up) << "replica 1 never picked up the change within 15 s\n"
                         << cluster_->process(1).LogTail();
}

TEST_F(FaultsTest, AFrozenDatabaseCostsTheCallersDeadlineAndCommitsNothingAfterIt) {
  ASSERT_EQ(Health(0), HealthCheckResponse::SERVING);
  ASSERT_TRUE(pg_->Freeze().ok());
  absl::Time frozen = absl::Now();

  // A write with a 3 s deadline: DEADLINE_EXCEEDED, at about that deadline.
  auth::v1::CreateRoleRequest create;
  create.set_role_id("project:frozen");
  create.set_description("written while the database was frozen");
  create.add_scopes("queue:frozen");
  auth::v1::Role created;
  auto context = SignedContext(&root_);
  context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(3)));
  grpc::Status s = cluster_->Stub(0)->CreateRole(context.get(), create, &created);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << s.error_message();

  // Health went NOT_SERVING within the bound (the readiness check hangs on the frozen server).
  HealthCheckResponse::ServingStatus health = Health(0);
  absl::Time until = frozen + kHealthBound + absl::Seconds(1);
  while (health == HealthCheckResponse::SERVING && absl::Now() < until) {
    Pause(absl::Milliseconds(50));
    health = Health(0);
  }
  absl::Duration took = absl::Now() - frozen;
  EXPECT_EQ(health, HealthCheckResponse::NOT_SERVING);
  EXPECT_LE(took, kHealthBound + absl::Seconds(1)) << "health still said SERVING";
  // ...and stays so while frozen, not flapping back once a check gives up.
  Pause(absl::Seconds(2));
  EXPECT_EQ(Health(0), HealthCheckResponse::NOT_SERVING);

  pg_->Thaw();
  ASSERT_TRUE(testing::WaitForServing(cluster_->process(0).Channel(), "", absl::Seconds(30)).ok())
      << cluster_->process(0).LogTail();
  auth::v1::GetRoleRequest get;
  get.set_role_id("project:frozen");
  auth::v1::Role got;
  grpc::Status g = cluster_->Stub(0)->GetRole(SignedContext(&root_).get(), get, &got);
  EXPECT_EQ(g.error_code(), grpc::StatusCode::NOT_FOUND)
      << "a write whose caller had given up was committed when the database resumed";
}

// Issue 14 item 3, auth: a CreateClient whose client gave up (cancelled at 1 s, well before its
// deadline) while the database was frozen is rolled back when the database resumes, with its
// audit entry.
TEST_F(FaultsTest, ACreateClientWhoseCallerWentAwayIsNotCommittedWhenTheDatabaseResumes) {
  ASSERT_TRUE(pg_->Freeze().ok());
  auth::v1::CreateClientRequest create;
  create.set_client_id("project/cancelled");
  create.set_description("created by a client that gave up");
  *create.mutable_expires() = ToProtoTimestamp(absl::Now() + absl::Hours(1));
  auth::v1::CreateClientResponse created;
  auto context = SignedContext(&root_);
  context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
  grpc::Status s = CancelAfter(context.get(), kCancelAfter, [&] {
    return cluster_->Stub(0)->CreateClient(context.get(), create, &created);
  });
  EXPECT_EQ(s.error_code(), grpc::StatusCode::CANCELLED) << s.error_message();
  Pause(kFrozenAfterCancel);
  pg_->Thaw();
  EXPECT_TRUE(WaitForCallerWentAway(cluster_->process(0), absl::Seconds(15)))
      << cluster_->process(0).LogTail();

  ASSERT_TRUE(testing::WaitForServing(cluster_->process(0).Channel(), "", absl::Seconds(30)).ok())
      << cluster_->process(0).LogTail();
  auth::v1::GetClientRequest get;
  get.set_client_id("project/cancelled");
  auth::v1::Client got;
  grpc::Status g = cluster_->Stub(0)->GetClient(SignedContext(&root_).get(), get, &got);
  EXPECT_EQ(g.error_code(), grpc::StatusCode::NOT_FOUND)
      << "a client whose caller had gone was created when the database resumed";
  auth::v1::ListAuditHistoryRequest audit;
  audit.set_entity_type("client");
  audit.set_entity_id("project/cancelled");
  auth::v1::ListAuditHistoryResponse history;
  grpc::Status a =
      cluster_->Stub(0)->ListAuditHistory(SignedContext(&root_).get(), audit, &history);
  ASSERT_TRUE(a.ok()) << a.error_message();
  EXPECT_EQ(history.entries_size(), 0) << "an audit entry was written for it";
}

// The shared replay nonces live in UNLOGGED tables, which crash recovery empties. A header
// accepted before the crash must still not be accepted again afterwards, by any replica:
// requests signed before the loss are refused; requests signed after it are accepted.
TEST_F(FaultsTest, AHeaderAcceptedBeforeADatabaseCrashIsNotAcceptedAfterIt) {
  auth::v1::AuthenticateRequestRequest request;
  request.set_resource("/bulwark.queue.v1.Queue/CreateTask");
  request.set_authority("127.0.0.1:50052");
  request.set_payload_hash(hawk::GrpcPayloadHash("\n\003abc"));
  // A header for that queue call, signed with `clock`.
  auto sign = [&](const Clock& clock) {
    hawk::Request call;
    call.resource = request.resource();
    call.host = "127.0.0.1";
    call.port = 50052;
    call.payload_hash = request.payload_hash();
    return hawk::SignRequest(root_, call, clock, Random::Secure()).value();
  };
  auto authenticate = [&](int replica, const std::string& header,
                          auth::v1::AuthenticateRequestResponse* response) {
    request.set_authorization(header);
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
    return cluster_->Stub(replica)->AuthenticateRequest(&context, request, response);
  };
  const std::string captured = sign(Clock::Real());
  auth::v1::AuthenticateRequestResponse response;
  ASSERT_TRUE(authenticate(0, captured, &response).ok());
  ASSERT_EQ(response.status(), auth::v1::AUTHENTICATION_STATUS_SUCCESS) << response.message();

  ASSERT_TRUE(pg_->Crash().ok());
  // Until both replicas serve again, a request signed after the crash is answered (no
  // replica accepts anything unchecked meanwhile: UNAVAILABLE or DEADLINE_EXCEEDED).
  bool recovered = false;
  for (absl::Time until = absl::Now() + absl::Seconds(30); !recovered && absl::Now() < until;) {
    SimulatedClock later(absl::Now() + absl::Seconds(2));  // signed after the reset
    grpc::Status s = authenticate(1, sign(later), &response);
    if (s.ok()) {
      ASSERT_EQ(response.status(), auth::v1::AUTHENTICATION_STATUS_SUCCESS) << response.message();
      recovered = true;
    } else {
      ASSERT_TRUE(s.error_code() == grpc::StatusCode::UNAVAILABLE ||
                  s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED)
          << s.error_code() << ": " << s.error_message();
      Pause(absl::Milliseconds(200));
    }
  }
  ASSERT_TRUE(recovered) << "replica 1 did not authenticate again within 30 s\n"
                         << cluster_->process(1).LogTail();
  // The captured header's row is gone. It is refused all the same: by the owner of its nonce's
  // partition, which holds it in memory through the database's crash (partitioned replay
  // protection, the default), or, were the partition taken over after the crash, because it
  // was signed before the reset (services/auth/service/partitioned_nonce_cache_test.cc).
  // Until its partition's owner has written behind what failed during the crash, the answer
  // may still be UNAVAILABLE (never acceptance).
  grpc::Status s = authenticate(1, captured, &response);
  for (absl::Time until = absl::Now() + absl::Seconds(30);
       s.error_code() == grpc::StatusCode::UNAVAILABLE && absl::Now() < until;) {
    EXPECT_TRUE(absl::StrContains(s.error_message(), "replay protection")) << s.error_message();
    Pause(absl::Milliseconds(200));
    s = authenticate(1, captured, &response);
  }
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(response.status(), auth::v1::AUTHENTICATION_STATUS_FAILED);
  EXPECT_TRUE(absl::StrContains(response.message(), "replayed request")) << response.message();
}

TEST(ShutdownFaultTest, SigtermUnderLoadAnswersEveryCallAndExitsAfterTheLameDuck) {
  std::unique_ptr<testing::PrivatePostgres> pg = UsePrivatePostgres();
  ASSERT_NE(pg, nullptr);
  constexpr absl::Duration kLameDuck = absl::Seconds(2);
  auto cluster = queue::QueueCluster::Start(1, {"--lame-duck=2s"});
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  hawk::Credentials root = (*cluster)->Root();
  auto stub = (*cluster)->Stub(0);

  std::atomic<bool> stop{false};
  std::atomic<int> long_polls_ok{0};
  std::vector<std::string> failures;
  absl::Mutex mu;
  auto record = [&](const std::string& what, const grpc::Status& s) {
    absl::MutexLock lock(&mu);
    failures.push_back(what + ": " + std::to_string(s.error_code()) + " " + s.error_message());
  };
  std::vector<std::thread> threads;
  // Long-polls on an empty queue: in flight when SIGTERM arrives.
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      queue::v1::ClaimWorkRequest request;
      request.set_task_queue_id("proj/idle");
      request.set_worker_group("wg");
      request.set_worker_id("w" + std::to_string(i));
      request.set_tasks(1);
      request.set_wait_seconds(20);
      queue::v1::ClaimWorkResponse response;
      grpc::Status s = stub->ClaimWork(SignedContext(&root).get(), request, &response);
      if (s.ok() && response.tasks_size() == 0) {
        ++long_polls_ok;
      } else {
        record("long-polled ClaimWork", s);
      }
    });
  }
  // Load: task lookups until the server is gone. Until the lame-duck period has ended each
  // must be answered (NOT_FOUND: no such task); after it, UNAVAILABLE or CANCELLED is.
  std::atomic<int64_t> drain_from_ns{std::numeric_limits<int64_t>::max()};
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back([&] {
      while (!stop) {
        queue::v1::GetTaskRequest request;
        request.set_task_id("fM7bG2bBQyCZ9gk8B3XbnQ");
        queue::v1::TaskDefinition response;
        grpc::Status s = stub->GetTask(SignedContext(&root).get(), request, &response);
        bool drained = absl::ToUnixNanos(absl::Now()) >= drain_from_ns.load();
        // Once draining, a call the server had not started when it shut down is reset by
        // gRPC (CANCELLED) or refused (UNAVAILABLE): both say the server is gone, promptly.
        bool gone = s.error_code() == grpc::StatusCode::UNAVAILABLE ||
                    s.error_code() == grpc::StatusCode::CANCELLED;
        if (!s.ok() && s.error_code() != grpc::StatusCode::NOT_FOUND && !(drained && gone)) {
          record("GetTask", s);
        }
      }
    });
  }
  Pause(absl::Seconds(1));  // let the long-polls start waiting
  absl::Time sent = absl::Now();
  drain_from_ns = absl::ToUnixNanos(sent + kLameDuck);
  absl::StatusOr<int> exit_code = (*cluster)->queue(0).Terminate(absl::Seconds(30));
  absl::Duration took = absl::Now() - sent;
  stop = true;
  for (std::thread& t : threads) t.join();
  ASSERT_TRUE(exit_code.ok()) << exit_code.status();
  EXPECT_EQ(*exit_code, 0);
  EXPECT_GE(took, kLameDuck) << "exited before its lame-duck period ended";
  // Issue 14: within the lame-duck period plus a second. Under ThreadSanitizer (--config=tsan)
  // draining and exiting run several times slower (3.02 s seen), so it gets three seconds there.
#if defined(BULWARK_TSAN)
  constexpr absl::Duration kExitGrace = absl::Seconds(3);
#else
  constexpr absl::Duration kExitGrace = absl::Seconds(1);
#endif
  EXPECT_LE(took, kLameDuck + kExitGrace) << "took too long to exit after SIGTERM";
  EXPECT_EQ(long_polls_ok.load(), 4);
  absl::MutexLock lock(&mu);
  EXPECT_TRUE(failures.empty()) << absl::StrJoin(failures, "\n");
}

// A queue with its auth on the suite's own PostgreSQL, and the calls the load tests make.
class QueueFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pg_ = UsePrivatePostgres();
    ASSERT_NE(pg_, nullptr);
    auto cluster = queue::QueueCluster::Start(1);
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = std::move(*cluster);
    root_ = cluster_->Root();
  }
  void TearDown() override {
    cluster_.reset();
    pg_.reset();
  }

  std::unique_ptr<grpc::ClientContext> Context(absl::Duration deadline) {
    auto context = SignedContext(&root_);
    context->set_deadline(absl::ToChronoTime(absl::Now() + deadline));
    return context;
  }
  grpc::Status CreateTask(const std::string& task_id) {
    queue::v1::CreateTaskRequest request;
    request.set_task_id(task_id);
    queue::v1::TaskDefinition* t = request.mutable_task();
    t->set_task_queue_id("proj/faults");
    *t->mutable_created() = ToProtoTimestamp(absl::Now());
    *t->mutable_deadline() = ToProtoTimestamp(absl::Now() + absl::Hours(1));
    t->mutable_metadata()->set_name("fault load");
    t->mutable_metadata()->set_description("d");
    t->mutable_metadata()->set_owner("dev@example.com");
    t->mutable_metadata()->set_source("https://example.com/repo");
    queue::v1::CreateTaskResponse response;
    return cluster_->Stub()->CreateTask(Context(absl::Seconds(5)).get(), request, &response);
  }
  grpc::Status GetTask(const std::string& task_id, absl::Duration deadline) {
    queue::v1::GetTaskRequest request;
    request.set_task_id(task_id);
    queue::v1::TaskDefinition response;
    return cluster_->Stub()->GetTask(Context(deadline).get(), request, &response);
  }

  std::unique_ptr<testing::PrivatePostgres> pg_;
  std::unique_ptr<queue::QueueCluster> cluster_;
  hawk::Credentials root_;
};

// What a client may see while the database restarts: the call failed and says so (retrying is
// safe). Never INTERNAL or UNKNOWN.
bool HonestOutage(const grpc::Status& s) {
  return s.error_code() == grpc::StatusCode::UNAVAILABLE ||
         s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ||
         s.error_code() == grpc::StatusCode::ABORTED;
}

TEST_F(QueueFaultTest, ADatabaseRestartUnderLoadLosesNoTaskAndClaimsNoneTwice) {
  std::atomic<bool> stop{false};
  std::atomic<bool> restarted{false};
  absl::Mutex mu;
  std::vector<std::string> acknowledged;  // created, with OK
  int acknowledged_after_restart = 0;
  std::map<std::pair<std::string, int>, int> claims;  // (taskId, runId) -> times claimed
  std::vector<std::string> dishonest;
  auto check = [&](const std::string& what, const grpc::Status& s) {
    if (s.ok() || HonestOutage(s)) return;
    absl::MutexLock lock(&mu);
    dishonest.push_back(absl::StrCat(what, ": ", s.error_code(), " ", s.error_message()));
  };
  // Claims up to 4 tasks and completes them; returns how many it claimed.
  auto claim_and_complete = [&](const std::string& worker) {
    queue::v1::ClaimWorkRequest request;
    request.set_task_queue_id("proj/faults");
    request.set_worker_group("wg");
    request.set_worker_id(worker);
    request.set_tasks(4);
    request.set_wait_seconds(1);
    queue::v1::ClaimWorkResponse response;
    grpc::Status s =
        cluster_->Stub()->ClaimWork(Context(absl::Seconds(5)).get(), request, &response);
    check("ClaimWork", s);
    for (const queue::v1::TaskClaim& claim : response.tasks()) {
      {
        absl::MutexLock lock(&mu);
        ++claims[{claim.task_id(), claim.run_id()}];
      }
      queue::v1::ReportCompletedRequest done;
      done.set_task_id(claim.task_id());
      done.set_run_id(claim.run_id());
      queue::v1::TaskStatus status;
      check("ReportCompleted",
            cluster_->Stub()->ReportCompleted(Context(absl::Seconds(5)).get(), done, &status));
    }
    return response.tasks_size();
  };

  std::vector<std::thread> threads;
  threads.emplace_back([&] {
    SeededRandom random(31);
    while (!stop) {
      const std::string id = NiceSlugid(random);
      grpc::Status s = CreateTask(id);
      check("CreateTask", s);
      if (s.ok()) {
        absl::MutexLock lock(&mu);
        acknowledged.push_back(id);
        if (restarted) ++acknowledged_after_restart;
      }
    }
  });
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back([&, i] {
      while (!stop) claim_and_complete(absl::StrCat("w", i));
    });
  }
  Pause(absl::Seconds(2));
  ASSERT_TRUE(pg_->Restart().ok());
  restarted = true;
  Pause(absl::Seconds(4));
  stop = true;
  for (std::thread& t : threads) t.join();
  // Whatever is still pending gets claimed now (bounded).
  for (absl::Time give_up = absl::Now() + absl::Seconds(30);
       absl::Now() < give_up && claim_and_complete("drain") > 0;) {
  }

  absl::MutexLock lock(&mu);
  EXPECT_TRUE(dishonest.empty()) << absl::StrJoin(dishonest, "\n");
  EXPECT_GT(acknowledged_after_restart, 0) << "the load did not resume after the restart";
  for (const auto& [run, times] : claims) {
    EXPECT_EQ(times, 1) << run.first << " run " << run.second << " was claimed " << times
                        << " times";
  }
  for (const std::string& id : acknowledged) {
    queue::v1::GetTaskStatusRequest request;
    request.set_task_id(id);
    queue::v1::TaskStatus status;
    grpc::Status s =
        cluster_->Stub()->GetTaskStatus(Context(absl::Seconds(5)).get(), request, &status);
    ASSERT_TRUE(s.ok()) << "acknowledged task " << id << " is lost: " << s.error_message();
    EXPECT_GE(status.runs_size(), 1) << id << " was never claimed";
  }
}

// Issue 14 item 3, queue: a CreateTask whose client gave up while the database was frozen does
// not create the task when the database resumes.
TEST_F(QueueFaultTest, ACreateTaskWhoseCallerWentAwayIsNotCommittedWhenTheDatabaseResumes) {
  const std::string id = "Zq3bcMnXSyqs2ZFEvB0Ksw";
  queue::v1::CreateTaskRequest request;
  request.set_task_id(id);
  queue::v1::TaskDefinition* t = request.mutable_task();
  t->set_task_queue_id("proj/faults");
  *t->mutable_created() = ToProtoTimestamp(absl::Now());
  *t->mutable_deadline() = ToProtoTimestamp(absl::Now() + absl::Hours(1));
  t->mutable_metadata()->set_name("cancelled");
  t->mutable_metadata()->set_description("d");
  t->mutable_metadata()->set_owner("dev@example.com");
  t->mutable_metadata()->set_source("https://example.com/repo");
  ASSERT_EQ(GetTask(id, absl::Seconds(5)).error_code(), grpc::StatusCode::NOT_FOUND);

  ASSERT_TRUE(pg_->Freeze().ok());
  auto context = Context(absl::Seconds(20));
  queue::v1::CreateTaskResponse response;
  grpc::Status s = CancelAfter(context.get(), kCancelAfter, [&] {
    return cluster_->Stub()->CreateTask(context.get(), request, &response);
  });
  EXPECT_EQ(s.error_code(), grpc::StatusCode::CANCELLED) << s.error_message();
  Pause(kFrozenAfterCancel);
  pg_->Thaw();
  EXPECT_TRUE(WaitForCallerWentAway(cluster_->queue(0), absl::Seconds(15)))
      << cluster_->queue(0).LogTail();
  grpc::Status g = GetTask(id, absl::Seconds(10));
  EXPECT_EQ(g.error_code(), grpc::StatusCode::NOT_FOUND)
      << "a task whose caller had gone was created when the database resumed";
}

// Issue 14 item 3, hooks: a TriggerHook whose client gave up while the database was frozen
// creates no task and leaves no fire record, finished or not, when the database resumes.
TEST(HooksFaultTest, ATriggerWhoseCallerWentAwayCreatesNothingWhenTheDatabaseResumes) {
  std::unique_ptr<testing::PrivatePostgres> pg = UsePrivatePostgres();
  ASSERT_NE(pg, nullptr);
  auto started = hooks::HooksCluster::Start(1);
  ASSERT_TRUE(started.ok()) << started.status();
  std::unique_ptr<hooks::HooksCluster> cluster = std::move(*started);
  hawk::Credentials root = cluster->Root();
  auto hooks_stub = cluster->Stub();

  auth::v1::CreateRoleRequest role;
  role.set_role_id("hook-id:faults/cancel");
  for (const char* scope : {"queue:create-task:lowest:proj/linux", "queue:scheduler-id:-",
                            "queue:create-task:project:none"}) {
    role.add_scopes(scope);
  }
  auth::v1::Role role_out;
  grpc::Status r = cluster->auth().Stub()->CreateRole(SignedContext(&root).get(), role, &role_out);
  ASSERT_TRUE(r.ok()) << r.error_message();
  hooks::v1::CreateHookRequest create;
  hooks::v1::Hook* hook = create.mutable_hook();
  hook->set_hook_group_id("faults");
  hook->set_hook_id("cancel");
  hook->mutable_metadata()->set_name("cancel");
  hook->mutable_metadata()->set_owner("dev@example.com");
  *hook->mutable_task() = *StructFromJson({{"taskQueueId", "proj/linux"},
                                           {"metadata",
                                            {{"name", "cancelled trigger"},
                                             {"description", "d"},
                                             {"owner", "dev@example.com"},
                                             {"source", "https://example.com/repo"}}},
                                           {"payload", nlohmann::json::object()}});
  *hook->mutable_trigger_schema() = *StructFromJson({{"type", "object"}});
  hooks::v1::Hook created;
  grpc::Status c = hooks_stub->CreateHook(SignedContext(&root).get(), create, &created);
  ASSERT_TRUE(c.ok()) << c.error_message();

  const std::string task_id = "bT6MSQ9CQ1y4cjEB2PkUxA";
  hooks::v1::TriggerHookRequest trigger;
  trigger.set_hook_group_id("faults");
  trigger.set_hook_id("cancel");
  *trigger.mutable_payload() = *StructFromJson({{"taskId", task_id}});
  ASSERT_TRUE(pg->Freeze().ok());
  auto context = SignedContext(&root);
  context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
  hooks::v1::TriggerHookResponse fired;
  grpc::Status s = CancelAfter(context.get(), kCancelAfter, [&] {
    return hooks_stub->TriggerHook(context.get(), trigger, &fired);
  });
  EXPECT_EQ(s.error_code(), grpc::StatusCode::CANCELLED) << s.error_message();
  Pause(kFrozenAfterCancel);
  pg->Thaw();
  EXPECT_TRUE(WaitForCallerWentAway(cluster->hooks(0), absl::Seconds(15)))
      << cluster->hooks(0).LogTail();

  queue::v1::GetTaskRequest get;
  get.set_task_id(task_id);
  queue::v1::TaskDefinition task;
  auto get_context = SignedContext(&root);
  get_context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  grpc::Status g = cluster->queue().Stub()->GetTask(get_context.get(), get, &task);
  EXPECT_EQ(g.error_code(), grpc::StatusCode::NOT_FOUND)
      << "a hook fired for a caller who had gone created its task";
  hooks::v1::ListLastFiresRequest list;
  list.set_hook_group_id("faults");
  list.set_hook_id("cancel");
  hooks::v1::ListLastFiresResponse fires;
  grpc::Status l = hooks_stub->ListLastFires(SignedContext(&root).get(), list, &fires);
  ASSERT_TRUE(l.ok()) << l.error_message();
  EXPECT_EQ(fires.last_fires_size(), 0) << "a fire was recorded for a caller who had gone";
}

// How soon the queue uses auth again once auth is back: its internal channels cap the
// reconnect backoff at 1-2 s (docs/reliability.md).
constexpr absl::Duration kRecoverBound = absl::Seconds(5);

TEST_F(QueueFaultTest, WhileAuthIsDownCallsAreUnavailableAndServiceResumesWithinSeconds) {
  const std::string unknown = "fM7bG2bBQyCZ9gk8B3XbnQ";
  ASSERT_EQ(GetTask(unknown, absl::Seconds(5)).error_code(), grpc::StatusCode::NOT_FOUND);

  cluster_->auth().process(0).Kill();
  // Down for 3 s: every authenticated call is UNAVAILABLE (auth cannot be asked), answered
  // before its deadline; never UNAUTHENTICATED or INTERNAL.
  int calls = 0;
  for (absl::Time until = absl::Now() + absl::Seconds(3); absl::Now() < until; ++calls) {
    absl::Time sent = absl::Now();
    grpc::Status s = GetTask(unknown, absl::Seconds(4));
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
    EXPECT_LT(absl::Now() - sent, absl::Seconds(4));
    Pause(absl::Milliseconds(100));
  }
  EXPECT_GT(calls, 5);

  ASSERT_TRUE(cluster_->auth().Restart(0).ok());
  const absl::Time back = absl::Now();
  grpc::Status s = GetTask(unknown, absl::Seconds(2));
  while (s.error_code() != grpc::StatusCode::NOT_FOUND && absl::Now() - back < kRecoverBound * 2) {
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
    Pause(absl::Milliseconds(100));
    s = GetTask(unknown, absl::Seconds(2));
  }
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND) << s.error_message();
  EXPECT_LE(absl::Now() - back, kRecoverBound) << "the queue took too long to use auth again";
}

}  // namespace
}  // namespace bulwark
