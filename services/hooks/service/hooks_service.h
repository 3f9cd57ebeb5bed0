// File: services/hooks/service/hooks_service.h
//
// HooksService: the hooks logic behind bulwark.hooks.v1, transport-free. Hooks create tasks
// on behalf of users but only ever as the hook's role: every fire calls the queue as
// static/bulwark/hooks restricted to ["assume:hook-id:<G>/<H>"] (QueueClient), and creating or
// changing a hook needs assume:hook-id:<G>/<H> itself, so no one gains a scope through a hook.
//
// Fires: TriggerHook / TriggerHookWithToken validate the payload against triggerSchema first
// (INVALID_ARGUMENT, nothing recorded), render the template (firing.h) and create the task;
// every fire that renders to a task, successful or not, is recorded with its whole context.
// A trigger records its fire before it asks the queue (result "error", error starting
// kUnfinishedFirePrefix) and then sets the outcome (FinishLastFire), so no task exists without its
// fire record: if the record cannot be written, no task is created; if the outcome cannot be
// written, the record keeps saying the fire did not finish, which a verifier refuses. RunScheduler
// fires due schedules: each slot exactly once across replicas (HooksStore::RunDue with row locks),
// with the slot's fixed taskId and `now` = the slot time, so a retry after a crash re-creates the
// identical task, which the queue accepts idempotently. A slot more than `missed_slot_grace` late
// is not fired (the queue would refuse its creation time anyway): it is recorded as an error and
// the schedule resumes from now; earlier missed slots are not backfilled. Queue unavailability
// leaves the slot for the next round.
//
// Provenance (hooks_store.h, protos/bulwark/hooks/v1/README.md): every fire record names the
// version of the hook it rendered (the store returns the hook and its current version from one
// read) and expires with its task: when the fire created a task, or may have (the queue's answer
// was lost: DEADLINE_EXCEEDED, CANCELLED, UNAVAILABLE, INTERNAL), the later of the task's
// `expires` and `fire_retention` after the fire; otherwise (declined by the queue, template
// error, missed slot) `fire_retention` after the fire. RemoveHook keeps versions and fire
// records; GetFire and GetHookVersion read them (also after RemoveHook), and Purge, run in the
// background, removes what has expired: fire records past their expiry, then versions no kept
// fire needs that stopped being current more than `version_grace` ago (longer than any trigger
// takes between reading a hook and recording its fire, so the version it names is still there).
//
// Thread-safety: all methods are thread-safe.

#ifndef BULWARK_SERVICES_HOOKS_SERVICE_HOOKS_SERVICE_H_
#define BULWARK_SERVICES_HOOKS_SERVICE_HOOKS_SERVICE_H_

#include <functional>
#include <string>

#include "bulwark/hooks/v1/hooks.pb.h"
#include "libraries/authn/caller.h"
#include "libraries/clock/clock.h"
#include "libraries/crypto/keyring.h"
#include "libraries/crypto/random.h"
#include "libraries/hookfire/firing.h"
#include "services/hooks/service/queue_client.h"
#include "services/hooks/store/hooks_store.h"

namespace bulwark::hooks {

class HooksService {
 public:
  struct Options {
    absl::Duration missed_slot_grace = absl::Minutes(10);
    int schedule_batch = 100;
    // How long a fire record is kept at least (and exactly, when it rendered no task).
    absl::Duration fire_retention = absl::Hours(24 * 30);
    // How long a version that stopped being current is kept even when no fire refers to it.
    absl::Duration version_grace = absl::Hours(1);
  };
  // `token_keys` seals trigger tokens. References must outlive the service.
  HooksService(const Options& options, HooksStore& store, QueueClient& queue,
               const crypto::Keyring& token_keys, Clock& clock, Random& random)
      : options_(options),
        store_(store),
        queue_(queue),
        token_keys_(token_keys),
        clock_(clock),
        random_(random) {}

  absl::StatusOr<v1::ListHookGroupsResponse> ListHookGroups(const Caller& caller,
                                                            absl::Time deadline);
  absl::StatusOr<v1::ListHooksResponse> ListHooks(const Caller& caller, const std::string& group,
                                                  absl::Time deadline);
  absl::StatusOr<v1::Hook> GetHook(const Caller& caller, const std::string& group,
                                   const std::string& id, absl::Time deadline);
  absl::StatusOr<v1::Hook> CreateHook(const Caller& caller, const v1::Hook& hook,
                                      absl::Time deadline);
  absl::StatusOr<v1::Hook> UpdateHook(const Caller& caller, const v1::Hook& hook,
                                      absl::Time deadline);
  absl::Status RemoveHook(const Caller& caller, const std::string& group, const std::string& id,
                          absl::Time deadline);
  absl::StatusOr<v1::TriggerHookResponse> TriggerHook(const Caller& caller,
                                                      const v1::TriggerHookRequest& request,
                                                      absl::Time deadline);
  absl::StatusOr<v1::TriggerTokenResponse> GetTriggerToken(const Caller& caller,
                                                           const std::string& group,
                                                           const std::string& id,
                                                           absl::Time deadline);
  absl::StatusOr<v1::TriggerTokenResponse> ResetTriggerToken(const Caller& caller,
                                                             const std::string& group,
                                                             const std::string& id,
                                                             absl::Time deadline);
  // No caller: the token is the credential.
  absl::StatusOr<v1::TriggerHookResponse> TriggerHookWithToken(
      const v1::TriggerHookWithTokenRequest& request, absl::Time deadline);
  absl::StatusOr<v1::ListLastFiresResponse> ListLastFires(const Caller& caller,
                                                          const v1::ListLastFiresRequest& request,
                                                          absl::Time deadline);
  absl::StatusOr<v1::RenderHookResponse> RenderHook(const Caller& caller,
                                                    const v1::RenderHookRequest& request,
                                                    absl::Time deadline);
  // Scope hooks:list-last-fires:<G>/<H>. INVALID_ARGUMENT for malformed ids or a task id that
  // is not a slugid; NOT_FOUND when no fire of the hook used that task id (or it expired).
  absl::StatusOr<v1::LastFire> GetFire(const Caller& caller, const v1::GetFireRequest& request,
                                       absl::Time deadline);
  // Scope AnyOf hooks:get:<G>:<H> (GetHook's) or hooks:get:<G>/<H>. INVALID_ARGUMENT for
  // malformed ids or sha256; NOT_FOUND for a version never stored or purged.
  absl::StatusOr<v1::HookVersion> GetHookVersion(const Caller& caller,
                                                 const v1::GetHookVersionRequest& request,
                                                 absl::Time deadline);

  // Fires every due slot this replica can take; returns how many hooks it handled.
  absl::StatusOr<int> RunScheduler(absl::Time deadline);
  // Removes expired fire records and the versions no one needs any more, as of the clock's now
  // (and versions any hook stored before versions existed).
  absl::StatusOr<PurgeResult> Purge(absl::Time deadline);

 private:
  // Renders and creates the task for one fire. Returns the created taskId, "" when the
  // template declined, or the error (already readable for the caller). Sets `*expires` to
  // when the fire's record may go (see above). `before_create` (if set) runs after rendering
  // and before the queue is asked, with when the record must last at least; its error stops
  // the fire (no task) and is returned.
  absl::StatusOr<std::string> Fire(
      const HookRow& hook, const hookfire::FireContext& fire, absl::Time fired_at,
      absl::Time deadline, absl::Time* expires,
      const std::function<absl::Status(absl::Time record_expires)>& before_create = nullptr);
  // TriggerHook and TriggerHookWithToken after authorization.
  absl::StatusOr<v1::TriggerHookResponse> Trigger(const HookRow& hook, const char* fired_by,
                                                  const std::string& client_id,
                                                  const google::protobuf::Struct& payload,
                                                  absl::Time deadline);
  absl::StatusOr<std::string> Seal(const std::string& token, const HookRow& hook) const;
  absl::StatusOr<std::string> Unseal(const HookRow& hook) const;

  const Options options_;
  HooksStore& store_;
  QueueClient& queue_;
  const crypto::Keyring& token_keys_;
  Clock& clock_;
  Random& random_;
};

}  // namespace bulwark::hooks

#endif  // BULWARK_SERVICES_HOOKS_SERVICE_HOOKS_SERVICE_H_
