#include "tools/cli/generic_call.h"

#include "absl/strings/str_cat.h"
#include "bulwark/auth/v1/auth.pb.h"
#include "bulwark/hooks/v1/hooks.pb.h"
#include "bulwark/queue/v1/queue.pb.h"
#include "bulwark/verifier/v1/verifier.pb.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/generic/generic_stub.h"
#include "libraries/grpc_server/status.h"

namespace bulwark::cli {
namespace {

// Touching one message of each API file links it in, which registers its descriptors.
void LinkApiDescriptors() {
  (void)auth::v1::PingRequest::descriptor();
  (void)queue::v1::PingRequest::descriptor();
  (void)hooks::v1::PingRequest::descriptor();
  (void)verifier::v1::PingRequest::descriptor();
}

}  // namespace

namespace {

struct ResolvedMethod {
  std::string path;  // "package.Service/Method"
  const google::protobuf::MethodDescriptor* method;
};

absl::StatusOr<ResolvedMethod> Resolve(const std::string& method) {
  LinkApiDescriptors();
  std::string path = !method.empty() && method[0] == '/' ? method.substr(1) : method;
  size_t slash = path.find('/');
  if (slash == std::string::npos) {
    return absl::InvalidArgumentError("method must look like bulwark.auth.v1.Auth/Ping");
  }
  const google::protobuf::DescriptorPool* pool = google::protobuf::DescriptorPool::generated_pool();
  const google::protobuf::ServiceDescriptor* service =
      pool->FindServiceByName(path.substr(0, slash));
  const google::protobuf::MethodDescriptor* m =
      service == nullptr ? nullptr : service->FindMethodByName(path.substr(slash + 1));
  if (m == nullptr) return absl::InvalidArgumentError(absl::StrCat("unknown method ", method));
  if (m->client_streaming() || m->server_streaming()) {
    return absl::InvalidArgumentError("only unary methods can be called this way");
  }
  return ResolvedMethod{path, m};
}

absl::StatusOr<std::string> Serialize(const google::protobuf::MethodDescriptor* m,
                                      google::protobuf::DynamicMessageFactory& factory,
                                      const std::string& request_json) {
  std::unique_ptr<google::protobuf::Message> request(factory.GetPrototype(m->input_type())->New());
  auto parsed = google::protobuf::util::JsonStringToMessage(
      request_json.empty() ? "{}" : request_json, request.get());
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("the request is not a valid ",
                                                   m->input_type()->full_name(), ": ",
                                                   parsed.message().as_string()));
  }
  // Deterministic: map entries (Struct fields) in key order, so the same JSON always gives the
  // same bytes.
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    request->SerializeToCodedStream(&coded);
  }
  return bytes;
}

}  // namespace

absl::StatusOr<std::string> SerializeJsonRequest(const std::string& method,
                                                 const std::string& request_json) {
  absl::StatusOr<ResolvedMethod> resolved = Resolve(method);
  if (!resolved.ok()) return resolved.status();
  google::protobuf::DynamicMessageFactory factory(
      google::protobuf::DescriptorPool::generated_pool());
  return Serialize(resolved->method, factory, request_json);
}

absl::StatusOr<std::string> CallJson(const std::shared_ptr<grpc::Channel>& channel,
                                     const std::string& method, const std::string& request_json,
                                     const std::shared_ptr<grpc::CallCredentials>& credentials,
                                     absl::Duration timeout) {
  absl::StatusOr<ResolvedMethod> resolved = Resolve(method);
  if (!resolved.ok()) return resolved.status();
  const std::string& path = resolved->path;
  const google::protobuf::MethodDescriptor* m = resolved->method;
  google::protobuf::DynamicMessageFactory factory(
      google::protobuf::DescriptorPool::generated_pool());
  std::unique_ptr<google::protobuf::Message> response(
      factory.GetPrototype(m->output_type())->New());
  absl::StatusOr<std::string> bytes = Serialize(m, factory, request_json);
  if (!bytes.ok()) return bytes.status();
  grpc::Slice slice(*bytes);
  grpc::ByteBuffer request_buffer(&slice, 1);
  grpc::ByteBuffer response_buffer;
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  if (credentials) context.set_credentials(credentials);
  grpc::GenericStub stub(channel);
  grpc::CompletionQueue cq;
  auto call = stub.PrepareUnaryCall(&context, "/" + path, request_buffer, &cq);
  call->StartCall();
  grpc::Status status;
  call->Finish(&response_buffer, &status, reinterpret_cast<void*>(1));
  void* tag;
  bool ok;
  cq.Next(&tag, &ok);
  if (!status.ok()) return FromGrpcStatus(status);
  std::vector<grpc::Slice> slices;
  (void)response_buffer.Dump(&slices);
  std::string out;
  for (const grpc::Slice& s : slices)
    out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  if (!response->ParseFromString(out)) {
    return absl::DataLossError("the response did not parse");
  }
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = false;
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(*response, &json, options);
  return json;
}

}  // namespace bulwark::cli
