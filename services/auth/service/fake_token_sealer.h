// File: services/auth/service/fake_token_sealer.h
//
// FakeTokenSealer (testonly): a TokenSealer that "seals" by wrapping the token with the
// client id, so tests can see what was stored and that the client id is bound in. It offers
// no protection at all.
//
// Thread-safety: stateless; safe.

#ifndef BULWARK_SERVICES_AUTH_SERVICE_FAKE_TOKEN_SEALER_H_
#define BULWARK_SERVICES_AUTH_SERVICE_FAKE_TOKEN_SEALER_H_

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/auth/service/token_sealer.h"

namespace bulwark::auth {

class FakeTokenSealer final : public TokenSealer {
 public:
  absl::StatusOr<std::string> Seal(const std::string& token,
                                   const std::string& client_id) override {
    return absl::StrCat("fake:", client_id, ":", token);
  }
  absl::StatusOr<std::string> Unseal(const std::string& sealed,
                                     const std::string& client_id) override {
    std::string prefix = absl::StrCat("fake:", client_id, ":");
    if (!absl::StartsWith(sealed, prefix)) return absl::DataLossError("not sealed for this client");
    return sealed.substr(prefix.size());
  }
};

}  // namespace bulwark::auth

#endif  // BULWARK_SERVICES_AUTH_SERVICE_FAKE_TOKEN_SEALER_H_
