// File: services/hooks/tests/hooks_cluster.h
//
// HooksCluster (testonly): real auth, queue and hooks servers (hooks with one or more
// replicas) on one fresh PostgreSQL database, each service as its own role and with its own
// credentials. For integration tests of hooks and of what calls it.
//
// Thread-safety: test code.

#ifndef BULWARK_SERVICES_HOOKS_TESTS_HOOKS_CLUSTER_H_
#define BULWARK_SERVICES_HOOKS_TESTS_HOOKS_CLUSTER_H_

#include <memory>
#include <string>
#include <vector>

#include "bulwark/hooks/v1/hooks.grpc.pb.h"
#include "services/queue/tests/queue_cluster.h"

namespace bulwark::hooks {

class HooksCluster {
 public:
  static absl::StatusOr<std::unique_ptr<HooksCluster>> Start(
      int replicas, const std::vector<std::string>& hooks_args = {});

  // One hooks server on `queue`'s database, auth and queue (the hooks migrations applied), with
  // the hooks service's static credentials and a fresh token key. For clusters of more services.
  static absl::StatusOr<std::unique_ptr<testing::ServiceProcess>> StartHooks(
      queue::QueueCluster& queue, const std::vector<std::string>& hooks_args = {});

  queue::QueueCluster& queue() { return *queue_; }
  auth::AuthCluster& auth() { return queue_->auth(); }
  testing::ServiceProcess& hooks(int i = 0) { return *hooks_[i]; }
  std::unique_ptr<v1::Hooks::Stub> Stub(int replica = 0) const;
  hawk::Credentials Root() const { return queue_->Root(); }

 private:
  HooksCluster() = default;
  std::unique_ptr<queue::QueueCluster> queue_;
  std::vector<std::unique_ptr<testing::ServiceProcess>> hooks_;
};

}  // namespace bulwark::hooks

#endif  // BULWARK_SERVICES_HOOKS_TESTS_HOOKS_CLUSTER_H_
