// File: libraries/crypto/jwt_issuer.h
//
// IssueJwt: an OIDC-style identity token (iss, sub, aud, iat, exp, optional jti
// and extra claims) signed with the current key of a SigningKeyring. The
// library has no policy: who may ask for which subject, and the lifetime cap (1
// h for auth's ServiceAccountToken), belong to the caller.
//
//   JwtRequest request;
//   request.issuer = "https://auth.bulwark.example";
//   request.subject = account;
//   request.audience = audience;
//   request.lifetime = std::min(requested, absl::Hours(1));
//   BULWARK_ASSIGN_OR_RETURN(IssuedJwt jwt,
//                            IssueJwt(request, keyring, clock));
//
// iat is the clock's time rounded down to the second and exp = iat + lifetime
// (whole seconds). Thread-safety: pure apart from reading the clock. Errors:
// INVALID_ARGUMENT for an empty issuer, subject or audience, a lifetime under
// one second or over 100 years, extra claims that are not an object or that set
// a registered claim this function sets.

#ifndef BULWARK_LIBRARIES_CRYPTO_JWT_ISSUER_H_
#define BULWARK_LIBRARIES_CRYPTO_JWT_ISSUER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libraries/clock/clock.h"
#include "libraries/crypto/signing_keyring.h"
#include "nlohmann/json.hpp"

namespace bulwark::crypto {

struct JwtRequest {
  std::string issuer;                              // "iss"
  std::string subject;                             // "sub"
  std::string audience;                            // "aud" (a single string)
  absl::Duration lifetime = absl::ZeroDuration();  // exp - iat; at least 1 s
  std::string jwt_id;                              // "jti" when non-empty
  // More claims to include (an object, or null for none); may not contain iss,
  // sub, aud, iat, exp, nbf or jti.
  nlohmann::json extra_claims;
};

struct IssuedJwt {
  std::string token;
  std::string kid;
  absl::Time issued_at;
  absl::Time expires;
};

absl::StatusOr<IssuedJwt> IssueJwt(const JwtRequest& request, const SigningKeyring& keyring,
                                   const Clock& clock);

}  // namespace bulwark::crypto

#endif  // BULWARK_LIBRARIES_CRYPTO_JWT_ISSUER_H_
