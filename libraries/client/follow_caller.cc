#include "libraries/client/follow_caller.h"

#include <memory>
#include <utility>

#include "absl/synchronization/mutex.h"
#include "libraries/call/call_scope.h"

namespace bulwark {
namespace {

// What the callback (on a gRPC thread) shares with the waiting thread.
struct Outcome {
  absl::Mutex mu;
  bool done ABSL_GUARDED_BY(mu) = false;
  grpc::Status status ABSL_GUARDED_BY(mu);
};

}  // namespace

grpc::Status FollowCaller(grpc::ClientContext& context,
                          const std::function<void(std::function<void(grpc::Status)>)>& start) {
  auto outcome = std::make_shared<Outcome>();
  start([outcome](grpc::Status status) {
    absl::MutexLock lock(&outcome->mu);
    outcome->status = std::move(status);
    outcome->done = true;
  });
  bool cancelled = false;
  absl::MutexLock lock(&outcome->mu);
  while (!outcome->mu.AwaitWithTimeout(absl::Condition(&outcome->done), kFollowCallerPoll)) {
    if (!cancelled && CallScope::CallerGone()) {
      cancelled = true;
      context.TryCancel();  // the callback still runs, promptly, with CANCELLED
    }
  }
  return outcome->status;
}

}  // namespace bulwark
