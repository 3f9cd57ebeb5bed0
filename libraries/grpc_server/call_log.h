// File: libraries/grpc_server/call_log.h
//
// CallLogInterceptorFactory: a server interceptor writing one JSON log line per call with the
// method, the status code, the latency and the peer:
//   {"msg":"rpc","method":"/bulwark.auth.v1.Auth/Ping","code":"OK","latency_ms":0.41,…}
// Successful health checks are not logged (probes would drown everything else), nor are
// successful bulwark.auth.v1.AuthReplicas calls (one per forwarded replay check, each part of a
// call the forwarding auth replica logs itself).
//
// Thread-safety: gRPC creates one interceptor per call; the factory is stateless.

#ifndef BULWARK_LIBRARIES_GRPC_SERVER_CALL_LOG_H_
#define BULWARK_LIBRARIES_GRPC_SERVER_CALL_LOG_H_

#include "grpcpp/support/server_interceptor.h"

namespace bulwark {

class CallLogInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;
};

}  // namespace bulwark

#endif  // BULWARK_LIBRARIES_GRPC_SERVER_CALL_LOG_H_
