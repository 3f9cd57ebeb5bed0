#include "services/auth/service/audit_checkpoints.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libraries/logging/log.h"
#include "libraries/proto/timestamp.h"
#include "libraries/status/status_macros.h"

namespace bulwark::auth {
namespace {

bool IsLowerHex(const std::string& s, size_t length) {
  if (s.size() != length) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(c) && (c < 'a' || c > 'f')) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<AuditCheckpoint> AuditCheckpoints::Take(absl::Time deadline) {
  // Never sign over a history that lost what the last checkpoint covered: keep that one as
  // the newest, so VerifyAuditHistory without a checkpoint keeps reporting the loss.
  if (std::optional<AuditCheckpoint> previous = Newest()) {
    BULWARK_ASSIGN_OR_RETURN(AuditCheckpointResult still, Check(*previous, deadline));
    if (!still.history_matches) {
      LogError("audit history no longer holds the last checkpoint",
               {{"sequence", previous->sequence},
                {"hash", previous->hash},
                {"at", FormatCheckpointTime(previous->at)},
                {"problem", still.message}});
      return absl::DataLossError(absl::StrCat(
          "not signing a new audit checkpoint: ", still.message,
          " (investigate; restarting auth clears this, the logged checkpoints remain)"));
    }
  }
  BULWARK_ASSIGN_OR_RETURN(std::optional<AuditEntry> head, store_.AuditHead(deadline));
  AuditCheckpoint cp =
      SignAuditCheckpoint(keyring_, head ? head->sequence : 0,
                          head ? head->hash : std::string(kAuditGenesisHash), clock_.Now());
  LogInfo("audit checkpoint", {{"sequence", cp.sequence},
                               {"hash", cp.hash},
                               {"at", FormatCheckpointTime(cp.at)},
                               {"keyId", cp.key_id},
                               {"mac", cp.mac}});
  absl::MutexLock lock(&mu_);
  newest_ = cp;
  return cp;
}

std::optional<AuditCheckpoint> AuditCheckpoints::Newest() const {
  absl::MutexLock lock(&mu_);
  return newest_;
}

absl::StatusOr<AuditCheckpointResult> AuditCheckpoints::Check(const AuditCheckpoint& cp,
                                                              absl::Time deadline) {
  AuditCheckpointResult result;
  std::string mac_problem = CheckAuditCheckpointMac(keyring_, cp);
  result.mac_valid = mac_problem.empty();
  std::string at = FormatCheckpointTime(cp.at);
  std::string history;
  if (cp.sequence == 0) {
    result.history_matches = cp.hash == kAuditGenesisHash;
    if (!result.history_matches) history = "a checkpoint of entry 0 must carry the genesis hash";
  } else {
    BULWARK_ASSIGN_OR_RETURN(std::vector<AuditEntry> at_seq,
                             store_.ListAudit("", "", cp.sequence - 1, 1, deadline));
    if (at_seq.empty() || at_seq[0].sequence != cp.sequence) {
      BULWARK_ASSIGN_OR_RETURN(std::optional<AuditEntry> head, store_.AuditHead(deadline));
      int64_t end = head ? head->sequence : 0;
      if (end >= cp.sequence) {
        history = absl::StrCat("entry ", cp.sequence, " of the checkpoint of ", at,
                               " is missing from the history (it ends at ", end, ")");
      } else {
        history = absl::StrCat("truncated: the checkpoint of ", at, " covers entry ", cp.sequence,
                               ", the history ends at ", end);
      }
    } else if (at_seq[0].hash != cp.hash) {
      history = absl::StrCat("entry ", cp.sequence, " no longer has the hash the checkpoint of ",
                             at, " recorded: the history up to it was rewritten");
    } else {
      result.history_matches = true;
    }
  }
  if (result.mac_valid && result.history_matches) {
    result.message = absl::StrCat("the checkpoint of ", at, " (entry ", cp.sequence,
                                  ") is valid and the history still holds it");
  } else {
    std::string mac_part = result.mac_valid ? "" : "MAC invalid: " + mac_problem;
    result.message =
        absl::StrCat(mac_part, !mac_part.empty() && !history.empty() ? "; " : "", history);
  }
  return result;
}

absl::Status AuditCheckpoints::Report(const v1::VerifyAuditHistoryRequest& request,
                                      absl::Time deadline, v1::AuditCheckpointCheck* out) {
  std::optional<AuditCheckpoint> cp;
  if (request.has_checkpoint()) {
    BULWARK_ASSIGN_OR_RETURN(cp, FromProto(request.checkpoint()));
    out->set_source("request");
  } else {
    cp = Newest();
    out->set_source("replica");
    if (!cp) {
      out->set_checked(false);
      out->set_message(
          "this replica has not taken an audit checkpoint yet; pass one from the log "
          "(\"audit checkpoint\" lines) in the request");
      return absl::OkStatus();
    }
  }
  BULWARK_ASSIGN_OR_RETURN(AuditCheckpointResult result, Check(*cp, deadline));
  out->set_checked(true);
  *out->mutable_checkpoint() = ToProto(*cp);
  out->set_mac_valid(result.mac_valid);
  out->set_history_matches(result.history_matches);
  out->set_message(result.message);
  return absl::OkStatus();
}

v1::AuditCheckpoint AuditCheckpoints::ToProto(const AuditCheckpoint& cp) {
  v1::AuditCheckpoint out;
  out.set_sequence(cp.sequence);
  out.set_hash(cp.hash);
  *out.mutable_at() = ToProtoTimestamp(cp.at);
  out.set_key_id(cp.key_id);
  out.set_mac(cp.mac);
  return out;
}

absl::StatusOr<AuditCheckpoint> AuditCheckpoints::FromProto(const v1::AuditCheckpoint& in) {
  if (in.sequence() < 0) {
    return absl::InvalidArgumentError("checkpoint.sequence must not be negative");
  }
  if (!IsLowerHex(in.hash(), 64)) {
    return absl::InvalidArgumentError("checkpoint.hash must be 64 lowercase hex digits, as logged");
  }
  if (!in.has_at()) return absl::InvalidArgumentError("checkpoint.at is required");
  BULWARK_RETURN_IF_ERROR(CheckTimestamp(in.at(), "checkpoint.at"));
  if (in.key_id().empty() || in.key_id().size() > 64) {
    return absl::InvalidArgumentError("checkpoint.key_id must name the audit key, as logged");
  }
  if (!IsLowerHex(in.mac(), 64)) {
    return absl::InvalidArgumentError("checkpoint.mac must be 64 lowercase hex digits, as logged");
  }
  AuditCheckpoint cp;
  cp.sequence = in.sequence();
  cp.hash = in.hash();
  cp.at = FromProtoTimestamp(in.at());
  cp.key_id = in.key_id();
  cp.mac = in.mac();
  return cp;
}

}  // namespace bulwark::auth
