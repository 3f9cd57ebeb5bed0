#include "libraries/crypto/keygen.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "libraries/crypto/ed25519.h"
#include "libraries/crypto/encoding.h"
#include "libraries/crypto/key_id.h"
#include "libraries/crypto/keyring.h"
#include "libraries/status/status_macros.h"
#include "nlohmann/json.hpp"

namespace bulwark::crypto {
namespace {

constexpr char kUsage[] =
    "usage: crypto_keygen token-key ID | signing-key [ID] | private-pem | "
    "public-pem FILE | public-raw FILE | jwk FILE";

absl::Status Usage() { return absl::InvalidArgumentError(kUsage); }

}  // namespace

absl::StatusOr<std::string> RunKeygen(const std::vector<std::string>& args, Random& random) {
  if (args.empty()) return Usage();
  const std::string& command = args[0];
  if (command == "token-key" && args.size() == 2) {
    BULWARK_ASSIGN_OR_RETURN(nlohmann::json entry, GenerateKeyringEntry(args[1], random));
    return entry.dump() + "\n";
  }
  if ((command == "signing-key" && args.size() <= 2) ||
      (command == "private-pem" && args.size() == 1)) {
    BULWARK_ASSIGN_OR_RETURN(Ed25519PrivateKey key, Ed25519PrivateKey::Generate(random));
    BULWARK_ASSIGN_OR_RETURN(std::string pem, key.ToPem());
    if (command == "private-pem") return pem;
    std::string id = args.size() == 2 ? args[1] : key.PublicKey().Thumbprint();
    if (!IsValidKeyId(id)) {
      return absl::InvalidArgumentError("key id must be 1 to 64 characters of [A-Za-z0-9._:-]");
    }
    return nlohmann::json({{"id", id}, {"privateKeyPem", pem}}).dump() + "\n";
  }
  if ((command == "public-pem" || command == "public-raw" || command == "jwk") &&
      args.size() == 2) {
    BULWARK_ASSIGN_OR_RETURN(Ed25519PrivateKey key, Ed25519PrivateKey::FromPemFile(args[1]));
    Ed25519PublicKey public_key = key.PublicKey();
    if (command == "public-pem") return public_key.ToPem();
    if (command == "public-raw") return Base64Encode(public_key.Raw()) + "\n";
    nlohmann::json jwk = public_key.ToJwk();
    jwk["kid"] = public_key.Thumbprint();
    jwk["use"] = "sig";
    jwk["alg"] = "EdDSA";
    return jwk.dump() + "\n";
  }
  return Usage();
}

}  // namespace bulwark::crypto
