// File: libraries/authn/host_binding.h
//
// HostBinding: the names a server answers to, and the check that a Hawk-signed call was signed
// for one of them. The MAC covers the host and port the client dialled (the `:authority`), so a
// header made for another server (another service, another deployment, a test stack) verifies
// only there; binding refuses it here even where the same client and token are valid.
//
//   HostBinding hosts = HostBinding::Parse("queue.example.com,localhost,127.0.0.1").value();
//   BULWARK_RETURN_IF_ERROR(hosts.Check(call));   // UNAUTHENTICATED for another host
//
// An entry without a port matches the authority's host on any port (ports differ behind load
// balancers and port-forwards); "host:port" matches exactly that pair. Hosts compare
// case-insensitively, IPv6 as written inside brackets ("[::1]" or "::1"). Calls without an
// `authorization` header carry no MAC and pass. HostBinding::Any() (the default) binds
// nothing: a plaintext test server without --hostnames.
//
// HostBoundAuthenticator applies a binding in front of another RequestAuthenticator.
//
// Thread-safety: immutable after construction.
// Errors: Parse returns INVALID_ARGUMENT for an empty or malformed entry; Check returns
// UNAUTHENTICATED naming the authority and the names this server answers to, or
// INVALID_ARGUMENT for an authority that is not host[:port].

#ifndef BULWARK_LIBRARIES_AUTHN_HOST_BINDING_H_
#define BULWARK_LIBRARIES_AUTHN_HOST_BINDING_H_

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libraries/authn/request_authenticator.h"

namespace bulwark {

class HostBinding {
 public:
  HostBinding() = default;  // binds nothing
  static HostBinding Any() { return HostBinding(); }
  // A comma-separated list ("a.example,localhost:50051").
  static absl::StatusOr<HostBinding> Parse(absl::string_view list);
  static absl::StatusOr<HostBinding> Of(const std::vector<std::string>& names);

  bool binds() const { return !hosts_.empty() || !host_ports_.empty(); }
  std::string ToString() const;

  // Checks an authority ("host:port").
  absl::Status CheckAuthority(absl::string_view authority) const;
  // Checks a call: passes when it carries no authorization.
  absl::Status Check(const CallInfo& call) const;

 private:
  std::set<std::string> hosts_;
  std::set<std::pair<std::string, int>> host_ports_;
};

class HostBoundAuthenticator final : public RequestAuthenticator {
 public:
  // `inner` must outlive this object.
  HostBoundAuthenticator(const RequestAuthenticator& inner, HostBinding binding)
      : inner_(inner), binding_(std::move(binding)) {}
  absl::StatusOr<Caller> Authenticate(const CallInfo& call) const override;

 private:
  const RequestAuthenticator& inner_;
  const HostBinding binding_;
};

}  // namespace bulwark

#endif  // BULWARK_LIBRARIES_AUTHN_HOST_BINDING_H_
