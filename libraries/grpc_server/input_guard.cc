#include "libraries/grpc_server/input_guard.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "grpcpp/support/byte_buffer.h"

namespace bulwark {
namespace {

using grpc::experimental::InterceptionHookPoints;

// Refusals of calls in flight, by server context; an entry lives as long as its call's
// interceptor.
class Refusals {
 public:
  static Refusals& Get() {
    static Refusals* const refusals = new Refusals();
    return *refusals;
  }
  void Set(const grpc::ServerContextBase* context, const absl::Status& status) {
    absl::MutexLock lock(&mu_);
    map_.try_emplace(context, status);  // the first refusal wins
  }
  absl::Status Find(const grpc::ServerContextBase* context) {
    absl::MutexLock lock(&mu_);
    auto it = map_.find(context);
    return it == map_.end() ? absl::OkStatus() : it->second;
  }
  void Erase(const grpc::ServerContextBase* context) {
    absl::MutexLock lock(&mu_);
    map_.erase(context);
  }

 private:
  absl::Mutex mu_;
  absl::flat_hash_map<const grpc::ServerContextBase*, absl::Status> map_ ABSL_GUARDED_BY(mu_);
};

// The methods whose handlers receive grpc::ByteBuffer (DeclareRawRequestMethod), by full path,
// with the generated prototype of their input type.
class RawMethods {
 public:
  static RawMethods& Get() {
    static RawMethods* const methods = new RawMethods();
    return *methods;
  }
  void Add(const std::string& path) {
    // "/pkg.Service/Method" → "pkg.Service.Method".
    std::string dotted = path.size() > 1 ? path.substr(1) : path;
    size_t slash = dotted.find('/');
    if (slash != std::string::npos) dotted[slash] = '.';
    const google::protobuf::MethodDescriptor* method =
        google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(dotted);
    const google::protobuf::Message* prototype =
        method == nullptr ? nullptr
                          : google::protobuf::MessageFactory::generated_factory()->GetPrototype(
                                method->input_type());
    absl::MutexLock lock(&mu_);
    map_[path] = prototype;
  }
  // Whether `path` is raw; then *prototype is its input type's prototype (null if unknown).
  bool Find(const std::string& path, const google::protobuf::Message** prototype) {
    absl::MutexLock lock(&mu_);
    auto it = map_.find(path);
    if (it == map_.end()) return false;
    *prototype = it->second;
    return true;
  }

 private:
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, const google::protobuf::Message*> map_ ABSL_GUARDED_BY(mu_);
};

// What gRPC answers for a request it could not parse: INTERNAL from a sync handler,
// UNIMPLEMENTED without a message from a callback one.
bool IsParseFailure(const grpc::Status& status) {
  return status.error_code() == grpc::StatusCode::INTERNAL ||
         (status.error_code() == grpc::StatusCode::UNIMPLEMENTED && status.error_message().empty());
}

class InputGuardInterceptor final : public grpc::experimental::Interceptor {
 public:
  InputGuardInterceptor(grpc::experimental::ServerRpcInfo* info, const InputGuardOptions& options)
      : info_(info), options_(options) {
    std::string method = info->method() != nullptr ? info->method() : "";
    auto it = options.method_limits.find(method);
    limit_ = it != options.method_limits.end() ? it->second : options.default_limit;
    raw_ = RawMethods::Get().Find(method, &raw_prototype_);
  }

  ~InputGuardInterceptor() override {
    if (refused_) Refusals::Get().Erase(info_->server_context());
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE)) {
      // The handler's request object, a generated protobuf message (see the header), passed as
      // the MessageLite base for unary calls and as the message type for streams (the same
      // address: single inheritance); null when gRPC could not parse the bytes.
      void* received = methods->GetRecvMessage();
      if (received == nullptr) {
        unparsed_ = true;
      } else if (raw_) {
        if (!refused_) {
          absl::Status status = CheckRaw(*static_cast<const grpc::ByteBuffer*>(received));
          if (!status.ok()) Refuse(status);
        }
      } else if (!refused_) {
        const auto* lite = static_cast<const google::protobuf::MessageLite*>(received);
        const auto* message = dynamic_cast<const google::protobuf::Message*>(lite);
        absl::Status status =
            message != nullptr
                ? Check(*message)
                : absl::InvalidArgumentError("the request is not a checkable message");
        if (!status.ok()) Refuse(status);
      }
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      if (refused_) {
        absl::Status refusal = Refusals::Get().Find(info_->server_context());
        methods->ModifySendStatus(grpc::Status(static_cast<grpc::StatusCode>(refusal.code()),
                                               std::string(refusal.message())));
      } else if (unparsed_ && IsParseFailure(methods->GetSendStatus())) {
        methods->ModifySendStatus(grpc::Status(
            grpc::StatusCode::INVALID_ARGUMENT,
            "the request message could not be parsed (a string that is not valid UTF-8, or "
            "messages nested too deeply?)"));
      }
    }
    methods->Proceed();
  }

 private:
  absl::Status Check(const google::protobuf::Message& message) const {
    size_t size = message.ByteSizeLong();
    if (static_cast<int64_t>(size) > limit_) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "the request message is ", size, " bytes; this method accepts at most ", limit_));
    }
    return CheckInput(message, options_.content);
  }

  // A request the handler reads as bytes: their size, then the content of a parsed copy.
  absl::Status CheckRaw(const grpc::ByteBuffer& buffer) const {
    size_t size = buffer.Length();
    if (static_cast<int64_t>(size) > limit_) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "the request message is ", size, " bytes; this method accepts at most ", limit_));
    }
    if (raw_prototype_ == nullptr) {
      return absl::InvalidArgumentError("the request is not a checkable message");
    }
    std::vector<grpc::Slice> slices;
    if (!buffer.Dump(&slices).ok()) return absl::OkStatus();  // the handler refuses it
    std::string bytes;
    bytes.reserve(size);
    for (const grpc::Slice& slice : slices) {
      bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
    }
    std::unique_ptr<google::protobuf::Message> message(raw_prototype_->New());
    // Bytes that do not parse are refused by the handler (INVALID_ARGUMENT, naming the type).
    if (!message->ParseFromString(bytes)) return absl::OkStatus();
    return CheckInput(*message, options_.content);
  }

  void Refuse(const absl::Status& status) {
    refused_ = true;
    Refusals::Get().Set(info_->server_context(), status);
  }

  grpc::experimental::ServerRpcInfo* info_;
  const InputGuardOptions& options_;
  int64_t limit_;
  bool raw_ = false;
  const google::protobuf::Message* raw_prototype_ = nullptr;
  bool refused_ = false;
  bool unparsed_ = false;
};

}  // namespace

grpc::experimental::Interceptor* InputGuardInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new InputGuardInterceptor(info, options_);
}

absl::Status RejectedInput(const grpc::ServerContextBase* context) {
  return Refusals::Get().Find(context);
}

void DeclareRawRequestMethod(const std::string& method_path) { RawMethods::Get().Add(method_path); }

}  // namespace bulwark
