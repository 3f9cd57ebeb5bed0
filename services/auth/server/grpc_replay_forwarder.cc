#include "services/auth/server/grpc_replay_forwarder.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpcpp/client_context.h"

namespace bulwark::auth {
namespace {

// One forwarded call: everything gRPC uses until the answer, freed in the callback.
struct PendingCall {
  grpc::ClientContext context;
  v1::RecordNonceRequest request;
  v1::RecordNonceResponse response;
  std::shared_ptr<v1::AuthReplicas::Stub> stub;  // keeps the channel until the answer
  std::string address;
  hawk::NonceCache::RecordDone done;
};

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

std::shared_ptr<GrpcReplayForwarder::Stub> GrpcReplayForwarder::StubFor(
    const std::string& address) {
  absl::MutexLock lock(&mu_);
  auto it = stubs_.find(address);
  if (it != stubs_.end()) return it->second;
  std::shared_ptr<grpc::Channel> channel = dial_(address);
  if (channel == nullptr) return nullptr;
  // Calls in flight hold their own stub; the others' channels close with the cache.
  if (stubs_.size() >= max_cached_addresses_) stubs_.clear();
  std::shared_ptr<Stub> stub = v1::AuthReplicas::NewStub(channel);
  stubs_.emplace(address, stub);
  return stub;
}

void GrpcReplayForwarder::Forward(absl::string_view address, absl::string_view id,
                                  absl::string_view ts, absl::string_view nonce,
                                  absl::Time forget_after, absl::Time deadline,
                                  hawk::NonceCache::RecordDone done) {
  const absl::Time now = absl::Now();
  if (deadline <= now) {
    std::move(done)(absl::DeadlineExceededError(kDeadlineExceeded));
    return;
  }
  auto call = std::make_unique<PendingCall>();
  call->address = std::string(address);
  call->stub = address.empty() ? nullptr : StubFor(call->address);
  if (call->stub == nullptr) {
    std::move(done)(absl::UnavailableError(
        absl::StrCat("replay protection unavailable: no channel to the auth replica at '", address,
                     "' owning the nonce's partition; the request was not accepted, retry it")));
    return;
  }
  call->context.set_deadline(absl::ToChronoTime(std::min(deadline, now + kMaxForwardDuration)));
  call->request.set_id(std::string(id));
  call->request.set_ts(std::string(ts));
  call->request.set_nonce(std::string(nonce));
  call->request.set_forget_after_micros(absl::ToUnixMicros(forget_after));
  call->done = std::move(done);
  // From here the callback owns the call; it may run (and free it) before RecordNonce returns,
  // so the stub the call is made on is held here too.
  std::shared_ptr<Stub> stub = call->stub;
  PendingCall* pending = call.release();
  stub->async()->RecordNonce(&pending->context, &pending->request, &pending->response,
                             [pending](const grpc::Status& status) {
                               std::unique_ptr<PendingCall> owned(pending);
                               absl::Status answer = ForwardedStatus(owned->address, status);
                               hawk::NonceCache::RecordDone finish = std::move(owned->done);
                               owned.reset();
                               std::move(finish)(std::move(answer));
                             });
}

}  // namespace bulwark::auth
