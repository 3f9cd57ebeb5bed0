#include "services/verifier/service/chain_builder.h"

#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "google/protobuf/util/json_util.h"
#include "libraries/crypto/encoding.h"
#include "libraries/crypto/random.h"
#include "libraries/proto/timestamp.h"

namespace bulwark::verifier {

absl::StatusOr<nlohmann::json> NormalizeTaskStandIn(const std::string& task_id,
                                                    const nlohmann::json& task) {
  absl::StatusOr<queue::v1::TaskDefinition> parsed = hookfire::TaskFromJson(task);
  if (!parsed.ok()) return parsed.status();
  queue::v1::TaskDefinition t = *std::move(parsed);
  if (t.task_queue_id().empty()) {
    if (t.provisioner_id().empty() || t.worker_type().empty()) {
      return absl::InvalidArgumentError("task.taskQueueId is required");
    }
  } else if (t.provisioner_id().empty() && t.worker_type().empty()) {
    const size_t slash = t.task_queue_id().find('/');
    if (slash == std::string::npos) {
      return absl::InvalidArgumentError("task.taskQueueId must look like <provisionerId>/<type>");
    }
    t.set_provisioner_id(t.task_queue_id().substr(0, slash));
    t.set_worker_type(t.task_queue_id().substr(slash + 1));
  }
  t.set_task_queue_id(absl::StrCat(t.provisioner_id(), "/", t.worker_type()));
  if (t.scheduler_id().empty()) t.set_scheduler_id("-");
  if (t.project_id().empty()) t.set_project_id("none");
  if (t.task_group_id().empty()) t.set_task_group_id(task_id);
  if (t.requires().empty()) t.set_requires("all-completed");
  if (t.priority().empty()) t.set_priority("lowest");
  if (!t.has_retries()) t.set_retries(5);
  if (!t.has_created()) return absl::InvalidArgumentError("task.created is required");
  if (!t.has_deadline()) return absl::InvalidArgumentError("task.deadline is required");
  if (!t.has_expires()) {
    const absl::Time deadline = FromProtoTimestamp(t.deadline());
    const absl::CivilSecond c = absl::ToCivilSecond(deadline, absl::UTCTimeZone());
    const absl::CivilSecond next(c.year() + 1, c.month(), c.day(), c.hour(), c.minute(),
                                 c.second());
    *t.mutable_expires() = ToProtoTimestamp(absl::FromCivil(next, absl::UTCTimeZone()) +
                                            (deadline - absl::FromCivil(c, absl::UTCTimeZone())));
  }
  if (!t.has_payload()) t.mutable_payload();
  if (!t.has_extra()) t.mutable_extra();
  std::string text;
  auto printed = google::protobuf::util::MessageToJsonString(t, &text);
  if (!printed.ok()) return absl::InternalError(std::string(printed.message()));
  return nlohmann::json::parse(text);
}

FakeWorker FakeWorker::Make(const std::string& pool, uint64_t seed) {
  SeededRandom random(seed);
  return FakeWorker{pool, "workers-" + pool.substr(0, pool.find('/')),
                    absl::StrCat("worker-", seed), *crypto::Ed25519PrivateKey::Generate(random)};
}

std::string FakeWorker::PublicKeyBase64() const {
  return crypto::Base64Encode(key.PublicKey().Raw());
}

absl::StatusOr<nlohmann::json> ChainBuilder::CreateTask(
    const std::string& task_id, const nlohmann::json& task, const std::string& client_id,
    const std::vector<std::string>& authorized_scopes) {
  absl::StatusOr<nlohmann::json> normalized = NormalizeTaskStandIn(task_id, task);
  if (!normalized.ok()) return normalized.status();
  source_.PutTask(task_id, *normalized);
  source_.PutStatus(task_id, TaskStatusInfo{(*normalized)["taskQueueId"].get<std::string>(), {}});
  source_.PutCreator(task_id, TaskCreatorInfo{client_id, authorized_scopes});
  return normalized;
}

std::string ChainBuilder::HookVersionSha256(const nlohmann::json& hook_version) {
  return absl::BytesToHexString(crypto::Sha256(hook_version.dump()));
}

absl::StatusOr<nlohmann::json> ChainBuilder::FireHook(const nlohmann::json& hook_version,
                                                      const hookfire::FireContext& fire) {
  absl::StatusOr<std::optional<nlohmann::json>> rendered =
      hookfire::RenderTask(hook_version["task"], fire);
  if (!rendered.ok()) return rendered.status();
  if (!rendered->has_value()) return absl::InvalidArgumentError("the template rendered nothing");
  const std::string group = hook_version["hookGroupId"].get<std::string>();
  const std::string hook = hook_version["hookId"].get<std::string>();
  absl::StatusOr<nlohmann::json> created =
      CreateTask(fire.task_id, **rendered, "static/bulwark/hooks",
                 {absl::StrCat("assume:hook-id:", group, "/", hook)});
  if (!created.ok()) return created.status();
  const std::string sha = HookVersionSha256(hook_version);
  source_.PutHookVersion(sha, hook_version.dump());
  source_.PutHookFire(fire.task_id,
                      HookFire{group, hook, fire.fired_by, fire.payload, fire.client_id,
                               hookfire::IsoMillis(fire.now), fire.task_id, sha});
  return created;
}

absl::Status ChainBuilder::AddRun(const std::string& task_id, const FakeWorker& worker,
                                  RunState state) {
  std::optional<TaskStatusInfo> status = source_.Status(task_id);
  if (!status.has_value()) return absl::NotFoundError(absl::StrCat("no task ", task_id));
  RunInfo run;
  run.run_id = static_cast<int>(status->runs.size());
  run.state = state;
  run.worker_group = worker.worker_group;
  run.worker_id = worker.worker_id;
  status->runs.push_back(run);
  source_.PutStatus(task_id, *std::move(status));
  return absl::OkStatus();
}

absl::Status ChainBuilder::RunTask(const std::string& task_id, const FakeWorker& worker,
                                   const std::map<std::string, std::string>& artifacts,
                                   absl::Time resolved, const RunOptions& options) {
  std::optional<TaskStatusInfo> status = source_.Status(task_id);
  std::optional<nlohmann::json> task = source_.Task(task_id);
  if (!status.has_value() || !task.has_value()) {
    return absl::NotFoundError(absl::StrCat("no task ", task_id));
  }
  const int run_id = static_cast<int>(status->runs.size());
  RunInfo run{run_id, RunState::kCompleted, worker.worker_group, worker.worker_id, resolved};
  status->runs.push_back(run);
  source_.PutStatus(task_id, *std::move(status));

  std::map<std::string, std::string> all = artifacts;
  all.emplace("public/logs/live_backing.log", absl::StrCat("log of task ", task_id, "\n"));
  nlohmann::json hashes = nlohmann::json::object();
  for (const auto& [name, bytes] : all) {
    source_.PutArtifact(task_id, run_id, name, bytes);
    hashes[name] = {{"sha256", absl::BytesToHexString(crypto::Sha256(bytes))}};
  }
  nlohmann::json cot = {{"chainOfTrustVersion", 1},
                        {"taskId", task_id},
                        {"runId", run_id},
                        {"workerGroup", worker.worker_group},
                        {"workerId", worker.worker_id},
                        {"task", *task},
                        {"artifacts", hashes},
                        {"environment", {{"workerPool", worker.pool}}}};
  if (options.edit_cot) options.edit_cot(cot);
  const std::string bytes = cot.dump(2);
  const crypto::Ed25519PrivateKey& key =
      options.signing_key != nullptr ? *options.signing_key : worker.key;
  absl::StatusOr<std::string> signature = key.Sign(bytes);
  if (!signature.ok()) return signature.status();
  source_.PutArtifact(task_id, run_id, "public/chain-of-trust.json", bytes);
  source_.PutArtifact(task_id, run_id, "public/chain-of-trust.json.sig", *signature);
  return absl::OkStatus();
}

}  // namespace bulwark::verifier
