#include "services/auth/server/grpc_replay_forwarder.h"

#include <algorithm>
#include <iterator>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpcpp/client_context.h"
#include "services/auth/server/replica_grpc_service.h"

namespace bulwark::auth {

struct GrpcReplayForwarder::Item {
  v1::RecordNonceRequest request;
  absl::Time deadline;
  hawk::NonceCache::RecordDone done;
};

// One owner: its stub, and its call slot (one call at a time; what comes meanwhile queues).
struct GrpcReplayForwarder::Owner {
  std::string address;
  std::shared_ptr<v1::AuthReplicas::Stub> stub;  // keeps the channel
  std::shared_ptr<Stats> stats;
  size_t max_queued = 0;
  absl::Mutex mu;
  bool calling ABSL_GUARDED_BY(mu) = false;
  std::vector<Item> queued ABSL_GUARDED_BY(mu);
};

// One call: everything gRPC uses until the answer, freed in the callback.
struct GrpcReplayForwarder::Batch {
  grpc::ClientContext context;
  v1::RecordNoncesRequest request;
  v1::RecordNoncesResponse response;
  std::shared_ptr<Owner> owner;
  std::vector<Item> items;
};

namespace {

constexpr char kDeadlineExceeded[] =
    "replay protection unavailable: the auth replica owning the nonce's partition did not "
    "answer before the call's deadline; the request was not accepted";

}  // namespace

absl::Status GrpcReplayForwarder::ForwardedStatus(absl::string_view address,
                                                  const grpc::Status& status) {
  const auto code = static_cast<absl::StatusCode>(status.error_code());
  switch (code) {
    case absl::StatusCode::kOk:
      return absl::OkStatus();
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kResourceExhausted:
      return absl::Status(code, status.error_message());
    case absl::StatusCode::kFailedPrecondition:
      return absl::UnavailableError(
          "replay protection: the nonce's partition is moving between auth replicas; retry the "
          "request");
    case absl::StatusCode::kDeadlineExceeded:
      return absl::DeadlineExceededError(kDeadlineExceeded);
    default:
      return absl::UnavailableError(
          absl::StrCat("replay protection unavailable: the auth replica at ", address,
                       " did not record the nonce (", absl::StatusCodeToString(code), ": ",
                       status.error_message(), "); the request was not accepted, retry it"));
  }
}

std::shared_ptr<GrpcReplayForwarder::Owner> GrpcReplayForwarder::OwnerFor(
    const std::string& address) {
  absl::MutexLock lock(&mu_);
  auto it = owners_.find(address);
  if (it != owners_.end()) return it->second;
  std::shared_ptr<grpc::Channel> channel = dial_(address);
  if (channel == nullptr) return nullptr;
  // Calls in flight hold their own entry; the others' channels close with the cache.
  if (owners_.size() >= max_cached_addresses_) owners_.clear();
  auto owner = std::make_shared<Owner>();
  owner->address = address;
  owner->stub = v1::AuthReplicas::NewStub(channel);
  owner->stats = stats_;
  owner->max_queued = max_queued_;
  owners_.emplace(address, owner);
  return owner;
}

void GrpcReplayForwarder::Forward(absl::string_view address, absl::string_view id,
                                  absl::string_view ts, absl::string_view nonce,
                                  absl::Time forget_after, absl::Time deadline,
                                  hawk::NonceCache::RecordDone done) {
  if (deadline <= absl::Now()) {
    std::move(done)(absl::DeadlineExceededError(kDeadlineExceeded));
    return;
  }
  std::shared_ptr<Owner> owner = address.empty() ? nullptr : OwnerFor(std::string(address));
  if (owner == nullptr) {
    std::move(done)(absl::UnavailableError(
        absl::StrCat("replay protection unavailable: no channel to the auth replica at '", address,
                     "' owning the nonce's partition; the request was not accepted, retry it")));
    return;
  }
  Item item;
  item.request.set_id(std::string(id));
  item.request.set_ts(std::string(ts));
  item.request.set_nonce(std::string(nonce));
  item.request.set_forget_after_micros(absl::ToUnixMicros(forget_after));
  item.deadline = deadline;
  item.done = std::move(done);
  {
    absl::MutexLock lock(&owner->mu);
    if (owner->calling) {
      if (owner->queued.size() >= owner->max_queued) {
        std::move(item.done)(absl::UnavailableError(
            "replay protection unavailable: too many checks waiting for the auth replica owning "
            "the nonce's partition; the request was not accepted, retry it"));
        return;
      }
      owner->queued.push_back(std::move(item));
      return;
    }
    owner->calling = true;
  }
  std::vector<Item> items;
  items.push_back(std::move(item));
  Send(owner, std::move(items));
}

void GrpcReplayForwarder::Send(const std::shared_ptr<Owner>& owner, std::vector<Item> items) {
  while (true) {
    // Triples whose deadline has passed are answered unsent; the call carries the latest of
    // the others'.
    const absl::Time now = absl::Now();
    auto batch = std::make_unique<Batch>();
    absl::Time deadline = now;
    for (Item& item : items) {
      if (item.deadline <= now) {
        std::move(item.done)(absl::DeadlineExceededError(kDeadlineExceeded));
        continue;
      }
      deadline = std::max(deadline, item.deadline);
      *batch->request.add_nonces() = item.request;
      batch->items.push_back(std::move(item));
    }
    if (!batch->items.empty()) {
      batch->context.set_deadline(
          absl::ToChronoTime(std::min(deadline, now + kMaxForwardDuration)));
      batch->owner = owner;
      owner->stats->calls.fetch_add(1);
      owner->stats->sent.fetch_add(static_cast<int64_t>(batch->items.size()));
      // From here the callback owns the batch; it may run (and free it) before this returns.
      Batch* pending = batch.release();
      pending->owner->stub->async()->RecordNonces(
          &pending->context, &pending->request, &pending->response,
          [pending](const grpc::Status& status) {
            std::unique_ptr<Batch> batch(pending);
            const bool answered = status.ok() && batch->response.answers_size() ==
                                                     static_cast<int>(batch->items.size());
            std::vector<absl::Status> answers;
            std::vector<hawk::NonceCache::RecordDone> dones;
            for (size_t i = 0; i < batch->items.size(); ++i) {
              grpc::Status each = status;
              if (answered) {
                const v1::NonceAnswer& a = batch->response.answers(static_cast<int>(i));
                each = grpc::Status(static_cast<grpc::StatusCode>(a.code()), a.message());
              } else if (status.ok()) {
                each = grpc::Status(grpc::StatusCode::INTERNAL, "answers do not match the triples");
              }
              answers.push_back(ForwardedStatus(batch->owner->address, each));
              dones.push_back(std::move(batch->items[i].done));
            }
            // The slot passes to what queued meanwhile, or is freed.
            std::shared_ptr<Owner> owner = std::move(batch->owner);
            std::vector<Item> next;
            {
              absl::MutexLock lock(&owner->mu);
              if (owner->queued.empty()) {
                owner->calling = false;
              } else {
                const size_t take =
                    std::min(owner->queued.size(), static_cast<size_t>(kMaxRecordNoncesBatch));
                next.assign(std::make_move_iterator(owner->queued.begin()),
                            std::make_move_iterator(owner->queued.begin() + take));
                owner->queued.erase(owner->queued.begin(), owner->queued.begin() + take);
              }
            }
            // This call's gRPC objects, and this callback's hold on the owner's channel, go
            // before anyone hears the answers (who may then tear the forwarder down).
            batch.reset();
            if (!next.empty()) Send(owner, std::move(next));
            owner.reset();
            for (size_t i = 0; i < dones.size(); ++i) std::move(dones[i])(std::move(answers[i]));
          });
      return;
    }
    // Nothing left to send: the slot passes to what queued meanwhile, or is freed.
    absl::MutexLock lock(&owner->mu);
    if (owner->queued.empty()) {
      owner->calling = false;
      return;
    }
    const size_t take = std::min(owner->queued.size(), static_cast<size_t>(kMaxRecordNoncesBatch));
    items.assign(std::make_move_iterator(owner->queued.begin()),
                 std::make_move_iterator(owner->queued.begin() + take));
    owner->queued.erase(owner->queued.begin(), owner->queued.begin() + take);
  }
}

}  // namespace bulwark::auth
