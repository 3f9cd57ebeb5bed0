#include "libraries/grpc_server/input_guard.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "google/protobuf/message.h"

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
  void Set(const grpc::ServerContextBase* context, absl::Status status) {
    absl::MutexLock lock(&mu_);
    map_.try_emplace(context, std::move(status));  // the first refusal wins
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

class InputGuardInterceptor final : public grpc::experimental::Interceptor {
 public:
  InputGuardInterceptor(grpc::experimental::ServerRpcInfo* info, const InputGuardOptions& options)
      : info_(info), options_(options) {
    std::string method = info->method() != nullptr ? info->method() : "";
    auto it = options.method_limits.find(method);
    limit_ = it != options.method_limits.end() ? it->second : options.default_limit;
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
      } else if (!refused_) {
        const auto* lite = static_cast<const google::protobuf::MessageLite*>(received);
        const auto* message = dynamic_cast<const google::protobuf::Message*>(lite);
        absl::Status status =
            message != nullptr
                ? Check(*message)
                : absl::InvalidArgumentError("the request is not a checkable message");
        if (!status.ok()) Refuse(std::move(status));
      }
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      if (refused_) {
        absl::Status refusal = Refusals::Get().Find(info_->server_context());
        methods->ModifySendStatus(grpc::Status(static_cast<grpc::StatusCode>(refusal.code()),
                                               std::string(refusal.message())));
      } else if (unparsed_ && methods->GetSendStatus().error_code() == grpc::StatusCode::INTERNAL) {
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

  void Refuse(absl::Status status) {
    refused_ = true;
    Refusals::Get().Set(info_->server_context(), std::move(status));
  }

  grpc::experimental::ServerRpcInfo* info_;
  const InputGuardOptions& options_;
  int64_t limit_;
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

}  // namespace bulwark
