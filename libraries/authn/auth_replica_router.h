// File: libraries/authn/auth_replica_router.h
//
// AuthReplicaRouter: which auth replica a service sends a request's AuthenticateRequest to.
// With partitioned replay protection (services/auth/service/partitioned_nonce_cache.h) each
// auth replica checks the nonces of the partitions it owns in memory and hands the others to
// their owners, one more gRPC call per request. Every answer of AuthenticateRequest names the
// owner of that header's partition (replay_owner, auth.proto); the router remembers it per
// partition and sends the partition's next requests there directly, so that a check costs
// one call whichever replica owns it. The partition is computed from the header here exactly
// as auth computes it (libraries/hawk/replay_partition.h).
//
//   AuthReplicaRouter router(context.Channel("auth:50051"), AuthReplicaDialer(tls));
//   grpc::Status s = router.AuthenticateRequest(context, request, &response);
//
// What it never changes: which requests are accepted. Any replica answers any request (a
// non-owner forwards it), so a stale or missing route costs a forwarded check, not a wrong
// answer. What it sends where:
//  - a header without an (id, ts, nonce), a partition with no owner known, and an owner
//    address avoided: the `fallback` channel (the auth Service name);
//  - otherwise the owner's address, over a channel from `dial` (kept per address while some
//    partition is routed there: at most kReplayPartitions).
// A call to an owner that fails (the address cannot be reached, refuses this service, or cannot
// check nonces now; not an answer about the request itself, such as INVALID_ARGUMENT, which a
// caller could provoke to steer the service away from an owner) is not retried elsewhere here,
// since the owner may have recorded the nonce before the answer was lost; the caller gets the
// failure (UNAVAILABLE: retry with a new signature), and the address is avoided for `avoid_for`,
// its partitions sent to `fallback` meanwhile. Hints of more than kMaxAddressLength bytes are
// ignored.
//
// Thread-safety: thread-safe; `dial` is called under the router's lock and must not call back
// into it. Errors: none (routing only chooses a channel).

#ifndef BULWARK_LIBRARIES_AUTHN_AUTH_REPLICA_ROUTER_H_
#define BULWARK_LIBRARIES_AUTHN_AUTH_REPLICA_ROUTER_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "bulwark/auth/v1/auth.grpc.pb.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/status.h"
#include "libraries/clock/clock.h"
#include "libraries/hawk/replay_partition.h"

namespace bulwark {

class AuthReplicaRouter {
 public:
  using Dial = std::function<std::shared_ptr<grpc::Channel>(const std::string& address)>;
  static constexpr size_t kMaxAddressLength = 256;

  struct Options {
    // How long an owner's address that failed is not used.
    absl::Duration avoid_for = absl::Seconds(10);
  };

  // `dial` null: routing off, every request goes to `fallback`.
  AuthReplicaRouter(std::shared_ptr<grpc::Channel> fallback, Dial dial, const Clock& clock,
                    Options options);
  AuthReplicaRouter(std::shared_ptr<grpc::Channel> fallback, Dial dial)
      : AuthReplicaRouter(std::move(fallback), std::move(dial), Clock::Real(), Options()) {}

  // Sends `request` where its header's partition is routed (Pick), learns the owner the answer
  // names (Learn) or avoids an owner that failed (Failed), and returns the call's status.
  grpc::Status AuthenticateRequest(grpc::ClientContext& context,
                                   const auth::v1::AuthenticateRequestRequest& request,
                                   auth::v1::AuthenticateRequestResponse* response);

  // The steps of AuthenticateRequest, for tests.
  struct Route {
    std::shared_ptr<auth::v1::Auth::StubInterface> stub;
    int partition = -1;   // -1: the header carries no triple
    std::string address;  // the owner's; empty for the fallback
  };
  Route Pick(absl::string_view authorization) const;
  // After an answer through `route`: `replay_owner` as the answer named it (empty: none).
  void Learn(const Route& route, absl::string_view replay_owner);
  // After a call through `route` failed at an owner's address: avoid it for a while.
  void Failed(const Route& route);

  // Counts, for benchmarks and tests: requests sent to an owner, and to the fallback; answers
  // from an owner that named another owner for the request's partition (a partition computed
  // differently here and in auth would show here; a moved partition counts once).
  uint64_t routed() const { return routed_.load(std::memory_order_relaxed); }
  uint64_t unrouted() const { return unrouted_.load(std::memory_order_relaxed); }
  uint64_t misrouted() const { return misrouted_.load(std::memory_order_relaxed); }

 private:
  // Drops the stub of `address` when no partition is routed to it any more.
  void DropIfUnused(const std::string& address) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::shared_ptr<auth::v1::Auth::StubInterface> fallback_;
  const Dial dial_;
  const Clock& clock_;
  const Options options_;
  mutable absl::Mutex mu_;
  std::array<std::string, hawk::kReplayPartitions> owner_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, std::shared_ptr<auth::v1::Auth::StubInterface>> stubs_
      ABSL_GUARDED_BY(mu_);
  // Addresses that failed, until when they are avoided (at most kReplayPartitions: the oldest
  // go first).
  absl::flat_hash_map<std::string, absl::Time> avoid_until_ ABSL_GUARDED_BY(mu_);
  mutable std::atomic<uint64_t> routed_{0}, unrouted_{0};
  std::atomic<uint64_t> misrouted_{0};
};

}  // namespace bulwark

#endif  // BULWARK_LIBRARIES_AUTHN_AUTH_REPLICA_ROUTER_H_
