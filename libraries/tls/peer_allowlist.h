// File: libraries/tls/peer_allowlist.h
//
// PeerAllowlist: which peers may call an internal-only method (auth.AuthenticateRequest), by
// the names in the verified client certificate they presented over mutual TLS (its common
// name or any subject alternative name, as tls_config.h's PeerCertificateNames reads them).
//
//   PeerAllowlist allowed = PeerAllowlist::Of({"queue", "hooks", "verifier"});
//   BULWARK_RETURN_IF_ERROR(allowed.Check(*context, "AuthenticateRequest"));
//
// PeerAllowlist::Anyone() admits every peer; it is what a plaintext server (tests) uses, since
// a plaintext connection carries no certificate. List the services' own names, never a name
// every certificate shares (localhost, 127.0.0.1).
//
// Thread-safety: immutable after construction. Errors: Check returns UNAUTHENTICATED when the
// peer presented no certificate and PERMISSION_DENIED when none of its names is allowed; both
// name the method and what to configure.

#ifndef BULWARK_LIBRARIES_TLS_PEER_ALLOWLIST_H_
#define BULWARK_LIBRARIES_TLS_PEER_ALLOWLIST_H_

#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "grpcpp/server_context.h"

namespace bulwark::tls {

class PeerAllowlist {
 public:
  static PeerAllowlist Anyone() { return PeerAllowlist(true, {}); }
  static PeerAllowlist Of(std::set<std::string> names) {
    return PeerAllowlist(false, std::move(names));
  }

  bool admits_anyone() const { return anyone_; }
  const std::set<std::string>& names() const { return names_; }

  // Checks the names of the peer's certificate (see PeerCertificateNames).
  absl::Status CheckNames(const std::vector<std::string>& peer_names,
                          absl::string_view method) const;
  absl::Status Check(const grpc::ServerContextBase& context, absl::string_view method) const;

 private:
  PeerAllowlist(bool anyone, std::set<std::string> names)
      : anyone_(anyone), names_(std::move(names)) {}
  bool anyone_;
  std::set<std::string> names_;
};

}  // namespace bulwark::tls

#endif  // BULWARK_LIBRARIES_TLS_PEER_ALLOWLIST_H_
