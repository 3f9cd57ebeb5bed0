#include "libraries/client/request_authenticator.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace bulwark {

CallInfo CallInfoFrom(const grpc::ServerContext& context, absl::string_view method) {
  CallInfo call;
  call.method = std::string(method);
  grpc::string_ref authority = context.ExperimentalGetAuthority();
  call.authority.assign(authority.data(), authority.size());
  auto it = context.client_metadata().find("authorization");
  if (it != context.client_metadata().end()) {
    call.authorization.assign(it->second.data(), it->second.size());
  }
  call.peer = context.peer();
  call.deadline = absl::FromChrono(context.deadline());
  return call;
}

std::string MethodPath(absl::string_view service_full_name, absl::string_view method) {
  return absl::StrCat("/", service_full_name, "/", method);
}

absl::StatusOr<Caller> AuthorizeCall(const RequestAuthenticator& authenticator,
                                     const CallInfo& call, const scopes::Expression& required) {
  absl::StatusOr<Caller> caller = authenticator.Authenticate(call);
  if (!caller.ok()) return caller.status();
  absl::string_view method = call.method;
  if (size_t slash = method.rfind('/'); slash != absl::string_view::npos) {
    method.remove_prefix(slash + 1);
  }
  if (absl::Status s = Authorize(*caller, required, method); !s.ok()) return s;
  return caller;
}

}  // namespace bulwark
