#include "libraries/tls/peer_allowlist.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libraries/tls/tls_config.h"

namespace bulwark::tls {

absl::Status PeerAllowlist::CheckNames(const std::vector<std::string>& peer_names,
                                       absl::string_view method) const {
  if (anyone_) return absl::OkStatus();
  if (peer_names.empty()) {
    return absl::UnauthenticatedError(absl::StrCat(
        method,
        " is only for Bulwark services: connect with mutual TLS, presenting the service's "
        "client certificate (signed by the deployment's CA)"));
  }
  for (const std::string& name : peer_names) {
    if (names_.count(name) > 0) return absl::OkStatus();
  }
  return absl::PermissionDeniedError(
      absl::StrCat(method, " is only for Bulwark services: the client certificate's names [",
                   absl::StrJoin(peer_names, ", "), "] are not among the allowed service names [",
                   absl::StrJoin(names_, ", "), "] (--tls-client-names)"));
}

absl::Status PeerAllowlist::Check(const grpc::ServerContextBase& context,
                                  absl::string_view method) const {
  if (anyone_) return absl::OkStatus();
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  return CheckNames(auth ? PeerCertificateNames(*auth) : std::vector<std::string>{}, method);
}

}  // namespace bulwark::tls
