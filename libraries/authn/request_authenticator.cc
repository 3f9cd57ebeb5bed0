#include "libraries/authn/request_authenticator.h"

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

}  // namespace bulwark
