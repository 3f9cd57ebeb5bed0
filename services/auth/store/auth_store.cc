#include "services/auth/store/auth_store.h"

#include <tuple>

namespace bulwark::auth {

bool operator==(const ClientRow& a, const ClientRow& b) {
  return std::tie(a.client_id, a.description, a.sealed_access_token, a.expires, a.disabled,
                  a.delete_on_expiration, a.scopes, a.created, a.last_modified, a.last_date_used,
                  a.last_rotated, a.created_by) ==
         std::tie(b.client_id, b.description, b.sealed_access_token, b.expires, b.disabled,
                  b.delete_on_expiration, b.scopes, b.created, b.last_modified, b.last_date_used,
                  b.last_rotated, b.created_by);
}

bool operator==(const RoleRow& a, const RoleRow& b) {
  return std::tie(a.role_id, a.description, a.scopes, a.created, a.last_modified) ==
         std::tie(b.role_id, b.description, b.scopes, b.created, b.last_modified);
}

}  // namespace bulwark::auth
