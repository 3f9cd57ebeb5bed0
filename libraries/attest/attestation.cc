#include "libraries/attest/attestation.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libraries/status/status_macros.h"

namespace bulwark::attest {

using nlohmann::json;

absl::StatusOr<Envelope> SignStatement(const json& statement, const crypto::SigningKey& key) {
  return SignEnvelope(kInTotoPayloadType, statement.dump(), key.key, key.id);
}

absl::StatusOr<VerifiedAttestation> VerifyAttestation(absl::string_view envelope_text,
                                                      const json& jwks) {
  const json* keys_json = &jwks;
  if (jwks.is_object() && jwks.contains("jwks") && !jwks.contains("keys")) {
    keys_json = &jwks["jwks"];
  }
  if (!keys_json->is_object() || !keys_json->contains("keys")) {
    return absl::InvalidArgumentError(
        "the JWK set is not {\"keys\": [...]} (nor a GetJwks response {\"jwks\": {...}})");
  }
  BULWARK_ASSIGN_OR_RETURN(crypto::JwkSet keys, crypto::JwkSet::FromJson(*keys_json));
  BULWARK_ASSIGN_OR_RETURN(Envelope envelope, ParseEnvelope(envelope_text));
  BULWARK_ASSIGN_OR_RETURN(VerifiedEnvelope verified,
                           VerifyEnvelope(envelope, keys, kInTotoPayloadType));
  VerifiedAttestation out;
  out.keyid = verified.keyid;
  out.statement = json::parse(verified.payload, nullptr, /*allow_exceptions=*/false);
  if (out.statement.is_discarded()) {
    return absl::InvalidArgumentError("the signed payload is not JSON");
  }
  BULWARK_ASSIGN_OR_RETURN(out.view, ReadProvenance(out.statement));
  return out;
}

absl::StatusOr<ArtifactDigest> MatchSubject(const StatementView& view,
                                            const std::string& sha256_hex) {
  std::vector<std::string> names;
  for (const ArtifactDigest& d : view.subjects) {
    if (d.sha256 == sha256_hex) return d;
    names.push_back(absl::StrCat(d.name, " (", d.sha256, ")"));
  }
  return absl::FailedPreconditionError(absl::StrCat(
      "the file's sha256 ", sha256_hex,
      " is not the digest of any subject of the attestation: ", absl::StrJoin(names, ", ")));
}

}  // namespace bulwark::attest
