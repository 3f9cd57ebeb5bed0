// File: services/auth/service/replay_forwarder.h
//
// The two sides of a replay check that one auth replica hands to another
// (partitioned_nonce_cache.h): a replica that does not own a nonce's partition forwards the
// triple to the replica that does (ReplayForwarder; the gRPC client is
// services/auth/server/grpc_replay_forwarder.h), and the owner records it (ReplayOwner; served
// as the internal method bulwark.auth.v1.AuthReplicas/RecordNonce, which only auth's own
// certificate may call). ReplayRoutes tells the callers of AuthenticateRequest who owns what, so
// that they can skip the hand-off.
//
// Thread-safety: implementations are thread-safe.
// Errors (both): OK when the triple is now recorded by its partition's owner; ALREADY_EXISTS
// (hawk::kNonceAlreadyUsed or the "signed before replay protection restarted" refusal) for a
// replay; RESOURCE_EXHAUSTED when the owner has no room without forgetting a live nonce;
// FAILED_PRECONDITION from RecordHere when this replica does not own the partition (now);
// UNAVAILABLE or DEADLINE_EXCEEDED from Forward when the owner cannot be reached or no longer
// owns the partition, with a message saying to retry. Never OK unless recorded.

#ifndef BULWARK_SERVICES_AUTH_SERVICE_REPLAY_FORWARDER_H_
#define BULWARK_SERVICES_AUTH_SERVICE_REPLAY_FORWARDER_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libraries/hawk/nonce_cache.h"

namespace bulwark::auth {

class ReplayOwner {
 public:
  virtual ~ReplayOwner() = default;
  // Records the triple if this replica owns its partition now; never waits.
  virtual absl::Status RecordHere(absl::string_view id, absl::string_view ts,
                                  absl::string_view nonce, absl::Time now,
                                  absl::Time forget_after) = 0;
};

// Who owns a partition, for the callers of AuthenticateRequest (its response's replay_owner):
// the address of the replica that owns `partition` as this replica knows it (its own when it
// owns it), empty when none is known. Never waits.
class ReplayRoutes {
 public:
  virtual ~ReplayRoutes() = default;
  virtual std::string OwnerOf(int partition) const = 0;
};

class ReplayForwarder {
 public:
  virtual ~ReplayForwarder() = default;
  // Asks the replica at `address` to RecordHere the triple; `done` runs exactly once, on any
  // thread (possibly before Forward returns), and must not block. `deadline` bounds the call.
  virtual void Forward(absl::string_view address, absl::string_view id, absl::string_view ts,
                       absl::string_view nonce, absl::Time forget_after, absl::Time deadline,
                       hawk::NonceCache::RecordDone done) = 0;
};

}  // namespace bulwark::auth

#endif  // BULWARK_SERVICES_AUTH_SERVICE_REPLAY_FORWARDER_H_
