// File: services/auth/server/grpc_replay_forwarder.h
//
// GrpcReplayForwarder: the ReplayForwarder (services/auth/service/replay_forwarder.h) over gRPC.
// Forward sends the triple to the auth replica at `address` with
// bulwark.auth.v1.AuthReplicas/RecordNonces (replicas.proto), through a channel from `dial` (the
// runtime passes a channel that presents auth's own client certificate over mutual TLS; no Hawk
// header is sent). Group sending, per owner: while a call to an owner is under way, the triples
// for it queue, and the next call carries all of them (up to kMaxRecordNoncesBatch), so under
// load one call serves many requests; a triple alone goes at once. It uses gRPC's callback
// client API: no thread waits for the answer, and `done` runs once, on a gRPC thread (or on the
// calling thread when the triple is refused before it is sent).
//
//   GrpcReplayForwarder forwarder([&context](const std::string& address) {
//     return context.Channel(address);
//   });
//   forwarder.Forward("10.0.0.7:50051", id, ts, nonce, forget_after, deadline,
//                     [](absl::Status recorded) { ... });
//
// A call carries the latest deadline of its triples (at most kMaxForwardDuration from now, so
// that an infinite one cannot leave a call pending forever); a triple whose deadline has passed
// when its call would go is answered DEADLINE_EXCEEDED unsent. At most max_queued triples wait
// per owner (more: UNAVAILABLE at once). One owner entry (stub and channel) is kept per address;
// the cache is dropped whole when it would exceed max_cached_addresses (partition owners change
// rarely). Calls in flight keep their own entry.
//
// Answers (replay_forwarder.h's contract):
//   OK                                   the owner recorded the triple
//   ALREADY_EXISTS, RESOURCE_EXHAUSTED   the owner's answer, code and message unchanged
//   FAILED_PRECONDITION from the owner   UNAVAILABLE: the partition is moving; retry
//   DEADLINE_EXCEEDED                    DEADLINE_EXCEEDED (also at once, without a call, when
//                                        `deadline` has already passed)
//   anything else (UNAVAILABLE, PERMISSION_DENIED, UNAUTHENTICATED, INVALID_ARGUMENT,
//   INTERNAL, CANCELLED, ...)            UNAVAILABLE naming the address and the owner's code and
//                                        message; retry
// Never OK unless the owner answered OK.
//
// Thread-safety: thread-safe; `dial` may be called from any thread that calls Forward (under
// the cache's lock, so it must not call back into the forwarder). The forwarder may be
// destroyed while calls are in flight: their callbacks use nothing of it.

#ifndef BULWARK_SERVICES_AUTH_SERVER_GRPC_REPLAY_FORWARDER_H_
#define BULWARK_SERVICES_AUTH_SERVER_GRPC_REPLAY_FORWARDER_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "bulwark/auth/v1/replicas.grpc.pb.h"
#include "grpcpp/channel.h"
#include "grpcpp/support/status.h"
#include "libraries/hawk/nonce_cache.h"
#include "services/auth/service/replay_forwarder.h"

namespace bulwark::auth {

// The longest a forwarded call may take, whatever the deadline it was given.
inline constexpr absl::Duration kMaxForwardDuration = absl::Seconds(30);

class GrpcReplayForwarder final : public ReplayForwarder {
 public:
  using Dial = std::function<std::shared_ptr<grpc::Channel>(const std::string& address)>;

  explicit GrpcReplayForwarder(Dial dial, size_t max_cached_addresses = 64,
                               size_t max_queued = 16384)
      : dial_(std::move(dial)),
        max_cached_addresses_(max_cached_addresses),
        max_queued_(max_queued) {}

  void Forward(absl::string_view address, absl::string_view id, absl::string_view ts,
               absl::string_view nonce, absl::Time forget_after, absl::Time deadline,
               hawk::NonceCache::RecordDone done) override;

  // Forward's answer for the owner's `status` (exposed for tests).
  static absl::Status ForwardedStatus(absl::string_view address, const grpc::Status& status);

  // Triples sent and calls made so far (for tests and metrics).
  int64_t sent() const { return stats_->sent.load(); }
  int64_t calls() const { return stats_->calls.load(); }

 private:
  struct Owner;
  struct Item;
  struct Batch;
  // The cached entry for `address`, dialling it if needed; null when `dial` gave no channel.
  std::shared_ptr<Owner> OwnerFor(const std::string& address) ABSL_LOCKS_EXCLUDED(mu_);
  // Sends `items` to `owner` (whose call slot the caller holds); when the answer comes, sends
  // what queued meanwhile, or frees the slot.
  static void Send(const std::shared_ptr<Owner>& owner, std::vector<Item> items);

  const Dial dial_;
  const size_t max_cached_addresses_;
  const size_t max_queued_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<Owner>> owners_ ABSL_GUARDED_BY(mu_);
  struct Stats {
    std::atomic<int64_t> sent{0};
    std::atomic<int64_t> calls{0};
  };
  // Shared with the owner entries (whose calls may outlive the forwarder).
  const std::shared_ptr<Stats> stats_ = std::make_shared<Stats>();
};

}  // namespace bulwark::auth

#endif  // BULWARK_SERVICES_AUTH_SERVER_GRPC_REPLAY_FORWARDER_H_
