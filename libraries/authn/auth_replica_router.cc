#include "libraries/authn/auth_replica_router.h"

#include <algorithm>
#include <utility>

#include "libraries/logging/log.h"

namespace bulwark {

AuthReplicaRouter::AuthReplicaRouter(std::shared_ptr<grpc::Channel> fallback, Dial dial,
                                     const Clock& clock, Options options)
    : fallback_(auth::v1::Auth::NewStub(std::move(fallback))),
      dial_(std::move(dial)),
      clock_(clock),
      options_(options) {}

namespace {

// Whether a call's failure says the replica at its address cannot serve this service (it cannot
// be reached, refuses this service's certificate, or cannot check nonces now), as opposed to an
// answer about the request itself (INVALID_ARGUMENT for a malformed authority, which a caller
// could send on purpose) or the call's own deadline.
bool OwnerFailed(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::UNAUTHENTICATED:
    case grpc::StatusCode::PERMISSION_DENIED:
    case grpc::StatusCode::UNIMPLEMENTED:
    case grpc::StatusCode::INTERNAL:
    case grpc::StatusCode::UNKNOWN:
      return true;
    default:
      return false;
  }
}

}  // namespace

grpc::Status AuthReplicaRouter::AuthenticateRequest(
    grpc::ClientContext& context, const auth::v1::AuthenticateRequestRequest& request,
    auth::v1::AuthenticateRequestResponse* response) {
  const Route route = Pick(request.authorization());
  grpc::Status status = route.stub->AuthenticateRequest(&context, request, response);
  if (status.ok()) {
    Learn(route, response->replay_owner());
  } else if (OwnerFailed(status.error_code())) {
    Failed(route);
  }
  return status;
}

AuthReplicaRouter::Route AuthReplicaRouter::Pick(absl::string_view authorization) const {
  Route route;
  route.stub = fallback_;
  if (dial_ != nullptr) {
    if (std::optional<int> partition = hawk::ReplayPartitionOfHeader(authorization)) {
      route.partition = *partition;
      absl::ReaderMutexLock lock(&mu_);
      const std::string& owner = owner_[*partition];
      if (!owner.empty()) {
        route.address = owner;
        route.stub = stubs_.at(owner);
      }
    }
  }
  (route.address.empty() ? unrouted_ : routed_).fetch_add(1, std::memory_order_relaxed);
  return route;
}

void AuthReplicaRouter::Learn(const Route& route, absl::string_view replay_owner) {
  if (dial_ == nullptr || route.partition < 0) return;
  if (replay_owner.size() > kMaxAddressLength) replay_owner = "";
  if (!route.address.empty() && replay_owner != route.address) {
    misrouted_.fetch_add(1, std::memory_order_relaxed);
  }
  {
    absl::ReaderMutexLock lock(&mu_);
    if (owner_[route.partition] == replay_owner) return;  // the usual case: nothing new
  }
  absl::MutexLock lock(&mu_);
  std::string owner(replay_owner);
  if (!owner.empty()) {
    auto avoided = avoid_until_.find(owner);
    if (avoided != avoid_until_.end()) {
      if (clock_.Now() < avoided->second) {
        owner.clear();
      } else {
        avoid_until_.erase(avoided);
      }
    }
  }
  std::string previous = std::exchange(owner_[route.partition], owner);
  if (!owner.empty() && !stubs_.contains(owner)) {
    stubs_.emplace(owner, auth::v1::Auth::NewStub(dial_(owner)));
  }
  if (!previous.empty()) DropIfUnused(previous);
}

void AuthReplicaRouter::Failed(const Route& route) {
  if (route.address.empty()) return;
  absl::MutexLock lock(&mu_);
  const absl::Time now = clock_.Now();
  const bool known = avoid_until_.contains(route.address);
  if (!known && avoid_until_.size() >= hawk::kReplayPartitions) {
    auto oldest =
        std::min_element(avoid_until_.begin(), avoid_until_.end(),
                         [](const auto& a, const auto& b) { return a.second < b.second; });
    avoid_until_.erase(oldest);
  }
  avoid_until_[route.address] = now + options_.avoid_for;
  for (std::string& owner : owner_) {
    if (owner == route.address) owner.clear();
  }
  stubs_.erase(route.address);
  if (!known) {
    LogWarning(
        "an auth replica named as a nonce partition's owner could not be used; its "
        "partitions go through the auth service address for a while",
        {{"replica", route.address}, {"avoid_seconds", absl::ToDoubleSeconds(options_.avoid_for)}});
  }
}

void AuthReplicaRouter::DropIfUnused(const std::string& address) {
  if (std::find(owner_.begin(), owner_.end(), address) == owner_.end()) stubs_.erase(address);
}

}  // namespace bulwark
