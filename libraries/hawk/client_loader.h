// File: libraries/hawk/client_loader.h
//
// ClientLoader: how the authenticator learns about the client whose key signs a
// request (the Hawk id, or the issuer of temporary credentials). The auth
// service implements it over its client store and cache; StaticClientLoader
// (static_client_loader.h) holds a fixed map, for TestAuthenticate and tests.
//
// The authenticator itself refuses disabled and expired clients, with
// Taskcluster's messages, so a loader returns them like any other.
//
// Thread-safety: implementations must be safe to call from many threads at
// once. Errors: Load returns NOT_FOUND for an unknown client (the request then
// fails with "Client with clientId '<id>' not found"); any other error is an
// infrastructure failure (e.g. UNAVAILABLE), which the authenticator passes
// back to its caller unchanged instead of reporting a failed authentication.

#ifndef BULWARK_LIBRARIES_HAWK_CLIENT_LOADER_H_
#define BULWARK_LIBRARIES_HAWK_CLIENT_LOADER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace bulwark::hawk {

struct ClientRecord {
  std::string access_token;
  // The client's scopes with roles expanded (sorted and normalized, as
  // Resolver::Expand returns them), without the anonymous role.
  std::vector<std::string> scopes;
  absl::Time expires = absl::InfiniteFuture();
  bool disabled = false;
};

class ClientLoader {
 public:
  virtual ~ClientLoader() = default;

  // The client, shared so that a cache can hand it out without copying its
  // scopes.
  // `deadline` bounds the lookup (DEADLINE_EXCEEDED after it).
  virtual absl::StatusOr<std::shared_ptr<const ClientRecord>> Load(absl::string_view client_id,
                                                                   absl::Time deadline) const = 0;
};

}  // namespace bulwark::hawk

#endif  // BULWARK_LIBRARIES_HAWK_CLIENT_LOADER_H_
