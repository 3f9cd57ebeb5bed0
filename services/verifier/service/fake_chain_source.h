// File: services/verifier/service/fake_chain_source.h
//
// FakeChainSource: an in-memory ChainSource for tests (testonly). Holds task definitions,
// statuses, creator records, artifacts by (taskId, runId, name), hook fires and hook versions;
// lets a test inject an error for one call, deliver artifacts in small chunks, and observe how
// many calls were in flight at once.
//
//   SimulatedClock clock;
//   FakeChainSource source(clock);
//   source.PutTask(id, definition_json);
//   source.PutArtifact(id, 0, "public/build/app.tar.gz", bytes);
//   source.FailCall(FakeChainSource::Call::kGetTaskStatus, id, absl::UnavailableError("down"));
//
// Every method checks its deadline against the clock first (DEADLINE_EXCEEDED once
// clock.Now() >= deadline); unknown entities are NOT_FOUND. Artifacts are streamed in chunks of
// chunk_size() bytes. A rendezvous (SetRendezvous) makes StreamArtifact calls for the named
// artifacts wait, up to a deadline, until all of them are in flight at once, which proves they
// were fetched concurrently.
//
// Thread-safety: every method may be called concurrently.

#ifndef BULWARK_SERVICES_VERIFIER_SERVICE_FAKE_CHAIN_SOURCE_H_
#define BULWARK_SERVICES_VERIFIER_SERVICE_FAKE_CHAIN_SOURCE_H_

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>

#include "absl/synchronization/mutex.h"
#include "libraries/clock/clock.h"
#include "services/verifier/service/chain_source.h"

namespace bulwark::verifier {

class FakeChainSource final : public ChainSource {
 public:
  enum class Call {
    kGetTaskDefinition,
    kGetTaskStatus,
    kGetTaskCreator,
    kStreamArtifact,
    kGetHookFire,
    kGetHookVersion
  };

  explicit FakeChainSource(Clock& clock) : clock_(clock) {}

  // Data.
  void PutTask(const std::string& task_id, nlohmann::json definition);
  std::optional<nlohmann::json> Task(const std::string& task_id) const;
  void PutStatus(const std::string& task_id, TaskStatusInfo status);
  std::optional<TaskStatusInfo> Status(const std::string& task_id) const;
  void PutCreator(const std::string& task_id, TaskCreatorInfo creator);
  void PutArtifact(const std::string& task_id, int run_id, const std::string& name,
                   std::string bytes);
  void RemoveArtifact(const std::string& task_id, int run_id, const std::string& name);
  std::optional<std::string> Artifact(const std::string& task_id, int run_id,
                                      const std::string& name) const;
  void PutHookFire(const std::string& task_id, HookFire fire);
  void RemoveHookFire(const std::string& task_id);
  void PutHookVersion(const std::string& sha256_hex, std::string content);

  // Faults: the next and every later call of `call` for `key` fails with `status`. The key is
  // the taskId, the SHA-256 for kGetHookVersion, and "<taskId>/<artifact name>" for
  // kStreamArtifact.
  void FailCall(Call call, const std::string& key, absl::Status status);

  // Streaming and concurrency.
  void set_chunk_size(size_t n);
  void SetRendezvous(std::set<std::string> artifact_names, absl::Duration timeout);
  bool rendezvous_reached() const;
  int max_in_flight() const;
  int chunks_delivered(const std::string& name) const;

  // ChainSource.
  absl::StatusOr<nlohmann::json> GetTaskDefinition(const std::string& task_id,
                                                   absl::Time deadline) override;
  absl::StatusOr<TaskStatusInfo> GetTaskStatus(const std::string& task_id,
                                               absl::Time deadline) override;
  absl::StatusOr<TaskCreatorInfo> GetTaskCreator(const std::string& task_id,
                                                 absl::Time deadline) override;
  absl::Status StreamArtifact(const std::string& task_id, int run_id, const std::string& name,
                              absl::Time deadline, const ChunkSink& sink) override;
  absl::StatusOr<HookFire> GetHookFire(const std::string& task_id, absl::Time deadline) override;
  absl::StatusOr<std::string> GetHookVersion(const std::string& sha256_hex,
                                             absl::Time deadline) override;

 private:
  class InFlight;
  absl::Status Precheck(Call call, const std::string& key, absl::Time deadline) const;

  Clock& clock_;
  mutable absl::Mutex mu_;
  std::map<std::string, nlohmann::json> tasks_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, TaskStatusInfo> statuses_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, TaskCreatorInfo> creators_ ABSL_GUARDED_BY(mu_);
  std::map<std::tuple<std::string, int, std::string>, std::shared_ptr<const std::string>> artifacts_
      ABSL_GUARDED_BY(mu_);
  std::map<std::string, HookFire> fires_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::string> versions_ ABSL_GUARDED_BY(mu_);
  std::map<std::pair<Call, std::string>, absl::Status> faults_ ABSL_GUARDED_BY(mu_);
  size_t chunk_size_ ABSL_GUARDED_BY(mu_) = 64 * 1024;
  std::set<std::string> rendezvous_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> rendezvous_in_flight_ ABSL_GUARDED_BY(mu_);
  absl::Duration rendezvous_timeout_ ABSL_GUARDED_BY(mu_);
  bool rendezvous_reached_ ABSL_GUARDED_BY(mu_) = false;
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  int max_in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<std::string, int> chunks_ ABSL_GUARDED_BY(mu_);
};

}  // namespace bulwark::verifier

#endif  // BULWARK_SERVICES_VERIFIER_SERVICE_FAKE_CHAIN_SOURCE_H_
