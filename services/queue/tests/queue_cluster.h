// File: services/queue/tests/queue_cluster.h
//
// QueueCluster (testonly): a real auth server and one or more real queue servers on one fresh
// PostgreSQL database, each service as its own role, the queue holding the generated
// static/bulwark/queue credentials. For integration tests of the queue and of its callers.
//
// Thread-safety: test code.

#ifndef BULWARK_SERVICES_QUEUE_TESTS_QUEUE_CLUSTER_H_
#define BULWARK_SERVICES_QUEUE_TESTS_QUEUE_CLUSTER_H_

#include <memory>
#include <string>
#include <vector>

#include "bulwark/queue/v1/queue.grpc.pb.h"
#include "services/auth/tests/auth_cluster.h"

namespace bulwark::queue {

class QueueCluster {
 public:
  // `queue_args` are extra flags for every queue replica (e.g. "--claim-timeout=2s").
  static absl::StatusOr<std::unique_ptr<QueueCluster>> Start(
      int replicas, const std::vector<std::string>& queue_args = {},
      const std::vector<const pg::MigrationSet*>& extra_sets = {});

  auth::AuthCluster& auth() { return *auth_; }
  testing::ServiceProcess& queue(int i = 0) { return *queues_[i]; }
  std::unique_ptr<v1::Queue::Stub> Stub(int replica = 0) const;
  hawk::Credentials Root() const { return auth_->Static("root"); }

 private:
  QueueCluster() = default;
  std::unique_ptr<auth::AuthCluster> auth_;
  std::vector<std::unique_ptr<testing::ServiceProcess>> queues_;
};

}  // namespace bulwark::queue

#endif  // BULWARK_SERVICES_QUEUE_TESTS_QUEUE_CLUSTER_H_
