// File: libraries/hawk/credentials.h
//
// Credentials: what a caller signs requests with, in Taskcluster's shape: a
// clientId and accessToken, plus, for temporary credentials, the certificate
// (JSON text, as createTemporaryCredentials returns it and
// TASKCLUSTER_CERTIFICATE carries it), and optionally the authorizedScopes
// every request is restricted to.
//
// Thread-safety: a value type.

#ifndef BULWARK_LIBRARIES_HAWK_CREDENTIALS_H_
#define BULWARK_LIBRARIES_HAWK_CREDENTIALS_H_

#include <optional>
#include <string>
#include <vector>

namespace bulwark::hawk {

struct Credentials {
  // The Hawk id: a clientId, or the name of named temporary credentials.
  std::string client_id;
  // The MAC key: the client's access token, or the temporary access token.
  std::string access_token;
  // For temporary credentials: the certificate as JSON text; empty otherwise.
  std::string certificate;
  // When set, every request is restricted to these scopes (sent in ext).
  std::optional<std::vector<std::string>> authorized_scopes;
};

}  // namespace bulwark::hawk

#endif  // BULWARK_LIBRARIES_HAWK_CREDENTIALS_H_
