// File: libraries/grpc_server/input_guard.h
//
// InputGuardInterceptorFactory: a server interceptor that checks every request message a
// server receives, before the handler sees it:
//   - its size against the method's receive limit (InputGuardOptions::method_limits, else
//     default_limit): over → RESOURCE_EXHAUSTED. The transport's own cap
//     (GrpcServer::Options::max_receive_message_bytes) bounds memory; this bounds each method.
//   - its content with CheckInput (libraries/proto/input_check.h): NUL, invalid UTF-8, CR/LF in
//     header-like fields, NaN/Infinity, JSON depth and element caps → INVALID_ARGUMENT or
//     RESOURCE_EXHAUSTED.
// A refused message is remembered for its call: RejectedInput(context) returns the refusal, so
// a handler (AuthenticatedCall does it first) stops before doing anything, and the status the
// client receives is replaced by the refusal whatever the handler returned. For a streaming
// call the refusal is visible to the handler after the Read that returned the refused message.
// It also turns gRPC's own "cannot parse the request" (proto3 strings that are not UTF-8 fail
// to parse; gRPC answers INTERNAL, or UNIMPLEMENTED for a callback method) into INVALID_ARGUMENT.
//
// Every registered service must use protobuf-generated messages (all of Bulwark's do, and
// reflection and health too): the interceptor reads received messages as
// google::protobuf::Message. The one exception is a method declared with
// DeclareRawRequestMethod, whose handler receives the request as a grpc::ByteBuffer (the
// payload-hashing path, libraries/authn/payload_hashing_service.h): for those the guard checks
// the size of the bytes and parses a copy into the method's generated input type to check its
// content (bytes that do not parse are left to the handler, which refuses them).
//
// Thread-safety: the factory and RejectedInput are thread-safe; gRPC creates one interceptor
// per call.

#ifndef BULWARK_LIBRARIES_GRPC_SERVER_INPUT_GUARD_H_
#define BULWARK_LIBRARIES_GRPC_SERVER_INPUT_GUARD_H_

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/server_interceptor.h"
#include "libraries/proto/input_check.h"

namespace bulwark {

struct InputGuardOptions {
  // Largest request message of a method not in method_limits.
  int64_t default_limit = int64_t{1} << 20;
  // Full method path ("/bulwark.queue.v1.Queue/UploadArtifact") → largest message (for a
  // streaming method: each message).
  std::map<std::string, int64_t> method_limits;
  InputLimits content;
};

class InputGuardInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit InputGuardInterceptorFactory(InputGuardOptions options) : options_(std::move(options)) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

 private:
  const InputGuardOptions options_;
};

// OK unless a message received on this call was refused; then the refusal.
absl::Status RejectedInput(const grpc::ServerContextBase* context);

// Declares that the handler of `method_path` ("/bulwark.auth.v1.Auth/CreateClient") receives
// its request message as a grpc::ByteBuffer, for every server of this process. Idempotent.
void DeclareRawRequestMethod(const std::string& method_path);

}  // namespace bulwark

#endif  // BULWARK_LIBRARIES_GRPC_SERVER_INPUT_GUARD_H_
