#include "libraries/client/follow_caller.h"

#include <atomic>
#include <memory>
#include <thread>

#include "absl/synchronization/notification.h"
#include "bulwark/queue/v1/queue.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "libraries/call/call_scope.h"

namespace bulwark {
namespace {

// A queue whose CreateTask waits (bounded) for its caller to cancel, and says whether it saw it.
class WaitingQueue final : public queue::v1::Queue::Service {
 public:
  grpc::Status CreateTask(grpc::ServerContext* context, const queue::v1::CreateTaskRequest*,
                          queue::v1::CreateTaskResponse*) override {
    entered.Notify();
    absl::Time until = absl::Now() + absl::Seconds(20);
    while (!context->IsCancelled() && absl::Now() < until) {
      absl::Notification never;
      never.WaitForNotificationWithTimeout(absl::Milliseconds(10));
    }
    saw_cancel = context->IsCancelled();
    left.Notify();
    return grpc::Status::OK;
  }
  absl::Notification entered;
  absl::Notification left;
  std::atomic<bool> saw_cancel{false};
};

class FollowCallerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(&queue_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    stub_ = queue::v1::Queue::NewStub(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  }
  void TearDown() override { server_->Shutdown(absl::ToChronoTime(absl::Now())); }

  grpc::Status Call(absl::Duration deadline) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
    queue::v1::CreateTaskRequest request;
    queue::v1::CreateTaskResponse response;
    return FollowCaller(context, [&](std::function<void(grpc::Status)> done) {
      stub_->async()->CreateTask(&context, &request, &response, std::move(done));
    });
  }

  WaitingQueue queue_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<queue::v1::Queue::Stub> stub_;
};

TEST_F(FollowCallerTest, TheOutgoingCallIsCancelledWhenTheCallerGoes) {
  std::atomic<bool> gone{false};
  std::thread caller_leaves([&] {
    queue_.entered.WaitForNotification();
    gone = true;
  });
  grpc::Status s;
  {
    CallScope scope([&] { return gone.load(); });
    s = Call(absl::Seconds(30));
  }
  caller_leaves.join();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::CANCELLED) << s.error_message();
  ASSERT_TRUE(queue_.left.WaitForNotificationWithTimeout(absl::Seconds(20)));
  EXPECT_TRUE(queue_.saw_cancel) << "the dependency never saw the cancellation";
}

TEST_F(FollowCallerTest, WithoutACallScopeOnlyTheDeadlineEndsIt) {
  grpc::Status s = Call(absl::Seconds(1));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << s.error_message();
}

TEST_F(FollowCallerTest, ACallerWhoStaysGetsTheAnswer) {
  // The queue answers once cancelled; with a present caller the call would wait out its deadline,
  // so here the server is asked through a scope whose caller stays and the deadline is short.
  CallScope scope([] { return false; });
  grpc::Status s = Call(absl::Seconds(1));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << s.error_message();
}

}  // namespace
}  // namespace bulwark
