// File: services/queue/store/run_state.h
//
// The states and reasons of a task's runs, as enums with one table each that gives the
// spelling used in SQL and in the API (Taskcluster's: "pending", "claim-expired", ...) and the
// proto enum where the API has one:
//   RunState         pending, running, completed, failed, exception
//   ReasonCreated    why a run exists: scheduled, retry, task-retry, rerun, exception
//   ReasonResolved   how it ended: completed, failed, or an exception reason
// Name(x) gives the spelling; <Enum>Named(name) parses it (nullopt for an unknown name, which
// a store reports as corrupt data).
//
// Thread-safety: pure functions over constant tables.

#ifndef BULWARK_SERVICES_QUEUE_STORE_RUN_STATE_H_
#define BULWARK_SERVICES_QUEUE_STORE_RUN_STATE_H_

#include <optional>

#include "absl/strings/string_view.h"
#include "bulwark/queue/v1/queue.pb.h"

namespace bulwark::queue {

enum class RunState { kPending, kRunning, kCompleted, kFailed, kException };

enum class ReasonCreated { kScheduled, kRetry, kTaskRetry, kRerun, kException };

enum class ReasonResolved {
  kNone,  // not resolved yet
  kCompleted,
  kFailed,
  // Exceptions reported by workers.
  kWorkerShutdown,
  kMalformedPayload,
  kResourceUnavailable,
  kInternalError,
  kIntermittentTask,
  // Exceptions set by the queue.
  kSuperseded,
  kClaimExpired,
  kDeadlineExceeded,
  kCanceled,
};

absl::string_view Name(RunState state);
absl::string_view Name(ReasonCreated reason);
absl::string_view Name(ReasonResolved reason);  // "" for kNone

std::optional<RunState> RunStateNamed(absl::string_view name);
std::optional<ReasonCreated> ReasonCreatedNamed(absl::string_view name);
std::optional<ReasonResolved> ReasonResolvedNamed(absl::string_view name);  // "" is kNone

bool IsResolved(RunState state);
v1::TaskState ToProto(RunState state);
// The exception reason of the API, or EXCEPTION_REASON_UNSPECIFIED for a reason that is not an
// exception (kNone, kCompleted, kFailed).
v1::ExceptionReason ToProto(ReasonResolved reason);
// The reason for an API exception reason; nullopt for UNSPECIFIED or an unknown value.
std::optional<ReasonResolved> ReasonResolvedOf(v1::ExceptionReason reason);

}  // namespace bulwark::queue

#endif  // BULWARK_SERVICES_QUEUE_STORE_RUN_STATE_H_
