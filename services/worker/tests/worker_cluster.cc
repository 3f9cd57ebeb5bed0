#include "services/worker/tests/worker_cluster.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "libraries/crypto/random.h"
#include "libraries/proto/struct_json.h"
#include "libraries/proto/timestamp.h"

namespace bulwark::worker {

using auth::SignedContext;

absl::StatusOr<std::unique_ptr<WorkerCluster>> WorkerCluster::Start(
    const std::vector<std::string>& queue_args,
    const std::vector<const pg::MigrationSet*>& extra_sets) {
  std::unique_ptr<WorkerCluster> cluster(new WorkerCluster());
  auto queue = queue::QueueCluster::Start(1, queue_args, extra_sets);
  if (!queue.ok()) return queue.status();
  cluster->queue_ = std::move(*queue);
  char dir[] = "/tmp/worker-cluster.XXXXXX";  // the task user must reach its task directories
  if (mkdtemp(dir) == nullptr) return absl::InternalError("mkdtemp failed");
  chmod(dir, 0711);
  cluster->work_root_ = dir;
  return cluster;
}

WorkerCluster::~WorkerCluster() {
  workers_.clear();  // stops the workers first
  std::error_code ignored;
  std::filesystem::remove_all(work_root_, ignored);
}

absl::StatusOr<WorkerCluster::Worker*> WorkerCluster::StartWorker(
    const std::string& pool, const std::string& worker_id,
    const std::vector<std::string>& extra_args) {
  absl::StatusOr<Worker*> worker = PrepareWorker(pool, worker_id);
  if (!worker.ok()) return worker.status();
  absl::Status launched = LaunchWorker(**worker, extra_args);
  if (!launched.ok()) return launched;
  return *worker;
}

absl::StatusOr<WorkerCluster::Worker*> WorkerCluster::PrepareWorker(
    const std::string& pool, const std::string& worker_id,
    const std::vector<std::string>& extra_scopes) {
  auto worker = std::make_unique<Worker>();
  worker->pool = pool;
  worker->worker_id = worker_id;
  hawk::Credentials root = Root();
  auth::v1::CreateClientRequest create;
  create.set_client_id(absl::StrCat("worker/", pool, "/", worker_id));
  create.set_description("test worker");
  *create.mutable_expires() = ToProtoTimestamp(absl::Now() + absl::Hours(2));
  create.add_scopes("queue:claim-work:" + pool);
  create.add_scopes("queue:worker-id:local/" + worker_id);
  for (const std::string& scope : extra_scopes) create.add_scopes(scope);
  auth::v1::CreateClientResponse created;
  grpc::Status s =
      queue_->auth().Stub()->CreateClient(SignedContext(&root).get(), create, &created);
  if (!s.ok()) return absl::InternalError("creating the worker's client: " + s.error_message());
  const std::string base = absl::StrCat(testing::OutputDir(), "/worker-", worker_id);
  const std::string credentials = base + ".credentials.json";
  std::ofstream(credentials) << nlohmann::json{
      {"clientId", created.client().client_id()},
      {"accessToken",
       created.access_token()}}.dump();
  chmod(credentials.c_str(), 0600);
  worker->credentials.client_id = created.client().client_id();
  worker->credentials.access_token = created.access_token();
  absl::StatusOr<crypto::Ed25519PrivateKey> key =
      crypto::Ed25519PrivateKey::Generate(Random::Secure());
  if (!key.ok()) return key.status();
  // In a directory the task user can enter, so that only the key's own mode keeps it out.
  worker->key_file = absl::StrCat(work_root_, "/worker-", worker_id, ".key");
  {
    std::ofstream out(worker->key_file, std::ios::trunc);
    out << *key->ToPem();
  }
  chmod(worker->key_file.c_str(), 0600);
  worker->public_key = std::make_unique<crypto::Ed25519PublicKey>(key->PublicKey());
  credentials_files_[worker.get()] = credentials;
  workers_.push_back(std::move(worker));
  return workers_.back().get();
}

absl::Status WorkerCluster::LaunchWorker(Worker& worker,
                                         const std::vector<std::string>& extra_args) {
  const std::string work = absl::StrCat(work_root_, "/", worker.worker_id);
  std::vector<std::string> args = {"--queue=" + queue_->queue(0).address(),
                                   "--credentials=" + credentials_files_[&worker],
                                   "--worker-pool=" + worker.pool,
                                   "--worker-group=local",
                                   "--worker-id=" + worker.worker_id,
                                   "--work-dir=" + work,
                                   "--task-user=nobody",
                                   "--signing-key=" + worker.key_file,
                                   "--claim-wait=2s",
                                   "--shutdown-grace=5s"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  auto process = testing::ServiceProcess::Start("services/worker/server/worker", args);
  if (!process.ok()) return process.status();
  absl::Status serving = testing::WaitForServing((*process)->Channel());
  if (!serving.ok()) {
    return absl::Status(serving.code(),
                        absl::StrCat(serving.message(), "\n", (*process)->LogTail()));
  }
  worker.process = std::move(*process);
  return absl::OkStatus();
}

absl::StatusOr<std::string> WorkerCluster::CreateTask(const std::string& pool,
                                                      const nlohmann::json& payload) {
  queue::v1::CreateTaskRequest request;
  request.set_task_id(NiceSlugid(Random::Secure()));
  queue::v1::TaskDefinition* t = request.mutable_task();
  t->set_task_queue_id(pool);
  *t->mutable_created() = ToProtoTimestamp(absl::Now());
  *t->mutable_deadline() = ToProtoTimestamp(absl::Now() + absl::Hours(1));
  t->mutable_metadata()->set_name("worker test");
  t->mutable_metadata()->set_description("d");
  t->mutable_metadata()->set_owner("dev@example.com");
  t->mutable_metadata()->set_source("https://github.com/example/demo");
  absl::StatusOr<google::protobuf::Struct> p = StructFromJson(payload);
  if (!p.ok()) return p.status();
  *t->mutable_payload() = *p;
  hawk::Credentials root = Root();
  queue::v1::CreateTaskResponse response;
  grpc::Status s = queue_->Stub()->CreateTask(SignedContext(&root).get(), request, &response);
  if (!s.ok()) return absl::InternalError("CreateTask: " + s.error_message());
  return request.task_id();
}

absl::StatusOr<queue::v1::TaskStatus> WorkerCluster::Status(const std::string& task_id) {
  hawk::Credentials root = Root();
  queue::v1::GetTaskStatusRequest request;
  request.set_task_id(task_id);
  queue::v1::TaskStatus status;
  grpc::Status s = queue_->Stub()->GetTaskStatus(SignedContext(&root).get(), request, &status);
  if (!s.ok()) return absl::InternalError("GetTaskStatus: " + s.error_message());
  return status;
}

absl::StatusOr<queue::v1::TaskStatus> WorkerCluster::WaitResolved(const std::string& task_id,
                                                                  absl::Duration timeout) {
  absl::Time give_up = absl::Now() + timeout;
  while (true) {
    absl::StatusOr<queue::v1::TaskStatus> status = Status(task_id);
    if (!status.ok()) return status;
    queue::v1::TaskState s = status->state();
    if (s == queue::v1::TASK_STATE_COMPLETED || s == queue::v1::TASK_STATE_FAILED ||
        s == queue::v1::TASK_STATE_EXCEPTION) {
      return status;
    }
    if (absl::Now() > give_up) {
      return absl::DeadlineExceededError(
          absl::StrCat("task ", task_id, " not resolved in time: ", status->DebugString()));
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
}

absl::StatusOr<std::pair<queue::v1::Artifact, std::string>> WorkerCluster::Download(
    const std::string& task_id, const std::string& name, int run_id) {
  hawk::Credentials root = Root();
  queue::v1::DownloadArtifactRequest request;
  request.set_task_id(task_id);
  request.set_name(name);
  if (run_id >= 0) request.set_run_id(run_id);
  auto context = SignedContext(&root);
  context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Minutes(5)));
  auto reader = queue_->Stub()->DownloadArtifact(context.get(), request);
  queue::v1::DownloadArtifactResponse message;
  std::pair<queue::v1::Artifact, std::string> result;
  while (reader->Read(&message)) {
    if (message.has_artifact()) result.first = message.artifact();
    result.second += message.chunk();
  }
  grpc::Status s = reader->Finish();
  if (!s.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(s.error_code()),
                        "DownloadArtifact " + name + ": " + s.error_message());
  }
  return result;
}

}  // namespace bulwark::worker
