// File: libraries/client/call_credentials.h
//
// The client side of Bulwark authentication for C++ callers:
//   LoadCredentials(path)        credentials from a JSON file {"clientId", "accessToken",
//                                ["certificate"], ["authorizedScopes"]} (e.g. .bulwark/root.json)
//   CredentialsFromEnvironment() TASKCLUSTER_CLIENT_ID / _ACCESS_TOKEN / _CERTIFICATE, as
//                                Taskcluster's tools read them
//   HawkCallCredentials(creds)   gRPC call credentials that sign every call with Hawk (method
//                                POST, resource = the method path, host/port = the authority
//                                the channel dialled, and the payload hash of the serialized
//                                request message exactly as sent: the body is under the MAC,
//                                protos/README.md); attach to a ClientContext
// The payload hash: gRPC's call-credentials plugins see the authority but not the message, so a
// global client interceptor (registered by the first HawkCallCredentials, or earlier by
// EnablePayloadHashing) hashes the serialized message of each unary call these credentials sign
// and hands it to that call's signer. Streaming calls carry no hash. The process must not register
// another global client interceptor factory (gRPC allows one). The credentials cannot be composed
// (CompositeCallCredentials, CompositeChannelCredentials): set them on the ClientContext. Temporary
// credentials (hawk::CreateTemporaryCredentials) and authorizedScopes work the same way: they are
// part of hawk::Credentials.
//
//   auto creds = LoadCredentials(".bulwark/root.json");
//   grpc::ClientContext context;
//   context.set_credentials(HawkCallCredentials(*creds));
//
// Thread-safety: the call credentials may be shared by many calls and threads.
// Errors: Load* return INVALID_ARGUMENT naming what is wrong; a call whose signing fails ends
// with UNAUTHENTICATED and the reason.

#ifndef BULWARK_LIBRARIES_CLIENT_CALL_CREDENTIALS_H_
#define BULWARK_LIBRARIES_CLIENT_CALL_CREDENTIALS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/security/credentials.h"
#include "libraries/clock/clock.h"
#include "libraries/crypto/random.h"
#include "libraries/hawk/credentials.h"

namespace bulwark {

absl::StatusOr<hawk::Credentials> LoadCredentials(const std::string& path);
absl::StatusOr<hawk::Credentials> CredentialsFromJson(const std::string& json_text);
absl::StatusOr<hawk::Credentials> CredentialsFromEnvironment();

std::shared_ptr<grpc::CallCredentials> HawkCallCredentials(hawk::Credentials credentials,
                                                           const Clock& clock = Clock::Real(),
                                                           Random& random = Random::Secure());

// Registers the payload-hashing interceptor now (idempotent). HawkCallCredentials does it too;
// a program may call this first thing in main to register it before any other thread makes
// calls.
void EnablePayloadHashing();

}  // namespace bulwark

#endif  // BULWARK_LIBRARIES_CLIENT_CALL_CREDENTIALS_H_
