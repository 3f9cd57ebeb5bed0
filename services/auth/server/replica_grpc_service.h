// File: services/auth/server/replica_grpc_service.h
//
// ReplicaGrpcService: the gRPC adapter of bulwark.auth.v1.AuthReplicas (replicas.proto), the
// internal service through which one auth replica asks another to record a Hawk nonce in a
// partition the called replica owns (services/auth/service/replay_forwarder.h). RecordNonce
// checks the caller's client certificate against `replica_peers` (auth's own certificate names,
// over mutual TLS: UNAUTHENTICATED without a certificate, PERMISSION_DENIED for another name),
// checks the fields (INVALID_ARGUMENT: id, ts and nonce must be 1 to kMaxRecordNonceFieldBytes
// bytes, forget_after_micros positive), then calls ReplayOwner::RecordHere with the clock's
// time and converts its answer with ToGrpcStatus (ALREADY_EXISTS, RESOURCE_EXHAUSTED,
// FAILED_PRECONDITION pass through). RecordNonces does the same for up to kMaxRecordNoncesBatch
// triples, answering each in the response (the call itself fails only for the caller or the
// batch's size).
//
// Callers send no Hawk header, so the service is a plain v1::AuthReplicas::Service rather than a
// PayloadHashingService: that base exists to put a Hawk-signed request body under the MAC, and
// nothing here is Hawk-signed. The server's input guard (libraries/grpc_server/input_guard.h)
// still checks every request before the handler runs (unparseable: INVALID_ARGUMENT).
// Both are sync methods: RecordHere never waits.
//
// Thread-safety: gRPC calls RecordNonce concurrently; the adapter holds no mutable state, and
// `owner` and `clock` are thread-safe. Both must outlive the adapter.

#ifndef BULWARK_SERVICES_AUTH_SERVER_REPLICA_GRPC_SERVICE_H_
#define BULWARK_SERVICES_AUTH_SERVER_REPLICA_GRPC_SERVICE_H_

#include <cstddef>
#include <utility>

#include "bulwark/auth/v1/replicas.grpc.pb.h"
#include "libraries/clock/clock.h"
#include "libraries/hawk/header.h"
#include "libraries/tls/peer_allowlist.h"
#include "services/auth/service/replay_forwarder.h"

namespace bulwark::auth {

// The longest id, ts or nonce RecordNonce accepts: a field of a Hawk header, which the
// forwarding replica has already parsed (so every triple it accepted itself fits).
inline constexpr size_t kMaxRecordNonceFieldBytes = hawk::kMaxHeaderLength;
// The most triples one RecordNonces call may carry.
inline constexpr int kMaxRecordNoncesBatch = 1024;

class ReplicaGrpcService final : public v1::AuthReplicas::Service {
 public:
  ReplicaGrpcService(ReplayOwner& owner, Clock& clock, tls::PeerAllowlist replica_peers)
      : owner_(owner), clock_(clock), replica_peers_(std::move(replica_peers)) {}

  grpc::Status RecordNonce(grpc::ServerContext* context, const v1::RecordNonceRequest* request,
                           v1::RecordNonceResponse* response) override;
  grpc::Status RecordNonces(grpc::ServerContext* context, const v1::RecordNoncesRequest* request,
                            v1::RecordNoncesResponse* response) override;

 private:
  ReplayOwner& owner_;
  Clock& clock_;
  const tls::PeerAllowlist replica_peers_;
};

}  // namespace bulwark::auth

#endif  // BULWARK_SERVICES_AUTH_SERVER_REPLICA_GRPC_SERVICE_H_
