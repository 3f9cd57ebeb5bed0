#include "services/verifier/service/fake_chain_source.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace bulwark::verifier {

// Counts a call as in flight for its lifetime.
class FakeChainSource::InFlight {
 public:
  explicit InFlight(const FakeChainSource& source) : source_(const_cast<FakeChainSource&>(source)) {
    absl::MutexLock lock(&source_.mu_);
    ++source_.in_flight_;
    source_.max_in_flight_ = std::max(source_.max_in_flight_, source_.in_flight_);
  }
  ~InFlight() {
    absl::MutexLock lock(&source_.mu_);
    --source_.in_flight_;
  }

 private:
  FakeChainSource& source_;
};

void FakeChainSource::PutTask(const std::string& task_id, nlohmann::json definition) {
  absl::MutexLock lock(&mu_);
  tasks_[task_id] = std::move(definition);
}

std::optional<nlohmann::json> FakeChainSource::Task(const std::string& task_id) const {
  absl::MutexLock lock(&mu_);
  auto it = tasks_.find(task_id);
  if (it == tasks_.end()) return std::nullopt;
  return it->second;
}

void FakeChainSource::PutStatus(const std::string& task_id, TaskStatusInfo status) {
  absl::MutexLock lock(&mu_);
  statuses_[task_id] = std::move(status);
}

std::optional<TaskStatusInfo> FakeChainSource::Status(const std::string& task_id) const {
  absl::MutexLock lock(&mu_);
  auto it = statuses_.find(task_id);
  if (it == statuses_.end()) return std::nullopt;
  return it->second;
}

void FakeChainSource::PutCreator(const std::string& task_id, TaskCreatorInfo creator) {
  absl::MutexLock lock(&mu_);
  creators_[task_id] = std::move(creator);
}

void FakeChainSource::PutArtifact(const std::string& task_id, int run_id, const std::string& name,
                                  std::string bytes) {
  absl::MutexLock lock(&mu_);
  artifacts_[{task_id, run_id, name}] = std::make_shared<const std::string>(std::move(bytes));
}

void FakeChainSource::RemoveArtifact(const std::string& task_id, int run_id,
                                     const std::string& name) {
  absl::MutexLock lock(&mu_);
  artifacts_.erase({task_id, run_id, name});
}

std::optional<std::string> FakeChainSource::Artifact(const std::string& task_id, int run_id,
                                                     const std::string& name) const {
  absl::MutexLock lock(&mu_);
  auto it = artifacts_.find({task_id, run_id, name});
  if (it == artifacts_.end()) return std::nullopt;
  return *it->second;
}

void FakeChainSource::PutHookFire(const std::string& task_id, HookFire fire) {
  absl::MutexLock lock(&mu_);
  fires_[task_id] = std::move(fire);
}

void FakeChainSource::RemoveHookFire(const std::string& task_id) {
  absl::MutexLock lock(&mu_);
  fires_.erase(task_id);
}

void FakeChainSource::PutHookVersion(const std::string& sha256_hex, std::string content) {
  absl::MutexLock lock(&mu_);
  versions_[sha256_hex] = std::move(content);
}

void FakeChainSource::FailCall(Call call, const std::string& key, absl::Status status) {
  absl::MutexLock lock(&mu_);
  faults_[{call, key}] = std::move(status);
}

void FakeChainSource::set_chunk_size(size_t n) {
  absl::MutexLock lock(&mu_);
  chunk_size_ = std::max<size_t>(1, n);
}

void FakeChainSource::SetRendezvous(std::set<std::string> artifact_names, absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  rendezvous_ = std::move(artifact_names);
  rendezvous_timeout_ = timeout;
}

bool FakeChainSource::rendezvous_reached() const {
  absl::MutexLock lock(&mu_);
  return rendezvous_reached_;
}

int FakeChainSource::max_in_flight() const {
  absl::MutexLock lock(&mu_);
  return max_in_flight_;
}

int FakeChainSource::chunks_delivered(const std::string& name) const {
  absl::MutexLock lock(&mu_);
  auto it = chunks_.find(name);
  return it == chunks_.end() ? 0 : it->second;
}

absl::Status FakeChainSource::Precheck(Call call, const std::string& key,
                                       absl::Time deadline) const {
  if (clock_.Now() >= deadline) {
    return absl::DeadlineExceededError("the call's deadline has passed");
  }
  absl::MutexLock lock(&mu_);
  auto it = faults_.find({call, key});
  if (it != faults_.end()) return it->second;
  return absl::OkStatus();
}

absl::StatusOr<nlohmann::json> FakeChainSource::GetTaskDefinition(const std::string& task_id,
                                                                  absl::Time deadline) {
  InFlight in_flight(*this);
  if (absl::Status s = Precheck(Call::kGetTaskDefinition, task_id, deadline); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  auto it = tasks_.find(task_id);
  if (it == tasks_.end()) return absl::NotFoundError(absl::StrCat("task ", task_id, " not found"));
  return it->second;
}

absl::StatusOr<TaskStatusInfo> FakeChainSource::GetTaskStatus(const std::string& task_id,
                                                              absl::Time deadline) {
  InFlight in_flight(*this);
  if (absl::Status s = Precheck(Call::kGetTaskStatus, task_id, deadline); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  auto it = statuses_.find(task_id);
  if (it == statuses_.end()) {
    return absl::NotFoundError(absl::StrCat("task ", task_id, " not found"));
  }
  return it->second;
}

absl::StatusOr<TaskCreatorInfo> FakeChainSource::GetTaskCreator(const std::string& task_id,
                                                                absl::Time deadline) {
  InFlight in_flight(*this);
  if (absl::Status s = Precheck(Call::kGetTaskCreator, task_id, deadline); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  auto it = creators_.find(task_id);
  if (it == creators_.end()) {
    return absl::NotFoundError(absl::StrCat("no creator record for task ", task_id));
  }
  return it->second;
}

absl::Status FakeChainSource::StreamArtifact(const std::string& task_id, int run_id,
                                             const std::string& name, absl::Time deadline,
                                             const ChunkSink& sink) {
  InFlight in_flight(*this);
  if (absl::Status s = Precheck(Call::kStreamArtifact, absl::StrCat(task_id, "/", name), deadline);
      !s.ok()) {
    return s;
  }
  std::shared_ptr<const std::string> bytes;  // shared, not copied: a stream holds no copy
  size_t chunk_size;
  {
    absl::MutexLock lock(&mu_);
    auto it = artifacts_.find({task_id, run_id, name});
    if (it == artifacts_.end()) {
      return absl::NotFoundError(
          absl::StrCat("artifact ", name, " of task ", task_id, " run ", run_id, " not found"));
    }
    bytes = it->second;
    chunk_size = chunk_size_;
    if (rendezvous_.count(name) > 0) {
      rendezvous_in_flight_.insert(name);
      auto all_here = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return rendezvous_reached_ || rendezvous_in_flight_ == rendezvous_;
      };
      // Waits on a condition with a deadline (never a bare sleep).
      if (mu_.AwaitWithTimeout(absl::Condition(&all_here), rendezvous_timeout_)) {
        rendezvous_reached_ = true;
      }
    }
  }
  for (size_t offset = 0; offset < bytes->size(); offset += chunk_size) {
    {
      absl::MutexLock lock(&mu_);
      ++chunks_[name];
    }
    absl::Status s = sink(absl::string_view(*bytes).substr(offset, chunk_size));
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::StatusOr<HookFire> FakeChainSource::GetHookFire(const std::string& task_id,
                                                      absl::Time deadline) {
  InFlight in_flight(*this);
  if (absl::Status s = Precheck(Call::kGetHookFire, task_id, deadline); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  auto it = fires_.find(task_id);
  if (it == fires_.end()) {
    return absl::NotFoundError(absl::StrCat("no hook fire created task ", task_id));
  }
  return it->second;
}

absl::StatusOr<std::string> FakeChainSource::GetHookVersion(const std::string& sha256_hex,
                                                            absl::Time deadline) {
  InFlight in_flight(*this);
  if (absl::Status s = Precheck(Call::kGetHookVersion, sha256_hex, deadline); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  auto it = versions_.find(sha256_hex);
  if (it == versions_.end()) {
    return absl::NotFoundError(absl::StrCat("no hook version with sha256 ", sha256_hex));
  }
  return it->second;
}

}  // namespace bulwark::verifier
