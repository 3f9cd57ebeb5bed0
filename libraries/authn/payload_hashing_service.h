// File: libraries/authn/payload_hashing_service.h
//
// PayloadHashingService<Grpc>: puts the request body under the Hawk MAC on the server side. A
// service adapter derives from it instead of Grpc::Service and, in its constructor, names each
// unary method with whether it changes anything:
//
//   class QueueGrpcService final : public PayloadHashingService<v1::Queue> {
//     QueueGrpcService(...) {
//       HashPayload(&v1::Queue::Service::CreateTask, "CreateTask", Body::kChanges);
//       HashPayload(&v1::Queue::Service::GetTask, "GetTask", Body::kReadOnly);
//     }
//   };
//
// Each named method is served from the raw bytes the client sent: the handler reads the one
// request message as bytes, computes their payload hash (hawk::GrpcPayloadHash: SHA-256 over
// the message exactly as received, never a re-serialization), parses it, and runs the adapter's
// method with a ScopedReceivedPayload (request_authenticator.h), so CallInfoFrom gives the
// authenticator the hash to compare with the header's and whether a header without a hash is
// refused (Body::kChanges). gRPC 1.51's sync API has no raw-bytes hook for a typed method and
// its interceptors see only parsed messages, so the method is re-registered as a streamed
// handler of ByteBuffers (Service::MarkMethodStreamed, the "streamed unary" form: one read, one
// write); on the wire it is the same unary method. A method not named here gets no
// payload hash, and CallInfoFrom then refuses every signed call to it (fail-closed);
// UnhashedUnaryMethods lists them for tests. HashPayload declares each method to the input
// guard (DeclareRawRequestMethod), which then checks the received bytes (size, and the content
// of a parsed copy) before the handler runs, as it checks every typed message.
//
// Errors: a call without a request message or whose message does not parse: INVALID_ARGUMENT.
// Thread-safety: HashPayload only in the constructor; handlers run concurrently.

#ifndef BULWARK_LIBRARIES_AUTHN_PAYLOAD_HASHING_SERVICE_H_
#define BULWARK_LIBRARIES_AUTHN_PAYLOAD_HASHING_SERVICE_H_

#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/method_handler.h"
#include "libraries/authn/request_authenticator.h"
#include "libraries/grpc_server/input_guard.h"
#include "libraries/hawk/mac.h"

namespace bulwark {

// The bytes of `buffer`, copied out.
std::string BytesOf(const grpc::ByteBuffer& buffer);

template <class Grpc>
class PayloadHashingService : public Grpc::Service {
 public:
  enum class Body {
    kChanges,   // a header must carry the payload hash
    kReadOnly,  // a header may omit it (if present it must match)
  };

  // Unary methods of the service that HashPayload was not called for.
  std::vector<std::string> UnhashedUnaryMethods() const {
    std::vector<std::string> missing;
    const google::protobuf::ServiceDescriptor* service =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
            Grpc::service_full_name());
    for (int i = 0; service != nullptr && i < service->method_count(); ++i) {
      const google::protobuf::MethodDescriptor* method = service->method(i);
      if (method->client_streaming() || method->server_streaming()) continue;
      if (hashed_.count(method->name()) == 0) missing.push_back(method->name());
    }
    return missing;
  }

 protected:
  using Service = typename Grpc::Service;

  // Names a method whose callers do not sign it with Hawk (it is answered only to peers known by
  // their TLS certificates, say), so that it has no payload hash to check, and that the adapter
  // registers itself (e.g. as a callback method, MarkMethodCallback); returns the method's
  // index for that. It is not listed by UnhashedUnaryMethods.
  int ServeWithoutPayloadHash(absl::string_view name) {
    const google::protobuf::MethodDescriptor* method = UnaryMethod(name);
    hashed_.insert(std::string(name));
    return method->index();
  }

  template <class Request, class Response>
  void HashPayload(grpc::Status (Service::*handler)(grpc::ServerContext*, const Request*,
                                                    Response*),
                   absl::string_view name, Body body) {
    const google::protobuf::MethodDescriptor* method = UnaryMethod(name);
    hashed_.insert(std::string(name));
    // The input guard (libraries/grpc_server/input_guard.h) checks these requests as bytes.
    DeclareRawRequestMethod(MethodPath(Grpc::service_full_name(), name));
    const bool required = body == Body::kChanges;
    this->MarkMethodStreamed(
        method->index(),
        new grpc::internal::BidiStreamingHandler<Service, grpc::ByteBuffer, grpc::ByteBuffer>(
            [handler, required](Service* self, grpc::ServerContext* context,
                                grpc::ServerReaderWriter<grpc::ByteBuffer, grpc::ByteBuffer>*
                                    stream) -> grpc::Status {
              grpc::ByteBuffer raw;
              if (!stream->Read(&raw)) {
                return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                    "the call carried no request message");
              }
              const std::string bytes = BytesOf(raw);
              Request request;
              if (!request.ParseFromString(bytes)) {
                return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                    absl::StrCat("the request is not a valid ",
                                                 Request::descriptor()->full_name()));
              }
              Response response;
              grpc::Status status;
              {
                ScopedReceivedPayload payload(
                    context, ReceivedPayload{hawk::GrpcPayloadHash(bytes), required});
                status = (self->*handler)(context, &request, &response);
              }
              if (!status.ok()) return status;
              grpc::ByteBuffer out;
              bool own = false;
              grpc::Status serialized =
                  grpc::SerializationTraits<Response>::Serialize(response, &out, &own);
              if (!serialized.ok()) return serialized;
              stream->Write(out);
              return status;
            },
            this));
  }

 private:
  // The service's unary method `name`.
  static const google::protobuf::MethodDescriptor* UnaryMethod(absl::string_view name) {
    const google::protobuf::ServiceDescriptor* service =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
            Grpc::service_full_name());
    const google::protobuf::MethodDescriptor* method =
        service == nullptr ? nullptr : service->FindMethodByName(std::string(name));
    // A misnamed method is a programming error found by the first test that starts the server.
    GPR_ASSERT(method != nullptr && !method->client_streaming() && !method->server_streaming());
    return method;
  }

  std::set<std::string> hashed_;
};

}  // namespace bulwark

#endif  // BULWARK_LIBRARIES_AUTHN_PAYLOAD_HASHING_SERVICE_H_
