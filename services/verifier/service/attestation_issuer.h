// File: services/verifier/service/attestation_issuer.h
//
// AttestationIssuer: the verifier's signed attestations (docs/attestations.md). VerifierService
// calls Issue after it has stored a verification; the gRPC adapter calls the read methods.
//
//   Issue(report, verification_id)  only for a report that passed and carries provenance (the
//                        verified task has a completed run whose signed chain-of-trust lists
//                        artifacts): builds the in-toto Statement v1 / SLSA Provenance v1
//                        (libraries/attest/provenance.h), signs it into a DSSE envelope with the
//                        keyring's current key (keyid = that key's id) and stores it with
//                        expires = now + lifetime. Returns the stored record, or nullopt when there
//                        is nothing to attest (no provenance). A failed report is refused
//                        (FAILED_PRECONDITION): a failed verification never issues an attestation.
//   GetAttestation       verifier:get-attestation:<taskId>. The task's newest attestation.
//   ListAttestations     verifier:list-attestations:<taskId> (all tasks: the scope with an empty
//                        task id). Paged, newest first; limit 0 means 100.
//   GetAttestationKeys   no scope. The keyring's public JWK set (every configured key), the current
//                        key id, and per key that signed a stored attestation its latest expiry.
//
// Key rotation: the keyring is crypto::SigningKeyring's JSON list (the last entry signs); append a
// new key and restart; keep an old key configured (so published) until GetAttestationKeys'
// needed_until for it has passed, then remove it.
//
// Thread-safety: thread-safe (the keyring is immutable; the store is thread-safe).
// Errors: PERMISSION_DENIED naming the missing scope; INVALID_ARGUMENT for a malformed request;
// NOT_FOUND when a task has no attestation; FAILED_PRECONDITION as above; the store's UNAVAILABLE
// / DEADLINE_EXCEEDED; INTERNAL when signing fails.

#ifndef BULWARK_SERVICES_VERIFIER_SERVICE_ATTESTATION_ISSUER_H_
#define BULWARK_SERVICES_VERIFIER_SERVICE_ATTESTATION_ISSUER_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bulwark/verifier/v1/verifier.pb.h"
#include "libraries/authn/caller.h"
#include "libraries/clock/clock.h"
#include "libraries/crypto/signing_keyring.h"
#include "services/verifier/service/report.h"
#include "services/verifier/store/attestation_store.h"

namespace bulwark::verifier {

class AttestationIssuer {
 public:
  // How long an attestation is kept (and its key published) by default: two years.
  static constexpr absl::Duration kDefaultLifetime = absl::Hours(24 * 730);

  // References must outlive the issuer.
  AttestationIssuer(AttestationStore& store, const crypto::SigningKeyring& keys, Clock& clock,
                    absl::Duration lifetime = kDefaultLifetime)
      : store_(store), keys_(keys), clock_(clock), lifetime_(lifetime) {}

  absl::StatusOr<std::optional<AttestationRecord>> Issue(const VerificationReport& report,
                                                         const std::string& verification_id,
                                                         absl::Time deadline);

  absl::StatusOr<v1::Attestation> GetAttestation(const Caller& caller,
                                                 const v1::GetAttestationRequest& request,
                                                 absl::Time deadline);
  absl::StatusOr<v1::ListAttestationsResponse> ListAttestations(
      const Caller& caller, const v1::ListAttestationsRequest& request, absl::Time deadline);
  absl::StatusOr<v1::GetAttestationKeysResponse> GetAttestationKeys(absl::Time deadline);

 private:
  AttestationStore& store_;
  const crypto::SigningKeyring& keys_;
  Clock& clock_;
  const absl::Duration lifetime_;
};

// The Attestation message of a stored record (subjects read from the envelope's payload).
v1::Attestation AttestationToProto(const AttestationRecord& record);

}  // namespace bulwark::verifier

#endif  // BULWARK_SERVICES_VERIFIER_SERVICE_ATTESTATION_ISSUER_H_
