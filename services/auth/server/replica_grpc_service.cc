#include "services/auth/server/replica_grpc_service.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libraries/grpc_server/input_guard.h"
#include "libraries/grpc_server/status.h"

namespace bulwark::auth {
namespace {

// OK when `value`, the request's field `name`, is non-empty and not too long.
absl::Status CheckField(absl::string_view name, absl::string_view value) {
  if (value.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "RecordNonce: ", name, " is empty; send the Hawk header's ", name, " as received"));
  }
  if (value.size() > kMaxRecordNonceFieldBytes) {
    return absl::InvalidArgumentError(absl::StrCat("RecordNonce: ", name, " is ", value.size(),
                                                   " bytes; at most ", kMaxRecordNonceFieldBytes,
                                                   " are accepted"));
  }
  return absl::OkStatus();
}

absl::Status CheckRequest(const v1::RecordNonceRequest& request) {
  if (absl::Status id = CheckField("id", request.id()); !id.ok()) return id;
  if (absl::Status ts = CheckField("ts", request.ts()); !ts.ok()) return ts;
  if (absl::Status nonce = CheckField("nonce", request.nonce()); !nonce.ok()) return nonce;
  if (request.forget_after_micros() <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "RecordNonce: forget_after_micros is ", request.forget_after_micros(),
        "; send when the nonce may be forgotten, in microseconds since the Unix epoch (> 0)"));
  }
  return absl::OkStatus();
}

}  // namespace

grpc::Status ReplicaGrpcService::RecordNonces(grpc::ServerContext* context,
                                              const v1::RecordNoncesRequest* request,
                                              v1::RecordNoncesResponse* response) {
  absl::Status refused = replica_peers_.Check(*context, "RecordNonces");
  if (refused.ok()) refused = RejectedInput(context);  // input_guard.h: nothing runs
  if (refused.ok() && request->nonces_size() > kMaxRecordNoncesBatch) {
    refused = absl::InvalidArgumentError(absl::StrCat("RecordNonces: ", request->nonces_size(),
                                                      " triples; at most ", kMaxRecordNoncesBatch,
                                                      " in one call"));
  }
  if (!refused.ok()) return ToGrpcStatus(refused);
  const absl::Time now = clock_.Now();
  for (const v1::RecordNonceRequest& nonce : request->nonces()) {
    absl::Status answer = CheckRequest(nonce);
    if (answer.ok()) {
      answer = owner_.RecordHere(nonce.id(), nonce.ts(), nonce.nonce(), now,
                                 absl::FromUnixMicros(nonce.forget_after_micros()));
    }
    const grpc::Status sent = ToGrpcStatus(answer);  // as RecordNonce would answer it
    v1::NonceAnswer* out = response->add_answers();
    out->set_code(static_cast<int>(sent.error_code()));
    out->set_message(sent.error_message());
  }
  return grpc::Status::OK;
}

grpc::Status ReplicaGrpcService::RecordNonce(grpc::ServerContext* context,
                                             const v1::RecordNonceRequest* request,
                                             v1::RecordNonceResponse* /*response*/) {
  absl::Status refused = replica_peers_.Check(*context, "RecordNonce");
  if (refused.ok()) refused = RejectedInput(context);  // input_guard.h: nothing runs
  if (refused.ok()) refused = CheckRequest(*request);
  if (!refused.ok()) return ToGrpcStatus(refused);
  return ToGrpcStatus(owner_.RecordHere(request->id(), request->ts(), request->nonce(),
                                        clock_.Now(),
                                        absl::FromUnixMicros(request->forget_after_micros())));
}

}  // namespace bulwark::auth
