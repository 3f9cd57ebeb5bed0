#include "libraries/authn/auth_replica_router.h"

#include <algorithm>
#include <utility>

#include "libraries/client/channel.h"
#include "libraries/logging/log.h"

namespace bulwark {

AuthReplicaRouter::AuthReplicaRouter(std::shared_ptr<grpc::Channel> fallback, Dial dial,
                                     const Clock& clock, Options options)
    : fallback_(auth::v1::Auth::NewStub(std::move(fallback))),
      dial_(std::move(dial)),
      clock_(clock),
      options_(options) {}

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
  if (avoid_until_.size() >= hawk::kReplayPartitions) {
    auto oldest =
        std::min_element(avoid_until_.begin(), avoid_until_.end(),
                         [](const auto& a, const auto& b) { return a.second < b.second; });
    avoid_until_.erase(oldest);
  }
  const bool known = avoid_until_.contains(route.address);
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

AuthReplicaRouter::Dial AuthReplicaRouter::DialAuthReplicas(const tls::TlsConfig& tls) {
  return [tls](const std::string& address) {
    return CreateServiceChannel(address, tls, /*tls_name=*/"auth");
  };
}

void AuthReplicaRouter::DropIfUnused(const std::string& address) {
  if (std::find(owner_.begin(), owner_.end(), address) == owner_.end()) stubs_.erase(address);
}

}  // namespace bulwark
