// File: libraries/authn/caller.h
//
// Caller: who is calling a Bulwark method, as authentication established it: the clientId
// (empty for an anonymous caller), the final, expanded scopes, and when the credentials
// expire. Authorize checks a method's scope expression against it and produces the
// PERMISSION_DENIED every service returns: it names the client, the method and exactly the
// unsatisfied part of the expression (Taskcluster's removeGivenScopes), so the caller knows
// which scope to ask for.
//
// Thread-safety: Caller is a value; Authorize is a pure function.

#ifndef BULWARK_LIBRARIES_AUTHN_CALLER_H_
#define BULWARK_LIBRARIES_AUTHN_CALLER_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libraries/scopes/expression.h"

namespace bulwark {

struct Caller {
  // Empty when the call carried no credentials.
  std::string client_id;
  // Sorted, normalized, expanded; the anonymous role's scopes included.
  std::vector<std::string> scopes;
  absl::Time expires = absl::InfiniteFuture();
  // The authorizedScopes the caller restricted itself to, if any (as sent).
  std::vector<std::string> authorized_scopes;

  bool anonymous() const { return client_id.empty(); }
};

// OK when `caller.scopes` satisfy `required`; otherwise PERMISSION_DENIED, e.g.
//   client 'alice' is missing scopes for CreateRole: {"AnyOf":["a","b"]} (required:
//   {"AllOf":["auth:create-role:x",{"AnyOf":["a","b"]}]})
// `what` names the operation (a method name).
absl::Status Authorize(const Caller& caller, const scopes::Expression& required,
                       absl::string_view what);

}  // namespace bulwark

#endif  // BULWARK_LIBRARIES_AUTHN_CALLER_H_
