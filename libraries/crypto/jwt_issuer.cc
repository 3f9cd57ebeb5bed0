#include "libraries/crypto/jwt_issuer.h"

#include <cstdint>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "libraries/crypto/jwt.h"
#include "libraries/status/status_macros.h"

namespace bulwark::crypto {

absl::StatusOr<IssuedJwt> IssueJwt(const JwtRequest& request, const SigningKeyring& keyring,
                                   const Clock& clock) {
  if (request.issuer.empty() || request.subject.empty() || request.audience.empty()) {
    return absl::InvalidArgumentError("a JWT needs an issuer, a subject and an audience");
  }
  // The upper bound only keeps exp representable; the real cap is the caller's
  // policy.
  if (request.lifetime < absl::Seconds(1) || request.lifetime > absl::Hours(24 * 366 * 100)) {
    return absl::InvalidArgumentError("a JWT lifetime must be between one second and 100 years");
  }
  if (!request.extra_claims.is_null() && !request.extra_claims.is_object()) {
    return absl::InvalidArgumentError("extra JWT claims must be a JSON object");
  }
  nlohmann::json claims =
      request.extra_claims.is_null() ? nlohmann::json::object() : request.extra_claims;
  for (const char* registered : {"iss", "sub", "aud", "iat", "exp", "nbf", "jti"}) {
    if (claims.contains(registered)) {
      return absl::InvalidArgumentError(
          absl::StrCat("extra JWT claims may not set \"", registered, "\""));
    }
  }
  int64_t iat = absl::ToUnixSeconds(clock.Now());  // rounds down
  int64_t exp = iat + absl::ToInt64Seconds(request.lifetime);
  claims["iss"] = request.issuer;
  claims["sub"] = request.subject;
  claims["aud"] = request.audience;
  claims["iat"] = iat;
  claims["exp"] = exp;
  if (!request.jwt_id.empty()) claims["jti"] = request.jwt_id;

  const SigningKey& key = keyring.current();
  BULWARK_ASSIGN_OR_RETURN(std::string token, SignJwt(claims, key.key, key.id));
  return IssuedJwt{std::move(token), key.id, absl::FromUnixSeconds(iat),
                   absl::FromUnixSeconds(exp)};
}

}  // namespace bulwark::crypto
