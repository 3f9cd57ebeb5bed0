// File: libraries/hawk/signer.h
//
// SignRequest: the client side of Bulwark's Hawk-over-gRPC (ARCHITECTURE §2),
// as a taskcluster-client would sign the same call: ext carries the
// certificate of temporary credentials and the authorizedScopes (ext.h), ts
// is the current second and the nonce is random. The C++ client library's
// call-credentials plugin calls it once per call.
//
//   BULWARK_ASSIGN_OR_RETURN(HostPort target, ParseAuthority(authority));
//   Request request;
//   request.resource = "/bulwark.queue.v1.Queue/CreateTask";
//   request.host = target.host;
//   request.port = target.port;
//   BULWARK_ASSIGN_OR_RETURN(
//       std::string authorization,
//       SignRequest(credentials, request, Clock::Real(), Random::Secure()));
//   context.AddMetadata("authorization", authorization);
//
// Thread-safety: as thread-safe as the Random passed (Random::Secure() is).
// Errors: INVALID_ARGUMENT from BuildExt (a certificate that is not a JSON
// object, an invalid authorized scope) or BuildHeader (an unusable clientId,
// or a header over 4096 characters).

#ifndef BULWARK_LIBRARIES_HAWK_SIGNER_H_
#define BULWARK_LIBRARIES_HAWK_SIGNER_H_

#include <string>

#include "absl/status/statusor.h"
#include "libraries/clock/clock.h"
#include "libraries/crypto/random.h"
#include "libraries/hawk/credentials.h"
#include "libraries/hawk/request.h"

namespace bulwark::hawk {

// A fresh nonce: 8 random bytes as 11 URL-safe base64 characters (hawk uses 6
// characters).
std::string NewNonce(Random& random);

// The authorization header for `request` (its method, resource, host and port, and its
// payload_hash when set: every Bulwark client signs the payload hash of the serialized request
// message, GrpcPayloadHash in mac.h).
absl::StatusOr<std::string> SignRequest(const Credentials& credentials, const Request& request,
                                        const Clock& clock, Random& random);

}  // namespace bulwark::hawk

#endif  // BULWARK_LIBRARIES_HAWK_SIGNER_H_
