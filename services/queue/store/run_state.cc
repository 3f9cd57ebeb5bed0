#include "services/queue/store/run_state.h"

namespace bulwark::queue {
namespace {

template <typename E>
struct Entry {
  E value;
  absl::string_view name;
};

constexpr Entry<RunState> kRunStates[] = {
    {RunState::kPending, "pending"},     {RunState::kRunning, "running"},
    {RunState::kCompleted, "completed"}, {RunState::kFailed, "failed"},
    {RunState::kException, "exception"},
};

constexpr Entry<ReasonCreated> kReasonsCreated[] = {
    {ReasonCreated::kScheduled, "scheduled"},  {ReasonCreated::kRetry, "retry"},
    {ReasonCreated::kTaskRetry, "task-retry"}, {ReasonCreated::kRerun, "rerun"},
    {ReasonCreated::kException, "exception"},
};

struct ResolvedEntry {
  ReasonResolved value;
  absl::string_view name;
  v1::ExceptionReason proto;
};

constexpr ResolvedEntry kReasonsResolved[] = {
    {ReasonResolved::kNone, "", v1::EXCEPTION_REASON_UNSPECIFIED},
    {ReasonResolved::kCompleted, "completed", v1::EXCEPTION_REASON_UNSPECIFIED},
    {ReasonResolved::kFailed, "failed", v1::EXCEPTION_REASON_UNSPECIFIED},
    {ReasonResolved::kWorkerShutdown, "worker-shutdown", v1::EXCEPTION_REASON_WORKER_SHUTDOWN},
    {ReasonResolved::kMalformedPayload, "malformed-payload",
     v1::EXCEPTION_REASON_MALFORMED_PAYLOAD},
    {ReasonResolved::kResourceUnavailable, "resource-unavailable",
     v1::EXCEPTION_REASON_RESOURCE_UNAVAILABLE},
    {ReasonResolved::kInternalError, "internal-error", v1::EXCEPTION_REASON_INTERNAL_ERROR},
    {ReasonResolved::kIntermittentTask, "intermittent-task",
     v1::EXCEPTION_REASON_INTERMITTENT_TASK},
    {ReasonResolved::kSuperseded, "superseded", v1::EXCEPTION_REASON_SUPERSEDED},
    {ReasonResolved::kClaimExpired, "claim-expired", v1::EXCEPTION_REASON_CLAIM_EXPIRED},
    {ReasonResolved::kDeadlineExceeded, "deadline-exceeded",
     v1::EXCEPTION_REASON_DEADLINE_EXCEEDED},
    {ReasonResolved::kCanceled, "canceled", v1::EXCEPTION_REASON_CANCELED},
};

template <typename Table, typename E>
absl::string_view NameIn(const Table& table, E value) {
  for (const auto& e : table) {
    if (e.value == value) return e.name;
  }
  return "";
}

template <typename Table>
auto Find(const Table& table, absl::string_view name) -> std::optional<decltype(table[0].value)> {
  for (const auto& e : table) {
    if (e.name == name) return e.value;
  }
  return std::nullopt;
}

}  // namespace

absl::string_view Name(RunState state) { return NameIn(kRunStates, state); }
absl::string_view Name(ReasonCreated reason) { return NameIn(kReasonsCreated, reason); }
absl::string_view Name(ReasonResolved reason) { return NameIn(kReasonsResolved, reason); }

std::optional<RunState> RunStateNamed(absl::string_view name) { return Find(kRunStates, name); }
std::optional<ReasonCreated> ReasonCreatedNamed(absl::string_view name) {
  return Find(kReasonsCreated, name);
}
std::optional<ReasonResolved> ReasonResolvedNamed(absl::string_view name) {
  return Find(kReasonsResolved, name);
}

bool IsResolved(RunState state) {
  return state == RunState::kCompleted || state == RunState::kFailed ||
         state == RunState::kException;
}

v1::TaskState ToProto(RunState state) {
  switch (state) {
    case RunState::kPending:
      return v1::TASK_STATE_PENDING;
    case RunState::kRunning:
      return v1::TASK_STATE_RUNNING;
    case RunState::kCompleted:
      return v1::TASK_STATE_COMPLETED;
    case RunState::kFailed:
      return v1::TASK_STATE_FAILED;
    case RunState::kException:
      return v1::TASK_STATE_EXCEPTION;
  }
  return v1::TASK_STATE_UNSPECIFIED;
}

v1::ExceptionReason ToProto(ReasonResolved reason) {
  for (const ResolvedEntry& e : kReasonsResolved) {
    if (e.value == reason) return e.proto;
  }
  return v1::EXCEPTION_REASON_UNSPECIFIED;
}

std::optional<ReasonResolved> ReasonResolvedOf(v1::ExceptionReason reason) {
  if (reason == v1::EXCEPTION_REASON_UNSPECIFIED) return std::nullopt;
  for (const ResolvedEntry& e : kReasonsResolved) {
    if (e.proto == reason) return e.value;
  }
  return std::nullopt;
}

}  // namespace bulwark::queue
