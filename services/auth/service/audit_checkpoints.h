// File: services/auth/service/audit_checkpoints.h
//
// AuditCheckpoints: the signed checkpoints of the audit history's head that make truncation
// detectable (issue 13 item 8; docs/audit.md). The keyed chain (audit_chain.h) stops anyone
// without the audit key from editing or inserting entries, but deleting the newest entries
// leaves a shorter chain that is still intact. So auth periodically:
//   Take: reads the head (AuthStore::AuditHead), signs {sequence, hash, at, keyId, mac} with
//   the current audit key (at = the injected clock), logs it as the info line
//   "audit checkpoint" with exactly those fields (the proto3 JSON of v1.AuditCheckpoint, so
//   log shipping keeps them away from the database and a line can be passed back as is), and
//   keeps it as this replica's newest. If the history no longer holds the previous newest
//   checkpoint (truncated, or rewritten and re-grown), Take logs an error, signs nothing and
//   keeps that checkpoint (DATA_LOSS), so the replica's own check keeps failing until restart.
//   Check: verifies a checkpoint's MAC and that the history still holds entry `sequence` with
//   `hash` (fewer entries: "truncated: the checkpoint of <at> covers entry N, the history ends
//   at M"; another hash: the history up to it was rewritten).
// AuthService::VerifyAuditHistory reports Check of the request's checkpoint, or of the newest.
//
// Thread-safety: safe for concurrent use.
// Errors: Take and Check return the store's errors (UNAVAILABLE, DEADLINE_EXCEEDED); Take
// returns DATA_LOSS as above. Report
// returns INVALID_ARGUMENT for a malformed checkpoint in the request (naming the field); an
// invalid MAC or a history that no longer matches is a result, not an error.

#ifndef BULWARK_SERVICES_AUTH_SERVICE_AUDIT_CHECKPOINTS_H_
#define BULWARK_SERVICES_AUTH_SERVICE_AUDIT_CHECKPOINTS_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "bulwark/auth/v1/auth.pb.h"
#include "libraries/clock/clock.h"
#include "services/auth/store/audit_chain.h"
#include "services/auth/store/auth_store.h"

namespace bulwark::auth {

struct AuditCheckpointResult {
  bool mac_valid = false;
  bool history_matches = false;
  std::string message;
};

class AuditCheckpoints {
 public:
  // `store` and `clock` are borrowed and must outlive this object.
  AuditCheckpoints(AuthStore& store, AuditKeyring keyring, const Clock& clock)
      : store_(store), keyring_(std::move(keyring)), clock_(clock) {}

  absl::StatusOr<AuditCheckpoint> Take(absl::Time deadline);
  std::optional<AuditCheckpoint> Newest() const;
  absl::StatusOr<AuditCheckpointResult> Check(const AuditCheckpoint& checkpoint,
                                              absl::Time deadline);
  // Checks the request's checkpoint (or the newest) into `out`.
  absl::Status Report(const v1::VerifyAuditHistoryRequest& request, absl::Time deadline,
                      v1::AuditCheckpointCheck* out);

  // Conversions to and from the API message.
  static v1::AuditCheckpoint ToProto(const AuditCheckpoint& checkpoint);
  static absl::StatusOr<AuditCheckpoint> FromProto(const v1::AuditCheckpoint& checkpoint);

 private:
  AuthStore& store_;
  const AuditKeyring keyring_;
  const Clock& clock_;
  mutable absl::Mutex mu_;
  std::optional<AuditCheckpoint> newest_ ABSL_GUARDED_BY(mu_);
};

}  // namespace bulwark::auth

#endif  // BULWARK_SERVICES_AUTH_SERVICE_AUDIT_CHECKPOINTS_H_
