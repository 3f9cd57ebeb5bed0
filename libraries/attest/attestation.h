// File: libraries/attest/attestation.h
//
// Signed attestations end to end: a provenance statement (provenance.h) serialized and wrapped in
// a DSSE envelope (dsse.h, payloadType application/vnd.in-toto+json) signed with a key of a
// crypto::SigningKeyring (keyid = the key's id, the same id its public JWK is published under),
// and the offline check a consumer runs with only the envelope, the published JWK set and the file.
//
//   BULWARK_ASSIGN_OR_RETURN(Envelope env, SignStatement(statement, keyring.current()));
//   ...
//   BULWARK_ASSIGN_OR_RETURN(VerifiedAttestation a, VerifyAttestation(envelope_text, jwks_json));
//   BULWARK_ASSIGN_OR_RETURN(ArtifactDigest subject, MatchSubject(a.view, file_sha256_hex));
//
// The JWK set is the form auth.GetJwks publishes ({"keys":[{"kty":"OKP","crv":"Ed25519","x",
// "kid","use":"sig","alg":"EdDSA"}]}); VerifyAttestation also accepts that object wrapped as
// {"jwks": {...}} (the JSON of a GetJwks / GetAttestationKeys response).
//
// Thread-safety: pure functions. Errors: those of dsse.h (INVALID_ARGUMENT, NOT_FOUND for an
// unknown key, DATA_LOSS for a signature that does not verify); INVALID_ARGUMENT for a JWK set or
// payload that is not as above (the payload must be an in-toto Statement v1 with a SLSA Provenance
// v1 predicate); MatchSubject returns FAILED_PRECONDITION when no subject has the file's digest.

#ifndef BULWARK_LIBRARIES_ATTEST_ATTESTATION_H_
#define BULWARK_LIBRARIES_ATTEST_ATTESTATION_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libraries/attest/dsse.h"
#include "libraries/attest/provenance.h"
#include "libraries/crypto/signing_keyring.h"
#include "nlohmann/json.hpp"

namespace bulwark::attest {

// The statement's compact JSON, signed by `key` under its id.
absl::StatusOr<Envelope> SignStatement(const nlohmann::json& statement,
                                       const crypto::SigningKey& key);

struct VerifiedAttestation {
  std::string keyid;
  nlohmann::json statement;
  StatementView view;
};

absl::StatusOr<VerifiedAttestation> VerifyAttestation(absl::string_view envelope_text,
                                                      const nlohmann::json& jwks);

// The subject whose sha256 is `sha256_hex` (64 lowercase hex digits).
absl::StatusOr<ArtifactDigest> MatchSubject(const StatementView& view,
                                            const std::string& sha256_hex);

}  // namespace bulwark::attest

#endif  // BULWARK_LIBRARIES_ATTEST_ATTESTATION_H_
