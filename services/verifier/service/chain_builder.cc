#include "services/verifier/service/chain_builder.h"

#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "google/protobuf/util/json_util.h"
#include "libraries/crypto/encoding.h"
#include "libraries/crypto/random.h"
#include "libraries/proto/timestamp.h"
#include "services/verifier/service/task_normalizer.h"

namespace bulwark::verifier {

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
  absl::StatusOr<nlohmann::json> normalized = QueueTaskNormalizer()(task_id, task);
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
