// File: services/auth/service/client_service.h
//
// ClientService: the client methods of bulwark.auth.v1, with Taskcluster's rules:
//   - CreateClient needs auth:create-client:<id> and every scope the client gets. The access
//     token is generated here, returned once, and stored only sealed (TokenSealer). Repeating
//     an identical create within 15 minutes returns the same client and token; any other
//     existing client is ALREADY_EXISTS.
//   - UpdateClient needs auth:update-client:<id> and every scope added (the exact-string
//     difference from the stored scopes). Fields to change are chosen by update_mask.
//   - Enable/Disable/Delete/ResetAccessToken need their auth:<verb>-client:<id> scope;
//     deleting a missing client succeeds, the others are NOT_FOUND.
//   - No method touches a static/ client: FAILED_PRECONDITION, whatever the caller holds.
// Every change is recorded in the audit history and announced (on_change) so that cached
// credentials are dropped at once.
//
// Thread-safety: all methods are thread-safe.
// Errors: as above; INVALID_ARGUMENT for malformed input (naming the field); the store's
// UNAVAILABLE / DEADLINE_EXCEEDED.

#ifndef BULWARK_SERVICES_AUTH_SERVICE_CLIENT_SERVICE_H_
#define BULWARK_SERVICES_AUTH_SERVICE_CLIENT_SERVICE_H_

#include <functional>
#include <string>
#include <vector>

#include "bulwark/auth/v1/auth.pb.h"
#include "libraries/authn/caller.h"
#include "libraries/clock/clock.h"
#include "libraries/crypto/random.h"
#include "services/auth/service/role_service.h"
#include "services/auth/service/static_clients.h"
#include "services/auth/service/token_sealer.h"
#include "services/auth/store/auth_store.h"

namespace bulwark::auth {

class ClientService {
 public:
  // All references must outlive the service. `on_change(client_id)` runs after every
  // committed change to a client.
  ClientService(AuthStore& store, TokenSealer& sealer, RoleService& roles, Clock& clock,
                Random& random, std::function<void(const std::string&)> on_change)
      : store_(store),
        sealer_(sealer),
        roles_(roles),
        clock_(clock),
        random_(random),
        on_change_(std::move(on_change)) {}

  absl::StatusOr<v1::CreateClientResponse> CreateClient(const Caller& caller,
                                                        const v1::CreateClientRequest& request,
                                                        absl::Time deadline);
  absl::StatusOr<v1::Client> UpdateClient(const Caller& caller,
                                          const v1::UpdateClientRequest& request,
                                          absl::Time deadline);
  absl::StatusOr<v1::Client> SetDisabled(const Caller& caller, const std::string& client_id,
                                         bool disabled, absl::Time deadline);
  absl::Status DeleteClient(const Caller& caller, const std::string& client_id,
                            absl::Time deadline);
  absl::StatusOr<v1::CreateClientResponse> ResetAccessToken(const Caller& caller,
                                                            const std::string& client_id,
                                                            absl::Time deadline);
  absl::StatusOr<v1::Client> GetClient(const Caller& caller, const std::string& client_id,
                                       absl::Time deadline);
  absl::StatusOr<v1::ListClientsResponse> ListClients(const Caller& caller,
                                                      const v1::ListClientsRequest& request,
                                                      absl::Time deadline);

  // Makes the database's static/ clients exactly `clients`: creates the missing, updates
  // those whose token, scopes or description differ, deletes the others. Audited as
  // static/bulwark/auth.
  absl::Status SyncStaticClients(const std::vector<StaticClient>& clients, absl::Time deadline);

  // Deletes expired clients marked delete_on_expiration; returns how many.
  absl::StatusOr<int> PurgeExpired(absl::Time deadline);

  v1::Client ToProto(const ClientRow& row) const;

 private:
  // After a change that hands out a token: drops cached credentials, builds the response.
  v1::CreateClientResponse Announce(const ClientRow& row, const std::string& token);

  AuthStore& store_;
  TokenSealer& sealer_;
  RoleService& roles_;
  Clock& clock_;
  Random& random_;
  std::function<void(const std::string&)> on_change_;
};

}  // namespace bulwark::auth

#endif  // BULWARK_SERVICES_AUTH_SERVICE_CLIENT_SERVICE_H_
